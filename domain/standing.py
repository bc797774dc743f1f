"""Where a member stands, as the read model and the screens show it: derived from the
aggregate's own status (the shown statuses themselves are named in domain/stages.py)."""

from __future__ import annotations

from domain.member import Member
from domain.stages import ON_PROBATION as ON_PROBATION  # re-exported for the read model
from domain.stages import TRANSFER_CLOSED as TRANSFER_CLOSED
from domain.stages import TRANSFER_MOVING as TRANSFER_MOVING
from domain.stages import Standing, Status, TransferStage

_SHOWN = {status: Standing(status.value) for status in Status}


def member_standing(member: Member) -> Standing:
    status = member.status
    if status is Status.probationary and member.deadlocked:
        return Standing.deadlock
    return _SHOWN[status]


def transfer_is_closed(stage: TransferStage) -> bool:
    return stage.is_closed
