"""The application service: loads aggregates, gathers the facts a rule needs from other
aggregates, runs the command, and saves every changed aggregate in one transaction.

Every command takes a `Context` (who acts, and a command key). A command key already applied to
the aggregate makes the command a no-op, so a retried activity never records twice. A refused
command raises `DomainError` before anything is saved.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import Environment, EnvType, get_topic

from domain import policy
from domain.admission import HOLDERS, AdmissionCase, ApplicantFacts, CommentSource
from domain.errors import ConcurrencyConflict, NotFound, RuleViolation
from domain.member import Exemption, Member, Motion, Status
from domain.organization import AdmissionTarget, Organization, check_parent
from domain.person import Person, PersonalData
from domain.record import Recorded
from domain.transcodings import register_values
from domain.transfer import Hop, Transfer
from domain.values import (
    Actor,
    Ballot,
    CellSetting,
    HoldKind,
    Introduction,
    OrgKind,
    Relative,
    Stamp,
    TransferKind,
    TransferReason,
)

NAMESPACE = uuid5(NAMESPACE_URL, "https://dangvien.vn/ids")
_RESIDENCE_TOPIC = get_topic(Member.__dict__["ResidenceLinked"])  # made by @event
A = TypeVar("A", bound=Recorded)


@dataclass(frozen=True)
class Context:
    """Who issues a command, and its idempotency key."""

    actor: Actor
    command_key: str

    def derived(self, suffix: str) -> Context:
        """A key for a secondary aggregate changed by the same command."""
        return Context(self.actor, f"{self.command_key}/{suffix}")


@dataclass(frozen=True)
class OpenDeadline:
    """A running deadline and who answers for it."""

    rule_id: str
    start: date
    due: date
    responsible: UUID
    above: UUID | None
    department: UUID | None


@dataclass(frozen=True)
class HistoryEntry:
    """One event as an auditor reads it."""

    version: int
    name: str
    recorded_at: str
    effective_on: date
    actor: Actor
    rule_set: str
    command_key: str
    facts: dict[str, Any]


class Dangvien(Application):
    """The event-sourced record of organizations, people, cases, members and transfers."""

    name = "dangvien"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_values(
            transcoder,
            Actor,
            Stamp,
            Ballot,
            Introduction,
            Relative,
            PersonalData,
            AdmissionTarget,
            ApplicantFacts,
            Exemption,
            Hop,
        )

    # --- plumbing -----------------------------------------------------------------------

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only what the composition root passes: eventsourcing would also read os.environ
        (where `DANGVIEN_<KEY>` beats `<KEY>`), and infra/settings.py is the only reader of the
        environment (DESIGN.md §4)."""
        return Environment(name, {**type(self).env, **(env or {})})

    @staticmethod
    def stamp(ctx: Context, effective_on: date) -> Stamp:
        """The stamp of an act: its rule set is the one in force on the day it happened."""
        return Stamp(ctx.actor, ctx.command_key, policy.version_at(effective_on), effective_on)

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        try:
            agg: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(cls.__name__, aggregate_id) from None
        if not isinstance(agg, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return agg

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def commit(self, *aggregates: Aggregate | None) -> None:
        """Save together; a concurrent writer's change first is a retryable conflict."""
        try:
            self.save(*aggregates)
        except IntegrityError as error:
            raise ConcurrencyConflict(str(error)) from error

    def _run(self, cls: type[A], aggregate_id: UUID, ctx: Context, act: Callable[[A], Any]) -> A:
        agg = self.load(cls, aggregate_id)
        if not agg.has_applied(ctx.command_key):
            act(agg)
            self.commit(agg)
        return agg

    def _already_created(self, aggregate_id: UUID, ctx: Context) -> bool:
        """True when this very command created the aggregate (a repeat is a no-op); an id
        taken by another command is refused."""
        if not self.exists(aggregate_id):
            return False
        existing: Any = self.repository.get(aggregate_id)
        if isinstance(existing, Recorded) and existing.has_applied(ctx.command_key):
            return True
        raise RuleViolation(
            "CASE-UNIQUE",
            "Mã này đã được dùng cho một bản ghi khác",
            "This id is already used by another record",
            id=str(aggregate_id),
        )

    def _create(self, aggregate_id: UUID, ctx: Context, build: Callable[[], Recorded]) -> UUID:
        """Create once: the same command again is a no-op; another command on the id fails."""
        if not self._already_created(aggregate_id, ctx):
            self.commit(build())
        return aggregate_id

    # --- organizations --------------------------------------------------------------------

    def register_organization(
        self,
        ctx: Context,
        *,
        kind: OrgKind,
        name: str,
        parent_id: UUID | None,
        established_on: date,
        setting: CellSetting | None = None,
        may_admit: bool = False,
        exempt_area: bool = False,
        org_id: UUID | None = None,
    ) -> UUID:
        parent = self.load(Organization, parent_id) if parent_id else None
        if parent is not None:
            parent.check_exists(established_on)
        check_parent(kind, parent.kind if parent else None, established_on)
        if may_admit and not kind.is_grassroots:
            raise RuleViolation(
                "ORG-TREE",
                "Chỉ tổ chức cơ sở đảng được ủy quyền kết nạp",
                "Only a grassroots organization can be authorised to admit",
                field="may_admit",
            )
        org_id = org_id or uuid5(NAMESPACE, f"org/{ctx.command_key}")
        return self._create(
            org_id,
            ctx,
            lambda: Organization(
                id=org_id,
                kind=kind,
                name=name,
                parent_id=parent_id,
                setting=setting,
                may_admit=may_admit,
                exempt_area=exempt_area,
                stamp=self.stamp(ctx, established_on),
            ),
        )

    def rename_organization(self, ctx: Context, org_id: UUID, name: str, on: date) -> None:
        self._run(Organization, org_id, ctx, lambda o: o.rename(name, self.stamp(ctx, on)))

    def reparent_organization(self, ctx: Context, org_id: UUID, parent_id: UUID, on: date) -> None:
        parent = self.load(Organization, parent_id)
        parent.check_exists(on)
        ancestors = set(self.ancestors(parent_id, on))
        self._run(
            Organization,
            org_id,
            ctx,
            lambda o: o.reparent(parent_id, parent.kind, ancestors, self.stamp(ctx, on)),
        )

    def dissolve_organization(
        self, ctx: Context, org_id: UUID, on: date, merged_into: UUID | None = None
    ) -> None:
        if merged_into is not None:
            self.load(Organization, merged_into)
        self._run(Organization, org_id, ctx, lambda o: o.dissolve(merged_into, self.stamp(ctx, on)))

    def set_target(self, ctx: Context, org_id: UUID, target: AdmissionTarget, on: date) -> None:
        self._run(Organization, org_id, ctx, lambda o: o.set_target(target, self.stamp(ctx, on)))

    def register_hamlet(
        self, ctx: Context, commune_id: UUID, key: str, name: str, on: date
    ) -> None:
        self._run(
            Organization,
            commune_id,
            ctx,
            lambda o: o.register_hamlet(key, name, self.stamp(ctx, on)),
        )

    def serve_hamlets(
        self, ctx: Context, cell_id: UUID, commune_id: UUID, keys: tuple[str, ...], on: date
    ) -> None:
        known = set(self.load(Organization, commune_id).hamlets)
        self._run(
            Organization,
            cell_id,
            ctx,
            lambda o: o.serve_hamlets(commune_id, known, keys, self.stamp(ctx, on)),
        )

    def ancestors(self, org_id: UUID, on: date) -> Iterator[UUID]:
        """The chain of parents of an organization on a date, nearest first."""
        parent = self.load(Organization, org_id).parent_on(on)
        while parent is not None:
            yield parent
            parent = self.load(Organization, parent).parent_on(on)

    def grassroots_of(self, org_id: UUID, on: date) -> Organization:
        """The grassroots organization a cell belongs to on a date."""
        org = self.load(Organization, org_id)
        while not org.kind.is_grassroots:
            parent = org.parent_on(on)
            if parent is None:
                raise RuleViolation(
                    "ORG-TREE",
                    "Chi bộ không thuộc tổ chức cơ sở đảng nào",
                    "The cell belongs to no grassroots organization",
                )
            org = self.load(Organization, parent)
        return org

    def competent_committee(self, cell_id: UUID, on: date) -> Organization:
        """ADM-DECIDE / PRB-DECIDE: the grassroots committee if authorised to admit, otherwise
        its directly-superior committee on that date (a district before 2025-07-01, the
        commune/ward after): a role in the tree, never a hard-coded tier."""
        grassroots = self.grassroots_of(cell_id, on)
        if grassroots.may_admit:
            return grassroots
        superior = grassroots.parent_on(on)
        if superior is None:
            raise RuleViolation(
                "ORG-TREE",
                "Tổ chức cơ sở đảng không có cấp ủy cấp trên trực tiếp",
                "The grassroots organization has no directly-superior committee",
            )
        return self.load(Organization, superior)

    # --- people ---------------------------------------------------------------------------

    def person_id_for(self, citizen_id: str) -> UUID:
        """A keyed hash of the citizen ID: stable per person, meaningless without the key."""
        key = (self.env.get("DANGVIEN_ID_KEY") or self.env.get("CIPHER_KEY") or "").encode()
        if not key:
            raise RuntimeError("DANGVIEN_ID_KEY or CIPHER_KEY must be set to derive person ids")
        digest = hmac.new(key, citizen_id.strip().encode(), hashlib.sha256).hexdigest()
        return uuid5(NAMESPACE, f"person/{digest}")

    def register_person(self, ctx: Context, data: PersonalData, on: date) -> UUID:
        person_id = self.person_id_for(data.citizen_id)
        if self.exists(person_id):
            self._run(Person, person_id, ctx, lambda p: p.correct(data, self.stamp(ctx, on)))
            return person_id
        return self._create(
            person_id, ctx, lambda: Person(id=person_id, data=data, stamp=self.stamp(ctx, on))
        )

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
    ) -> UUID:
        """Step 1: list the person as a source and open the case (one live case per person)."""
        policy.rules_at(on)  # RULES-PERIOD: a case is judged by the rules of its day
        person = self.load(Person, person_id)
        cell = self.load(Organization, cell_id)
        if not cell.kind.holds_members or not cell.exists_on(on):
            raise RuleViolation(
                "ORG-TREE", "Hồ sơ mở tại một chi bộ", "A case is opened at an existing cell"
            )
        if self._already_created(case_id, ctx):
            return case_id
        grassroots = self.grassroots_of(cell_id, on)
        intermediate = any(
            self.load(Organization, a).kind is OrgKind.intermediate_committee
            for a in self.ancestors(cell_id, on)
        )
        stamp = self.stamp(ctx, on)
        person.open_case(case_id, stamp)
        case = AdmissionCase(
            id=case_id,
            person_id=person_id,
            cell_id=cell_id,
            grassroots_id=grassroots.id,
            needs_intermediate_appraisal=intermediate,
            helper_member_id=helper_member_id,
            stamp=stamp,
        )
        self.commit(case, person)
        return case_id

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

    def cell_ballot(
        self,
        cell_id: UUID,
        held_on: date,
        votes_for: int,
        votes_against: int,
        excused_voting: int,
        rule_id: str = "ADM-VOTE-CELL",
    ) -> Ballot:
        """ADM-VOTE-CELL's denominator from the roll on the meeting day: full members on the
        roll, less those temporarily away or exempted who did not come to vote; probationers
        and guests never count."""
        cell = self.load(Organization, cell_id)
        full = [
            m
            for m in (self.load(Member, mid) for mid in cell.members_on(held_on))
            if m.status_on(held_on) is Status.full
        ]
        excusable = sum(1 for m in full if m.is_away_on(held_on) or m.is_exempt_on(held_on))
        if not 0 <= excused_voting <= excusable:
            raise RuleViolation(
                rule_id,
                "Số đảng viên miễn sinh hoạt hoặc đi vắng có tham gia biểu quyết không hợp lệ",
                "The number of exempted or absent members who voted is inconsistent",
            )
        return Ballot(held_on, len(full), excusable - excused_voting, votes_for, votes_against)

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
        case = self.load(AdmissionCase, case_id)
        if case.has_applied(ctx.command_key):
            return case
        person = self.load(Person, case.person_id)
        ballot = self.cell_ballot(case.cell_id, held_on, votes_for, votes_against, excused_voting)
        grassroots = case.grassroots_id
        invalid = tuple(
            i.member_id
            for i in case.introductions.values()
            if i.member_id is not None
            and not self._still_introducer(i.member_id, grassroots, held_on)
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
        case.record_cell_vote(ballot, facts, self.stamp(ctx, held_on))
        if case.stage.is_closed:
            person.close_case(case_id, None, self.stamp(ctx.derived("person"), held_on))
        self.commit(case, person)
        return case

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
        self, ctx: Context, case_id: UUID, *, number: str, decided_by: UUID, on: date
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
        case = self.load(AdmissionCase, case_id)
        if case.has_applied(ctx.command_key):
            return
        competent = self.competent_committee(case.cell_id, on)
        deciding = self.load(Organization, decided_by)
        stamp = self.stamp(ctx, on)
        case.refuse(decided_by, deciding.kind, competent.id == decided_by, reason, stamp)
        person = self.load(Person, case.person_id)
        person.close_case(case_id, None, self.stamp(ctx.derived("person"), on))
        self.commit(case, person)

    def receive_decision(self, ctx: Context, case_id: UUID, on: date) -> None:
        self.case_step(ctx, case_id, on, lambda c, s: c.receive_decision(s))

    def approve_ceremony_delay(
        self, ctx: Context, case_id: UUID, *, until: date, approved_by: UUID, on: date
    ) -> None:
        case = self.load(AdmissionCase, case_id)
        superior = self.grassroots_of(case.cell_id, on).parent_on(on)
        if approved_by != superior:
            raise RuleViolation(
                "ADM-CEREMONY",
                "Chỉ cấp ủy cấp trên trực tiếp duyệt lùi lễ kết nạp",
                "Only the directly-superior committee approves a later ceremony",
            )
        self.case_step(
            ctx, case_id, on, lambda c, s: c.approve_ceremony_delay(until, approved_by, s)
        )

    def hold_ceremony(
        self, ctx: Context, case_id: UUID, on: date, helper_member_id: UUID | None = None
    ) -> UUID:
        """Step 12: the ceremony makes the person a probationary member of the cell."""
        case = self.load(AdmissionCase, case_id)
        member_id = uuid5(NAMESPACE, f"member/{case_id}")
        if case.has_applied(ctx.command_key):
            return member_id
        stamp = self.stamp(ctx, on)
        case.hold_ceremony(member_id, stamp)
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
            stamp=self.stamp(ctx.derived("member"), on),
        )
        cell = self.load(Organization, case.cell_id)
        cell.enrol(member_id, self.stamp(ctx.derived("cell"), on))
        person = self.load(Person, case.person_id)
        person.close_case(case_id, member_id, self.stamp(ctx.derived("person"), on))
        self.commit(case, member, cell, person)
        return member_id

    def end_case(
        self, ctx: Context, case_id: UUID, *, withdrawn: bool, reason: str, on: date
    ) -> None:
        """The applicant withdraws, or the case stops on a failed precondition."""
        case = self.load(AdmissionCase, case_id)
        if case.has_applied(ctx.command_key):
            return
        stamp = self.stamp(ctx, on)
        (case.withdraw if withdrawn else case.stop)(reason, stamp)
        person = self.load(Person, case.person_id)
        person.close_case(case_id, None, self.stamp(ctx.derived("person"), on))
        self.commit(case, person)

    # --- members --------------------------------------------------------------------------

    def register_member(
        self,
        ctx: Context,
        *,
        person_id: UUID,
        cell_id: UUID,
        joined_on: date,
        decided_on: date,
        full_from: date | None,
    ) -> UUID:
        """A member admitted before dangvien, from the paper dossier (joined = ceremony date)."""
        member_id = uuid5(NAMESPACE, f"member/{person_id}")
        if self._already_created(member_id, ctx):
            return member_id
        person = self.load(Person, person_id)
        policy.check_registered_member(person.data.birth_date, decided_on, joined_on, full_from)
        cell = self.load(Organization, cell_id)
        person.record_membership(member_id, self.stamp(ctx.derived("person"), joined_on))
        cell.enrol(member_id, self.stamp(ctx.derived("cell"), joined_on))
        member = Member(
            id=member_id,
            person_id=person_id,
            case_id=None,
            cell_id=cell_id,
            decided_on=decided_on,
            helper_member_id=None,
            probation_ends=policy.probation_ends(joined_on),
            full_from=full_from,
            stamp=self.stamp(ctx, joined_on),
        )
        self.commit(member, person, cell)
        return member_id

    def member_step(
        self, ctx: Context, member_id: UUID, on: date, step: Callable[[Member, Stamp], Any]
    ) -> Member:
        return self._run(Member, member_id, ctx, lambda m: step(m, self.stamp(ctx, on)))

    def record_review_vote(
        self,
        ctx: Context,
        member_id: UUID,
        *,
        motion: Motion,
        held_on: date,
        votes_for: int,
        votes_against: int,
        excused_voting: int = 0,
    ) -> Member:
        member = self.load(Member, member_id)
        ballot = self.cell_ballot(
            member.cell_id, held_on, votes_for, votes_against, excused_voting, "PRB-REVIEW"
        )
        policy.check_org_min(ballot.on_roll, held_on)
        return self.member_step(
            ctx, member_id, held_on, lambda m, s: m.record_review_vote(motion, ballot, s)
        )

    def recognize(
        self,
        ctx: Context,
        member_id: UUID,
        *,
        decided_by: UUID,
        on: date,
        by_upper_committee: bool = False,
    ) -> None:
        self._check_probation_decider(member_id, decided_by, on, by_upper_committee)
        self.member_step(
            ctx, member_id, on, lambda m, s: m.recognize(decided_by, by_upper_committee, s)
        )

    def _check_probation_decider(
        self, member_id: UUID, decided_by: UUID, on: date, by_upper_committee: bool
    ) -> None:
        """PRB-DECIDE: the competent committee on the date of the decision; PRB-DEADLOCK: after
        three failed votes, the committee above it."""
        member = self.load(Member, member_id)
        competent = self.competent_committee(member.cell_id, on)
        expected = competent.parent_on(on) if by_upper_committee else competent.id
        if decided_by != expected:
            raise RuleViolation(
                "PRB-DEADLOCK" if by_upper_committee else "PRB-DECIDE",
                "Tổ chức ra quyết định không phải cấp ủy có thẩm quyền",
                "The deciding organization is not the competent committee",
            )

    def strike_off(
        self,
        ctx: Context,
        member_id: UUID,
        *,
        decided_by: UUID,
        reason: str,
        on: date,
        by_upper_committee: bool = False,
    ) -> None:
        member = self.load(Member, member_id)
        if member.has_applied(ctx.command_key):
            return
        self._check_probation_decider(member_id, decided_by, on, by_upper_committee)
        stamp = self.stamp(ctx, on)
        member.strike_off(decided_by, by_upper_committee, reason, stamp)
        cell = self.load(Organization, member.cell_id)
        cell.release(member_id, self.stamp(ctx.derived("cell"), on))
        person = self.load(Person, member.person_id)
        person.leave_party(False, self.stamp(ctx.derived("person"), on))
        self.commit(member, cell, person)

    def extend_recognition_deadline(
        self, ctx: Context, member_id: UUID, extra_wd: int, reason: str, on: date
    ) -> None:
        self.member_step(
            ctx, member_id, on, lambda m, s: m.extend_recognition_deadline(extra_wd, reason, s)
        )

    def assign_helper(self, ctx: Context, member_id: UUID, helper_id: UUID, on: date) -> None:
        self.load(Member, helper_id)
        self.member_step(ctx, member_id, on, lambda m, s: m.assign_helper(helper_id, s))

    def complete_new_member_course(
        self, ctx: Context, member_id: UUID, certificate_no: str, on: date
    ) -> None:
        self.member_step(
            ctx, member_id, on, lambda m, s: m.complete_new_member_course(certificate_no, s)
        )

    def discipline_member(
        self, ctx: Context, member_id: UUID, penalty: str, reason: str, on: date
    ) -> None:
        self.member_step(ctx, member_id, on, lambda m, s: m.discipline(penalty, reason, s))

    def place_hold(self, ctx: Context, member_id: UUID, kind: HoldKind, on: date) -> None:
        self.member_step(ctx, member_id, on, lambda m, s: m.place_hold(kind, s))

    def release_hold(self, ctx: Context, member_id: UUID, kind: HoldKind, on: date) -> None:
        self.member_step(ctx, member_id, on, lambda m, s: m.release_hold(kind, s))

    def exempt_member(self, ctx: Context, member_id: UUID, exemption: Exemption) -> None:
        self.member_step(ctx, member_id, exemption.starts_on, lambda m, s: m.exempt(exemption, s))

    def link_residence(
        self, ctx: Context, member_id: UUID, residence_cell_id: UUID | None, on: date
    ) -> None:
        if residence_cell_id is not None:
            cell = self.load(Organization, residence_cell_id)
            if cell.setting is None or not cell.setting.is_residential:
                raise RuleViolation(
                    "ORG-TREE",
                    "Liên hệ nơi cư trú là với chi bộ thôn, tổ dân phố",
                    "A residence link is to a hamlet or residential-group cell",
                )
        self.member_step(ctx, member_id, on, lambda m, s: m.link_residence(residence_cell_id, s))

    def record_residence_comment(
        self, ctx: Context, member_id: UUID, year: int, favourable: bool, on: date
    ) -> None:
        self.member_step(
            ctx, member_id, on, lambda m, s: m.record_residence_comment(year, favourable, s)
        )

    def members_with_residence_link(self) -> list[Member]:
        """Members with a 213 residence link now. A scan of the notification log for the
        links ever made: yearly work, until the read models answer it."""
        linked: set[UUID] = set()
        start = 1
        while True:
            batch = self.recorder.select_notifications(start, 1000, topics=[_RESIDENCE_TOPIC])
            linked.update(n.originator_id for n in batch)  # type: ignore[misc]
            if len(batch) < 1000:
                break
            start = batch[-1].id + 1
        members = (self.load(Member, m) for m in sorted(linked))
        return [m for m in members if m.residence_cell_id and m.status is not Status.struck_off]

    # --- transfers ------------------------------------------------------------------------

    def start_transfer(
        self,
        ctx: Context,
        *,
        transfer_id: UUID,
        member_id: UUID,
        kind: TransferKind,
        reason: TransferReason,
        destination_org_id: UUID,
        trigger_on: date,
        on: date,
        returns_on: date | None = None,
        portal_reference: str | None = None,
    ) -> UUID:
        """TRF-START: the clock runs from the decision or residence change (`trigger_on`)."""
        kind, reason = TransferKind(kind), TransferReason(reason)
        if self._already_created(transfer_id, ctx):
            return transfer_id
        member = self.load(Member, member_id)
        if member.status is Status.struck_off or member.away_transfer_id is not None:
            raise RuleViolation(
                "CASE-STAGE",
                "Đảng viên đã bị xóa tên hoặc đang chuyển sinh hoạt tạm thời",
                "The member is struck off or temporarily away",
            )
        self.load(Organization, destination_org_id)
        same = self.grassroots_of(member.cell_id, on).id == self._grassroots_or_none(
            destination_org_id, on
        )
        Transfer.check_start(kind, reason, trigger_on, returns_on, member.holds, same)
        start_due = (
            policy.due_date("TRF-START", trigger_on).due if kind is TransferKind.official else None
        )
        return self._create(
            transfer_id,
            ctx,
            lambda: Transfer(
                id=transfer_id,
                member_id=member_id,
                kind=kind,
                reason=reason,
                from_cell_id=member.cell_id,
                destination_org_id=destination_org_id,
                trigger_on=trigger_on,
                returns_on=returns_on,
                start_due=start_due,
                portal_reference=portal_reference,
                stamp=self.stamp(ctx, on),
            ),
        )

    def _grassroots_or_none(self, org_id: UUID, on: date) -> UUID | None:
        org = self.load(Organization, org_id)
        if org.kind.is_grassroots or org.kind in (OrgKind.cell, OrgKind.intermediate_committee):
            return self.grassroots_of(org_id, on).id
        return None

    def forward_letter(self, ctx: Context, transfer_id: UUID, hop: Hop) -> None:
        """One hop of the letter; a letter addressed to a cell is the one the member presents."""
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        to = self.load(Organization, hop.to_org_id)
        to.check_exists(hop.on)
        if to.kind.holds_members:
            under = {to.id, *self.ancestors(to.id, hop.on)}
            same = (
                self.grassroots_of(to.id, hop.on).id
                == self.grassroots_of(transfer.from_cell_id, hop.on).id
            )
            transfer.check_receiving_cell(transfer.destination_org_id in under, same)
        transfer.record_hop(hop, to.kind.holds_members, self.stamp(ctx, hop.on))
        self.commit(transfer)

    def present_letter(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        self._run(Transfer, transfer_id, ctx, lambda t: t.present(self.stamp(ctx, on)))

    def accept_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        """The receiving cell accepts: the member moves (or, temporarily, becomes a guest)."""
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        transfer.accept(self.stamp(ctx, on))
        assert transfer.to_cell_id is not None
        member = self.load(Member, transfer.member_id)
        new_cell = self.load(Organization, transfer.to_cell_id)
        changed: list[Aggregate] = [transfer, member, new_cell]
        if transfer.kind is TransferKind.temporary:
            new_cell.enrol(member.id, self.stamp(ctx.derived("host"), on), guest=True)
            member.go_away(transfer_id, self.stamp(ctx.derived("member"), on))
        else:
            old_cell = self.load(Organization, transfer.from_cell_id)
            old_cell.release(member.id, self.stamp(ctx.derived("from"), on))
            new_cell.enrol(member.id, self.stamp(ctx.derived("to"), on))
            member.move_to_cell(new_cell.id, transfer_id, self.stamp(ctx.derived("member"), on))
            changed.append(old_cell)
        self.commit(*changed)

    def end_temporary_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        transfer.end_temporary(self.stamp(ctx, on))
        assert transfer.to_cell_id is not None
        host = self.load(Organization, transfer.to_cell_id)
        host.release(transfer.member_id, self.stamp(ctx.derived("host"), on), guest=True)
        member = self.load(Member, transfer.member_id)
        member.go_away(None, self.stamp(ctx.derived("member"), on))
        self.commit(transfer, host, member)

    def record_portal_reference(
        self, ctx: Context, transfer_id: UUID, reference: str, on: date
    ) -> None:
        self._run(
            Transfer,
            transfer_id,
            ctx,
            lambda t: t.record_portal_reference(reference, self.stamp(ctx, on)),
        )

    def cancel_transfer(self, ctx: Context, transfer_id: UUID, reason: str, on: date) -> None:
        self._run(Transfer, transfer_id, ctx, lambda t: t.cancel(reason, self.stamp(ctx, on)))

    # --- deadlines and escalation ----------------------------------------------------------

    def open_deadline(self, aggregate_id: UUID, on: date) -> OpenDeadline | None:
        """The deadline the aggregate's current step runs against, and who answers for it:
        the responsible unit, the unit above it, and the competent committee whose
        organization department hears last."""
        agg: Any = self.repository.get(aggregate_id)
        if isinstance(agg, AdmissionCase):
            return self._case_deadline(agg, on)
        if isinstance(agg, Member):
            return self._member_deadline(agg, on)
        if isinstance(agg, Transfer):
            return self._transfer_deadline(agg)
        return None

    def _answerable(
        self, rule_id: str, start: date, due: date, responsible: UUID, cell_id: UUID, on: date
    ) -> OpenDeadline:
        competent = self.competent_committee(cell_id, on).id
        above = self.load(Organization, responsible).parent_on(on)
        department = (
            competent
            if competent != responsible
            else self.load(Organization, competent).parent_on(on)
        )
        return OpenDeadline(rule_id, start, due, responsible, above, department)

    def _case_deadline(self, case: AdmissionCase, on: date) -> OpenDeadline | None:
        running = case.current_deadline(on)
        if running is None:
            return None
        role = HOLDERS.get(case.stage, "cell")
        holder = {
            "intermediate": lambda: self.load(Organization, case.cell_id).parent_on(on),
            "grassroots": lambda: case.grassroots_id,
            "competent": lambda: self.competent_committee(case.cell_id, on).id,
            "cell": lambda: case.cell_id,
        }[role]()
        assert holder is not None
        return self._answerable(*running, holder, case.cell_id, on)

    def _member_deadline(self, member: Member, on: date) -> OpenDeadline | None:
        running = member.current_deadline()
        if running is None:
            return None
        rule_id = running[0]
        holder = (
            self.competent_committee(member.cell_id, on).id
            if rule_id == "PRB-DECIDE"
            else member.cell_id
        )
        return self._answerable(*running, holder, member.cell_id, on)

    def _transfer_deadline(self, transfer: Transfer) -> OpenDeadline | None:
        running = transfer.current_deadline()
        if running is None:
            return None
        cell = transfer.to_cell_id if running[0] == "TRF-PRESENT" else transfer.from_cell_id
        assert cell is not None
        return self._answerable(*running, cell, cell, transfer.last_acted_on)

    def escalation_plan(self, aggregate_id: UUID, on: date) -> list[policy.EscalationStep]:
        """The rungs still to come for the current deadline (PRB-DEADLOCK: at once)."""
        agg: Any = self.repository.get(aggregate_id)
        if isinstance(agg, Member) and agg.status is Status.probationary and agg.deadlocked:
            competent = self.competent_committee(agg.cell_id, on)
            upper = competent.parent_on(on) or competent.id
            return [
                policy.EscalationStep(
                    "PRB-DEADLOCK", policy.Level.upper_committee, on, upper, agg.probation_ends
                )
            ]
        deadline = self.open_deadline(aggregate_id, on)
        if deadline is None:
            return []
        plan = policy.escalation_plan(
            deadline.rule_id,
            deadline.due,
            deadline.responsible,
            deadline.above,
            deadline.department,
        )
        return [step for step in plan if not agg.has_escalated(step.rule_id, step.level, step.due)]

    def escalate(
        self, ctx: Context, aggregate_id: UUID, step: policy.EscalationStep, on: date
    ) -> bool:
        """Record one rung on the aggregate (once per rule, level and due date)."""
        agg = self.load(Recorded, aggregate_id)
        if agg.has_escalated(step.rule_id, step.level, step.due):
            return False
        overdue = max(policy.working_days_overdue(step.due, on), 0)
        self._run(
            Recorded,
            aggregate_id,
            ctx,
            lambda a: a.escalate(
                step.rule_id,
                int(step.level),
                step.target,
                step.due,
                overdue,
                self.stamp(ctx, on),
            ),
        )
        return True

    # --- audit ----------------------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> list[HistoryEntry]:
        """Every event of an aggregate in order, with who acted, under which rules, and when
        it was recorded and took effect."""
        entries = []
        owner = ""  # events declared on the base class are named by the aggregate's class
        for e in self.events.get(aggregate_id):
            owner = owner or getattr(e, "originator_topic", ":").split(":")[1]
            stamp: Stamp = e.stamp  # type: ignore[attr-defined]
            facts = {
                k: v
                for k, v in vars(e).items()
                if k
                not in (
                    "originator_id",
                    "originator_version",
                    "timestamp",
                    "stamp",
                    "originator_topic",
                )
            }
            entries.append(
                HistoryEntry(
                    version=e.originator_version,
                    name=type(e).__qualname__.replace("Recorded.", f"{owner}."),
                    recorded_at=e.timestamp.isoformat(),  # type: ignore[attr-defined]
                    effective_on=stamp.effective_on,
                    actor=stamp.actor,
                    rule_set=stamp.rule_set,
                    command_key=stamp.command_key,
                    facts=facts,
                )
            )
        return entries

    def timeline(self, person_id: UUID) -> list[tuple[str, HistoryEntry]]:
        """A person's whole history, as candidate and as member: their own record, each of
        their cases, their memberships and the transfers of those, in recorded order."""
        person = self.load(Person, person_id)
        subjects: list[tuple[str, UUID]] = [("person", person_id)]
        subjects += [("case", case_id) for case_id in person.case_ids]
        members = {
            getattr(self.load(AdmissionCase, c), "member_id", None) for c in person.case_ids
        } | {person.member_id}
        for member_id in sorted(m for m in members if m is not None):
            subjects.append(("member", member_id))
            transfers = {
                h.facts["transfer_id"]
                for h in self.history(member_id)
                if h.facts.get("transfer_id") is not None
            }
            subjects += [("transfer", t) for t in sorted(transfers)]
        entries = [(kind, entry) for kind, ident in subjects for entry in self.history(ident)]
        return sorted(entries, key=lambda e: (e[1].recorded_at, e[0], e[1].version))

    def as_of(self, cls: type[A], aggregate_id: UUID, moment: datetime) -> A | None:
        """The aggregate as the record knew it at `moment` (None: not yet recorded)."""
        known = [
            h.version
            for h in self.history(aggregate_id)
            if datetime.fromisoformat(h.recorded_at) <= moment
        ]
        return self.as_of_version(cls, aggregate_id, known[-1]) if known else None

    def as_of_version(self, cls: type[A], aggregate_id: UUID, version: int) -> A:
        """The aggregate as it stood after its `version`-th event."""
        agg: Any = self.repository.get(aggregate_id, version=version)
        if not isinstance(agg, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return agg
