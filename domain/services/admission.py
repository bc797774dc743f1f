"""Admission: the case from the source listing to the ceremony."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from domain import policy
from domain.admission import AdmissionCase, ApplicantFacts, CommentSource
from domain.errors import NotFound, RuleViolation
from domain.member import Member, Status
from domain.organization import Organization
from domain.person import Person, PersonalData
from domain.services.organizations import Organizations
from domain.services.store import NAMESPACE, Context
from domain.values import (
    Ballot,
    Introduction,
    OrgKind,
    Relative,
    Stamp,
)


class Admissions(Organizations):
    """Admission: the case from the source listing to the ceremony."""

    # --- admission ------------------------------------------------------------------------

    def open_case(
        self,
        ctx: Context,
        *,
        case_id: UUID,
        person_id: UUID,
        cell_id: UUID,
        on: date,
        helper_member_id: UUID | None = None,
        person: PersonalData | None = None,
    ) -> UUID:
        """Step 1: list the person as a source and open the case (one live case per person).
        A person not yet recorded comes with their data and is recorded with the case, in the
        same unit: a case that does not open leaves no person behind."""
        policy.rules_at(on)  # RULES-PERIOD: a case is judged by the rules of its day
        with self.unit(ctx) as unit:
            if person is not None and not self.exists(person_id):
                if self.person_id_for(person.citizen_id) != person_id:
                    raise NotFound(Person.__name__, person_id)
                unit.add(Person(id=person_id, data=person, stamp=unit.stamp(on, "person")))
            recorded = unit.load(Person, person_id)
            self.check_case_cell(cell_id, on)
            unit.once_new(case_id)
            intermediate = any(
                self.load(Organization, a).kind is OrgKind.intermediate_committee
                for a in self.ancestors(cell_id, on)
            )
            case = AdmissionCase(
                id=case_id,
                person_id=person_id,
                cell_id=cell_id,
                grassroots_id=self.grassroots_of(cell_id, on).id,
                needs_intermediate_appraisal=intermediate,
                helper_member_id=helper_member_id,
                stamp=unit.stamp(on),
            )
            unit.add(case)
            recorded.open_case(case_id, unit.stamp(on))
        return case_id

    def check_can_open(
        self, ctx: Context, *, case_id: UUID, person_id: UUID, cell_id: UUID, on: date
    ) -> None:
        """What opening the case would refuse, asked before the person is registered (so a
        refused opening writes nothing): RULES-PERIOD, the cell (ORG-TREE), and for a person
        already recorded the person's own rules (CASE-UNIQUE, READMIT), on a dry run."""
        policy.rules_at(on)
        self.check_case_cell(cell_id, on)
        with self.unit(ctx, dry_run=True) as unit:
            if self.exists(person_id):
                unit.load(Person, person_id).open_case(case_id, unit.stamp(on))

    def check_case_cell(self, cell_id: UUID, on: date) -> None:
        """ORG-TREE: a case is opened at a cell that exists on the day."""
        cell = self.load(Organization, cell_id)
        if not cell.kind.holds_members or not cell.exists_on(on):
            raise RuleViolation(
                "ORG-TREE", "Hồ sơ mở tại một chi bộ", "A case is opened at an existing cell"
            )

    def case_step(
        self, ctx: Context, case_id: UUID, on: date, step: Callable[[AdmissionCase, Stamp], Any]
    ) -> AdmissionCase:
        """A dossier or process step that needs nothing but the case (steps 2–7, 9, 10, …);
        RULES-PERIOD refuses a date no rule set governs (before the first one we encode)."""
        policy.rules_at(on)
        return self._run(AdmissionCase, case_id, ctx, lambda c: step(c, self.stamp(ctx, on)))

    def record_certificate(self, ctx: Context, case_id: UUID, number: str, issued_on: date) -> None:
        self.case_step(
            ctx, case_id, issued_on, lambda c, s: c.record_certificate(number, issued_on, s)
        )

    def submit_application(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.submit_application(s))

    def declare_background(
        self, ctx: Context, case_id: UUID, relatives: list[Relative], on: date
    ) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.declare_background(relatives, s))

    def assign_introducer(
        self,
        ctx: Context,
        case_id: UUID,
        slot: int,
        introduction: Introduction,
    ) -> None:
        """Step 5: a member introducer's status on the letter's date is read from the record."""
        if introduction.member_id is not None:
            member = self.load(Member, introduction.member_id)
            status = member.status_on(introduction.letter_on)
            introduction = Introduction(
                kind=introduction.kind,
                letter_on=introduction.letter_on,
                member_id=introduction.member_id,
                together_since=introduction.together_since,
                same_grassroots=introduction.same_grassroots,
                member_status=str(status) if status else None,
            )
        self.case_step(
            ctx,
            case_id,
            introduction.letter_on,
            lambda c, s: c.assign_introducer(slot, introduction, s),
        )

    def request_verification(
        self, ctx: Context, case_id: UUID, subject: str, sent_to: str, on: date
    ) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.request_verification(subject, sent_to, s))

    def record_verification_result(
        self, ctx: Context, case_id: UUID, subject: str, satisfactory: bool, note: str, on: date
    ) -> None:
        self.case_step(
            ctx,
            case_id,
            on,
            lambda c, s: c.record_verification_result(subject, satisfactory, note, s),
        )

    def exempt_family_side(
        self, ctx: Context, case_id: UUID, member_relative_key: str, on: date
    ) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.exempt_family_side(member_relative_key, s))

    def certify_background(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.certify_background(s))

    def record_comment(self, ctx: Context, case_id: UUID, source: CommentSource, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.record_comment(source, s))

    def summarize_comments(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.summarize_comments(s))

    def record_cell_vote(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        held_on: date,
        votes_for: int,
        votes_against: int,
        excused_voting: int = 0,
        provincial_consent_over_60: bool = False,
        unit_has_youth_union: bool = True,
    ) -> AdmissionCase:
        """Step 8, with the facts of the meeting day gathered from the person, roll and tree."""
        with self.unit(ctx) as unit:
            case = unit.once(AdmissionCase, case_id)
            person = unit.load(Person, case.person_id)
            ballot = self.cell_ballot(
                case.cell_id, held_on, votes_for, votes_against, excused_voting
            )
            replace = policy.rules_at(held_on).replace_departed_introducers  # ADM-INTRO (I)
            invalid = tuple(
                i.member_id
                for i in case.introductions.values()
                if replace
                and i.member_id is not None
                and not self._still_introducer(i.member_id, case.grassroots_id, held_on)
            )
            facts = ApplicantFacts(
                birth_date=person.data.birth_date,
                education=person.data.education,
                exempt_area=self.load(Organization, case.cell_id).exempt_area,
                provincial_consent_over_60=provincial_consent_over_60,
                youth_union_member=person.data.youth_union_member,
                trade_union_member=person.data.trade_union_member,
                unit_has_youth_union=unit_has_youth_union,
                full_members_in_cell=ballot.on_roll,
                invalid_introducers=invalid,
            )
            case.record_cell_vote(ballot, facts, unit.stamp(held_on))
            if case.stage.is_closed:
                person.close_case(case_id, None, unit.stamp(held_on, "person"))
        return unit.get(AdmissionCase, case_id)

    def _still_introducer(self, member_id: UUID, grassroots_id: UUID, on: date) -> bool:
        """An introducer who transferred out of the grassroots organization, was disciplined or
        is no longer a full member must be replaced before the vote (I)."""
        member = self.load(Member, member_id)
        return (
            member.status_on(on) is Status.full
            and not any(d <= on for d, _ in member.penalties)
            and self.grassroots_of(member.cell_id, on).id == grassroots_id
        )

    def record_intermediate_appraisal(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.record_intermediate_appraisal(s))

    def record_committee_vote(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        held_on: date,
        committee_size: int,
        votes_for: int,
        votes_against: int,
    ) -> None:
        ballot = Ballot(held_on, committee_size, 0, votes_for, votes_against)
        self.case_step(ctx, case_id, held_on, lambda c, s: c.record_committee_vote(ballot, s))

    def extend_decision_deadline(
        self, ctx: Context, case_id: UUID, extra_wd: int, reason: str, on: date
    ) -> None:
        self.case_step(
            ctx, case_id, on, lambda c, s: c.extend_decision_deadline(extra_wd, reason, s)
        )

    def decide_admission(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        number: str | None,
        decided_by: UUID,
        on: date,
    ) -> None:
        case = self.load(AdmissionCase, case_id)
        competent = self.competent_committee(case.cell_id, on)
        deciding = self.load(Organization, decided_by)
        self.case_step(
            ctx,
            case_id,
            on,
            lambda c, s: c.decide(number, decided_by, deciding.kind, competent.id == decided_by, s),
        )

    def refuse_admission(
        self, ctx: Context, case_id: UUID, *, decided_by: UUID, reason: str, on: date
    ) -> None:
        with self.unit(ctx) as unit:
            case = unit.once(AdmissionCase, case_id)
            competent = self.competent_committee(case.cell_id, on)
            deciding = self.load(Organization, decided_by)
            stamp = unit.stamp(on)
            case.refuse(decided_by, deciding.kind, competent.id == decided_by, reason, stamp)
            unit.load(Person, case.person_id).close_case(case_id, None, unit.stamp(on, "person"))

    def receive_decision(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.receive_decision(s))

    def approve_ceremony_delay(
        self, ctx: Context, case_id: UUID, *, until: date, approved_by: UUID, on: date
    ) -> None:
        """ADM-CEREMONY: the committee directly above the cell (its intermediate or grassroots
        committee) approves a later ceremony."""
        case = self.load(AdmissionCase, case_id)
        if approved_by != self.directly_superior(case.cell_id, on):
            raise RuleViolation(
                "ADM-CEREMONY",
                "Chỉ cấp ủy cấp trên trực tiếp của chi bộ duyệt lùi lễ kết nạp",
                "Only the committee directly above the cell approves a later ceremony",
            )
        self.case_step(
            ctx, case_id, on, lambda c, s: c.approve_ceremony_delay(until, approved_by, s)
        )

    def hold_ceremony(
        self, ctx: Context, case_id: UUID, on: date, helper_member_id: UUID | None = None
    ) -> UUID:
        """Step 12: the ceremony makes the person a probationary member of the cell."""
        member_id = uuid5(NAMESPACE, f"member/{case_id}")
        with self.unit(ctx) as unit:
            case = unit.once(AdmissionCase, case_id)
            case.hold_ceremony(member_id, unit.stamp(on))
            assert case.decision is not None
            member = Member(
                id=member_id,
                person_id=case.person_id,
                case_id=case_id,
                cell_id=case.cell_id,
                decided_on=case.decision[1],
                helper_member_id=helper_member_id or case.helper_member_id,
                probation_ends=policy.probation_ends(on),
                full_from=None,
                stamp=unit.stamp(on, "member"),
            )
            unit.add(member)
            unit.load(Organization, case.cell_id).enrol(member_id, unit.stamp(on, "cell"))
            person = unit.load(Person, case.person_id)
            person.close_case(case_id, member_id, unit.stamp(on, "person"))
        return member_id

    def end_case(
        self, ctx: Context, case_id: UUID, *, withdrawn: bool, reason: str, on: date
    ) -> None:
        """The applicant withdraws, or the case stops on a failed precondition."""
        with self.unit(ctx) as unit:
            case = unit.once(AdmissionCase, case_id)
            (case.withdraw if withdrawn else case.stop)(reason, unit.stamp(on))
            unit.load(Person, case.person_id).close_case(case_id, None, unit.stamp(on, "person"))
