"""Members: probation, recognition or striking off, standing steps, residence links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.utils import get_topic

from domain import policy
from domain.errors import RuleViolation
from domain.member import Exemption, Member, Motion
from domain.organization import Organization
from domain.person import Person, PersonalData
from domain.services.organizations import Organizations
from domain.services.store import NAMESPACE, Context
from domain.values import (
    Departure,
    HoldKind,
    Stamp,
)

_RESIDENCE_TOPIC = get_topic(Member.__dict__["ResidenceLinked"])  # made by @event


class Probations(Organizations):
    """Members: probation, recognition or striking off, standing steps, residence links."""

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
        data: PersonalData | None = None,
    ) -> UUID:
        """A member admitted before dangvien, from the paper dossier (joined = ceremony date).
        With `data`, a person not yet recorded is recorded by the same unit (known to the
        party since the decision): a refusal leaves neither the person nor the member."""
        member_id = uuid5(NAMESPACE, f"member/{person_id}")
        with self.unit(ctx) as unit:
            unit.once_new(member_id)
            if data is not None and not self.exists(person_id):
                unit.add(Person(id=person_id, data=data, stamp=unit.stamp(decided_on, "new")))
            person = unit.load(Person, person_id)
            policy.check_registered_member(person.data.birth_date, decided_on, joined_on, full_from)
            cell = unit.load(Organization, cell_id)
            person.record_membership(member_id, unit.stamp(joined_on, "person"))
            cell.enrol(member_id, unit.stamp(joined_on, "cell"))
            unit.add(
                Member(
                    id=member_id,
                    person_id=person_id,
                    case_id=None,
                    cell_id=cell_id,
                    decided_on=decided_on,
                    helper_member_id=None,
                    probation_ends=policy.probation_ends(joined_on),
                    full_from=full_from,
                    stamp=unit.stamp(joined_on),
                )
            )
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
        three failed votes the same committee, directly superior to the cell and competent,
        decides without the cell's resolution (domain.tree.competent_committee)."""
        member = self.load(Member, member_id)
        policy.check_deciding_committee(
            self.load(Organization, decided_by).kind,
            decided_by == self.competent_committee(member.cell_id, on).id,
            on,
            "PRB-DEADLOCK" if by_upper_committee else "PRB-DECIDE",
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
        with self.unit(ctx) as unit:
            member = unit.once(Member, member_id)
            self._check_probation_decider(member_id, decided_by, on, by_upper_committee)
            member.strike_off(decided_by, by_upper_committee, reason, unit.stamp(on))
            unit.load(Organization, member.cell_id).release(member_id, unit.stamp(on, "cell"))
            person = unit.load(Person, member.person_id)
            person.leave_party(Departure.struck_off, unit.stamp(on, "person"))

    def record_departure(
        self,
        ctx: Context,
        member_id: UUID,
        *,
        kind: Departure,
        decided_by: UUID,
        reason: str,
        on: date,
    ) -> None:
        """A full member leaves the Party (at their request, struck off or expelled): off the
        cell's roll, and the person's READMIT clock starts."""
        self.load(Organization, decided_by)
        with self.unit(ctx) as unit:
            member = unit.once(Member, member_id)
            member.depart(kind, decided_by, reason, unit.stamp(on))
            unit.load(Organization, member.cell_id).release(member_id, unit.stamp(on, "cell"))
            unit.load(Person, member.person_id).leave_party(kind, unit.stamp(on, "person"))

    def record_expungement(self, ctx: Context, member_id: UUID, on: date) -> None:
        """READMIT: the lesser crime's record expunged, on the member and on the person."""
        with self.unit(ctx) as unit:
            member = unit.once(Member, member_id)
            member.record_expungement(unit.stamp(on))
            person = unit.load(Person, member.person_id)
            person.record_expungement(unit.stamp(on, "person"))

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
        return [m for m in members if m.residence_cell_id and m.status.on_roll]
