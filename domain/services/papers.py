"""Papers: issued from the record, numbered from the issuing body's register, superseded by a
correction, found by their verification code (domain/paper.py, docs/documents.md)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid5

from domain import policy
from domain.admission import AdmissionCase
from domain.errors import ConcurrencyConflict, RuleViolation
from domain.organization import Organization
from domain.paper import (
    BOOK,
    CasePapers,
    Paper,
    PaperCode,
    PaperKind,
    Register,
    place_of,
    register_id,
    symbol,
)
from domain.person import Person
from domain.services.paper_templates import PaperTemplates
from domain.services.store import NAMESPACE, Context, Unit
from domain.verification import code_for, lookup_id, normalize

T = TypeVar("T")
RETRIES = 50  # a burst of issues on one register: each conflict lets one of them through

DEFAULT_TITLE = {PaperKind.cell_resolution: "BÍ THƯ", PaperKind.admission_decision: "BÍ THƯ"}


def _file_id(case_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"case-papers/{case_id}")


class Papers(PaperTemplates):
    """Issue, supersede and verify papers."""

    def issue_paper(
        self,
        ctx: Context,
        *,
        paper_id: UUID,
        case_id: UUID,
        kind: PaperKind,
        on: date,
        signatory_title: str | None = None,
    ) -> UUID:
        """A paper the case's recorded step ends in, with the register's next number.
        PAPER-STEP: not before the step it records; PAPER-ONCE: one live paper per kind (a
        correction supersedes it)."""
        policy.rules_at(on)
        kind = PaperKind(kind)

        def attempt(unit: Unit) -> None:
            unit.once_new(paper_id)
            live = [p for p in self.case_papers(case_id) if p.kind is kind and not p.superseded_by]
            if live:
                raise RuleViolation(
                    "PAPER-ONCE",
                    f"Hồ sơ đã có giấy tờ này ({live[0].symbol}): hãy ban hành bản thay thế",
                    f"The case already has this paper ({live[0].symbol}): supersede it",
                    paper=str(live[0].id),
                )
            self._issue(unit, paper_id, case_id, kind, on, signatory_title, None)

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
            self._issue(unit, new_paper_id, old.case_id, old.kind, on, title, paper_id)

        return self._retrying(ctx, attempt, new_paper_id)

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
        case_id: UUID,
        kind: PaperKind,
        on: date,
        signatory_title: str | None,
        replaces: UUID | None,
    ) -> None:
        case = unit.load(AdmissionCase, case_id)
        org_id, facts = self._facts(case, kind, on)
        org = self.load(Organization, org_id)
        book = BOOK[kind]
        reg_id = register_id(NAMESPACE, org_id, book, on.year)
        if self.exists(reg_id):
            register = unit.load(Register, reg_id)
        else:
            register = Register(
                id=reg_id, org_id=org_id, book=book, year=on.year, stamp=unit.stamp(on, "register")
            )
            unit.add(register)
        number = register.take(paper_id, unit.stamp(on, "number"))
        grassroots = self.grassroots_of(case.cell_id, on)
        paper = Paper(
            id=paper_id,
            kind=kind,
            case_id=case_id,
            org_id=org_id,
            year=on.year,
            number=number,
            symbol=symbol(number, kind, org.kind),
            place=place_of(grassroots.name),
            signatory_title=(signatory_title or DEFAULT_TITLE[kind]).strip().upper(),
            facts=facts,
            replaces=replaces,
            stamp=unit.stamp(on),
        )
        unit.add(paper)
        self.fix_template(unit, paper_id=paper_id, org_id=org_id, kind=kind, on=on)
        code_id = lookup_id(NAMESPACE, self._paper_key(), self.paper_code(paper_id))
        unit.add(PaperCode(id=code_id, paper_id=paper_id, stamp=unit.stamp(on, "code")))
        file_id = _file_id(case_id)
        if self.exists(file_id):
            filed = unit.load(CasePapers, file_id)
        else:
            filed = CasePapers(id=file_id, case_id=case_id, stamp=unit.stamp(on, "file"))
            unit.add(filed)
        filed.file(paper_id, unit.stamp(on, "filed"))

    def _facts(self, case: AdmissionCase, kind: PaperKind, on: date) -> tuple[UUID, dict[str, Any]]:
        """The issuing body and what the paper states, as the record holds it today.
        PAPER-STEP: the step the paper records has happened, on or before its date."""
        if kind is PaperKind.cell_resolution:
            step_on, org_id = case.cell_resolution_on, case.cell_id
        else:
            step_on = case.decision[1] if case.decision else None
            org_id = case.decision[2] if case.decision else case.grassroots_id
        if step_on is None or on < step_on:
            raise RuleViolation(
                "PAPER-STEP",
                "Bước mà giấy tờ này ghi nhận chưa diễn ra vào ngày ban hành",
                "The step this paper records has not happened by its date",
                kind=str(kind),
            )
        person = self.load(Person, case.person_id).data
        org = self.load(Organization, org_id)
        superior = org.parent_on(on)
        facts: dict[str, Any] = {
            "applicant_name": person.full_name,
            "applicant_birth_date": person.birth_date.isoformat(),
            "cell_name": self.load(Organization, case.cell_id).name,
            "grassroots_name": self.grassroots_of(case.cell_id, on).name,
            "issuer_name": org.name,
            "superior_name": self.load(Organization, superior).name if superior else "",
            "step_on": step_on.isoformat(),
        }
        ballot = case.cell_ballots[-1] if case.cell_ballots else None
        if ballot is not None:
            facts |= {
                "cell_vote_on": ballot.held_on.isoformat(),
                "cell_on_roll": ballot.denominator,
                "cell_votes_for": ballot.votes_for,
                "cell_votes_against": ballot.votes_against,
            }
        if kind is PaperKind.admission_decision and case.committee_ballot is not None:
            facts |= {
                "committee_vote_on": case.committee_ballot.held_on.isoformat(),
                "committee_votes_for": case.committee_ballot.votes_for,
                "committee_size": case.committee_ballot.on_roll,
                "decision_recorded_number": case.decision[0] if case.decision else "",
            }
        return org_id, facts

    def record_paper_download(self, ctx: Context, paper_id: UUID, on: date) -> None:
        """A copy was taken (the DOCX): an event with its actor; retried on a conflict."""

        def attempt(unit: Unit) -> None:
            unit.once(Paper, paper_id).record_download(unit.stamp(on))

        self._retrying(ctx, attempt, None)

    # --- reading -------------------------------------------------------------------------

    def case_papers(self, case_id: UUID) -> list[Paper]:
        file_id = _file_id(case_id)
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
