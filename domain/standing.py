"""Where a member or a transfer stands, as the read model and the screens show it: derived
from the aggregates' own status and stage, named once here (docs/readmodels.md)."""

from __future__ import annotations

from enum import StrEnum

from domain.member import Member, Status
from domain.transfer import TransferStage


class Standing(StrEnum):
    """A member's status as shown: the domain's `Status`, with probation split in two."""

    probationary = Status.probationary.value
    # PRB-DEADLOCK: on probation after the failed votes that send the decision up; the upper
    # committee decides (docs/rules.md).
    deadlock = "deadlock"
    full = Status.full.value
    struck_off = Status.struck_off.value


ON_PROBATION = frozenset({Standing.probationary, Standing.deadlock})


_SHOWN = {status: Standing(status.value) for status in Status}


def member_standing(member: Member) -> Standing:
    status = member.status
    if status is Status.probationary and member.deadlocked:
        return Standing.deadlock
    return _SHOWN[status]


TRANSFER_CLOSED = frozenset({TransferStage.completed, TransferStage.cancelled})
# A letter still on its way between cells (a temporary stay, `active`, is not).
TRANSFER_MOVING = frozenset(
    {TransferStage.in_transit, TransferStage.letter_issued, TransferStage.presented}
)


def transfer_is_closed(stage: TransferStage) -> bool:
    """Nothing more happens to a transfer completed or cancelled."""
    return stage in TRANSFER_CLOSED
