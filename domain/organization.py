"""Party organizations: the tree of docs/rulebook.md §6, its rosters and its admission targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import policy
from domain.errors import RuleViolation
from domain.labels import en, vi
from domain.policy import district_tier_exists
from domain.record import Recorded
from domain.values import CellSetting, OrgKind, Stamp

PARENT_KINDS: dict[OrgKind, tuple[OrgKind, ...]] = {
    OrgKind.province_committee: (),
    OrgKind.district_committee: (OrgKind.province_committee,),
    OrgKind.commune_committee: (OrgKind.province_committee, OrgKind.district_committee),
    OrgKind.grassroots_committee: (
        OrgKind.province_committee,
        OrgKind.district_committee,
        OrgKind.commune_committee,
    ),
    OrgKind.grassroots_cell: (
        OrgKind.province_committee,
        OrgKind.district_committee,
        OrgKind.commune_committee,
    ),
    OrgKind.intermediate_committee: (OrgKind.grassroots_committee,),
    OrgKind.cell: (OrgKind.grassroots_committee, OrgKind.intermediate_committee),
}


def check_parent(kind: OrgKind, parent_kind: OrgKind | None, on: date) -> None:
    """ORG-TREE: each kind sits under the kinds of §6; no district tier from 2025-07-01."""
    allowed = PARENT_KINDS[kind]
    if (parent_kind is None) != (not allowed) or (parent_kind and parent_kind not in allowed):
        raise RuleViolation(
            "ORG-TREE",
            f"{vi('kind', kind)} không thể trực thuộc "
            f"{vi('kind', parent_kind) if parent_kind else 'không có cấp trên'}",
            f"A {en('kind', kind).lower()} cannot sit under "
            f"{'a ' + en('kind', parent_kind).lower() if parent_kind else 'no parent'}",
        )
    district = OrgKind.district_committee
    if district in (kind, parent_kind) and not district_tier_exists(on):
        raise RuleViolation(
            "ORG-TREE",
            "Từ 01/07/2025 không còn cấp huyện",
            "From 2025-07-01 there is no district tier",
        )


@dataclass(frozen=True)
class AdmissionTarget:
    """An annual admission target (chỉ tiêu kết nạp): a number, or a rate of the
    start-of-year membership."""

    year: int
    count: int | None = None
    rate_percent: float | None = None
    start_of_year_members: int | None = None

    @property
    def admissions(self) -> int:
        if self.count is not None:
            return self.count
        rate, members = self.rate_percent or 0.0, self.start_of_year_members or 0
        # "≥ 7%" of a membership: round up, a target is a floor.
        return -(-round(rate * members * 100) // 10_000)


class Organization(Recorded):
    """A party organization (tổ chức đảng): committee, intermediate committee or cell."""

    @event("Registered")
    def __init__(
        self,
        id: UUID,  # chosen by the caller: opaque, stable, idempotent
        kind: OrgKind,
        name: str,
        parent_id: UUID | None,
        setting: CellSetting | None,
        may_admit: bool,
        exempt_area: bool,
        stamp: Stamp,
    ) -> None:
        self.kind = OrgKind(kind)
        self.name = name
        self.setting = CellSetting(setting) if setting else None
        self.may_admit = may_admit  # a grassroots committee authorised to admit
        self.exempt_area = exempt_area  # mountain/border/island/ethnic area (ADM-EDU)
        self.parents: list[tuple[date, UUID | None]] = [(stamp.effective_on, parent_id)]
        self.registered_on: date = stamp.effective_on
        self.dissolved_on: date | None = None
        self.merged_into: UUID | None = None
        self.targets: dict[int, AdmissionTarget] = {}
        # member id → [since, until) intervals on the official roll / as a temporary guest
        self.roll: dict[UUID, list[tuple[date, date | None]]] = {}
        self.guests: dict[UUID, list[tuple[date, date | None]]] = {}
        # transfers leaving or bound for this cell, not yet accepted nor cancelled:
        # transfer id → member id (a dissolution must not strand them, ORG-DISSOLVE-TRANSFER)
        self.in_flight: dict[UUID, UUID] = {}
        self.hamlets: dict[str, str] = {}  # a commune's hamlets/residential groups: key → name
        self.serves: tuple[UUID, tuple[str, ...]] | None = None  # a cell: (commune, hamlets)

    # --- queries ---

    def parent_on(self, on: date) -> UUID | None:
        return next((p for since, p in reversed(self.parents) if since <= on), self.parents[0][1])

    @property
    def parent_id(self) -> UUID | None:
        return self.parents[-1][1]

    def exists_on(self, on: date) -> bool:
        return self.registered_on <= on and (self.dissolved_on is None or on < self.dissolved_on)

    def members_on(self, on: date) -> set[UUID]:
        """Members on the official roll on a date (probationary and full alike)."""
        return {m for m, spans in self.roll.items() if _within(spans, on)}

    def guests_on(self, on: date) -> set[UUID]:
        """Members temporarily transferred in: not counted in this organization's membership."""
        return {m for m, spans in self.guests.items() if _within(spans, on)}

    # --- commands ---

    def check_exists(self, on: date) -> None:
        if not self.exists_on(on):
            raise RuleViolation(
                "ORG-TREE",
                f"Tổ chức '{self.name}' không tồn tại vào ngày {on:%d/%m/%Y}",
                f"The organization '{self.name}' does not exist on {on.isoformat()}",
            )

    def rename(self, name: str, stamp: Stamp) -> None:
        self.check_exists(stamp.effective_on)
        if name.strip() and name != self.name:
            self._renamed(name=name.strip(), stamp=stamp)

    @event("Renamed")
    def _renamed(self, name: str, stamp: Stamp) -> None:
        self.name = name

    def reparent(
        self, parent_id: UUID, parent_kind: OrgKind, parent_ancestors: set[UUID], stamp: Stamp
    ) -> None:
        """Move under another parent from the effective date (e.g. the 2025 reorganisation)."""
        self.check_exists(stamp.effective_on)
        check_parent(self.kind, parent_kind, stamp.effective_on)
        if parent_id == self.id or self.id in parent_ancestors:
            raise RuleViolation(
                "ORG-TREE",
                "Không thể chuyển tổ chức vào dưới chính nó",
                "An organization cannot be moved under itself",
            )
        if stamp.effective_on < self.parents[-1][0]:
            raise RuleViolation(
                "ORG-TREE",
                "Ngày hiệu lực sớm hơn lần thay đổi cấp trên trước",
                "The effective date precedes the previous change of parent",
            )
        self._reparented(parent_id=parent_id, stamp=stamp)

    @event("Reparented")
    def _reparented(self, parent_id: UUID, stamp: Stamp) -> None:
        self.parents.append((stamp.effective_on, parent_id))

    def dissolve(self, merged_into: UUID | None, stamp: Stamp) -> None:
        """ORG-DISSOLVE: only once every member has moved to a new cell, and no transfer is
        still on its way out of or into the cell (ORG-DISSOLVE-TRANSFER)."""
        self.check_exists(stamp.effective_on)
        remaining = self.members_on(stamp.effective_on) | self.guests_on(stamp.effective_on)
        if remaining:
            raise RuleViolation(
                "ORG-DISSOLVE",
                f"Còn {len(remaining)} đảng viên chưa chuyển sinh hoạt: chưa thể giải thể",
                f"{len(remaining)} members have not moved yet: the cell cannot be dissolved",
                remaining=len(remaining),
            )
        policy.check_no_transfer_in_flight(self.in_flight)
        self._dissolved(merged_into=merged_into, stamp=stamp)

    @event("Dissolved")
    def _dissolved(self, merged_into: UUID | None, stamp: Stamp) -> None:
        self.dissolved_on = stamp.effective_on
        self.merged_into = merged_into

    def set_target(self, target: AdmissionTarget, stamp: Stamp) -> None:
        """A target replaces the previous one for the year (the history keeps both)."""
        if (target.count is None) == (target.rate_percent is None) or target.admissions < 0:
            raise RuleViolation(
                "ORG-TARGET",
                "Chỉ tiêu là một số tuyệt đối hoặc một tỷ lệ trên số đảng viên đầu năm",
                "A target is either a number or a rate of the start-of-year membership",
            )
        self._target_set(target=target, stamp=stamp)

    @event("TargetSet")
    def _target_set(self, target: AdmissionTarget, stamp: Stamp) -> None:
        self.targets[target.year] = target

    def register_hamlet(self, key: str, name: str, stamp: Stamp) -> None:
        """A hamlet or residential group (thôn, tổ dân phố) of a commune, for coverage."""
        if self.kind is not OrgKind.commune_committee or not key.strip():
            raise RuleViolation(
                "ORG-TREE",
                "Thôn, tổ dân phố được đăng ký ở đảng bộ xã/phường",
                "Hamlets and residential groups are registered with a commune committee",
            )
        if self.hamlets.get(key) != name:
            self._hamlet_registered(key=key, name=name, stamp=stamp)

    @event("HamletRegistered")
    def _hamlet_registered(self, key: str, name: str, stamp: Stamp) -> None:
        self.hamlets[key] = name

    def serve_hamlets(
        self, commune_id: UUID, known: set[str], keys: tuple[str, ...], stamp: Stamp
    ) -> None:
        """The hamlets a cell serves (several for a combined cell, chi bộ ghép)."""
        if not self.kind.holds_members or not set(keys) <= known:
            raise RuleViolation(
                "ORG-TREE",
                "Chi bộ chỉ phụ trách các thôn, tổ dân phố đã đăng ký của xã",
                "A cell serves hamlets registered with its commune",
            )
        self._hamlets_served(commune_id=commune_id, keys=tuple(sorted(keys)), stamp=stamp)

    @event("HamletsServed")
    def _hamlets_served(self, commune_id: UUID, keys: tuple[str, ...], stamp: Stamp) -> None:
        self.serves = (commune_id, tuple(keys))

    def open_transfer(self, transfer_id: UUID, member_id: UUID, stamp: Stamp) -> None:
        """A transfer leaves this cell, or is bound for it."""
        if transfer_id not in self.in_flight:
            self._transfer_opened(transfer_id=transfer_id, member_id=member_id, stamp=stamp)

    @event("TransferOpened")
    def _transfer_opened(self, transfer_id: UUID, member_id: UUID, stamp: Stamp) -> None:
        self.in_flight[transfer_id] = member_id

    def close_transfer(self, transfer_id: UUID, stamp: Stamp) -> None:
        """The transfer was accepted (a temporary stay is then among the guests) or cancelled."""
        if transfer_id in self.in_flight:
            self._transfer_closed(transfer_id=transfer_id, stamp=stamp)

    @event("TransferClosed")
    def _transfer_closed(self, transfer_id: UUID, stamp: Stamp) -> None:
        del self.in_flight[transfer_id]

    def enrol(self, member_id: UUID, stamp: Stamp, *, guest: bool = False) -> None:
        """A member joins the roll (ceremony, transfer in) or, temporarily, the guests."""
        self.check_exists(stamp.effective_on)
        if not self.kind.holds_members:
            raise RuleViolation(
                "ORG-TREE",
                "Đảng viên sinh hoạt ở chi bộ",
                "Members keep their party activity in a cell",
            )
        if member_id not in (self.guests_on if guest else self.members_on)(stamp.effective_on):
            self._enrolled(member_id=member_id, guest=guest, stamp=stamp)

    @event("MemberEnrolled")
    def _enrolled(self, member_id: UUID, guest: bool, stamp: Stamp) -> None:
        (self.guests if guest else self.roll).setdefault(member_id, []).append(
            (stamp.effective_on, None)
        )

    def release(self, member_id: UUID, stamp: Stamp, *, guest: bool = False) -> None:
        """A member leaves the roll (transfer out, striking off) or ends a temporary stay."""
        spans = (self.guests if guest else self.roll).get(member_id, [])
        if spans and spans[-1][1] is None:
            self._released(member_id=member_id, guest=guest, stamp=stamp)

    @event("MemberReleased")
    def _released(self, member_id: UUID, guest: bool, stamp: Stamp) -> None:
        spans = (self.guests if guest else self.roll)[member_id]
        spans[-1] = (spans[-1][0], stamp.effective_on)


def _within(spans: list[tuple[date, date | None]], on: date) -> bool:
    return any(since <= on and (until is None or on < until) for since, until in spans)
