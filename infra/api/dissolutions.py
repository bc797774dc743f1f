"""Dissolutions: one cell (`/api/orgs/{cell}/dissolution`, at the end of this module) and, at
scale, several cells dissolved on one date in one request.

The whole batch is checked before anything starts — the role, every cell and destination in
the user's subtree (ACCESS-SCOPE), the rule set of the day, and each cell as a single
dissolution is checked (`check_dissolution`: ORG-DISSOLVE, ORG-DISSOLVE-TRANSFER, TRF-KIND,
ORG-TREE); one refusal refuses the batch, naming the cell, and nothing is written. Then one
`DissolutionBatchWorkflow` runs each cell's own `DissolutionWorkflow`, so a cell of a batch
has the same progress and retry as a single one (`/api/orgs/{cell}/dissolution`). Progress is
read from the workflows (queries), never from memory: it survives a reload and a restart.

The batch's id derives from the Idempotency-Key, or without one from the cells and the date:
the same batch sent twice starts once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date
from typing import Annotated
from uuid import UUID, uuid5

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from domain import policy
from domain.application import NAMESPACE
from domain.errors import RuleViolation
from domain.organization import Organization
from infra.api.access import DISSOLVE, may
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.commands import (
    IdempotencyKey,
    command_key,
    first_answer,
    named_org,
    org_command,
    through_temporal,
)
from infra.api.errors import not_found, role_refused
from infra.api.schemas import Day, DissolutionIn, DissolutionOut, ErrorOut, MoveIn, Strict
from infra.api.services import Services
from infra.users import User
from workflows.messages import (
    TASK_QUEUE,
    DissolutionBatchStart,
    DissolutionBatchStatus,
    DissolutionProgress,
    DissolutionStart,
    Move,
)
from workflows.processes import DissolutionBatchWorkflow, DissolutionWorkflow

router = APIRouter(
    prefix="/api",
    tags=["commands"],
    responses={
        **REFUSALS,
        422: {"description": "Invalid body, or a rule refused a cell (rule_id, cell_id)"},
        503: {"model": ErrorOut, "description": "Temporal is not reachable"},
    },
)


# --- bodies and answers --------------------------------------------------------------------


class BatchCellIn(Strict):
    cell_id: UUID
    moves: Annotated[list[MoveIn], Field(max_length=5000)]


class DissolutionBatchIn(Strict):
    on: Day
    cells: Annotated[list[BatchCellIn], Field(min_length=1, max_length=500)]


class MoveFailureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: UUID
    rule_id: str


class BatchCellOut(BaseModel):
    cell_id: UUID
    state: str  # running, dissolved, failed
    rule_id: str | None  # what refused the cell, when failed
    total: int
    moved: int
    failures: list[MoveFailureOut]  # moves that failed, each with its rule (retried)


class DissolutionBatchOut(BaseModel):
    batch_id: UUID
    on: date
    cells: list[BatchCellOut]
    members: int
    moved: int
    dissolved: int
    done: bool  # every cell dissolved or failed


def batch_workflow_id(batch_id: UUID) -> str:
    return f"dissolutions-{batch_id}"


# --- the checks: all or nothing ------------------------------------------------------------


def refused_for(s: Services, cell_id: UUID, on: date, refusal: RuleViolation) -> RuleViolation:
    """A cell's refusal as the batch's: the same rule, the cell named (with its grassroots
    organization: two communes have a "Chi bộ Cơ quan xã" each)."""
    cell = s.app.load(Organization, cell_id)
    try:
        name = f"{cell.name} — {s.app.grassroots_of(cell_id, on).name}"
    except RuleViolation:
        name = cell.name
    return RuleViolation(
        refusal.rule_id,
        f"{name}: {refusal.vi}",
        f"{name}: {refusal.en}",
        **{**refusal.details, "cell_id": str(cell_id)},
    )


def check_batch(body: DissolutionBatchIn, user: User, s: Services) -> list[DissolutionStart]:
    """Every cell as its single dissolution is checked, and the batch as a whole: a cell once,
    no member moved into a cell the same batch dissolves. Returns each cell's signed start."""
    if not may(user, DISSOLVE):
        raise role_refused(DISSOLVE)
    actors = {c.cell_id: named_org(s, user, c.cell_id, DISSOLVE) for c in body.cells}
    for c in body.cells:
        for m in c.moves:
            named_org(s, user, m.to_cell_id, DISSOLVE)
    policy.rules_at(body.on)
    if len(actors) != len(body.cells):
        raise RuleViolation(
            "ORG-DISSOLVE",
            "Một chi bộ được nêu hai lần trong đợt giải thể",
            "A cell is named twice in the batch",
        )
    starts = []
    for c in body.cells:
        into_batch = sorted({str(m.to_cell_id) for m in c.moves if m.to_cell_id in actors})
        try:
            if into_batch:
                raise RuleViolation(
                    "ORG-DISSOLVE",
                    "Đảng viên được chuyển đến một chi bộ cũng bị giải thể trong đợt này",
                    "Members are moved into a cell the same batch dissolves",
                    to_cell_ids=into_batch,
                )
            s.app.check_dissolution(
                c.cell_id, body.on, [(m.member_id, m.to_cell_id) for m in c.moves]
            )
        except RuleViolation as refusal:
            raise refused_for(s, c.cell_id, body.on, refusal) from None
        start = DissolutionStart(
            c.cell_id,
            body.on,
            actors[c.cell_id],
            [Move(m.member_id, m.to_cell_id) for m in c.moves],
        )
        starts.append(s.authority.signed_dissolution(start))
    return starts


