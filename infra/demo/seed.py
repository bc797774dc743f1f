"""The demo seed: the facts, then every process driven through its real workflow, then the
demo users."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain.application import Dangvien
from domain.commands import Step
from domain.record import Recorded
from infra.api.schemas import parse_step
from infra.demo.plans import DemoPlans, Process
from infra.demo.story import CANDIDATES, DEMO_USERS, SEED, TREE
from infra.users import UserStore
from workflows.authority import Authority
from workflows.messages import TASK_QUEUE, Act, ActorRef, AdmissionStart, View


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    org_name: str


@dataclass(frozen=True)
class DemoResult:
    organizations: int
    members: int
    cases: int
    transfers: int
    users: list[DemoUser]


class DemoSeed(DemoPlans):
    """Builds the demo on the application and the workflows (see the package docstring)."""

    def __init__(
        self,
        app: Dangvien,
        client: Client,
        today: date,
        authority: Authority,
        concurrency: int = 6,
    ) -> None:
        super().__init__(app, today)
        self.client = client
        self.authority = authority  # the demo commands as the API would: signed
        self.concurrency = concurrency
        self.candidates: list[Process] = []
        self.transfers: list[Process] = []

    def signed_act(self, step: Step, actor: ActorRef, key: str, subject_id: UUID) -> Act:
        """A step as the API sends it: signed for its record."""
        return self.authority.signed(Act(step, actor, key, subject_id))

    # --- the whole seed -----------------------------------------------------------------------

    async def run(self, users: UserStore | None = None) -> DemoResult:
        """Facts first (in a thread: the application is synchronous), then the processes:
        every case concurrently, then the transfers (which change rolls)."""
        await asyncio.to_thread(self.record_facts)
        limit = asyncio.Semaphore(self.concurrency)

        async def drive(process: Process) -> None:
            async with limit:
                await self.drive(process)

        await asyncio.gather(*(drive(p) for p in self.candidates))
        for process in self.transfers:
            await self.drive(process)
        made = await asyncio.to_thread(self.demo_users, users) if users else []
        return DemoResult(
            organizations=len(self.orgs),
            members=sum(len(m) for m in self.members.values()),
            cases=len(self.candidates),
            transfers=len(self.transfers),
            users=made,
        )

    def record_facts(self) -> None:
        """The facts, and the plan of every process (the same on every run)."""
        self.r = random.Random(SEED)  # noqa: S311 — made-up data, not secrets
        self.citizen = 0
        self.build_tree()
        self.register_members()
        self.link_residences()
        self.set_targets()
        self.candidates = [self.plan_case(n, c) for n, c in enumerate(CANDIDATES, 1)]
        self.transfers = self.plan_transfers()

    # --- running the processes ------------------------------------------------------------------

    def applied(self, subject_id: UUID | None, key: str) -> bool:
        if subject_id is None or not self.app.exists(subject_id):
            return False
        return self.app.load(Recorded, subject_id).has_applied(key)

    async def drive(self, process: Process) -> None:
        """Start the process's workflow (once), wait for its record, and send each step not
        applied yet."""
        if not await asyncio.to_thread(self.app.exists, process.subject_id):
            workflow = (
                "AdmissionWorkflow"
                if isinstance(process.start, AdmissionStart)
                else "TransferWorkflow"
            )
            with contextlib.suppress(WorkflowAlreadyStartedError):  # an interrupted seed's
                await self.client.start_workflow(
                    workflow,
                    self.authority.signed(process.start),
                    id=process.workflow_id,
                    task_queue=TASK_QUEUE,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
        while not await asyncio.to_thread(self.app.exists, process.subject_id):
            await asyncio.sleep(0.1)  # the workflow's first activity records it
        handle: WorkflowHandle[Any, View] = self.client.get_workflow_handle(
            process.workflow_id, result_type=View
        )
        for i, step in enumerate(process.steps):
            key = f"demo/{process.workflow_id}/{i}"
            subject = process.member_id if step.subject == "member" else process.subject_id
            assert subject is not None  # a member's steps come after its ceremony
            if await asyncio.to_thread(self.applied, subject, key):
                continue
            if step.subject == "member":
                await until_probation(handle)
            # The update id is the command key: Temporal answers a repeat of an update (one
            # sent again after an interruption) with the first one's outcome.
            await handle.execute_update(
                "act",
                self.signed_act(
                    parse_step(step.kind, step.on, step.args), step.actor, key, subject
                ),
                id=key,
                result_type=View,
            )

    def demo_users(self, users: UserStore) -> list[DemoUser]:
        """One user per role, scoped to a demo organization, with a fresh password (a rerun
        resets the password of a user an interrupted seed created)."""
        made = []
        names = {s.key: s.name for s in TREE} | {"commune": "Đảng ủy xã Tân An"}
        for username, role, org, display in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            if users.get(username) is None:
                users.create(username, password, role, self.orgs[org], display)
            else:
                users.reset_password(username, password)
            made.append(DemoUser(username, password, str(role), names[org]))
        return made


async def until_probation(handle: WorkflowHandle[Any, View], seconds: float = 30.0) -> None:
    """After the ceremony the workflow continues as the probation: wait for it to answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            view: View | None = await handle.query("status", result_type=View)
            if view is not None and view.subject == "member":
                return
        except RPCError:  # between the two runs
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"{handle.id} did not continue as a probation")
        await asyncio.sleep(0.1)
