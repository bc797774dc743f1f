"""Where an admission case stands — its stage, its dossier, its deadlines — read from the facts
the case records (domain/admission.py records them; this module only reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain import policy
from domain.commands import Step
from domain.errors import RuleViolation
from domain.labels import en, vi
from domain.stages import DOSSIER_OPEN, Stage
from domain.values import (
    SIDE_OF,
    Ballot,
    CommentSource,
    Education,
    FamilySide,
    Introduction,
    Relative,
)

HOLDERS: dict[Stage, str] = {
    # Who holds the case at each stage (answers for its deadline); every other open stage
    # is the cell's. "competent": the committee deciding on admission (ADM-DECIDE).
    Stage.intermediate_appraisal: "intermediate",
    Stage.committee_vote: "grassroots",
    Stage.decision: "competent",
}


def check_step(stage: Stage, step: type[Step]) -> None:
    """CASE-STAGE: the case's stage accepts the step."""
    if stage not in step.stages:
        raise RuleViolation(
            "CASE-STAGE",
            f"Hồ sơ đang ở bước “{vi('stage', stage)}”, không nhận việc "
            f"“{vi('step', step.step_kind)}”",
            f"The case is at the stage “{en('stage', stage)}”, which does not accept "
            f"“{en('step', step.step_kind)}”",
            stage=str(stage),
            step=step.step_kind,
        )


@dataclass(frozen=True)
class ApplicantFacts:
    """What the cell vote judges about the applicant, read from the person and the tree on the
    meeting day and recorded on the event, so an auditor sees what was known."""

    birth_date: date
    education: Education
    exempt_area: bool
    provincial_consent_over_60: bool
    youth_union_member: bool
    trade_union_member: bool
    unit_has_youth_union: bool
    full_members_in_cell: int
    invalid_introducers: tuple[UUID, ...] = ()


APPLICANT = "applicant"  # the verification subject that is the applicant themself


class CaseStanding:
    """The readings of an admission case's facts (the attributes its events set)."""

    person_id: UUID
    cell_id: UUID
    grassroots_id: UUID
    needs_intermediate_appraisal: bool
    helper_member_id: UUID | None
    opened_on: date
    certificate: tuple[str, date] | None
    application_on: date | None
    background_on: date | None
    relatives: dict[str, Relative]
    introductions: dict[int, Introduction]
    verification_requests: dict[str, tuple[date, str]]
    verification_results: dict[str, tuple[date, bool]]
    exempt_sides: dict[FamilySide, str]
    background_certified_on: date | None
    comments: dict[CommentSource, date]
    comments_summarized_on: date | None
    cell_ballots: list[Ballot]
    cell_resolution_on: date | None
    intermediate_appraised_on: date | None
    committee_ballot: Ballot | None
    committee_passed: bool
    committee_resolution_on: date | None
    decision_extension_wd: int
    decision: tuple[str | None, date, UUID] | None  # number (None: from the register)
    decision_received_on: date | None
    ceremony_delay_until: date | None
    ceremony_on: date | None
    outcome: Stage | None
    outcome_on: date | None
    outcome_reason: str | None

    # --- where the case stands ---

    @property
    def stage(self) -> Stage:
        if self.outcome is not None:
            return Stage(self.outcome)
        if self.decision is not None:
            return Stage.ceremony
        if self.committee_resolution_on is not None:
            return Stage.decision
        if self.cell_resolution_on is not None:
            if self.needs_intermediate_appraisal and self.intermediate_appraised_on is None:
                return Stage.intermediate_appraisal
            return Stage.committee_vote
        return next((s for s, done in self.dossier.items() if not done), Stage.cell_vote)

    @property
    def dossier(self) -> dict[Stage, bool]:
        """The dossier checklist (§2, forms 1-KNĐ … 5-KNĐ)."""
        return {
            Stage.course: self.certificate is not None,
            Stage.application: self.application_on is not None,
            Stage.background: self.background_on is not None,
            Stage.introducers: len(self.introductions) == 2,
            Stage.verification: self.background_certified_on is not None,
            Stage.comments: self.comments_summarized_on is not None,
        }

    @property
    def verification_subjects(self) -> list[str]:
        """The applicant and every relative in scope, minus the exempted sides."""
        return [APPLICANT] + [
            key
            for key, rel in self.relatives.items()
            if SIDE_OF[rel.relationship] not in self.exempt_sides
        ]

    @property
    def decision_due(self) -> date | None:
        """ADM-DECIDE: from the cell's resolution, with any extension granted."""
        if self.cell_resolution_on is None:
            return None
        return policy.due_date(
            "ADM-DECIDE", self.cell_resolution_on, extension_wd=self.decision_extension_wd
        ).due

    @property
    def ceremony_due(self) -> date | None:
        """ADM-CEREMONY: from the cell's receipt of the decision, or the approved delay."""
        if self.decision_received_on is None:
            return None
        return policy.ceremony_due(self.decision_received_on, self.ceremony_delay_until)

    def current_deadline(self, on: date) -> tuple[str, date, date] | None:
        """(rule id, start, due) of what the case's process watches: the stage's own
        deadline, or while the dossier is open the first of its documents to lapse (its
        process warns the cell ahead of it, policy.VALIDITY_RULES)."""
        return self.stage_deadline() or self.lapsing_document(on)

    def stage_deadline(self) -> tuple[str, date, date] | None:
        """(rule id, start, due) of the current stage's own deadline: ADM-DECIDE from the
        cell's resolution, ADM-CEREMONY from the receipt; none while the dossier is open."""
        stage = self.stage
        if stage in (Stage.intermediate_appraisal, Stage.committee_vote, Stage.decision):
            assert self.cell_resolution_on is not None and self.decision_due is not None
            return "ADM-DECIDE", self.cell_resolution_on, self.decision_due
        if stage is Stage.ceremony and self.decision_received_on and self.ceremony_due:
            return "ADM-CEREMONY", self.decision_received_on, self.ceremony_due
        return None

    def lapsing_document(self, on: date) -> tuple[str, date, date] | None:
        """(rule id, issued, last valid day) of the dossier's document that lapses first while
        the dossier is open (ADM-CERT, ADM-DOSSIER-AGE, by the rules in force on `on`); each
        validity runs from its own document's date: the certificate's issue, the letter."""
        if self.stage not in DOSSIER_OPEN:
            return None
        lapsing = [
            (policy.dossier_stale_after(i.letter_on, on), "ADM-DOSSIER-AGE", i.letter_on)
            for i in self.introductions.values()
        ]
        if self.certificate:
            issued_on = self.certificate[1]
            lapsing.append((policy.certificate_expires(issued_on, on), "ADM-CERT", issued_on))
        if not lapsing:
            return None
        due, rule, start = min(lapsing)
        return rule, start, due