def batch_id_for(user: User, key: str | None, body: DissolutionBatchIn) -> UUID:
    if key:
        return uuid5(NAMESPACE, f"dissolutions/{command_key(user, key)}")
    cells = ",".join(sorted(str(c.cell_id) for c in body.cells))
    return uuid5(NAMESPACE, f"dissolutions/{body.on.isoformat()}/{cells}")


# --- progress, from the workflows --------------------------------------------------------


async def cell_progress(client: Client, cell_id: UUID, total: int) -> DissolutionProgress:
    """A cell's own dissolution as it stands; not started yet: nothing moved."""
    try:
        handle = client.get_workflow_handle(dissolution_id(cell_id))
        return await handle.query(DissolutionWorkflow.status)
    except RPCError as error:
        if error.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise
        return DissolutionProgress(cell_id, total, 0, [], False)


async def batch_progress(
    client: Client, batch_id: UUID, user: User, s: Services
) -> DissolutionBatchOut:
    """The batch and each of its cells; a batch with a cell outside the user's subtree is
    not found, as an unknown one."""
    try:
        handle = client.get_workflow_handle(batch_workflow_id(batch_id))
        status: DissolutionBatchStatus = await handle.query(DissolutionBatchWorkflow.progress)
    except RPCError as error:
        if error.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise
        raise not_found("dissolution") from None
    cell_ids = [c.cell_id for c in status.cells]
    if not await run_in_threadpool(lambda: all(s.scope.inside(user, c) for c in cell_ids)):
        raise not_found("dissolution")
    found = await asyncio.gather(*(cell_progress(client, c.cell_id, c.total) for c in status.cells))
    cells = [
        BatchCellOut(
            cell_id=c.cell_id,
            state="dissolved" if p.dissolved else c.state,
            rule_id=c.rule_id,
            total=c.total,
            moved=p.moved,
            failures=[MoveFailureOut.model_validate(f) for f in p.failures],
        )
        for c, p in zip(status.cells, found, strict=True)
    ]
    return DissolutionBatchOut(
        batch_id=batch_id,
        on=status.on,
        cells=cells,
        members=sum(c.total for c in cells),
        moved=sum(c.moved for c in cells),
        dissolved=sum(c.state == "dissolved" for c in cells),
        done=all(c.state != "running" for c in cells),
    )


# --- routes ----------------------------------------------------------------------------------


