"""Driving a case through its workflow as the users would: one update per human step."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from domain.application import Dangvien
from domain.commands import Step
from domain.commands import probation as p
from domain.values import CommentSource
from infra.api.schemas import parse_step
from tests.builders import World, person_data
from tests.workflows.conftest import TEST_AUTHORITY
from workflows.messages import TASK_QUEUE, Act, ActorRef, AdmissionStart, View
from workflows.processes import AdmissionWorkflow

SECRETARY = ActorRef("secretary", "cell_secretary", UUID(int=1))


def signed_act(step: Step, record_id: UUID, actor: ActorRef = SECRETARY) -> Act:
    """A step as the API sends it: with a command key, signed for its record."""
    return TEST_AUTHORITY.signed(Act(step, actor, str(uuid4()), record_id))


def recognition_papers(on: date, helper_id: UUID | None = None) -> list[Step]:
    """What the cell's recognition vote needs (PRB-DOSSIER), each by its step, dated `on`
    (with a helper first, for a probationer who has none)."""
    helper: list[Step] = [p.AssignHelper(on=on, helper_member_id=helper_id)] if helper_id else []
    return [
        *helper,
        p.CompleteNewMemberCourse(on=on, certificate_no="7/GCN-ĐVM"),
        p.SubmitSelfReview(on=on),
        p.RecordHelperComments(on=on),
        *(p.RecordProbationComments(on=on, source=source) for source in CommentSource),
    ]


@dataclass
class CaseDriver:
    client: Client
    world: World
    case_id: UUID
    person_id: UUID

    @property
    def app(self) -> Dangvien:
        return self.world.app

    @property
    def workflow_id(self) -> str:
        return f"admission-{self.case_id}"

    @property
    def handle(self) -> WorkflowHandle[Any, View]:
        return self.client.get_workflow_handle(self.workflow_id, result_type=View)

    async def step(self, kind: str, on: date, /, **args: Any) -> View:
        """The step as the API sends it: signed for the record the process now runs."""
        record = (await self.status()).subject_id
        act = signed_act(parse_step(kind, on, args), record)
        result: View = await self.handle.execute_update("act", act, result_type=View)
        return result

    async def recognition_papers(self, on: date) -> View:
        """What the recognition vote needs, through the probation's process (the case's
        helper is the member's)."""
        record = (await self.status()).subject_id
        view = await self.status()
        for step in recognition_papers(on):
            act = signed_act(step, record)
            view = await self.handle.execute_update("act", act, result_type=View)
        return view

    async def status(self) -> View:
        """The process's view (waiting until the opening activity has answered)."""
        while True:
            result: View | None = await self.handle.query("status", result_type=View)
            if result is not None:
                return result
            await asyncio.sleep(0.05)

    async def wait_for(self, subject: str, seconds: float = 10.0) -> View:
        """Wait until the workflow id runs the given process (after continue-as-new)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            try:
                view = await self.status()
                if view.subject == subject:
                    return view
            except RPCError:  # between two runs of a continued-as-new workflow
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.workflow_id} never became a {subject} process")
            await asyncio.sleep(0.05)

    async def dossier(self, on: date) -> View:
        members = self.world.members[self.world.cell]
        await self.step("record_certificate", on, number="45/GCN")
        await self.step("submit_application", on)
        await self.step(
            "declare_background",
            on,
            relatives=[
                {
                    "key": "r1",
                    "relationship": "father",
                    "full_name": "Nguyễn Văn Ba",
                    "is_party_member": True,
                },
                {"key": "r2", "relationship": "mother", "full_name": "Lê Thị Tư"},
            ],
        )
        for slot, member in ((1, members[0]), (2, members[1])):
            await self.step(
                "assign_introducer",
                on,
                slot=slot,
                kind="full_member",
                letter_on=on.isoformat(),
                member_id=str(member),
                together_since="2015-01-01",
            )
        await self.step("exempt_family_side", on, member_relative_key="r1")
        for subject in ("applicant", "r2"):
            await self.step("request_verification", on, subject=subject, sent_to="Đảng ủy xã")
            await self.step("record_verification_result", on, subject=subject, satisfactory=True)
        await self.step("certify_background", on)
        await self.step("record_comment", on, source="workplace_organizations")
        await self.step("record_comment", on, source="residence_cell")
        return await self.step("summarize_comments", on)

    async def to_ceremony(self, on: date, decided_on: date | None = None) -> View:
        await self.dossier(on)
        await self.step("record_cell_vote", on, votes_for=7, votes_against=2)
        await self.step("record_committee_vote", on, committee_size=9, votes_for=8, votes_against=1)
        return await self.step(
            "decide", decided_on or on, number="12-QĐ/ĐU", decided_by=str(self.world.commune)
        )


async def open_case(client: Client, world: World, on: date) -> CaseDriver:
    app = world.app
    from tests.builders import ctx

    person = app.register_person(ctx(), person_data(), on)
    case_id = uuid4()
    driver = CaseDriver(client, world, case_id, person)
    await client.start_workflow(
        AdmissionWorkflow.run,
        TEST_AUTHORITY.signed(
            AdmissionStart(case_id, person, world.cell, on, SECRETARY, world.members[world.cell][2])
        ),
        id=driver.workflow_id,
        task_queue=TASK_QUEUE,
    )
    return driver
