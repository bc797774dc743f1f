"""Activities: the only way a workflow touches the record. Each is idempotent (the workflow
passes the command key); a domain refusal becomes a non-retryable `ApplicationError` carrying
the rule id, and a concurrency conflict is retried."""

from __future__ import annotations

import dataclasses
import random
import time as time_module
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import labels, policy
from domain.application import Context, Dangvien
from domain.calendar import local_start_of
from domain.errors import ConcurrencyConflict, DomainError
from domain.handlers import handle
from domain.member import Member
from domain.record import Recorded
from domain.services.paper_statements_org import dissolution_transfer_id
from domain.stages import TransferStage
from domain.transfer import Hop, Transfer
from domain.values import Actor, Role, TransferKind, TransferReason
from workflows.authority import Authority
from workflows.calls import ActivityCalls, defn
from workflows.messages import (
    DUE_SOON,
    ActorRef,
    AdmissionStart,
    DeadlineView,
    DissolveRequest,
    EscalateRequest,
    MoveRequest,
    Notification,
    Plan,
    PlanRequest,
    ResidenceRequest,
    Rung,
    Sealed,
    SealRequest,
    StepRequest,
    TransferStart,
    View,
)
from workflows.views import view_of

log = structlog.get_logger("dangvien.activities")
Notify = Callable[[Notification], None]
Sealer = Callable[[], Sealed]  # seals the worker's store (infra/bootstrap.py `sealer`)


def _ctx(actor: ActorRef, key: str) -> Context:
    return Context(Actor(actor.user_id, Role(actor.role), actor.org_id), key)


def refusal(error: DomainError) -> ApplicationError:
    """A domain refusal as Temporal carries it: not retried, with the rule id and messages."""
    return ApplicationError(
        error.message("en"), error.as_dict(), type="RuleViolation", non_retryable=True
    )


# What a unit is told it now holds, by the kind of record (no personal data).
TURN_OF = {
    "admission": ("hồ sơ kết nạp đảng viên", "an admission case"),
    "member": ("công nhận đảng viên chính thức", "a probationer's recognition"),
    "transfer": ("chuyển sinh hoạt đảng", "a transfer of Party activity"),
}


