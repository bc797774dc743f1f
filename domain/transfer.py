"""Transfers of party activity (chuyển sinh hoạt đảng): official, temporary and internal.

The letter's way up the sending side and down the receiving side is a sequence of hops, each an
event. The member's probation clock is untouched by a transfer (it lives on the Member).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import policy
from domain.commands import Step
from domain.commands import transfers as steps
from domain.errors import RuleViolation
from domain.labels import en, vi
from domain.record import Recorded
from domain.stages import TransferStage
from domain.values import HoldKind, Stamp, TransferKind, TransferReason


@dataclass(frozen=True)
class Hop:
    """One step of the letter: from one organization to the next (giấy giới thiệu)."""

    from_org_id: UUID
    to_org_id: UUID
    letter_no: str
    on: date


class Transfer(Recorded):
    """One transfer of one member's party activity."""

    @event("Started")
    def __init__(
        self,
        id: UUID,  # chosen by the caller: opaque, stable, idempotent
        member_id: UUID,
        kind: TransferKind,
        reason: TransferReason,
        from_cell_id: UUID,
        destination_org_id: UUID,
        trigger_on: date,
        returns_on: date | None,
        start_due: date | None,
        portal_reference: str | None,
        stamp: Stamp,
    ) -> None:
        self.member_id = member_id
        self.kind = TransferKind(kind)
        self.reason = TransferReason(reason)
        self.from_cell_id = from_cell_id
        self.destination_org_id = destination_org_id
        self.trigger_on = trigger_on
        self.returns_on = returns_on
        self.start_due = start_due
        self.started_on: date = stamp.effective_on
        self.portal_reference = portal_reference
        self.hops: list[Hop] = []
        self.letter_on: date | None = None
        self.presented_on: date | None = None
        self.to_cell_id: UUID | None = None
        self.accepted_on: date | None = None
        self.ended_on: date | None = None
        self.cancelled_on: date | None = None

    @staticmethod
    def check_start(
        kind: TransferKind,
        reason: TransferReason,
        trigger_on: date,
        on: date,
        returns_on: date | None,
        holds: set[HoldKind],
        same_grassroots: bool,
        to_residence_cell: bool,
    ) -> None:
        """The rules of starting: TRF-START, TRF-HOLD, TRF-TEMP, and an internal transfer stays
        inside its grassroots organization (TRF-KIND)."""
        if kind is TransferKind.official:
            policy.check_official_start(reason, trigger_on, on)
            policy.check_no_hold(holds)
        if kind is TransferKind.temporary and reason is TransferReason.retirement:
            policy.check_retirement_under_hold(holds, to_residence_cell)
        elif kind is TransferKind.temporary:
            if returns_on is None:
                raise RuleViolation(
                    "TRF-TEMP",
                    "Chuyển sinh hoạt tạm thời cần ngày dự kiến trở về",
                    "A temporary transfer needs its expected return date",
                )
            policy.check_temporary_transfer(reason, trigger_on, returns_on)
        if (kind is TransferKind.internal) != same_grassroots:
            raise RuleViolation(
                "TRF-KIND",
                "Chuyển sinh hoạt nội bộ là giữa các chi bộ trong cùng đảng bộ cơ sở",
                "An internal transfer is between cells of the same grassroots organization",
            )

    # --- where it stands ---

    @property
    def stage(self) -> TransferStage:
        if self.cancelled_on is not None:
            return TransferStage.cancelled
        if self.ended_on is not None or (
            self.accepted_on is not None and self.kind is not TransferKind.temporary
        ):
            return TransferStage.completed
        if self.accepted_on is not None:
            return TransferStage.active
        if self.presented_on is not None:
            return TransferStage.presented
        if self.letter_on is not None:
            return TransferStage.letter_issued
        return TransferStage.in_transit

    @property
    def cells_concerned(self) -> list[UUID]:
        """The organizations that may count this transfer as under way: the cell it left, the
        destination and every organization its letter reached."""
        return [self.from_cell_id, self.destination_org_id, *(h.to_org_id for h in self.hops)]

    @property
    def present_due(self) -> date | None:
        """TRF-PRESENT: from the date of the introduction letter to the receiving cell."""
        return policy.due_date("TRF-PRESENT", self.letter_on).due if self.letter_on else None

    def current_deadline(self) -> tuple[str, date, date] | None:
        """(rule id, start, due): TRF-START until the letter leaves, TRF-PRESENT once it is
        addressed to the receiving cell."""
        stage = self.stage
        if stage is TransferStage.in_transit and not self.hops and self.start_due:
            return "TRF-START", self.trigger_on, self.start_due
        if stage is TransferStage.letter_issued and self.letter_on:
            return "TRF-PRESENT", self.letter_on, policy.due_date("TRF-PRESENT", self.letter_on).due
        return None

    @property
    def last_acted_on(self) -> date:
        """The date of the latest step: a later step is never dated before it."""
        dates = [self.started_on, *(h.on for h in self.hops)]
        dates += [d for d in (self.presented_on, self.accepted_on) if d is not None]
        return max(dates)

    def check_receiving_cell(self, within_destination: bool, same_grassroots: bool) -> None:
        """TRF-KIND: the letter ends in a cell under the destination the transfer was started
        for, inside the sending grassroots organization exactly when the transfer is internal."""
        if not within_destination or (self.kind is TransferKind.internal) != same_grassroots:
            raise RuleViolation(
                "TRF-KIND",
                "Chi bộ nhận không thuộc nơi chuyển đến đã đăng ký, hoặc không đúng loại chuyển "
                "sinh hoạt",
                "The receiving cell is not under the registered destination, or does not fit "
                "the kind of transfer",
            )

    def _expect(self, step: type[Step]) -> None:
        if self.stage not in step.stages:
            raise RuleViolation(
                "CASE-STAGE",
                f"Việc chuyển sinh hoạt đang ở bước “{vi('stage', self.stage)}”, không nhận "
                f"việc “{vi('step', step.step_kind)}”",
                f"The transfer is at the stage “{en('stage', self.stage)}”, which does not "
                f"accept “{en('step', step.step_kind)}”",
            )

    # --- steps ---

    def record_hop(self, hop: Hop, to_cell: bool, stamp: Stamp) -> None:
        """The letter moves one level; a letter addressed to a cell starts TRF-PRESENT."""
        self._expect(steps.ForwardLetter)
        policy.check_not_before(hop.on, self.last_acted_on)
        last = self.hops[-1].to_org_id if self.hops else self.from_cell_id
        if hop.from_org_id != last:
            raise RuleViolation(
                "TRF-KIND",
                "Giấy giới thiệu phải đi tiếp từ nơi vừa nhận",
                "The letter goes on from the organization that last received it",
            )
        self._hopped(hop=hop, to_cell=to_cell, stamp=stamp)

    @event("LetterForwarded")
    def _hopped(self, hop: Hop, to_cell: bool, stamp: Stamp) -> None:
        self.hops.append(hop)
        if to_cell:
            self.letter_on = hop.on
            self.to_cell_id = hop.to_org_id

    def present(self, stamp: Stamp) -> None:
        """The member presents the letter to the receiving cell committee (late is recorded)."""
        self._expect(steps.PresentLetter)
        policy.check_not_before(stamp.effective_on, self.last_acted_on)
        due = self.present_due
        overdue = policy.working_days_overdue(due, stamp.effective_on) if due else 0
        self._presented(overdue_wd=max(overdue, 0), stamp=stamp)

    @event("LetterPresented")
    def _presented(self, overdue_wd: int, stamp: Stamp) -> None:
        self.presented_on = stamp.effective_on

    def accept(self, stamp: Stamp) -> None:
        """The receiving cell accepts: an official or internal transfer is complete; a
        temporary stay begins."""
        self._expect(steps.AcceptTransfer)
        policy.check_not_before(stamp.effective_on, self.last_acted_on)
        self._accepted(stamp=stamp)

    @event("Accepted")
    def _accepted(self, stamp: Stamp) -> None:
        self.accepted_on = stamp.effective_on

    def end_temporary(self, stamp: Stamp) -> None:
        """The member returns; the host reports back."""
        self._expect(steps.EndTemporaryTransfer)
        policy.check_not_before(stamp.effective_on, self.last_acted_on)
        self._returned(stamp=stamp)

    @event("Returned")
    def _returned(self, stamp: Stamp) -> None:
        self.ended_on = stamp.effective_on

    def record_portal_reference(self, reference: str, stamp: Stamp) -> None:
        """The national public-service portal's number, for transfers filed online."""
        self._expect(steps.RecordPortalReference)
        if reference != self.portal_reference:
            self._portal_referenced(reference=reference, stamp=stamp)

    @event("PortalReferenced")
    def _portal_referenced(self, reference: str, stamp: Stamp) -> None:
        self.portal_reference = reference

    def cancel(self, reason: str, stamp: Stamp) -> None:
        self._expect(steps.CancelTransfer)
        policy.check_not_before(stamp.effective_on, self.last_acted_on)
        self._cancelled(reason=reason, stamp=stamp)

    @event("Cancelled")
    def _cancelled(self, reason: str, stamp: Stamp) -> None:
        self.cancelled_on = stamp.effective_on
