"""A department's own paper templates (domain/paper_template.py, docs/documents.md): adopted
as new versions, rolled back as new versions, found for an organization by walking up its
tree, and fixed on each paper when it is issued.

What a template must be (a DOCX docxtpl renders with the kind's tags, PAPER-TEMPLATE) is
checked at the edge before `adopt_template` is called (infra/papers/adaptation.py): the
domain keeps the bytes and their history, it does not read Word files."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import ConcurrencyConflict, RuleViolation
from domain.organization import Organization
from domain.paper import PaperKind
from domain.paper_template import (
    TemplateChoice,
    TemplateFile,
    TemplateShelf,
    TemplateVersion,
    choice_id,
    file_id,
    shelf_id,
)
from domain.services.organizations import Organizations
from domain.services.store import NAMESPACE, Context, Unit

RETRIES = 10  # two uploads at once: the second takes the next version


@dataclass(frozen=True)
class InForce:
    """The template an organization's papers of a kind are issued with today: its own
    latest version, an ancestor's (`owner_id` above it), or the default (`owner_id` None)."""

    kind: str
    owner_id: UUID | None
    version: TemplateVersion | None


class PaperTemplates(Organizations):
    """Adopt, roll back and find the templates of papers."""

    def adopt_template(
        self, ctx: Context, *, org_id: UUID, kind: str, content: bytes, on: date
    ) -> int:
        """A new version of the organization's template of `kind` (never overwriting one);
        the content was checked by the caller (PAPER-TEMPLATE). Returns its number; the same
        command again answers the version it made."""
        kind = str(PaperKind(kind))
        self.load(Organization, org_id).check_exists(on)
        sha256 = hashlib.sha256(content).hexdigest()
        encoded = base64.b64encode(content).decode("ascii")

        def attempt(unit: Unit, shelf: TemplateShelf) -> int:
            number = len(shelf.versions) + 1
            stored = file_id(NAMESPACE, org_id, kind, number)
            unit.add(
                TemplateFile(
                    id=stored,
                    org_id=org_id,
                    kind=kind,
                    sha256=sha256,
                    content=encoded,
                    stamp=unit.stamp(on, "file"),
                )
            )
            return shelf.adopt(stored, sha256, len(content), None, unit.stamp(on))

        return self._on_shelf(ctx, org_id, kind, on, attempt)

    def restore_template(
        self, ctx: Context, *, org_id: UUID, kind: str, version: int, on: date
    ) -> int:
        """A roll-back: an earlier version adopted again, as a new version pointing to it
        (its file is not copied). PAPER-TEMPLATE: a version the shelf has."""
        kind = str(PaperKind(kind))
        self.load(Organization, org_id).check_exists(on)

        def attempt(unit: Unit, shelf: TemplateShelf) -> int:
            earlier = shelf.numbered(version)
            if earlier is None:
                raise RuleViolation(
                    "PAPER-TEMPLATE",
                    f"Tổ chức này chưa có phiên bản mẫu số {version} của loại giấy tờ này",
                    f"This organization has no version {version} of this kind's template",
                    version=version,
                )
            return shelf.adopt(
                earlier.file_id, earlier.sha256, earlier.size, earlier.version, unit.stamp(on)
            )

        return self._on_shelf(ctx, org_id, kind, on, attempt)

    def _on_shelf(
        self,
        ctx: Context,
        org_id: UUID,
        kind: str,
        on: date,
        attempt: Callable[[Unit, TemplateShelf], int],
    ) -> int:
        """One command on the organization's shelf of `kind` (opened by its first upload),
        again after a concurrent upload took the version; a repeat answers what it made."""
        shelf_key = shelf_id(NAMESPACE, org_id, kind)
        for _ in range(RETRIES):
            try:
                with self.unit(ctx) as unit:
                    if self.exists(shelf_key):
                        shelf = unit.load(TemplateShelf, shelf_key)
                        done = shelf.by_command(ctx.command_key)
                        if done is not None:
                            return done.version
                    else:
                        shelf = TemplateShelf(
                            id=shelf_key, org_id=org_id, kind=kind, stamp=unit.stamp(on, "shelf")
                        )
                        unit.add(shelf)
                    # returned once the unit has saved (a conflict is raised from its end)
                    return attempt(unit, shelf)
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"template shelf busy after {RETRIES} attempts")

    # --- which template ------------------------------------------------------------------

    def template_shelf(self, org_id: UUID, kind: str) -> TemplateShelf | None:
        key = shelf_id(NAMESPACE, org_id, str(PaperKind(kind)))
        return self.load(TemplateShelf, key) if self.exists(key) else None

    def template_in_force(self, org_id: UUID, kind: str, on: date) -> InForce:
        """The organization's latest version, else the nearest ancestor's (the tree on
        `on`), else the default."""
        kind = str(PaperKind(kind))
        for owner in (org_id, *self.ancestors(org_id, on)):
            shelf = self.template_shelf(owner, kind)
            if shelf is not None and shelf.latest is not None:
                return InForce(kind, owner, shelf.latest)
        return InForce(kind, None, None)

    def fix_template(
        self, unit: Unit, *, paper_id: UUID, org_id: UUID, kind: str, on: date
    ) -> None:
        """Called in the unit of work that issues a paper: the template in force for its
        issuing body, recorded with the paper so that it never changes afterwards."""
        found = self.template_in_force(org_id, kind, on)
        version = found.version
        unit.add(
            TemplateChoice(
                id=choice_id(NAMESPACE, paper_id),
                paper_id=paper_id,
                kind=found.kind,
                owner_id=found.owner_id,
                template_version=version.version if version else None,
                file_id=version.file_id if version else None,
                sha256=version.sha256 if version else None,
                stamp=unit.stamp(on, "template"),
            )
        )

    def template_choice(self, paper_id: UUID) -> TemplateChoice | None:
        key = choice_id(NAMESPACE, paper_id)
        return self.load(TemplateChoice, key) if self.exists(key) else None

    def template_bytes(self, stored: UUID) -> bytes:
        return self.load(TemplateFile, stored).data

    def paper_template(self, paper_id: UUID) -> bytes | None:
        """The bytes of the template a paper was issued with; None for the default (and for
        a paper issued before templates were recorded)."""
        choice = self.template_choice(paper_id)
        if choice is None or choice.file_id is None:
            return None
        return self.template_bytes(choice.file_id)
