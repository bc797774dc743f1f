"""Record the histories that the replay tests run the workflow code against (docs/processes.md).

    .venv/bin/python -m tests.workflows.record_histories [SCENARIO ...] [--tag T] [--overwrite]

Runs a few representative executions on the time-skipping test server, with the test
payload key (every payload in the files is encrypted), and writes one JSON file per run into
tests/workflows/histories/. The point of the committed files is that today's code must still
replay what yesterday's code wrote: never re-record them to make a replay test pass. A change
of behaviour goes behind `workflow.patched()`; then record its new path NEXT TO the old files
with a tag (`... record_histories transfer --tag present-reminder` writes
`transfer.present-reminder.json`). Existing files are kept unless `--overwrite` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from infra.api.schemas import parse_step
from infra.bootstrap import build_app, sealer
from infra.temporal import EncryptionCodec, register_search_attributes
from tests.builders import World, build_world, ctx, person_data
from tests.workflows.conftest import (
    TEST_AUTHORITY,
    TEST_PAYLOAD_KEY,
    instant,
    test_server,
    travel_to,
)
from tests.workflows.dissolution_stack import sqlite_settings
from tests.workflows.steps import SECRETARY, CaseDriver, signed_act
from workflows.converter import data_converter
from workflows.messages import (
    TASK_QUEUE,
    ActorRef,
    AdmissionStart,
    DissolutionBatchStart,
    DissolutionStart,
    Move,
    ResidenceRoundStart,
    TransferStart,
    View,
)
from workflows.processes import (
    AdmissionWorkflow,
    DissolutionBatchWorkflow,
    DissolutionWorkflow,
    ResidenceRoundWorkflow,
    SealWorkflow,
    TransferWorkflow,
)
from workflows.worker import build_worker

HISTORIES = Path(__file__).parent / "histories"
OFFICER = ActorRef("officer", "grassroots_officer", UUID(int=2))


TAG = ""  # set from the command line: a suffix of the file names
OVERWRITE = False


async def write(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """One run's history, as Temporal's JSON (payloads stay encrypted)."""
    history = await handle.fetch_history()
    path = HISTORIES / (f"{name}.{TAG}.json" if TAG else f"{name}.json")
    if path.exists() and not OVERWRITE:
        print(f"  {path.name}: kept (exists; --overwrite to replace it)")
        return
    path.write_text(history.to_json() + "\n", encoding="utf-8")
    print(f"  {path.name}: {len(history.events)} events")


async def wait_until(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(0.05)


async def open_case(client: Client, world: World, on: date) -> tuple[CaseDriver, str]:
    """A case for a person of the builders (their names are what must never appear in clear);
    returns the driver and the run id of the first run."""
    person = world.app.register_person(ctx(), person_data(), on)
    case = CaseDriver(client, world, uuid4(), person)
    handle = await client.start_workflow(
        AdmissionWorkflow.run,
        TEST_AUTHORITY.signed(
            AdmissionStart(
                case.case_id, person, world.cell, on, SECRETARY, world.members[world.cell][2]
            )
        ),
        id=case.workflow_id,
        task_queue=TASK_QUEUE,
    )
    assert handle.result_run_id is not None
    return case, handle.result_run_id


# --- the scenarios --------------------------------------------------------------------------


async def admission_to_recognition(env: WorkflowEnvironment, world: World) -> None:
    """Source to ceremony (AdmissionWorkflow), continued as new into probation and
    recognition (ProbationWorkflow): both runs of the one workflow id."""
    client = env.client
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case, first_run = await open_case(client, world, date(2029, 12, 3))
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    await case.step("receive_decision", date(2030, 1, 2))
    await travel_to(env, instant(date(2030, 1, 10), time(9)))
    await case.step("hold_ceremony", date(2030, 1, 10))

    async def on_probation() -> bool:
        try:
            return (await case.status()).subject == "member"
        except Exception:  # between the two runs, the query has no answer
            return False

    await wait_until(on_probation)
    await travel_to(env, instant(date(2031, 1, 13), time(9)))
    await case.recognition_papers(date(2031, 1, 13))
    await case.step(
        "record_review_vote", date(2031, 1, 13), motion="recognize", votes_for=8, votes_against=1
    )
    await case.step("recognize", date(2031, 1, 20), decided_by=str(world.commune))
    result: View = await case.handle.result()
    assert result.stage == "full", result
    # (No describe(): the time-skipping server cannot describe a workflow whose datetime
    # search attribute was unset.) The latest run is the one continued from the first.
    last = await client.get_workflow_handle(case.workflow_id).fetch_history()
    started = last.events[0].workflow_execution_started_event_attributes
    assert started.continued_execution_run_id == first_run
    await write(client.get_workflow_handle(case.workflow_id, run_id=first_run), "admission")
    await write(
        client.get_workflow_handle(case.workflow_id, run_id=started.original_execution_run_id),
        "probation",
    )


async def admission_decision_escalated(env: WorkflowEnvironment, world: World) -> None:
    """ADM-DECIDE runs out: reminder, unit above, organization department; a refused step
    (a committee that is not competent decides); then the competent committee refuses."""
    client = env.client
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case, _ = await open_case(client, world, date(2029, 12, 3))
    await case.dossier(date(2029, 12, 3))
    await case.step("record_cell_vote", date(2029, 12, 20), votes_for=7, votes_against=2)
    await case.step(
        "record_committee_vote", date(2029, 12, 27), committee_size=9, votes_for=8, votes_against=1
    )
    # Due 2030-03-22: the reminder fires 2030-03-08, the unit above the day after the due
    # date, the organization department 10 WD after it.
    await travel_to(env, instant(date(2030, 4, 15), time(9)))

    async def department_told() -> bool:
        return (await case.status()).escalation_level == 2

    await wait_until(department_told)
    try:
        await case.step("decide", date(2030, 4, 15), number="1", decided_by=str(world.grassroots))
    except WorkflowUpdateFailedError:
        pass  # refused by the domain (ADM-DECIDE): an activity failure in the history
    else:
        raise AssertionError("a committee that is not competent cannot decide")
    await case.step(
        "refuse", date(2030, 4, 16), decided_by=str(world.commune), reason="chưa đủ điều kiện"
    )
    result: View = await case.handle.result()
    assert result.stage == "rejected", result
    await write(case.handle, "admission_decision_escalated")


async def transfer(env: WorkflowEnvironment, world: World) -> None:
    """An official transfer to a cell of another grassroots organization: the letter's hops,
    presentation late enough that its reminder fires, acceptance."""
    client = env.client
    await travel_to(env, instant(date(2030, 3, 4), time(9)))
    member = world.members[world.cell][5]
    transfer_id = uuid4()
    handle = await client.start_workflow(
        TransferWorkflow.run,
        TEST_AUTHORITY.signed(
            TransferStart(
                transfer_id,
                member,
                "official",
                "new_job",
                world.other_grassroots,
                date(2030, 3, 2),
                date(2030, 3, 4),
                SECRETARY,
            )
        ),
        id=f"transfer-{transfer_id}",
        task_queue=TASK_QUEUE,
    )

    async def step(kind: str, on: date, **args: Any) -> View:
        await travel_to(env, instant(on, time(9)))
        act = signed_act(parse_step(kind, on, args), transfer_id)
        view: View = await handle.execute_update("act", act, result_type=View)
        return view

    hops = [
        (world.cell, world.grassroots),
        (world.grassroots, world.other_grassroots),
        (world.other_grassroots, world.far_cell),
    ]
    for n, (source, target) in enumerate(hops):
        await step(
            "forward_letter",
            date(2030, 3, 5 + n),
            from_org_id=str(source),
            to_org_id=str(target),
            letter_no=f"{n + 1}-GGT",
        )
    view = await step("record_portal_reference", date(2030, 3, 8), reference="DVC-2030-0001")
    assert view.deadline is not None
    # Presented only after the reminder of TRF-PRESENT has fired.
    late = view.deadline.due + timedelta(days=1)
    await step("present_letter", late)
    await step("accept_transfer", late + timedelta(days=1))
    result: View = await handle.result()
    assert result.stage == "completed", result
    await write(handle, "transfer")


async def dissolution(env: WorkflowEnvironment, world: World) -> None:
    """The residence cell is merged into the hamlet cell: a child per member, then the
    dissolution."""
    client = env.client
    on = date(2030, 6, 2)
    await travel_to(env, instant(on, time(9)))
    members = world.members[world.residence_cell]
    handle = await client.start_workflow(
        DissolutionWorkflow.run,
        TEST_AUTHORITY.signed_dissolution(
            DissolutionStart(
                world.residence_cell,
                on,
                OFFICER,
                [Move(m, world.cell) for m in members],
                merged_into=world.cell,
            )
        ),
        id=f"dissolution-{world.residence_cell}",
        task_queue=TASK_QUEUE,
    )
    result = await handle.result()
    assert result.dissolved and result.moved == len(members), result
    await write(handle, "dissolution")
    for n, member in enumerate(members, 1):
        child = client.get_workflow_handle(f"dissolve-{world.residence_cell}-{member}")
        await write(child, f"dissolution_move_{n}")


async def dissolution_batch(env: WorkflowEnvironment, world: World) -> None:
    """Two cells of two grassroots organizations dissolved on one date: a child per cell."""
    client = env.client
    on = date(2030, 6, 2)
    await travel_to(env, instant(on, time(9)))
    batch_id = UUID(int=15)
    cells = [(world.other_cell, world.residence_cell), (world.cell, world.residence_cell)]
    starts = [
        TEST_AUTHORITY.signed_dissolution(
            DissolutionStart(cell, on, OFFICER, [Move(m, to) for m in world.members[cell]])
        )
        for cell, to in cells
    ]
    handle = await client.start_workflow(
        DissolutionBatchWorkflow.run,
        DissolutionBatchStart(batch_id, on, OFFICER, starts),
        id=f"dissolutions-{batch_id}",
        task_queue=TASK_QUEUE,
    )
    result = await handle.result()
    assert [c.state for c in result.cells] == ["dissolved", "dissolved"], result
    await write(handle, "dissolution_batch")


async def residence_round(env: WorkflowEnvironment, world: World) -> None:
    """The yearly round: two comments missing on opening, one answered in the window."""
    client = env.client
    app = world.app
    linked = world.members[world.other_cell][:3]
    for member in linked:
        app.link_residence(ctx(), member, world.residence_cell, date(2030, 9, 1))
    app.record_residence_comment(ctx(), linked[0], 2030, True, date(2030, 9, 20))
    await travel_to(env, instant(date(2030, 10, 1), time(9)))
    handle = await client.start_workflow(
        ResidenceRoundWorkflow.run,
        ResidenceRoundStart(year=2030, answer_within_days=45),
        id="residence-round-2030",
        task_queue=TASK_QUEUE,
    )

    async def asked() -> bool:
        history = await handle.fetch_history()
        return any(e.HasField("activity_task_completed_event_attributes") for e in history.events)

    await wait_until(asked)
    app.record_residence_comment(ctx(), linked[1], 2030, True, date(2030, 10, 20))
    await travel_to(env, instant(date(2030, 11, 16), time(9)))
    result = await handle.result()
    assert (result.asked, result.answered, result.escalated) == (2, 1, 1), result
    await write(handle, "residence_round")


async def seal(env: WorkflowEnvironment, world: World) -> None:
    """The daily seal over a SQLite store with the chain (the scenarios' own store keeps no
    chain): its own worker, on a queue of its own, with the store's sealer."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = sqlite_settings(Path(tmp))
        app = build_app(settings)
        build_world(app, cell_members=3)
        queue = "seal-history"
        async with build_worker(
            env.client,
            app,
            lambda _: None,
            TEST_AUTHORITY,
            task_queue=queue,
            sealer=sealer(settings),
        ):
            handle = await env.client.start_workflow(
                SealWorkflow.run, id="audit-seal", task_queue=queue
            )
            result = await handle.result()
        app.close()
    assert result.new, result
    await write(handle, "seal")


SCENARIOS: dict[str, Callable[[WorkflowEnvironment, World], Awaitable[None]]] = {
    "admission": admission_to_recognition,
    "escalation": admission_decision_escalated,
    "transfer": transfer,
    "dissolution": dissolution,
    "dissolution_batch": dissolution_batch,
    "residence": residence_round,
    "seal": seal,
}


async def run(names: list[str]) -> None:
    HISTORIES.mkdir(exist_ok=True)
    for name in names or list(SCENARIOS):
        print(f"{name}:")
        app = Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})
        world = build_world(app)
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=test_server(),
            data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
        ) as env:
            await register_search_attributes(env.client)
            async with build_worker(
                env.client, app, lambda _: None, TEST_AUTHORITY, task_queue=TASK_QUEUE
            ):
                await SCENARIOS[name](env, world)


def main(argv: list[str]) -> None:
    global TAG, OVERWRITE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--tag", default="", help="suffix of the new files' names")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    TAG, OVERWRITE = args.tag, args.overwrite
    logging.getLogger("temporalio.activity").setLevel(logging.ERROR)  # the refusal, expected
    asyncio.run(run(args.scenarios))


if __name__ == "__main__":
    main(sys.argv[1:])
