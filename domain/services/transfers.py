"""Transfers of party activity: start, the letter's hops, presentation, acceptance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain import policy
from domain.errors import RuleViolation
from domain.member import Member, Status
from domain.organization import Organization
from domain.services.organizations import Organizations
from domain.services.store import Context, Unit
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
        with self.unit(ctx) as unit:
            unit.once_new(transfer_id)
            member = self.load(Member, member_id)
            if not member.status.on_roll or member.away_transfer_id is not None:
                raise RuleViolation(
                    "CASE-STAGE",
                    "Đảng viên đã ra khỏi Đảng hoặc đang chuyển sinh hoạt tạm thời",
                    "The member has left the Party or is temporarily away",
                )
            if member.status_on(on) is Status.probationary:
                policy.check_probationer_transfer(on)
            destination = self.load(Organization, destination_org_id)
            same = self.grassroots_of(member.cell_id, on).id == self._grassroots_or_none(
                destination_org_id, on
            )
            residence = destination.setting is not None and destination.setting.is_residential
            Transfer.check_start(
                kind, reason, trigger_on, on, returns_on, member.holds, same, residence
            )
            start_due = (
                policy.due_date("TRF-START", trigger_on).due
                if kind is TransferKind.official
                else None
            )
            self._open(unit, transfer_id, member_id, member.cell_id, destination_org_id, on)
            unit.add(
                Transfer(
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
                    stamp=unit.stamp(on),
                )
            )
        return transfer_id

    @staticmethod
    def _open(
        unit: Unit,
        transfer_id: UUID,
        member_id: UUID,
        from_cell_id: UUID,
        destination_org_id: UUID,
        on: date,
    ) -> None:
        """The cell the transfer leaves, and the cell it is bound for, count it as under way
        (a dissolution must not strand it); one at a time per member (TRF-IN-FLIGHT)."""
        from_cell = unit.load(Organization, from_cell_id)
        policy.check_one_transfer_at_a_time(from_cell.in_flight, member_id)
        from_cell.open_transfer(transfer_id, member_id, unit.stamp(on, "from"))
        destination = unit.load(Organization, destination_org_id)
        if destination.kind.holds_members:
            destination.open_transfer(transfer_id, member_id, unit.stamp(on, "to"))

    def _grassroots_or_none(self, org_id: UUID, on: date) -> UUID | None:
        org = self.load(Organization, org_id)
        if org.kind.is_grassroots or org.kind in (OrgKind.cell, OrgKind.intermediate_committee):
            return self.grassroots_of(org_id, on).id
        return None

    def forward_letter(self, ctx: Context, transfer_id: UUID, hop: Hop) -> None:
        """One hop of the letter; a letter addressed to a cell is the one the member presents."""
        with self.unit(ctx) as unit:
            transfer = unit.once(Transfer, transfer_id)
            to = unit.load(Organization, hop.to_org_id)
            to.check_exists(hop.on)
            if to.kind.holds_members:
                under = {to.id, *self.ancestors(to.id, hop.on)}
                same = (
                    self.grassroots_of(to.id, hop.on).id
                    == self.grassroots_of(transfer.from_cell_id, hop.on).id
                )
                transfer.check_receiving_cell(transfer.destination_org_id in under, same)
            transfer.record_hop(hop, to.kind.holds_members, unit.stamp(hop.on))
            if to.kind.holds_members:
                to.open_transfer(transfer.id, transfer.member_id, unit.stamp(hop.on, "to"))

    def present_letter(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        self._run(Transfer, transfer_id, ctx, lambda t: t.present(self.stamp(ctx, on)))

    def accept_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        """The receiving cell accepts: the member moves (or, temporarily, becomes a guest)."""
        with self.unit(ctx) as unit:
            transfer = unit.once(Transfer, transfer_id)
            member = unit.load(Member, transfer.member_id)
            policy.check_leaves_from(member.cell_id, transfer.from_cell_id)
            transfer.accept(unit.stamp(on))
            assert transfer.to_cell_id is not None
            self._close(unit, transfer, on)
            new_cell = unit.load(Organization, transfer.to_cell_id)
            if transfer.kind is TransferKind.temporary:
                new_cell.enrol(member.id, unit.stamp(on, "host"), guest=True)
                member.go_away(transfer_id, unit.stamp(on, "member"))
            else:
                old_cell = unit.load(Organization, transfer.from_cell_id)
                old_cell.release(member.id, unit.stamp(on, "from"))
                new_cell.enrol(member.id, unit.stamp(on, "to"))
                member.move_to_cell(new_cell.id, transfer_id, unit.stamp(on, "member"))

    def end_temporary_transfer(self, ctx: Context, transfer_id: UUID, on: date) -> None:
        with self.unit(ctx) as unit:
            transfer = unit.once(Transfer, transfer_id)
            transfer.end_temporary(unit.stamp(on))
            assert transfer.to_cell_id is not None
            host = unit.load(Organization, transfer.to_cell_id)
            host.release(transfer.member_id, unit.stamp(on, "host"), guest=True)
            unit.load(Member, transfer.member_id).go_away(None, unit.stamp(on, "member"))

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
        """TRF-CANCEL: by the sending cell or an organization above it on that day."""
        with self.unit(ctx) as unit:
            transfer = unit.once(Transfer, transfer_id)
            sending = {transfer.from_cell_id, *self.ancestors(transfer.from_cell_id, on)}
            transfer.cancel(reason, ctx.actor.org_id in sending, unit.stamp(on))
            self._close(unit, transfer, on)

    def may_cancel(self, transfer_id: UUID, org_id: UUID, on: date) -> bool:
        """Whether an organization is on the sending side of a transfer (TRF-CANCEL): the
        pages offer the cancellation only there."""
        from_cell = self.load(Transfer, transfer_id).from_cell_id
        return org_id == from_cell or org_id in set(self.ancestors(from_cell, on))

    @staticmethod
    def _close(unit: Unit, transfer: Transfer, on: date) -> None:
        """The transfer is no longer under way for the cells it left or was bound for."""
        for org_id in dict.fromkeys(transfer.cells_concerned):
            unit.load(Organization, org_id).close_transfer(
                transfer.id, unit.stamp(on, f"close/{org_id}")
            )

    # --- dissolutions --------------------------------------------------------------------

    def transfers_under_way(self, cell_id: UUID, on: date) -> dict[UUID, UUID]:
        """The transfers a dissolution of the cell would strand (transfer id → member id):
        leaving it or bound for it and not yet accepted, and the temporary stays of its
        members away and of its guests (ORG-DISSOLVE-TRANSFER)."""
        cell = self.load(Organization, cell_id)
        found = dict(cell.in_flight)
        for member_id in cell.members_on(on) | cell.guests_on(on):
            away = self.load(Member, member_id).away_transfer_id
            if away is not None:
                found[away] = member_id
        return found

    def check_dissolvable(
        self, cell_id: UUID, on: date, other_cells: int | None = None
    ) -> Organization:
        """What refuses a cell's dissolution on that day before any member is placed: not a
        live cell (ORG-TREE), no other cell to take its members (ORG-DISSOLVE), a transfer
        under way (ORG-DISSOLVE-TRANSFER). `other_cells`: the live cells beside it in its
        grassroots organization, when the caller's tree knows them."""
        cell = self.load(Organization, cell_id)
        if not cell.kind.holds_members:
            raise RuleViolation(
                "ORG-TREE", "Chỉ giải thể chi bộ ở đây", "Only a cell is dissolved here"
            )
        cell.check_exists(on)
        policy.check_dissolvable(cell.kind, other_cells)
        policy.check_no_transfer_in_flight(self.transfers_under_way(cell_id, on))
        return cell

    def dissolution_refusal(
        self, cell_id: UUID, on: date, other_cells: int | None = None
    ) -> RuleViolation | None:
        """The refusal `check_dissolvable` would raise, or None: the cell may be offered."""
        try:
            self.check_dissolvable(cell_id, on, other_cells)
        except RuleViolation as refusal:
            return refusal
        return None

    def suggested_moves(self, cell_id: UUID, on: date) -> dict[UUID, UUID | None]:
        """Where each member on the cell's roll would go: the residence cell of their 213 link
        (§6: members move to the cell where they live) when it is another cell of the same
        grassroots organization, live that day (TRF-KIND); otherwise None, to choose."""
        cell = self.load(Organization, cell_id)
        grassroots = self.grassroots_of(cell_id, on).id
        found: dict[UUID, UUID | None] = {}
        for member_id in sorted(cell.members_on(on)):
            home = self.load(Member, member_id).residence_cell_id
            fits = (
                home is not None
                and home != cell_id
                and self.load(Organization, home).exists_on(on)
                and self.grassroots_of(home, on).id == grassroots
            )
            found[member_id] = home if fits else None
        return found

    def check_dissolution(
        self,
        cell_id: UUID,
        on: date,
        moves: Sequence[tuple[UUID, UUID]],
        merged_into: UUID | None = None,
    ) -> None:
        """ORG-DISSOLVE: every member of the cell moves, once, to another existing cell of the
        same grassroots organization (an internal transfer, TRF-KIND), and no transfer out of,
        into or away from the cell is under way (ORG-DISSOLVE-TRANSFER); asked before the
        dissolution starts, so a refused one moves nobody."""
        cell = self.check_dissolvable(cell_id, on)
        members = cell.members_on(on)
        moving = [member_id for member_id, _ in moves]
        if len(set(moving)) != len(moving) or set(moving) != members:
            raise RuleViolation(
                "ORG-DISSOLVE",
                "Mỗi đảng viên của chi bộ cần đúng một chi bộ chuyển đến",
                "Every member of the cell needs exactly one cell to move to",
                missing=sorted(str(m) for m in members - set(moving)),
                unknown=sorted(str(m) for m in set(moving) - members),
            )
        grassroots = self.grassroots_of(cell_id, on).id
        for to_cell_id in {to for _, to in moves}:
            to = self.load(Organization, to_cell_id)
            if (
                to_cell_id == cell_id
                or not to.kind.holds_members
                or not to.exists_on(on)
                or self.grassroots_of(to_cell_id, on).id != grassroots
            ):
                raise RuleViolation(
                    "TRF-KIND",
                    "Đảng viên chuyển tới một chi bộ khác của cùng đảng bộ cơ sở",
                    "Members move to another cell of the same grassroots organization",
                    to_cell_id=str(to_cell_id),
                )
        if merged_into is not None:
            self.load(Organization, merged_into)
