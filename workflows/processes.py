"""The durable processes: thin, deterministic, reading like the process card. Every rule is in
the domain; the workflows wait, ask activities, and escalate when a deadline passes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from domain.labels import en, vi

with workflow.unsafe.imports_passed_through():
    from domain.calendar import VIETNAM, local_start_of
    from domain.stages import Stage
    from workflows import search
    from workflows.calls import ActivityCalls
    from workflows.messages import (
        Act,
        AdmissionStart,
        BatchCell,
        DissolutionBatchStart,
        DissolutionBatchStatus,
        DissolutionProgress,
        DissolutionStart,
        DissolveRequest,
        EscalateRequest,
        Move,
        MoveFailure,
        MoveRequest,
        PlanRequest,
        ProbationStart,
        ResidenceRequest,
        ResidenceRoundResult,
        ResidenceRoundStart,
        Sealed,
        SealRequest,
        StepRequest,
        Subject,
        TransferStart,
        View,
    )

T = TypeVar("T")
A = TypeVar("A")
DO = ActivityCalls  # the activities, called by method
RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


async def call(activity: Callable[[Any, A], T], arg: A, seconds: int = 30) -> T:
    """Run an activity by its method (the worker registers the implementation; workflows
    import none of it). Activities are short: a worker that died mid-activity is noticed
    after `seconds`."""
    return await workflow.execute_activity_method(
        activity,
        arg,
        start_to_close_timeout=timedelta(seconds=seconds),
        retry_policy=RETRY,
    )


def today() -> date:
    """The date in Vietnam now (workflow time)."""
    return workflow.now().astimezone(VIETNAM).date()


class Process:
    """What every process shares: its view, human steps as updates, and the escalation loop
    that follows the current deadline until the stage changes."""

    subject: Subject

    def __init__(self) -> None:
        self.view: View | None = None
        self.changes = 0  # bumped by every accepted step: the loop re-plans
        self.lock = asyncio.Lock()

    @workflow.query
    def status(self) -> View | None:
        return self.view

    @workflow.update
    async def act(self, act: Act) -> View:
        """A human step (see docs/processes.md)."""
        return await self.apply(act)

    @act.validator
    def accepts(self, act: Act) -> None:
        """CASE-STAGE: refuse, before anything runs, a step the stage does not accept (the
        view lists them from the domain's tables); while opening, the handler waits."""
        view, kind = self.view, act.step.step_kind
        if view is not None and (view.closed or kind not in view.awaiting):
            raise ApplicationError(
                f"[CASE-STAGE] The {view.subject} at stage '{view.stage}' does not accept "
                f"this step ({kind})",
                {
                    "rule_id": "CASE-STAGE",
                    "vi": f"Đang ở bước “{vi('stage', view.stage)}”, không nhận việc "
                    f"“{vi('step', kind)}”",
                    "en": f"At the stage “{en('stage', view.stage)}” the step “{en('step', kind)}” "
                    "is not accepted",
                    "stage": view.stage,
                    "step": kind,
                },
                type="RuleViolation",
                non_retryable=True,
            )

    async def apply(self, act: Act) -> View:
        """Run a human step through its idempotent activity, one step at a time."""
        await workflow.wait_condition(lambda: self.view is not None)  # opened
        assert self.view is not None
        if not act.command_key:
            act.command_key = str(workflow.uuid4())
        async with self.lock:
            try:
                self.view = await call(DO.apply_step, StepRequest(self.view.subject_id, act))
            except ActivityError as error:
                # A refusal reaches the caller with its rule id; the process goes on.
                if isinstance(error.cause, ApplicationError):
                    raise error.cause from None
                raise
            self.changes += 1
            self.publish()
            return self.view

    def publish(self) -> None:
        """Search attributes: stage, deadline, escalation level, organization only."""
        assert self.view is not None
        deadline = self.view.deadline
        workflow.upsert_search_attributes(
            [
                search.STAGE.value_set(f"{self.subject}:{self.view.stage}"),
                search.DEADLINE.value_set(local_start_of(deadline.due + timedelta(days=1)))
                if deadline
                else search.DEADLINE.value_unset(),
                search.ESCALATION.value_set(self.view.escalation_level),
                search.ORG.value_set(str(self.view.org_id)),
            ]
        )

    async def follow(self) -> None:
        """Wait for the stage to change; meanwhile fire each rung of its ladder on its day."""
        assert self.view is not None
        seen = self.changes
        plan = await call(DO.plan, PlanRequest(self.view.subject_id, today()))
        self.view.deadline = plan.deadline
        self.publish()
        for rung in plan.rungs:
            wait = (rung.fires_at - workflow.now()).total_seconds()
            if wait > 0:
                try:
                    await workflow.wait_condition(
                        lambda: self.changes != seen, timeout=timedelta(seconds=wait)
                    )
                    return  # a step moved the case: plan again
                except TimeoutError:
                    pass
            if self.changes != seen:
                return
            fired = await call(
                DO.escalate,
                EscalateRequest(self.view.subject_id, rung, today(), str(workflow.uuid4())),
            )
            if not fired and workflow.patched("replan-on-stale-rung"):
                return  # the plan went stale (a transfer, say): plan again
            self.view.escalation_level = max(self.view.escalation_level, rung.level)
            self.publish()
        await workflow.wait_condition(lambda: self.changes != seen)

    async def until_closed(self, start: Any) -> View:
        """Follow the deadlines until the process ends, continuing as new when the history
        grows long (after every human step in flight has finished)."""
        assert self.view is not None
        self.publish()
        while not self.view.closed:
            await self.follow()
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(start)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.view


@workflow.defn
class AdmissionWorkflow(Process):
    """One admission case, from source to ceremony; probation continues as new."""

    subject = "admission"

    @workflow.init
    def __init__(self, start: AdmissionStart) -> None:
        super().__init__()

    @workflow.run
    async def run(self, start: AdmissionStart) -> View:
        self.view = await call(DO.open_case, start)
        await self.until_closed(start)
        if self.view.stage == Stage.admitted and self.view.member_id:
            # The same workflow id carries the person into probation (PRB-LENGTH).
            workflow.continue_as_new(
                ProbationStart(self.view.member_id, start.case_id), workflow=ProbationWorkflow.run
            )
        return self.view


@workflow.defn
class ProbationWorkflow(Process):
    """Twelve months of probation, the review, the decision (or striking off)."""

    subject = "member"

    @workflow.init
    def __init__(self, start: ProbationStart) -> None:
        super().__init__()

    @workflow.run
    async def run(self, start: ProbationStart) -> View:
        self.view = await call(DO.view, PlanRequest(start.member_id, today()))
        return await self.until_closed(start)


@workflow.defn
class TransferWorkflow(Process):
    """One transfer: the letter's hops, presentation (TRF-PRESENT), acceptance, return."""

    subject = "transfer"

    @workflow.init
    def __init__(self, start: TransferStart) -> None:
        super().__init__()

    @workflow.run
    async def run(self, start: TransferStart) -> View:
        self.view = await call(DO.start_transfer, start)
        return await self.until_closed(start)


@workflow.defn
class MoveMemberWorkflow:
    """One member of a dissolved cell moves (a child with a deterministic id)."""

    @workflow.run
    async def run(self, request: MoveRequest) -> bool:
        return await call(DO.move_member, request, seconds=10)


@workflow.defn
class DissolutionWorkflow:
    """Dissolve a cell: move every member (children with deterministic ids, so a restart or
    a second run moves nobody twice), retry failures, then dissolve (ORG-DISSOLVE)."""

    BATCH = 50

    @workflow.init
    def __init__(self, start: DissolutionStart) -> None:
        self.progress = DissolutionProgress(start.cell_id, len(start.moves), 0, [], False)
        self.retry_requested = False

    @workflow.run
    async def run(self, start: DissolutionStart) -> DissolutionProgress:
        pending: list[Move] = list(start.moves)
        while pending:
            failed: list[Move] = []
            failures: list[MoveFailure] = []
            for i in range(0, len(pending), self.BATCH):
                batch = pending[i : i + self.BATCH]
                results = await asyncio.gather(
                    *(self._move(start, move) for move in batch), return_exceptions=True
                )
                for move, result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        failed.append(move)
                        failures.append(MoveFailure(move.member_id, rule_of(result)))
                    else:
                        self.progress.moved += 1
            self.progress.failed = [m.member_id for m in failed]
            self.progress.failures = failures
            if failed:
                # Reported through the query; retried on the officer's signal, or hourly.
                await workflow.wait_condition(
                    lambda: self.retry_requested, timeout=timedelta(hours=1)
                )
                self.retry_requested = False
            pending = failed
        await call(
            DO.dissolve_cell,
            DissolveRequest(
                start.cell_id, start.on, start.actor, start.merged_into, start.dissolve_proof
            ),
        )
        self.progress.dissolved = True
        return self.progress

    async def _move(self, start: DissolutionStart, move: Move) -> bool:
        return await workflow.execute_child_workflow(
            MoveMemberWorkflow.run,
            MoveRequest(start.cell_id, move, start.on, start.actor),
            id=f"dissolve-{start.cell_id}-{move.member_id}",
        )

    @workflow.query
    def status(self) -> DissolutionProgress:
        return self.progress

    @workflow.signal
    def retry(self) -> None:
        """Retry the failed moves now (after the officer fixed what refused them)."""
        self.retry_requested = True


def rule_of(error: BaseException) -> str:
    """The rule id a failure carries back from the domain (an activity's refusal, through a
    child workflow); SERVER-ERROR for any other fault."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError) and cause.details:
            details = cause.details[0]
            if isinstance(details, dict) and "rule_id" in details:
                return str(details["rule_id"])
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return "SERVER-ERROR"


@workflow.defn
class DissolutionBatchWorkflow:
    """Dissolve several cells on one date: each cell's own DissolutionWorkflow as a child,
    under the id a single dissolution has (`dissolution-<cell>`), so each cell's progress and
    retry are the same, and a restart or a second start dissolves nothing twice. The batch
    was checked whole before it started; a cell that fails later is reported with its rule."""

    @workflow.init
    def __init__(self, start: DissolutionBatchStart) -> None:
        self.status = DissolutionBatchStatus(
            start.batch_id,
            start.on,
            start.actor,
            [BatchCell(c.cell_id, len(c.moves)) for c in start.cells],
        )

    @workflow.run
    async def run(self, start: DissolutionBatchStart) -> DissolutionBatchStatus:
        results = await asyncio.gather(
            *(self._dissolve(cell) for cell in start.cells), return_exceptions=True
        )
        for cell, result in zip(self.status.cells, results, strict=True):
            if isinstance(result, BaseException):
                cell.state, cell.rule_id = "failed", rule_of(result)
            else:
                cell.state = "dissolved"
        return self.status

    async def _dissolve(self, start: DissolutionStart) -> DissolutionProgress:
        return await workflow.execute_child_workflow(
            DissolutionWorkflow.run, start, id=f"dissolution-{start.cell_id}"
        )

    @workflow.query
    def progress(self) -> DissolutionBatchStatus:
        return self.status


@workflow.defn
class ResidenceRoundWorkflow:
    """The yearly residence comments (213-QĐ/TW): ask every residence cell, wait, escalate
    those that have not answered to their grassroots committee."""

    @workflow.run
    async def run(self, start: ResidenceRoundStart) -> ResidenceRoundResult:
        opened = today()
        year = start.year or opened.year
        due = opened + timedelta(days=start.answer_within_days)
        asked = await call(DO.residence_round, ResidenceRequest(year, opened, due, False))
        await workflow.sleep(local_start_of(due + timedelta(days=1)) - workflow.now())
        late = await call(DO.residence_round, ResidenceRequest(year, today(), due, True))
        return ResidenceRoundResult(year, len(asked), len(asked) - len(late), len(late))


SEAL_SECONDS = 3600  # verifying the whole log first: about a minute per three million events


@workflow.defn
class SealWorkflow:
    """The daily seal over the whole log (docs/security.md, "Tamper evidence"): verify every
    event, then sign a seal of the log as verified. Nothing new since the last seal: no seal.
    A log that does not verify is never sealed: the run fails, naming where."""

    @workflow.run
    async def run(self) -> Sealed:
        sealed = await call(DO.seal_log, SealRequest(today()), SEAL_SECONDS)
        if sealed.problem:
            raise ApplicationError(f"not sealed: {sealed.problem}", non_retryable=True)
        return sealed
