"""A department's own paper templates (docs/documents.md, "How to adapt a template"): the
wording of a kind of paper for an organization and everything below it, versioned, never
overwritten, and the version each paper was issued with, fixed once and for all.

- `TemplateShelf`: one per (organization, kind of paper); each upload or roll-back is a new
  version (`TemplateAdopted`: who, when, the file's sha256, the earlier version it restores).
- `TemplateFile`: the bytes of one upload (base64 in its one event), kept apart from the
  shelf so that listing versions or issuing a paper never loads every file.
- `TemplateChoice`: one per paper, written with it: the template version it was issued with
  (or the default). A paper never changes: rendering it again after a new upload reads the
  same file. A paper without a choice (issued before templates could be adapted) uses the
  default."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.record import Recorded
from domain.values import Actor, Stamp


def shelf_id(namespace: UUID, org_id: UUID, kind: str) -> UUID:
    return uuid5(namespace, f"paper-templates/{org_id}/{kind}")


def file_id(namespace: UUID, org_id: UUID, kind: str, version: int) -> UUID:
    return uuid5(namespace, f"paper-template-file/{org_id}/{kind}/{version}")


def choice_id(namespace: UUID, paper_id: UUID) -> UUID:
    return uuid5(namespace, f"paper-template-choice/{paper_id}")


@dataclass(frozen=True)
class TemplateVersion:
    """One version of an organization's template of a kind."""

    version: int
    file_id: UUID
    sha256: str
    size: int
    restores: int | None  # a roll-back: the earlier version adopted again
    adopted_by: Actor
    adopted_on: date
    command_key: str


class TemplateShelf(Recorded):
    """An organization's versions of its template of one kind of paper; the latest is in
    force for its papers and those of the organizations below it that have none."""

    @event("ShelfOpened")
    def __init__(self, id: UUID, org_id: UUID, kind: str, stamp: Stamp) -> None:
        self.org_id = org_id
        self.kind = kind
        self.versions: list[TemplateVersion] = []

    @property
    def latest(self) -> TemplateVersion | None:
        return self.versions[-1] if self.versions else None

    def numbered(self, number: int) -> TemplateVersion | None:
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None

    def by_command(self, command_key: str) -> TemplateVersion | None:
        """The version a command adopted (a repeated command answers it again)."""
        return next((v for v in self.versions if v.command_key == command_key), None)

    def adopt(
        self, file_id: UUID, sha256: str, size: int, restores: int | None, stamp: Stamp
    ) -> int:
        """The next version: never overwrites one."""
        number = len(self.versions) + 1
        self._adopted(
            number=number,
            file_id=file_id,
            sha256=sha256,
            size=size,
            restores=restores,
            stamp=stamp,
        )
        return number

    @event("TemplateAdopted")
    def _adopted(
        self,
        number: int,
        file_id: UUID,
        sha256: str,
        size: int,
        restores: int | None,
        stamp: Stamp,
    ) -> None:
        self.versions.append(
            TemplateVersion(
                number,
                file_id,
                sha256,
                size,
                restores,
                stamp.actor,
                stamp.effective_on,
                stamp.command_key,
            )
        )


class TemplateFile(Recorded):
    """The bytes of one uploaded template (a DOCX), with their sha256."""

    @event("TemplateStored")
    def __init__(
        self, id: UUID, org_id: UUID, kind: str, sha256: str, content: str, stamp: Stamp
    ) -> None:
        self.org_id = org_id
        self.kind = kind
        self.sha256 = sha256
        self.content = content  # base64: events are JSON

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.content)


class TemplateChoice(Recorded):
    """The template a paper was issued with: an organization's version, or the default
    (`owner_id` None)."""

    @event("TemplateChosen")
    def __init__(
        self,
        id: UUID,
        paper_id: UUID,
        kind: str,
        owner_id: UUID | None,
        template_version: int | None,
        file_id: UUID | None,
        sha256: str | None,
        stamp: Stamp,
    ) -> None:
        self.paper_id = paper_id
        self.kind = kind
        self.owner_id = owner_id
        self.template_version = template_version
        self.file_id = file_id
        self.sha256 = sha256
