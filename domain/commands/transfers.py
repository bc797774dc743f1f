"""The steps of a transfer: the letter's hops, its presentation and acceptance, the return
from a temporary stay, the portal's reference, the cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar
from uuid import UUID

from annotated_types import MaxLen

from domain.bounds import Name, Text
from domain.commands import Step, Subject
from domain.stages import TransferStage
from domain.values import Role

# A transfer letter's verification code as typed ("7KQ2-M9XD-4TRB", any case, with spaces…).
LetterCode = Annotated[str, MaxLen(40)]


@dataclass(frozen=True, kw_only=True)
class TransferStep(Step, abstract=True):
    applies_to: ClassVar[Subject] = "transfer"


@dataclass(frozen=True, kw_only=True)
class ForwardLetter(TransferStep):
    """One hop of the letter, sent by `from_org_id` (who therefore acts)."""

    from_org_id: UUID
    to_org_id: UUID
    letter_no: Text = ""
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = frozenset({TransferStage.in_transit})
    opens_at: ClassVar[frozenset[str]] = frozenset({TransferStage.in_transit})
    sender_field: ClassVar[str | None] = "from_org_id"


@dataclass(frozen=True, kw_only=True)
class ReceivingStep(TransferStep, abstract=True):
    """A step of the receiving cell, once the letter names it."""

    by_receiving_cell: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class PresentLetter(ReceivingStep):
    stages: ClassVar[frozenset[str]] = frozenset({TransferStage.letter_issued})
    opens_at: ClassVar[frozenset[str]] = frozenset({TransferStage.letter_issued})


@dataclass(frozen=True, kw_only=True)
class AcceptTransfer(ReceivingStep):
    """The receiving cell accepts; when dangvien issued the letter, with the code printed on
    it (TRF-LETTER-CODE, checked before the step is sent: domain/transfer_letter.py)."""

    letter_code: LetterCode = ""
    stages: ClassVar[frozenset[str]] = frozenset({TransferStage.presented})
    opens_at: ClassVar[frozenset[str]] = frozenset({TransferStage.presented})


@dataclass(frozen=True, kw_only=True)
class EndTemporaryTransfer(TransferStep):
    stages: ClassVar[frozenset[str]] = frozenset({TransferStage.active})
    opens_at: ClassVar[frozenset[str]] = frozenset({TransferStage.active})


@dataclass(frozen=True, kw_only=True)
class RecordPortalReference(TransferStep):
    """The national public-service portal's reference of an online transfer."""

    reference: Name
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = frozenset(TransferStage) - {
        TransferStage.completed,
        TransferStage.cancelled,
    }


@dataclass(frozen=True, kw_only=True)
class CancelTransfer(TransferStep):
    reason: Text = ""
    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = frozenset(
        {TransferStage.in_transit, TransferStage.letter_issued}
    )
