"""The checks of transfers (§4) and of what a reorganisation may not strand: each raises
`RuleViolation` naming its rule id (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from domain.calendar import add_months, whole_months_between
from domain.policy.rulesets import (
    _fmt,
    _refuse,
    rules_at,
)
from domain.values import (
    HoldKind,
    OrgKind,
    TransferReason,
)


def check_no_hold(holds: Iterable[HoldKind]) -> None:
    """TRF-HOLD: no official transfer while under inspection, complaint or discipline review."""
    active = sorted(holds)
    if active:
        raise _refuse(
            "TRF-HOLD",
            "Không chuyển sinh hoạt đảng chính thức khi đảng viên đang bị kiểm tra, giải quyết "
            "khiếu nại, tố cáo hoặc xem xét kỷ luật",
            "No official transfer while the member is under inspection, complaint or discipline "
            "review",
            holds=active,
        )


def check_no_transfer_in_flight(in_flight: Mapping[UUID, UUID]) -> None:
    """ORG-DISSOLVE-TRANSFER: a cell is not dissolved while a transfer (transfer id → member
    id) is on its way out of it, into it, or holds a member away or a guest: each is accepted,
    ended or cancelled first, or the dissolution is dated after it. The dissolution cannot
    re-address a letter another committee issued, and moving such a member would move them
    twice."""
    if in_flight:
        raise _refuse(
            "ORG-DISSOLVE-TRANSFER",
            f"Chi bộ còn {len(in_flight)} việc chuyển sinh hoạt đang thực hiện (đi, đến hoặc "
            "tạm thời): cần hoàn tất hoặc hủy trước khi giải thể",
            f"{len(in_flight)} transfers out of, into or temporarily away from the cell are "
            "still under way: complete or cancel them before the dissolution",
            transfers=[
                {"transfer_id": str(t), "member_id": str(m)}
                for t, m in sorted(in_flight.items(), key=lambda tm: (str(tm[1]), str(tm[0])))
            ],
        )


def check_dissolvable(kind: OrgKind, other_cells: int | None = None) -> None:
    """ORG-DISSOLVE: a cell is dissolved by moving its members to other cells of its
    grassroots organization (internal transfers, TRF-KIND). A grassroots cell is its own
    grassroots organization and a cell alone in its one has none: neither can be dissolved
    so (`other_cells`: the live cells beside it there, when the caller knows them)."""
    if kind is OrgKind.grassroots_cell or other_cells == 0:
        raise _refuse(
            "ORG-DISSOLVE",
            "Không có chi bộ nào khác trong cùng đảng bộ cơ sở để nhận đảng viên: chi bộ này "
            "không thể giải thể theo cách chuyển sinh hoạt nội bộ",
            "No other cell of the same grassroots organization can take the members: this "
            "cell cannot be dissolved by internal transfers",
        )


def check_one_transfer_at_a_time(in_flight: Mapping[UUID, UUID], member_id: UUID) -> None:
    """TRF-IN-FLIGHT: a member has one transfer under way at a time (two would move them
    twice); the second starts once the first is accepted, ended or cancelled."""
    under_way = sorted(str(t) for t, m in in_flight.items() if m == member_id)
    if under_way:
        raise _refuse(
            "TRF-IN-FLIGHT",
            "Đảng viên đang có một việc chuyển sinh hoạt chưa hoàn tất",
            "The member has a transfer still under way",
            transfer_ids=under_way,
        )


def check_leaves_from(member_cell_id: UUID, from_cell_id: UUID) -> None:
    """TRF-IN-FLIGHT: a transfer is accepted only while the member is still in the cell it
    left; a member moved meanwhile (by a reorganisation, say) would be moved a second time."""
    if member_cell_id != from_cell_id:
        raise _refuse(
            "TRF-IN-FLIGHT",
            "Đảng viên không còn sinh hoạt ở chi bộ nơi chuyển đi: hủy việc chuyển này và lập "
            "việc mới từ chi bộ hiện tại",
            "The member is no longer in the cell the transfer left: cancel it and start a new "
            "one from the member's present cell",
        )


# §4: what makes a transfer official (and starts TRF-START's clock).
OFFICIAL_REASONS = frozenset(
    {
        TransferReason.new_job,
        TransferReason.retirement,
        TransferReason.demobilisation,
        TransferReason.residence_change,
    }
)


def check_official_start(reason: TransferReason, trigger_on: date, on: date) -> None:
    """TRF-START: an official transfer follows a decision on a new job, retirement or
    demobilisation, or a change of permanent residence, and starts once that takes effect."""
    if reason not in OFFICIAL_REASONS:
        raise _refuse(
            "TRF-START",
            "Chuyển sinh hoạt đảng chính thức khi có quyết định nhận công tác mới, nghỉ hưu, "
            "xuất ngũ hoặc khi thay đổi nơi cư trú thường xuyên",
            "An official transfer follows a new job, retirement or demobilisation decision, or "
            "a change of permanent residence",
            reason=str(reason),
        )
    if on < trigger_on:
        raise _refuse(
            "TRF-START",
            f"Chưa thể chuyển sinh hoạt chính thức trước ngày quyết định hoặc việc thay đổi nơi "
            f"cư trú có hiệu lực ({_fmt(trigger_on)})",
            f"An official transfer cannot start before the decision or residence change takes "
            f"effect ({trigger_on.isoformat()})",
            trigger_on=trigger_on.isoformat(),
        )


def check_retirement_under_hold(holds: Iterable[HoldKind], to_residence_cell: bool) -> None:
    """TRF-HOLD: a member who retires under inspection, complaint or discipline review gets
    only a temporary transfer, to the cell where they reside, for as long as it lasts (no
    return date); retiring without a hold is an official transfer."""
    if not list(holds):
        raise _refuse(
            "TRF-TEMP",
            "Đảng viên nghỉ hưu chuyển sinh hoạt đảng chính thức; chỉ chuyển tạm thời khi đang bị "
            "kiểm tra, giải quyết khiếu nại, tố cáo hoặc xem xét kỷ luật",
            "A retiring member transfers officially; only under inspection, complaint or "
            "discipline review is the transfer temporary",
        )
    if not to_residence_cell:
        raise _refuse(
            "TRF-HOLD",
            "Đảng viên nghỉ hưu khi đang bị kiểm tra, giải quyết khiếu nại, tố cáo hoặc xem xét "
            "kỷ luật chỉ chuyển sinh hoạt tạm thời về chi bộ thôn, tổ dân phố nơi cư trú",
            "A member retiring under a hold transfers temporarily to the hamlet or "
            "residential-group cell of their residence only",
        )


def check_temporary_transfer(reason: TransferReason, leaves_on: date, returns_on: date) -> None:
    """TRF-TEMP: away 3 months to < 1 year, or full-time domestic study 3 months to 2 years."""
    rules = rules_at(leaves_on)
    months = whole_months_between(leaves_on, returns_on) if returns_on >= leaves_on else -1
    study = reason is TransferReason.study
    upper = rules.temporary_study_max_months if study else rules.temporary_max_months
    limit = add_months(leaves_on, upper)
    # "< 1 year" for work but "up to 2 years" for study: the study bound is inclusive.
    too_long = returns_on > limit if study else returns_on >= limit
    if months < rules.temporary_min_months or too_long:
        raise _refuse(
            "TRF-TEMP",
            "Chuyển sinh hoạt tạm thời khi vắng từ 3 tháng đến dưới 1 năm, hoặc đi học tập trung "
            "trong nước từ 3 tháng đến 2 năm",
            "A temporary transfer is for 3 months to under a year away, or 3 months to 2 years "
            "of full-time domestic study",
            months=months,
        )
