"""Deadlines and escalation: what runs, who answers for it, the rungs still to come."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain import policy, tree
from domain.admission import AdmissionCase
from domain.member import Member, Status
from domain.record import Recorded
from domain.services.organizations import Organizations
from domain.services.store import Context, OpenDeadline
from domain.transfer import Transfer


class Deadlines(Organizations):
    """Deadlines and escalation: what runs, who answers for it, the rungs still to come."""

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
        above = self.directly_superior(responsible, on)
        # The competent committee's organization department, or the one above it when the
        # competent committee itself answers for the deadline.
        department = competent if competent != responsible else above
        return OpenDeadline(rule_id, start, due, responsible, above, department)

    def _case_deadline(self, case: AdmissionCase, on: date) -> OpenDeadline | None:
        running = case.current_deadline(on)
        if running is None:
            return None
        holder = tree.holder(self, case.stage, case.cell_id, case.grassroots_id, on)
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
            # The directly-superior committee that is competent hears it and decides.
            competent = self.competent_committee(agg.cell_id, on).id
            return [
                policy.EscalationStep(
                    "PRB-DEADLOCK", policy.Level.upper_committee, on, competent, agg.probation_ends
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

    def due_soon(self, aggregate_id: UUID, on: date) -> policy.DueSoon | None:
        """The due-soon notice of the deadline in force (issue 16), while it is not past:
        after the due date the ladder's later rungs speak. None with no deadline (a deadlock
        has none: the upper committee decides)."""
        deadline = self.open_deadline(aggregate_id, on)
        if deadline is None or on > deadline.due:
            return None
        return policy.due_soon(deadline.rule_id, deadline.due, deadline.responsible)

    # --- whose turn it is --------------------------------------------------------------------

    def holder_of(self, agg: Any, on: date) -> UUID | None:
        """The organization that must act next on a record (the board's holder): a case's
        by its stage (domain.admission.HOLDERS), a probation's or a transfer's the unit that
        answers for its deadline; None when closed, or with nothing awaited of a unit."""
        if isinstance(agg, AdmissionCase):
            return tree.holder(self, agg.stage, agg.cell_id, agg.grassroots_id, on)
        if isinstance(agg, Member):
            member = self._member_deadline(agg, on)
            return member.responsible if member else None
        if isinstance(agg, Transfer):
            moving = self._transfer_deadline(agg)
            return moving.responsible if moving else None
        return None

    def turn_passed(self, aggregate_id: UUID, command_key: str, on: date) -> UUID | None:
        """The organization a step (by its command key) handed the record to: its holder
        after the step, when that is not the holder before it. Judged from the record's
        events, so a step retried after it was recorded answers the same."""
        derived = f"{command_key}/"  # Context.derived: the same command, another part

        def of_step(key: str) -> bool:
            return key == command_key or key.startswith(derived)

        first: Any = None  # the step's first event: read from the end, where it usually is
        for event in self.events.get(aggregate_id, desc=True):
            if of_step(event.stamp.command_key):  # type: ignore[attr-defined]
                first = event
            elif first is not None:
                break
        if first is None or first.originator_version <= 1:
            return None  # refused, or the record's opening (its opener's unit holds it)
        before: Any = self.repository.get(aggregate_id, version=first.originator_version - 1)
        after = self.holder_of(self.repository.get(aggregate_id), on)
        return after if after != self.holder_of(before, on) else None

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
