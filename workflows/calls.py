"""The activities as the processes call them: their names and signatures, without their code.

The processes call `execute_activity_method(ActivityCalls.plan, …)`, so mypy checks each call's
argument and result, and the workflow sandbox never imports the activities' module (the record,
the store, the domain's services: lint-imports keeps it so). `workflows/activities.py`
implements every method under the same name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from temporalio import activity

from workflows.messages import (
    AdmissionStart,
    DissolveRequest,
    EscalateRequest,
    MoveRequest,
    Plan,
    PlanRequest,
    ResidenceRequest,
    Sealed,
    SealRequest,
    StepRequest,
    TransferStart,
    View,
)

F = TypeVar("F", bound=Callable[..., Any])


def defn(name: str) -> Callable[[F], F]:
    """`activity.defn` without Temporal's cancellation of a threaded activity, which raises
    inside its thread wherever it is (a worker shutting down, a timed-out attempt): inside
    the store's transaction, that would hand a connection back to the pool still in a
    transaction. Activities are short and idempotent: a cancelled one runs to its end."""
    return activity.defn(name=name, no_thread_cancel_exception=True)


class ActivityCalls:
    """What a process may ask of the record (implemented by workflows.activities)."""

    @defn("view")
    def view(self, request: PlanRequest) -> View:
        raise NotImplementedError

    @defn("open_case")
    def open_case(self, start: AdmissionStart) -> View:
        raise NotImplementedError

    @defn("start_transfer")
    def start_transfer(self, start: TransferStart) -> View:
        raise NotImplementedError

    @defn("apply_step")
    def apply_step(self, request: StepRequest) -> View:
        raise NotImplementedError

    @defn("plan")
    def plan(self, request: PlanRequest) -> Plan:
        raise NotImplementedError

    @defn("escalate")
    def escalate(self, request: EscalateRequest) -> bool:
        raise NotImplementedError

    @defn("move_member")
    def move_member(self, request: MoveRequest) -> bool:
        raise NotImplementedError

    @defn("dissolve_cell")
    def dissolve_cell(self, request: DissolveRequest) -> None:
        raise NotImplementedError

    @defn("residence_round")
    def residence_round(self, request: ResidenceRequest) -> list[UUID]:
        raise NotImplementedError

    @defn("seal_log")
    def seal_log(self, request: SealRequest) -> Sealed:
        raise NotImplementedError
