"""The parts of a worker: every workflow and every activity, over one application."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from domain.application import Dangvien
from workflows.activities import Activities, Notify, Sealer
from workflows.authority import Authority
from workflows.messages import TASK_QUEUE
from workflows.processes import (
    AdmissionWorkflow,
    DissolutionBatchWorkflow,
    DissolutionWorkflow,
    MoveMemberWorkflow,
    ProbationWorkflow,
    ResidenceRoundWorkflow,
    SealWorkflow,
    TransferWorkflow,
)

WORKFLOWS: Sequence[type] = (
    AdmissionWorkflow,
    ProbationWorkflow,
    TransferWorkflow,
    DissolutionBatchWorkflow,
    DissolutionWorkflow,
    MoveMemberWorkflow,
    ResidenceRoundWorkflow,
    SealWorkflow,
)


def activities_of(
    app: Dangvien, notify: Notify, authority: Authority, sealer: Sealer | None = None
) -> list[Callable[..., Any]]:
    a = Activities(app, notify, authority, sealer)
    return [
        a.view,
        a.open_case,
        a.start_transfer,
        a.apply_step,
        a.plan,
        a.escalate,
        a.move_member,
        a.dissolve_cell,
        a.residence_round,
        a.seal_log,
    ]


def build_worker(
    client: Client,
    app: Dangvien,
    notify: Notify,
    authority: Authority,
    *,
    task_queue: str = TASK_QUEUE,
    threads: int = 8,
    sealer: Sealer | None = None,
) -> Worker:
    """eventsourcing is synchronous: activities run on a thread pool. `sealer` seals the
    store for the daily SealWorkflow (a worker without one fails that workflow's run)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_of(app, notify, authority, sealer),
        activity_executor=ThreadPoolExecutor(max_workers=threads),
        max_concurrent_activities=threads,
    )
