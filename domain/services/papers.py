"""Papers: issued from the record, numbered from the issuing body's register, superseded by a
correction, found by their verification code (domain/paper.py, docs/documents.md)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID, uuid5

from domain import policy
from domain.errors import ConcurrencyConflict, RuleViolation
from domain.organization import Organization
from domain.paper import (
    FORMS,
    CasePapers,
    Paper,
    PaperCode,
    PaperKind,
    PaperSubject,
    Register,
    kinds_about,
    place_of,
    register_id,
    symbol,
)
from domain.services import paper_statements as statements
from domain.services import paper_statements_committees as committees
from domain.services import paper_statements_org as org_statements
from domain.services import paper_statements_transfer as transfer_statements
from domain.services.paper_statements import Statement, StatementOf
from domain.services.store import NAMESPACE, Context, Unit
from domain.verification import code_for, lookup_id, normalize

T = TypeVar("T")
RETRIES = 50  # a burst of issues on one register: each conflict lets one of them through

# What each kind of paper states and who issues it (domain/services/paper_statements.py).
STATEMENTS: dict[PaperKind, StatementOf] = {
    PaperKind.cell_resolution: statements.cell_resolution,
    PaperKind.admission_decision: statements.admission_decision,
    PaperKind.grassroots_resolution: committees.grassroots_resolution,
    PaperKind.recognition_decision: committees.recognition_decision,
    PaperKind.dissolution_decision: org_statements.dissolution_decision,
    PaperKind.quota_report: org_statements.quota_report,
    PaperKind.transfer_letter: transfer_statements.transfer_letter,
}


def _file_id(subject_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"case-papers/{subject_id}")


class Papers(org_statements.UnitYears):
    """Issue, supersede and verify papers."""

    def issue_paper(
        self,
        ctx: Context,
        *,
        paper_id: UUID,
        subject_id: UUID,
        kind: PaperKind,
        on: date,
        signatory_title: str | None = None,
    ) -> UUID:
        """A paper the subject's recorded step ends in, with the register's next number.
        PAPER-STEP: not before the step it records; PAPER-ONCE: one live paper per kind (a
        correction supersedes it)."""
        policy.rules_at(on)
        kind = PaperKind(kind)

        def attempt(unit: Unit) -> None:
            unit.once_new(paper_id)
            live = [p for p in self.papers_of(subject_id) if p.kind is kind and not p.superseded_by]
            if live:
                raise RuleViolation(
                    "PAPER-ONCE",
                    f"Đã có giấy tờ này ({live[0].symbol}): hãy ban hành bản thay thế",
                    f"This paper was already issued ({live[0].symbol}): supersede it",
                    paper=str(live[0].id),
                )
            self._issue(unit, paper_id, subject_id, kind, on, signatory_title, None)

        return self._retrying(ctx, attempt, paper_id)

    def supersede_paper(
        self,
        ctx: Context,
        *,
        paper_id: UUID,
        new_paper_id: UUID,
        on: date,
        reason: str,
        signatory_title: str | None = None,
    ) -> UUID:
        """A correction: a new paper with a new number, stating the record as it now stands;
        the old one keeps its history and learns which paper superseded it."""
        policy.rules_at(on)

        def attempt(unit: Unit) -> None:
            unit.once_new(new_paper_id)
            old = unit.load(Paper, paper_id)
            old.supersede(new_paper_id, reason, unit.stamp(on, "superseded"))
            title = signatory_title or old.signatory_title
            self._issue(unit, new_paper_id, old.subject_id, old.kind, on, title, paper_id)

        return self._retrying(ctx, attempt, new_paper_id)

    def paper_statement(self, subject_id: UUID, kind: PaperKind, on: date) -> Statement:
        """What the paper would state if issued on `on`, and who issues it (PAPER-STEP)."""
        return STATEMENTS[PaperKind(kind)](self, subject_id, on)

    def papers_due(self, subject: PaperSubject, subject_id: UUID, on: date) -> list[PaperKind]:
        """The kinds whose step has happened by `on` and that have no live paper yet: what
        the record's page offers to issue, in the order of the steps."""
        live = {p.kind for p in self.papers_of(subject_id) if p.superseded_by is None}
        due = []
        for kind in kinds_about(subject):
            if kind in live:
                continue
            try:
                self.paper_statement(subject_id, kind, on)
            except RuleViolation:
                continue
            due.append(kind)
        return due

    def _retrying(self, ctx: Context, attempt: Callable[[Unit], None], result: T) -> T:
        """One unit of work, again after a concurrent issue took the register's number."""
        for _ in range(RETRIES):
            try:
                with self.unit(ctx) as unit:
                    attempt(unit)
                return result
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"register busy after {RETRIES} attempts")

    def _issue(
        self,
        unit: Unit,
        paper_id: UUID,
        subject_id: UUID,
        kind: PaperKind,
        on: date,
        signatory_title: str | None,
        replaces: UUID | None,
    ) -> None:
        stated = self.paper_statement(subject_id, kind, on)
        org = self.load(Organization, stated.issuer_id)
        book = FORMS[kind].book
        reg_id = register_id(NAMESPACE, org.id, book, on.year)
        if self.exists(reg_id):
            register = unit.load(Register, reg_id)
        else:
            register = Register(
                id=reg_id, org_id=org.id, book=book, year=on.year, stamp=unit.stamp(on, "register")
            )
            unit.add(register)
        number = register.take(paper_id, unit.stamp(on, "number"))
        paper = Paper(
            id=paper_id,
            kind=kind,
            case_id=subject_id,
            org_id=org.id,
            year=on.year,
            number=number,
            symbol=symbol(number, kind, org.kind),
            place=place_of(self.load(Organization, stated.place_org_id).name),
            signatory_title=(signatory_title or FORMS[kind].title).strip().upper(),
            facts=stated.facts,
            replaces=replaces,
            stamp=unit.stamp(on),
        )
        unit.add(paper)
        code_id = lookup_id(NAMESPACE, self._paper_key(), self.paper_code(paper_id))
        unit.add(PaperCode(id=code_id, paper_id=paper_id, stamp=unit.stamp(on, "code")))
        file_id = _file_id(subject_id)
        if self.exists(file_id):
            filed = unit.load(CasePapers, file_id)
        else:
            filed = CasePapers(id=file_id, case_id=subject_id, stamp=unit.stamp(on, "file"))
            unit.add(filed)
        filed.file(paper_id, unit.stamp(on, "filed"))

    def record_paper_download(self, ctx: Context, paper_id: UUID, on: date) -> None:
        """A copy was taken (the DOCX): an event with its actor; retried on a conflict."""

        def attempt(unit: Unit) -> None:
            unit.once(Paper, paper_id).record_download(unit.stamp(on))

        self._retrying(ctx, attempt, None)

    # --- reading -------------------------------------------------------------------------

    def papers_of(self, subject_id: UUID) -> list[Paper]:
        """The papers issued about a record, in order."""
        file_id = _file_id(subject_id)
        if not self.exists(file_id):
            return []
        return [self.load(Paper, p) for p in self.load(CasePapers, file_id).papers]

    def paper_code(self, paper_id: UUID) -> str:
        return code_for(self._paper_key(), paper_id)

    def paper_by_code(self, text: str) -> Paper | None:
        """The paper a typed code names; None for an unknown or malformed code alike."""
        code = normalize(text)
        if code is None:
            return None
        code_id = lookup_id(NAMESPACE, self._paper_key(), code)
        if not self.exists(code_id):
            return None
        return self.load(Paper, self.load(PaperCode, code_id).paper_id)

    def _paper_key(self) -> bytes:
        """DANGVIEN_PAPER_KEY, or one derived from the id key (never the id key itself)."""
        key = self.env.get("DANGVIEN_PAPER_KEY")
        if key:
            return key.encode()
        id_key = (self.env.get("DANGVIEN_ID_KEY") or self.env.get("CIPHER_KEY") or "").encode()
        if not id_key:
            raise RuntimeError("DANGVIEN_PAPER_KEY or DANGVIEN_ID_KEY must be set for papers")
        return hmac.new(id_key, b"dangvien/paper-code-key", hashlib.sha256).digest()