class Activities(ActivityCalls):
    """The activities of one worker, over the application and a notifier."""

    def __init__(
        self, app: Dangvien, notify: Notify, authority: Authority, sealer: Sealer | None = None
    ) -> None:
        self.app = app
        self.notify = notify
        self.authority = authority
        self.sealer = sealer

    def _guard(
        self, work: Callable[[], Any], *, signed: tuple[Any, str] | None = None, **ids: object
    ) -> Any:
        """Run a command — one the API `signed` only if its proof holds (AUTH-PROOF) —; log
        it by ids only (never personal data), refusals included."""
        info = activity.info()
        bound = log.bind(workflow_id=info.workflow_id, activity=info.activity_type, **ids)
        try:
            if signed is not None:
                self.authority.check(*signed)
            result = self._retrying(work)
        except DomainError as error:
            bound.info("refused", rule_id=error.rule_id)
            raise refusal(error) from error
        bound.info("done")
        return result

    @staticmethod
    def _retrying(work: Callable[[], Any], attempts: int = 20) -> Any:
        """Concurrent writers of one aggregate (the moves of a dissolution all write the old
        cell) retry here at once, with jitter: commands are idempotent, and Temporal's own
        retry would wait seconds."""
        for attempt in range(attempts):
            try:
                return work()
            except ConcurrencyConflict:
                if attempt == attempts - 1:
                    raise
                time_module.sleep(random.uniform(0, 0.03))  # noqa: S311 — jitter, not secrecy
        raise AssertionError("unreachable")

    # --- views ---

    def view_of(self, subject_id: UUID, today: date) -> View:
        return view_of(self.app, subject_id, today)

    @defn("view")
    def view(self, request: PlanRequest) -> View:
        return self.view_of(request.subject_id, request.today)

    # --- commands ---

    @defn("open_case")
    def open_case(self, start: AdmissionStart) -> View:
        ctx = _ctx(start.actor, f"open/{start.case_id}")
        self._guard(
            lambda: self.app.open_case(
                ctx,
                case_id=start.case_id,
                person_id=start.person_id,
                cell_id=start.cell_id,
                on=start.on,
                helper_member_id=start.helper_member_id,
                person=start.person,
            ),
            signed=(start, start.proof),
        )
        return self.view_of(start.case_id, start.on)

    @defn("start_transfer")
    def start_transfer(self, start: TransferStart) -> View:
        ctx = _ctx(start.actor, f"start/{start.transfer_id}")
        self._guard(
            lambda: self.app.start_transfer(
                ctx,
                transfer_id=start.transfer_id,
                member_id=start.member_id,
                kind=TransferKind(start.kind),
                reason=TransferReason(start.reason),
                destination_org_id=start.destination_org_id,
                trigger_on=start.trigger_on,
                on=start.on,
                returns_on=start.returns_on,
                portal_reference=start.portal_reference,
            ),
            signed=(start, start.proof),
        )
        return self.view_of(start.transfer_id, start.on)

    @defn("apply_step")
    def apply_step(self, request: StepRequest) -> View:
        act = request.step
        ctx = _ctx(act.actor, act.command_key)
        # Signed for this record only: the same step copied onto another is refused.
        bound = dataclasses.replace(act, subject_id=request.subject_id)
        self._guard(
            lambda: handle(self.app, ctx, request.subject_id, act.step),
            signed=(bound, act.proof),
            subject_id=str(request.subject_id),
            step=act.step.step_kind,
            command_key=act.command_key,
        )
        view = self.view_of(request.subject_id, act.step.on)
        # The step made the record another unit's to do: that unit hears it (once per record,
        # stage and unit; a retried step finds the same answer in the record's events).
        turn = self.app.turn_passed(request.subject_id, act.command_key, act.step.on)
        if turn is not None:
            self._notify_turn(view, turn, act.step.on)
        return view

    def _notify_turn(self, view: View, org_id: UUID, on: date) -> None:
        deadline = view.deadline
        what_vi, what_en = TURN_OF[view.subject]
        vi = f"Đến lượt đơn vị: {what_vi}, bước “{labels.vi('stage', view.stage)}”"
        en = f"Your unit's turn: {what_en}, at the stage “{labels.en('stage', view.stage)}”"
        if deadline is not None:
            rule = policy.RULES.get(deadline.rule_id)
            title_vi, title_en = (rule.title_vi, rule.title_en) if rule else ("", "")
            vi += f"; [{deadline.rule_id}] {title_vi}, hạn {deadline.due:%d/%m/%Y}"
            en += f"; [{deadline.rule_id}] {title_en}, due {deadline.due}"
        self.notify(
            Notification(
                key=f"{view.subject_id}/turn/{view.stage}/{org_id}",
                org_id=org_id,
                subject_id=view.subject_id,
                rule_id=deadline.rule_id if deadline else "",
                level=DUE_SOON,  # no escalation level: -1, as for a due-soon notice
                # The deadline the unit now holds; with none, the day the turn passed to it.
                due=deadline.due if deadline else on,
                created_at=datetime.now(UTC),
                message_vi=vi,
                message_en=en,
                kind="assignment",
            )
        )

    # --- deadlines ---

    @defn("plan")
    def plan(self, request: PlanRequest) -> Plan:
        """The deadline in force and the rungs still to come, as absolute instants, in the
        order they fire: the ladder's, and the due-soon notice while the deadline is not past
        (already sent, it is sent again at once and written once: its key is unique)."""
        deadline = self.app.open_deadline(request.subject_id, request.today)
        steps = self.app.escalation_plan(request.subject_id, request.today)
        rungs = [
            Rung(s.rule_id, int(s.level), s.fires_on, local_start_of(s.fires_on), s.target, s.due)
            for s in steps
        ]
        soon = self.app.due_soon(request.subject_id, request.today)
        if soon is not None:
            at = local_start_of(soon.fires_on)
            rungs.append(Rung(soon.rule_id, DUE_SOON, soon.fires_on, at, soon.target, soon.due))
        rungs.sort(key=lambda r: r.fires_on)  # stable: on one day, the ladder's rung first
        return Plan(DeadlineView(**vars(deadline)) if deadline else None, rungs)

    @defn("escalate")
    def escalate(self, request: EscalateRequest) -> bool:
        """Fire a planned rung if it still stands. A step or a transfer since the plan may
        have moved the deadline or the unit that answers for it: then nothing fires and the
        workflow plans again. Returns whether the rung was recorded now."""
        rung = request.rung
        if rung.level == DUE_SOON:
            return self._due_soon(request.subject_id, rung, request.today)
        wanted = (rung.rule_id, rung.level, rung.due)
        planned = self.app.escalation_plan(request.subject_id, request.today)
        current = next((s for s in planned if (s.rule_id, s.level, s.due) == wanted), None)
        if current is None:
            self._renotify(request.subject_id, rung, request.today)  # recorded, maybe unsent
            return False
        return self._tell(request.subject_id, current, request.today, request.command_key)

    def _due_soon(self, subject_id: UUID, rung: Rung, today: date) -> bool:
        """Tell the unit holding the deadline that it is near, if it still stands: a step
        done meanwhile ends or moves it (then nothing is told, and the workflow plans again).
        Written once per record, rule and due date, however often this runs."""
        soon = self.app.due_soon(subject_id, today)
        if soon is None or (soon.rule_id, soon.due) != (rung.rule_id, rung.due):
            return False
        left = max(-policy.working_days_overdue(soon.due, today), 0)
        rule = policy.RULES.get(soon.rule_id)
        title_vi = rule.title_vi if rule else soon.rule_id
        title_en = rule.title_en if rule else soon.rule_id
        self.notify(
            Notification(
                key=f"{subject_id}/{soon.rule_id}/due-soon/{soon.due.isoformat()}",
                org_id=soon.target,
                subject_id=subject_id,
                rule_id=soon.rule_id,
                level=DUE_SOON,
                due=soon.due,
                created_at=datetime.now(UTC),
                message_vi=f"[{soon.rule_id}] {title_vi}: sắp đến hạn {soon.due:%d/%m/%Y}, "
                f"còn {left} ngày làm việc",
                message_en=f"[{soon.rule_id}] {title_en}: due soon, on {soon.due.isoformat()}, "
                f"{left} working days left",
                kind="due_soon",
            )
        )
        log.info("due_soon.told", subject_id=str(subject_id), rule_id=soon.rule_id)
        return True

    def _renotify(self, subject_id: UUID, rung: Rung, today: date) -> None:
        """After a crash between recording a rung and notifying it: notify (once, by key)."""
        subject = self.app.load(Recorded, subject_id)
        for rule_id, level, target, due in subject.escalations:
            if (rule_id, level, due) == (rung.rule_id, rung.level, rung.due):
                step = policy.EscalationStep(rule_id, policy.Level(level), today, target, due)
                self._notify(subject_id, step, today)

    def _tell(self, subject_id: UUID, step: policy.EscalationStep, today: date, key: str) -> bool:
        """Record the rung on the aggregate (once per rule, level and due date) and notify
        the organization told."""
        system = Context(Actor("dangvien", Role.system, step.target), key)
        recorded = self._guard(
            lambda: self.app.escalate(system, subject_id, step, today),
            subject_id=str(subject_id),
            rule_id=step.rule_id,
            level=int(step.level),
        )
        subject = self.app.load(Recorded, subject_id)
        if subject.has_escalated(step.rule_id, step.level, step.due):
            self._notify(subject_id, step, today)
        return bool(recorded)

    def _notify(self, subject_id: UUID, step: policy.EscalationStep, today: date) -> None:
        overdue = max(policy.working_days_overdue(step.due, today), 0)
        rule = policy.RULES.get(step.rule_id)
        title_vi = rule.title_vi if rule else step.rule_id
        title_en = rule.title_en if rule else step.rule_id
        self.notify(
            Notification(
                key=f"{subject_id}/{step.rule_id}/{int(step.level)}/{step.due.isoformat()}",
                org_id=step.target,
                subject_id=subject_id,
                rule_id=step.rule_id,
                level=int(step.level),
                due=step.due,
                created_at=datetime.now(UTC),
                message_vi=f"[{step.rule_id}] {title_vi}: hạn {step.due:%d/%m/%Y}"
                + (f", quá hạn {overdue} ngày làm việc" if overdue else ""),
                message_en=f"[{step.rule_id}] {title_en}: due {step.due.isoformat()}"
                + (f", {overdue} working days overdue" if overdue else ""),
            )
        )

    # --- cell dissolution ---

    @defn("move_member")
    def move_member(self, request: MoveRequest) -> bool:
        """One member of a dissolved cell moves by an internal transfer, start to acceptance;
        every command key derives from (cell, member), so a rerun moves nobody twice. A member
        with a transfer of their own under way is refused (TRF-IN-FLIGHT) and retried: once
        that transfer has carried them out of the cell, there is nothing left to move."""
        cell_id, move, on = request.cell_id, request.move, request.on
        transfer_id = dissolution_transfer_id(cell_id, move.member_id)
        ctx = _ctx(request.actor, f"dissolve/{cell_id}/{move.member_id}")
        app = self.app
        member = app.load(Member, move.member_id)
        if member.cell_id != cell_id:
            return False  # moved already: by an earlier attempt, or by their own transfer

        def run() -> None:
            app.start_transfer(
                ctx.derived("start"),
                transfer_id=transfer_id,
                member_id=move.member_id,
                kind=TransferKind.internal,
                reason=TransferReason.reorganisation,
                destination_org_id=move.to_cell_id,
                trigger_on=on,
                on=on,
            )
            transfer = app.load(Transfer, transfer_id)
            if transfer.stage is TransferStage.in_transit:
                app.forward_letter(
                    ctx.derived("letter"),
                    transfer_id,
                    Hop(cell_id, move.to_cell_id, f"GT-{str(cell_id)[:8]}", on),
                )
            app.present_letter(ctx.derived("present"), transfer_id, on)
            app.accept_transfer(ctx.derived("accept"), transfer_id, on)

        self._guard(run, signed=(request, move.proof))
        return True

    @defn("dissolve_cell")
    def dissolve_cell(self, request: DissolveRequest) -> None:
        ctx = _ctx(request.actor, f"dissolve/{request.cell_id}")
        self._guard(
            lambda: self.app.dissolve_organization(
                ctx, request.cell_id, request.on, request.merged_into
            ),
            signed=(request, request.proof),
        )

    # --- residence comments (213-QĐ/TW) ---

    @defn("residence_round")
    def residence_round(self, request: ResidenceRequest) -> list[UUID]:
        """The members linked to a residence cell who have no comment for the year yet; each
        is told to its residence cell on opening (level 0), to the cell above when late (1)."""
        waiting = [
            m
            for m in self.app.members_with_residence_link()
            if request.year not in m.residence_comments
        ]
        for member in waiting:
            assert member.residence_cell_id is not None
            level = policy.Level.unit_above if request.late else policy.Level.reminder
            cell = member.residence_cell_id
            above = self.app.directly_superior(cell, request.today) if request.late else None
            target = above or cell
            step = policy.EscalationStep("RES-COMMENT", level, request.today, target, request.due)
            key = f"residence/{request.year}/{member.id}/{int(level)}/{request.due}"
            self._tell(member.id, step, request.today, key)
        return [m.id for m in waiting]

    # --- the daily seal ---

    @defn("seal_log")
    def seal_log(self, request: SealRequest) -> Sealed:
        """Seal the whole log as it verifies; a log that does not is logged as an error (where,
        never what) and left unsealed."""
        if self.sealer is None:
            raise ApplicationError("this worker was started without a sealer", non_retryable=True)
        sealed = self.sealer()
        bound = log.bind(on=str(request.on), tree_size=sealed.tree_size)
        if sealed.problem:
            bound.error("seal.refused", problem=sealed.problem)
        else:
            bound.info("seal.made" if sealed.new else "seal.nothing_new")
        return sealed
