"""Transfers of party activity: start, the letter's hops, presentation, acceptance."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import policy
from domain.errors import RuleViolation
from domain.member import Member, Status
from domain.organization import Organization
from domain.services.organizations import Organizations
from domain.services.store import Context
from domain.transfer import Hop, Transfer
from domain.values import (
    OrgKind,
    TransferKind,
    TransferReason,
)


class Transfers(Organizations):
    """Transfers of party activity: start, the letter's hops, presentation, acceptance."""

    # --- transfers ------------------------------------------------------------------------

    def start_transfer(
        self,
        ctx: Context,
        *,
        transfer_id: UUID,
        member_id: UUID,
        kind: TransferKind,
        reason: TransferReason,
        destination_org_id: UUID,
        trigger_on: date,
        on: date,
        returns_on: date | None = None,
        portal_reference: str | None = None,
    ) -> UUID:
        """TRF-START: the clock runs from the decision or residence change (`trigger_on`)."""
        kind, reason = TransferKind(kind), TransferReason(reason)
        if self._already_created(transfer_id, ctx):
            return transfer_id
        member = self.load(Member, member_id)
        if member.status is Status.struck_off or member.away_transfer_id is not None:
            raise RuleViolation(
                "CASE-STAGE",
                "Đảng viên đã bị xóa tên hoặc đang chuyển sinh hoạt tạm thời",
                "The member is struck off or temporarily away",
            )
        self.load(Organization, destination_org_id)
        same = self.grassroots_of(member.cell_id, on).id == self._grassroots_or_none(
            destination_org_id, on
        )
        Transfer.check_start(kind, reason, trigger_on, returns_on, member.holds, same)
        start_due = (
            policy.due_date("TRF-START", trigger_on).due if kind is TransferKind.official else None
        )
        return self._create(
            transfer_id,
            ctx,
            lambda: Transfer(
                id=transfer_id,
                member_id=member_id,
                kind=kind,
                reason=reason,
                from_cell_id=member.cell_id,
                destination_org_id=destination_org_id,
                trigger_on=trigger_on,
                returns_on=returns_on,
                start_due=start_due,
                portal_reference=portal_reference,
                stamp=self.stamp(ctx, on),
            ),
        )

    def _grassroots_or_none(self, org_id: UUID, on: date) -> UUID | None:
        org = self.load(Organization, org_id)
        if org.kind.is_grassroots or org.kind in (OrgKind.cell, OrgKind.intermediate_committee):
            return self.grassroots_of(org_id, on).id
        return None

    def forward_letter(self, ctx: Context, transfer_id: UUID, hop: Hop) -> None:
        """One hop of the letter; a letter addressed to a cell is the one the member presents."""
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        to = self.load(Organization, hop.to_org_id)
        to.check_exists(hop.on)
        if to.kind.holds_members:
            under = {to.id, *self.ancestors(to.id, hop.on)}
            same = (
                self.grassroots_of(to.id, hop.on).id
                == self.grassroots_of(transfer.from_cell_id, hop.on).id
            )
            transfer.check_receiving_cell(transfer.destination_org_id in under, same)
        transfer.record_hop(hop, to.kind.holds_members, self.stamp(ctx, hop.on))
        self.commit(transfer)

    def present_letter(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        self._run(Transfer, transfer_id, ctx, lambda t: t.present(self.stamp(ctx, on)))

    def accept_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        """The receiving cell accepts: the member moves (or, temporarily, becomes a guest)."""
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        transfer.accept(self.stamp(ctx, on))
        assert transfer.to_cell_id is not None
        member = self.load(Member, transfer.member_id)
        new_cell = self.load(Organization, transfer.to_cell_id)
        changed: list[Aggregate] = [transfer, member, new_cell]
        if transfer.kind is TransferKind.temporary:
            new_cell.enrol(member.id, self.stamp(ctx.derived("host"), on), guest=True)
            member.go_away(transfer_id, self.stamp(ctx.derived("member"), on))
        else:
            old_cell = self.load(Organization, transfer.from_cell_id)
            old_cell.release(member.id, self.stamp(ctx.derived("from"), on))
            new_cell.enrol(member.id, self.stamp(ctx.derived("to"), on))
            member.move_to_cell(new_cell.id, transfer_id, self.stamp(ctx.derived("member"), on))
            changed.append(old_cell)
        self.commit(*changed)

    def end_temporary_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        transfer = self.load(Transfer, transfer_id)
        if transfer.has_applied(ctx.command_key):
            return
        transfer.end_temporary(self.stamp(ctx, on))
        assert transfer.to_cell_id is not None
        host = self.load(Organization, transfer.to_cell_id)
        host.release(transfer.member_id, self.stamp(ctx.derived("host"), on), guest=True)
        member = self.load(Member, transfer.member_id)
        member.go_away(None, self.stamp(ctx.derived("member"), on))
        self.commit(transfer, host, member)

    def record_portal_reference(
        self, ctx: Context, transfer_id: UUID, reference: str, on: date
    ) -> None:
        self._run(
            Transfer,
            transfer_id,
            ctx,
            lambda t: t.record_portal_reference(reference, self.stamp(ctx, on)),
        )

    def cancel_transfer(self, ctx: Context, transfer_id: UUID, reason: str, on: date) -> None:
        self._run(Transfer, transfer_id, ctx, lambda t: t.cancel(reason, self.stamp(ctx, on)))
