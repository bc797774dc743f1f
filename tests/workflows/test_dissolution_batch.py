"""Several cells dissolved on one date (docs/rulebook.md §6: one district dissolved its 13
commune-agency cells on one day): one DissolutionBatchWorkflow runs each cell's own
DissolutionWorkflow, under the id a single dissolution has; a move refused is reported with its
rule id, retried on the officer's signal; nobody moves twice. On the time-skipping server."""

from __future__ import annotations

import asyncio
import time as clock
from datetime import date, time
from uuid import UUID, uuid4

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.member import Member
from domain.organization import Organization
from domain.transfer import Hop
from domain.values import CellSetting, OrgKind, Role, TransferKind, TransferReason
from tests.builders import World, ctx
from tests.workflows.conftest import TEST_AUTHORITY, instant, travel_to
from tests.workflows.steps import SECRETARY
from workflows.messages import (
    TASK_QUEUE,
    BatchCell,
    DissolutionBatchStart,
    DissolutionBatchStatus,
    DissolutionProgress,
    DissolutionStart,
    Move,
    MoveFailure,
)
from workflows.processes import DissolutionBatchWorkflow, DissolutionWorkflow

ON = date(2030, 3, 4)


def agency_cell(app: Dangvien, grassroots: UUID) -> UUID:
    return app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ Cơ quan xã",  # the same name in every commune
        parent_id=grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.commune_agency,
    )


def start_of(cell: UUID, moves: list[Move]) -> DissolutionStart:
    return TEST_AUTHORITY.signed_dissolution(DissolutionStart(cell, ON, SECRETARY, moves))


async def until_failed(
    handle: WorkflowHandle[DissolutionWorkflow, DissolutionProgress], count: int
) -> DissolutionProgress:
    deadline = clock.monotonic() + 30
    while True:
        try:
            progress = await handle.query(DissolutionWorkflow.status)
        except RPCError:  # the batch has not started the cell's child yet
            progress = None
        if progress is not None and len(progress.failures) == count:
            return progress
        assert clock.monotonic() < deadline, f"too slow: {progress}"
        await asyncio.sleep(0.02)


async def test_two_communes_agency_cells_are_dissolved_in_one_batch_each_member_once(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    app = world.app
    await travel_to(env, instant(ON, time(9)))
    # world.other_cell is the first commune's agency cell (4 members); the second commune
    # (world.other_grassroots) gets one of 2 members, and a hamlet cell to take them.
    second = agency_cell(app, world.other_grassroots)
    hamlet = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Đông",
        parent_id=world.other_grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.hamlet,
    )
    world.add_members(second, 2)
    first_moves = [Move(m, world.residence_cell) for m in world.members[world.other_cell]]
    second_moves = [Move(m, hamlet) for m in world.members[second]]
    batch_id = uuid4()
    start = DissolutionBatchStart(
        batch_id,
        ON,
        SECRETARY,
        [start_of(world.other_cell, first_moves), start_of(second, second_moves)],
    )

    handle = await client.start_workflow(
        DissolutionBatchWorkflow.run, start, id=f"dissolutions-{batch_id}", task_queue=TASK_QUEUE
    )
    result = await handle.result()

    assert result == DissolutionBatchStatus(
        batch_id,
        ON,
        SECRETARY,
        [BatchCell(world.other_cell, 4, "dissolved"), BatchCell(second, 2, "dissolved")],
    )
    assert await handle.query(DissolutionBatchWorkflow.progress) == result
    for cell, moves in ((world.other_cell, first_moves), (second, second_moves)):
        assert app.load(Organization, cell).dissolved_on == ON
        # Each cell's own dissolution, under the id a single one has: its progress is there.
        own = client.get_workflow_handle(f"dissolution-{cell}")
        assert await own.query(DissolutionWorkflow.status) == DissolutionProgress(
            cell, len(moves), len(moves), [], True
        )
        for move in moves:
            assert app.load(Member, move.member_id).cell_id == move.to_cell_id
    # 3 + 4 on the residence cell, 2 on the second commune's hamlet cell.
    assert len(app.load(Organization, world.residence_cell).members_on(ON)) == 7
    assert len(app.load(Organization, hamlet).members_on(ON)) == 2


async def test_a_refused_move_is_reported_with_its_rule_and_retried_on_the_signal(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    """A member whose own transfer started after the batch was checked: the move is refused
    (TRF-IN-FLIGHT) and shown with its rule; once the transfer is cancelled, the retry moves
    them and the cell is dissolved."""
    app = world.app
    await travel_to(env, instant(ON, time(9)))
    leaving, *staying = world.members[world.other_cell]
    transfer_id = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=leaving,
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=world.far_cell,
        trigger_on=ON,
        on=ON,
    )
    app.forward_letter(ctx(), transfer_id, Hop(world.other_cell, world.grassroots, "1-GGT", ON))
    moves = [Move(m, world.residence_cell) for m in world.members[world.other_cell]]
    batch_id = uuid4()
    handle = await client.start_workflow(
        DissolutionBatchWorkflow.run,
        DissolutionBatchStart(batch_id, ON, SECRETARY, [start_of(world.other_cell, moves)]),
        id=f"dissolutions-{batch_id}",
        task_queue=TASK_QUEUE,
    )
    own = client.get_workflow_handle(f"dissolution-{world.other_cell}")

    waiting = await until_failed(own, 1)
    assert waiting.failures == [MoveFailure(leaving, "TRF-IN-FLIGHT")]
    assert (waiting.moved, waiting.dissolved) == (len(staying), False)
    status = await handle.query(DissolutionBatchWorkflow.progress)
    assert status.cells == [BatchCell(world.other_cell, 4, "running")]

    above = ctx(Role.org_department_officer, world.province)
    app.cancel_transfer(above, transfer_id, "đơn vị giải thể", ON)
    await own.signal(DissolutionWorkflow.retry)

    result = await handle.result()
    assert result.cells == [BatchCell(world.other_cell, 4, "dissolved")]
    assert app.load(Member, leaving).cell_id == world.residence_cell
    assert app.load(Organization, world.other_cell).dissolved_on == ON