async def start_batch(
    body: DissolutionBatchIn, user: User, s: Services, key: str | None
) -> DissolutionBatchOut:
    client = await s.temporal.client()  # first: unreachable, nothing is written
    starts = await run_in_threadpool(check_batch, body, user, s)
    batch_id = batch_id_for(user, key, body)
    start = DissolutionBatchStart(batch_id, body.on, starts[0].actor, starts)

    async def begin() -> DissolutionBatchOut:
        await client.start_workflow(
            DissolutionBatchWorkflow.run,
            start,
            id=batch_workflow_id(batch_id),
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        return await batch_progress(client, batch_id, user, s)

    return await through_temporal(begin())


@router.post("/dissolutions", status_code=202)
async def dissolve_cells(
    body: DissolutionBatchIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> DissolutionBatchOut:
    """Dissolve several cells on one date: each member of each cell moves by an internal
    transfer to the cell given. Checked whole first: one refused cell refuses the batch (its
    rule id, `details.cell_id`), nothing written. The same batch again starts nothing."""
    return await dissolve_batch(body, user, s, key)


async def dissolve_batch(
    body: DissolutionBatchIn, user: User, s: Services, key: str | None
) -> DissolutionBatchOut:
    """The command itself, for the API and the web's review page alike."""
    return await first_answer(
        s, user, key, "dissolutions", DissolutionBatchOut, lambda: start_batch(body, user, s, key)
    )


@router.get("/dissolutions/{batch_id}")
async def dissolution_batch(batch_id: UUID, user: CurrentUser, s: Svc) -> DissolutionBatchOut:
    """How far the batch went: each cell's state, members moved, failed moves with their
    rule."""
    client = await s.temporal.client()
    return await through_temporal(batch_progress(client, batch_id, user, s))


@router.post("/dissolutions/{batch_id}/retry", status_code=202)
async def retry_batch(
    batch_id: UUID, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> DissolutionBatchOut:
    """Retry the failed moves of every cell of the batch now (after their cause was fixed)."""

    async def retry() -> DissolutionBatchOut:
        client = await s.temporal.client()
        found = await through_temporal(batch_progress(client, batch_id, user, s))
        if not may(user, DISSOLVE):
            raise role_refused(DISSOLVE)
        for cell in found.cells:
            if cell.failures:
                handle = client.get_workflow_handle(dissolution_id(cell.cell_id))
                await through_temporal(handle.signal(DissolutionWorkflow.retry))
        return await through_temporal(batch_progress(client, batch_id, user, s))

    return await first_answer(
        s, user, key, f"dissolutions/{batch_id}/retry", DissolutionBatchOut, retry
    )


# --- dissolution -----------------------------------------------------------------------------


def dissolution_id(cell_id: UUID) -> str:
    return f"dissolution-{cell_id}"


@router.post("/orgs/{org_id}/dissolution", status_code=202)
async def dissolve(
    org_id: UUID, body: DissolutionIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> DissolutionOut:
    """Dissolve a cell: each member moves by an internal transfer to the cell given, then the
    cell is dissolved (DissolutionWorkflow). Starting it again while it runs returns its
    progress; with the same Idempotency-Key, the first answer, even once it has ended."""
    return await first_answer(
        s,
        user,
        key,
        f"orgs/{org_id}/dissolution",
        DissolutionOut,
        lambda: start_dissolution(org_id, body, user, s),
    )


async def start_dissolution(
    org_id: UUID, body: DissolutionIn, user: User, s: Services
) -> DissolutionOut:
    """The dry run (nothing written if it refuses), then the workflow, found if it runs."""

    def prepare() -> DissolutionStart:
        actor = org_command(s, user, org_id, DISSOLVE)
        policy.rules_at(body.on)
        s.app.check_dissolution(
            org_id, body.on, [(m.member_id, m.to_cell_id) for m in body.moves], body.merged_into
        )
        moves = [Move(m.member_id, m.to_cell_id) for m in body.moves]
        start = DissolutionStart(org_id, body.on, actor, moves, body.merged_into)
        return s.authority.signed_dissolution(start)

    client = await s.temporal.client()  # first: unreachable, nothing is written
    start = await run_in_threadpool(prepare)

    async def begin() -> DissolutionProgress:
        handle = await client.start_workflow(
            DissolutionWorkflow.run,
            start,
            id=dissolution_id(org_id),
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        return await handle.query(DissolutionWorkflow.status)

    return DissolutionOut.model_validate(await through_temporal(begin()))


@router.post("/orgs/{org_id}/dissolution/retry", status_code=202)
async def retry_dissolution(
    org_id: UUID, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> DissolutionOut:
    """Retry the failed moves now (after what refused them was fixed); an ended dissolution
    answers its progress."""

    async def retry() -> DissolutionOut:
        await run_in_threadpool(org_command, s, user, org_id, DISSOLVE)
        handle = (await s.temporal.client()).get_workflow_handle(dissolution_id(org_id))

        async def signal() -> DissolutionProgress:
            try:
                await handle.signal(DissolutionWorkflow.retry)
            except RPCError as error:
                if error.status is not RPCStatusCode.NOT_FOUND:
                    raise
                # Ended (nothing left to retry), or never started: the query tells which.
            return await handle.query(DissolutionWorkflow.status)

        return DissolutionOut.model_validate(await dissolution_call(signal()))

    return await first_answer(
        s, user, key, f"orgs/{org_id}/dissolution/retry", DissolutionOut, retry
    )


async def dissolution_call(call: Awaitable[DissolutionProgress]) -> DissolutionProgress:
    """A call to a cell's dissolution; none started for the cell: NOT-FOUND."""
    try:
        return await through_temporal(call)
    except RuleViolation as refusal:
        if refusal.rule_id == "CASE-STAGE":  # no such workflow
            raise not_found("dissolution") from None
        raise
