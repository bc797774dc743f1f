"""The admission case (hồ sơ kết nạp đảng viên): every step of docs/rulebook.md §2 as a command.

Each public method checks its rules (through `domain.policy`) before it records anything, so a
refused command leaves no event. The case never disappears: it ends admitted, withdrawn, rejected
or stopped.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import policy
from domain.case_standing import APPLICANT as APPLICANT  # re-exported, as callers know them
from domain.case_standing import HOLDERS as HOLDERS
from domain.case_standing import ApplicantFacts as ApplicantFacts
from domain.case_standing import CaseStanding, check_step
from domain.commands import Step
from domain.commands import admission as steps
from domain.errors import RuleViolation
from domain.record import Recorded
from domain.stages import CLOSED as CLOSED  # re-exported: the case's stages live in stages.py
from domain.stages import DOSSIER_ORDER as DOSSIER_ORDER
from domain.stages import OPEN as OPEN
from domain.stages import Stage
from domain.values import (
    SIDE_OF,
    Ballot,
    CommentSource,
    FamilySide,
    IntroducerKind,
    Introduction,
    OrgKind,
    Relative,
    Stamp,
)


class AdmissionCase(CaseStanding, Recorded):
    """One person's way from source to admission (hồ sơ kết nạp)."""

    @event("Opened")
    def __init__(
        self,
        id: UUID,  # chosen by the caller: opaque, stable, idempotent
        person_id: UUID,
        cell_id: UUID,
        grassroots_id: UUID,
        needs_intermediate_appraisal: bool,
        helper_member_id: UUID | None,
        stamp: Stamp,
    ) -> None:
        self.person_id = person_id
        self.cell_id = cell_id
        self.grassroots_id = grassroots_id
        self.needs_intermediate_appraisal = needs_intermediate_appraisal
        self.helper_member_id = helper_member_id
        self.opened_on: date = stamp.effective_on
        self.certificate: tuple[str, date] | None = None
        self.application_on: date | None = None
        self.background_on: date | None = None
        self.relatives: dict[str, Relative] = {}
        self.introductions: dict[int, Introduction] = {}
        self.verification_requests: dict[str, tuple[date, str]] = {}
        self.verification_results: dict[str, tuple[date, bool]] = {}
        self.exempt_sides: dict[FamilySide, str] = {}
        self.background_certified_on: date | None = None
        self.comments: dict[CommentSource, date] = {}
        self.comments_summarized_on: date | None = None
        self.cell_ballots: list[Ballot] = []
        self.cell_resolution_on: date | None = None
        self.intermediate_appraised_on: date | None = None
        self.committee_ballot: Ballot | None = None
        self.committee_passed = False
        self.committee_resolution_on: date | None = None
        self.decision_extension_wd = 0
        # (the number typed at the step, or None when the paper is issued from the register;
        # the date; the committee that decided)
        self.decision: tuple[str | None, date, UUID] | None = None
        self.decision_received_on: date | None = None
        self.ceremony_delay_until: date | None = None
        self.ceremony_on: date | None = None
        self.outcome: Stage | None = None
        self.outcome_on: date | None = None
        self.outcome_reason: str | None = None

    def _expect(self, step: type[Step]) -> None:
        check_step(self.stage, step)

    # --- the dossier (steps 2–7), in any order the rules allow ---

    def record_certificate(self, number: str, issued_on: date, stamp: Stamp) -> None:
        """Step 2: the political-awareness course certificate."""
        self._expect(steps.RecordCertificate)
        self._certificate_recorded(number=number, issued_on=issued_on, stamp=stamp)

    @event("CertificateRecorded")
    def _certificate_recorded(self, number: str, issued_on: date, stamp: Stamp) -> None:
        self.certificate = (number, issued_on)

    def submit_application(self, stamp: Stamp) -> None:
        """Step 3: the application letter (đơn xin vào Đảng, 1-KNĐ)."""
        self._expect(steps.SubmitApplication)
        self._application_submitted(stamp=stamp)

    @event("ApplicationSubmitted")
    def _application_submitted(self, stamp: Stamp) -> None:
        self.application_on = stamp.effective_on

    def declare_background(self, relatives: list[Relative], stamp: Stamp) -> None:
        """Step 4: the background declaration (lý lịch, 2-KNĐ), with the relatives in scope."""
        self._expect(steps.DeclareBackground)
        keys = [r.key for r in relatives]
        if len(set(keys)) != len(keys) or APPLICANT in keys:
            raise RuleViolation(
                "ADM-VERIFY",
                "Mỗi người thân cần một mã riêng",
                "Each relative needs a key of its own",
            )
        self._background_declared(relatives=relatives, stamp=stamp)

    @event("BackgroundDeclared")
    def _background_declared(self, relatives: list[Relative], stamp: Stamp) -> None:
        self.background_on = stamp.effective_on
        self.relatives = {r.key: r for r in relatives}
        self.verification_results = {}
        self.background_certified_on = None

    def assign_introducer(self, slot: int, introduction: Introduction, stamp: Stamp) -> None:
        """Step 5: an introducer (3-KNĐ) or the union's resolution (4-KNĐ); a second assignment
        to the same slot replaces the introducer (e.g. one who transferred away)."""
        self._expect(steps.AssignIntroducer)
        if slot not in (1, 2):
            raise RuleViolation(
                "ADM-INTRO", "Chỉ có hai người giới thiệu", "There are two introducers"
            )
        other = self.introductions.get(3 - slot)
        if (
            introduction.kind is IntroducerKind.full_member
            and other is not None
            and other.member_id == introduction.member_id
        ):
            raise RuleViolation(
                "ADM-INTRO",
                "Hai người giới thiệu phải là hai người khác nhau",
                "The two introducers must be different people",
            )
        if introduction.kind is IntroducerKind.full_member:
            policy.check_introducer_time(introduction)
        self._introducer_assigned(
            slot=slot, introduction=introduction, replaces=slot in self.introductions, stamp=stamp
        )

    @event("IntroducerAssigned")
    def _introducer_assigned(
        self, slot: int, introduction: Introduction, replaces: bool, stamp: Stamp
    ) -> None:
        self.introductions[slot] = introduction

    def request_verification(self, subject: str, sent_to: str, stamp: Stamp) -> None:
        """Step 6: a verification letter to the committee where the subject lives or works."""
        self._expect(steps.RequestVerification)
        self._check_subject(subject)
        self._verification_requested(subject=subject, sent_to=sent_to, stamp=stamp)

    @event("VerificationRequested")
    def _verification_requested(self, subject: str, sent_to: str, stamp: Stamp) -> None:
        self.verification_requests[subject] = (stamp.effective_on, sent_to)

    def record_verification_result(
        self, subject: str, satisfactory: bool, note: str, stamp: Stamp
    ) -> None:
        self._expect(steps.RecordVerificationResult)
        self._check_subject(subject)
        self._verification_returned(
            subject=subject, satisfactory=satisfactory, note=note, stamp=stamp
        )

    @event("VerificationReturned")
    def _verification_returned(
        self, subject: str, satisfactory: bool, note: str, stamp: Stamp
    ) -> None:
        self.verification_results[subject] = (stamp.effective_on, satisfactory)
        self.background_certified_on = None

    def exempt_family_side(self, member_relative_key: str, stamp: Stamp) -> None:
        """A side needs no verification when a parent, sibling or child on it is a member."""
        self._expect(steps.ExemptFamilySide)
        rel = self.relatives.get(member_relative_key)
        side = SIDE_OF[rel.relationship] if rel else FamilySide.own
        if rel is None or not rel.is_party_member or side is FamilySide.own:
            raise RuleViolation(
                "ADM-VERIFY",
                "Chỉ miễn thẩm tra một bên gia đình khi có người thân bên đó là đảng viên",
                "A side of the family is exempt only through a relative on it who is a member",
            )
        self._side_exempted(side=side, member_relative_key=member_relative_key, stamp=stamp)

    @event("FamilySideExempted")
    def _side_exempted(self, side: FamilySide, member_relative_key: str, stamp: Stamp) -> None:
        self.exempt_sides[FamilySide(side)] = member_relative_key

    def certify_background(self, stamp: Stamp) -> None:
        """ADM-VERIFY: the grassroots committee certifies once every result is in."""
        self._expect(steps.CertifyBackground)
        if self.background_on is None:
            raise RuleViolation("ADM-VERIFY", "Chưa có lý lịch", "No background declaration yet")
        missing = [s for s in self.verification_subjects if s not in self.verification_results]
        if missing:
            raise RuleViolation(
                "ADM-VERIFY",
                f"Còn {len(missing)} kết quả thẩm tra lý lịch chưa có",
                f"{len(missing)} verification results are still missing",
                missing=missing,
            )
        self._background_certified(stamp=stamp)

    @event("BackgroundCertified")
    def _background_certified(self, stamp: Stamp) -> None:
        self.background_certified_on = stamp.effective_on

    def _check_subject(self, subject: str) -> None:
        if subject != APPLICANT and subject not in self.relatives:
            raise RuleViolation(
                "ADM-VERIFY",
                "Người này không có trong lý lịch đã khai",
                "This person is not in the declared background",
            )

    def record_comment(self, source: CommentSource, stamp: Stamp) -> None:
        """Step 7: comments from the workplace organizations and the residence cell."""
        self._expect(steps.RecordComment)
        self._comment_recorded(source=source, stamp=stamp)

    @event("CommentRecorded")
    def _comment_recorded(self, source: CommentSource, stamp: Stamp) -> None:
        self.comments[CommentSource(source)] = stamp.effective_on

    def summarize_comments(self, stamp: Stamp) -> None:
        """ADM-COMMENTS: the cell committee summarises (5-KNĐ) once both comments are in."""
        self._expect(steps.SummarizeComments)
        missing = sorted(set(CommentSource) - set(self.comments))
        if missing:
            raise RuleViolation(
                "ADM-COMMENTS",
                "Thiếu ý kiến nhận xét của đoàn thể nơi công tác hoặc chi ủy nơi cư trú",
                "Comments from the workplace organizations or the residence cell are missing",
                missing=missing,
            )
        self._comments_summarized(stamp=stamp)

    @event("CommentsSummarized")
    def _comments_summarized(self, stamp: Stamp) -> None:
        self.comments_summarized_on = stamp.effective_on

    # --- votes and decision (steps 8–12) ---

    def record_cell_vote(self, ballot: Ballot, facts: ApplicantFacts, stamp: Stamp) -> None:
        """Step 8: the cell's vote, with every validity check of that moment."""
        self._expect(steps.RecordCellVote)
        on = ballot.held_on
        policy.check_not_before(on, self.background_certified_on, self.comments_summarized_on)
        policy.check_ballot(ballot, "ADM-VOTE-CELL")
        policy.check_org_min(facts.full_members_in_cell, on)
        policy.check_age(facts.birth_date, on, facts.provincial_consent_over_60)
        policy.check_education(facts.education, facts.exempt_area)
        policy.check_certificate(self.certificate[1] if self.certificate else None, on)
        policy.check_introductions(
            self.introductions.values(),
            youth_union_member=facts.youth_union_member,
            trade_union_member=facts.trade_union_member,
            unit_has_youth_union=facts.unit_has_youth_union,
        )
        if facts.invalid_introducers:
            raise RuleViolation(
                "ADM-INTRO",
                "Người giới thiệu đã chuyển đi hoặc bị kỷ luật: chi bộ phân công người thay thế",
                "An introducer has transferred away or been disciplined: assign a replacement",
                members=[str(m) for m in facts.invalid_introducers],
            )
        policy.check_dossier_age(
            {f"introducer {slot}": i.letter_on for slot, i in sorted(self.introductions.items())},
            on,
        )
        self._cell_voted(ballot=ballot, facts=facts, passed=policy.vote_passes(ballot), stamp=stamp)

    @event("CellVoted")
    def _cell_voted(
        self, ballot: Ballot, facts: ApplicantFacts, passed: bool, stamp: Stamp
    ) -> None:
        self.cell_ballots.append(ballot)
        if passed:
            self.cell_resolution_on = ballot.held_on
        else:
            self._close(Stage.rejected, ballot.held_on, "ADM-VOTE-CELL")

    def record_intermediate_appraisal(self, stamp: Stamp) -> None:
        """Step 9: the intermediate committee's appraisal, where one exists."""
        self._expect(steps.RecordIntermediateAppraisal)
        policy.check_not_before(stamp.effective_on, self.cell_resolution_on)
        self._intermediate_appraised(stamp=stamp)

    @event("IntermediateAppraised")
    def _intermediate_appraised(self, stamp: Stamp) -> None:
        self.intermediate_appraised_on = stamp.effective_on

    def record_committee_vote(self, ballot: Ballot, stamp: Stamp) -> None:
        """Step 10 (ADM-VOTE-COMMITTEE): the result goes up to the competent committee either
        way; a failed vote is reported in full, it does not end the case."""
        self._expect(steps.RecordCommitteeVote)
        policy.check_not_before(
            ballot.held_on, self.cell_resolution_on, self.intermediate_appraised_on
        )
        policy.check_ballot(ballot, "ADM-VOTE-COMMITTEE")
        self._committee_voted(ballot=ballot, passed=policy.vote_passes(ballot), stamp=stamp)

    @event("CommitteeVoted")
    def _committee_voted(self, ballot: Ballot, passed: bool, stamp: Stamp) -> None:
        self.committee_ballot = ballot
        self.committee_passed = passed
        self.committee_resolution_on = ballot.held_on

    def extend_decision_deadline(self, extra_wd: int, reason: str, stamp: Stamp) -> None:
        """ADM-DECIDE: one extension (gia hạn) of up to 30 working days."""
        self._expect(steps.ExtendDecisionDeadline)
        policy.check_extension(
            "ADM-DECIDE", self.decision_extension_wd > 0, extra_wd, stamp.effective_on
        )
        self._decision_extended(extra_wd=extra_wd, reason=reason, stamp=stamp)

    @event("DecisionDeadlineExtended")
    def _decision_extended(self, extra_wd: int, reason: str, stamp: Stamp) -> None:
        self.decision_extension_wd = extra_wd

    def decide(
        self,
        number: str | None,
        decided_by: UUID,
        decided_by_kind: OrgKind,
        is_competent: bool,
        stamp: Stamp,
    ) -> None:
        """Step 11: the admission decision (9-KNĐ); a late decision stands but is recorded late
        (the consequence is an accountability review, not invalidity). A grassroots committee
        authorised to admit decides through its own vote, so not after that vote failed.
        `number` is the decision's number when it was issued outside dangvien; without it the
        decision's paper takes its number from the committee's register (docs/documents.md)."""
        self._expect(steps.Decide)
        on = stamp.effective_on
        policy.check_not_before(on, self.committee_resolution_on)
        policy.check_deciding_committee(decided_by_kind, is_competent, on)
        if decided_by == self.grassroots_id:
            assert self.committee_ballot is not None  # the stage follows the committee's vote
            policy.check_own_resolution(self.committee_ballot, self.committee_passed)
        due = self.decision_due
        overdue = policy.working_days_overdue(due, on) if due else 0
        self._decided(
            number=number,
            decided_by=decided_by,
            due=due,
            overdue_wd=max(overdue, 0),
            stamp=stamp,
        )

    @event("AdmissionDecided")
    def _decided(
        self,
        number: str | None,
        decided_by: UUID,
        due: date | None,
        overdue_wd: int,
        stamp: Stamp,
    ) -> None:
        self.decision = (number, stamp.effective_on, decided_by)

    def refuse(
        self,
        decided_by: UUID,
        decided_by_kind: OrgKind,
        is_competent: bool,
        reason: str,
        stamp: Stamp,
    ) -> None:
        """The competent committee refuses admission; the cell is told (the event says so)."""
        self._expect(steps.Refuse)
        policy.check_not_before(stamp.effective_on, self.committee_resolution_on)
        policy.check_deciding_committee(decided_by_kind, is_competent, stamp.effective_on)
        self._refused(decided_by=decided_by, reason=reason, stamp=stamp)

    @event("AdmissionRefused")
    def _refused(self, decided_by: UUID, reason: str, stamp: Stamp) -> None:
        self._close(Stage.rejected, stamp.effective_on, reason)

    def receive_decision(self, stamp: Stamp) -> None:
        """The cell receives the decision: the ADM-CEREMONY clock starts."""
        self._expect(steps.ReceiveDecision)
        assert self.decision is not None
        policy.check_not_before(stamp.effective_on, self.decision[1])
        if self.decision_received_on is None:
            self._decision_received(stamp=stamp)

    @event("DecisionReceived")
    def _decision_received(self, stamp: Stamp) -> None:
        self.decision_received_on = stamp.effective_on

    def approve_ceremony_delay(self, until: date, approved_by: UUID, stamp: Stamp) -> None:
        """ADM-CEREMONY: a later ceremony, approved by the committee directly above the cell
        (checked by the service, which knows the tree), to a day past the current due date."""
        self._expect(steps.ApproveCeremonyDelay)
        due = self.ceremony_due
        if due is None or until <= due:
            raise RuleViolation(
                "ADM-CEREMONY",
                "Chỉ duyệt lùi lễ kết nạp sau khi chi bộ nhận quyết định, tới một ngày sau hạn",
                "A delay is approved after the cell received the decision, to a date past the due",
            )
        self._ceremony_delayed(until=until, approved_by=approved_by, stamp=stamp)

    @event("CeremonyDelayApproved")
    def _ceremony_delayed(self, until: date, approved_by: UUID, stamp: Stamp) -> None:
        self.ceremony_delay_until = until

    def hold_ceremony(self, member_id: UUID, stamp: Stamp) -> None:
        """Step 12: the ceremony (lễ kết nạp) is the date of joining and starts probation."""
        self._expect(steps.HoldCeremony)
        on = stamp.effective_on
        assert self.decision is not None
        if self.decision_received_on is None:
            raise RuleViolation(
                "ADM-CEREMONY",
                "Lễ kết nạp tổ chức sau khi chi bộ nhận quyết định",
                "The ceremony follows the cell's receipt of the decision",
            )
        due = self.ceremony_due
        assert due is not None
        policy.check_not_before(on, self.decision_received_on)
        policy.check_ceremony_on_time(on, due)
        self._ceremony_held(member_id=member_id, stamp=stamp)

    @event("CeremonyHeld")
    def _ceremony_held(self, member_id: UUID, stamp: Stamp) -> None:
        self.ceremony_on = stamp.effective_on
        self.member_id = member_id
        self._close(Stage.admitted, stamp.effective_on, None)

    # --- ending early ---

    def withdraw(self, reason: str, stamp: Stamp) -> None:
        """The applicant withdraws."""
        self._end(Stage.withdrawn, reason, stamp)

    def stop(self, reason: str, stamp: Stamp) -> None:
        """Stopped because a precondition failed (e.g. the certificate expired, ADM-CERT)."""
        self._end(Stage.stopped, reason, stamp)

    def _end(self, outcome: Stage, reason: str, stamp: Stamp) -> None:
        self._expect(steps.Withdraw if outcome is Stage.withdrawn else steps.Stop)
        self._ended(outcome=outcome, reason=reason, stamp=stamp)

    @event("Ended")
    def _ended(self, outcome: Stage, reason: str, stamp: Stamp) -> None:
        self._close(Stage(outcome), stamp.effective_on, reason)

    def _close(self, outcome: Stage, on: date, reason: str | None) -> None:
        self.outcome = outcome
        self.outcome_on = on
        self.outcome_reason = reason
