"""Calendar arithmetic for legal deadlines: calendar months and Vietnamese working days.

A working day (ngày làm việc) is Monday to Friday, minus public holidays and the
Government's substitute days off (nghỉ bù), plus the Saturdays the Government declares
working days to make up for a bridge day off (làm bù).
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from importlib.resources import files
from typing import Any

import holidays

_SATURDAY = 5  # date.weekday() of Saturday; Sunday is 6
_ONE_DAY = timedelta(days=1)

VIETNAM = timezone(timedelta(hours=7), "ICT")  # every date of the record is a date in Vietnam


def local_start_of(day: date) -> datetime:
    """The instant a day starts in Vietnam (00:00 UTC+7), in UTC: when a rung of an escalation
    fires, when a deadline has passed."""
    return datetime.combine(day, time(0), VIETNAM).astimezone(UTC)


# The span the `holidays` package is asked for; outside it only weekends are known.
VN_CALENDAR_YEARS = range(2010, 2036)


def _is_weekend(d: date) -> bool:
    return d.weekday() >= _SATURDAY


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - _ONE_DAY).day


def _weekdays_up_to(ordinal: int) -> int:
    """Count the Mondays-to-Fridays among the date ordinals 1..ordinal.

    Ordinal 1 (0001-01-01) is a Monday, so every block of 7 ordinals starts on a Monday.
    """
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (2024-01-31 + 1 = 2024-02-29)."""
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


def whole_months_between(start: date, end: date) -> int:
    """Full calendar months elapsed from `start` to `end`: the largest n with
    `add_months(start, n) <= end`.

    Month-end starts follow add_months' clamping, so someone born on 2008-02-29 has
    216 months (18 years) on 2026-02-28, as the Civil Code ends a period that has no
    corresponding day on the last day of the month.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    months = (end.year - start.year) * 12 + end.month - start.month
    # add_months(start, months) falls in end's month; if it is later than end, the last
    # month is not complete yet.
    if add_months(start, months) > end:
        months -= 1
    return months


@dataclass(frozen=True)
class DayOff:
    """A weekday that is not a working day, with the holiday's name."""

    day: date
    name: str


class WorkingCalendar:
    """Working days: Monday to Friday, minus `days_off`, plus `make_up_working_days`.

    `days_off` maps a day to its holiday name; entries falling on a weekend are accepted
    and change nothing. `make_up_working_days` maps a weekend day that is worked to the
    reference of the decision that made it so.
    """

    def __init__(
        self,
        days_off: Mapping[date, str],
        make_up_working_days: Mapping[date, str],
    ) -> None:
        clash = sorted(days_off.keys() & make_up_working_days.keys())
        if clash:
            raise ValueError(f"days both off and make-up working days: {clash}")
        not_weekend = sorted(d for d in make_up_working_days if not _is_weekend(d))
        if not_weekend:
            raise ValueError(f"make-up working days must fall on a weekend: {not_weekend}")
        self._days_off = dict(days_off)
        self._make_up_working_days = dict(make_up_working_days)
        # Sorted ordinals let counts over any span use bisection instead of a day walk.
        self._weekday_off_ordinals = sorted(
            d.toordinal() for d in self._days_off if not _is_weekend(d)
        )
        self._make_up_ordinals = sorted(d.toordinal() for d in self._make_up_working_days)

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is a working day."""
        if d in self._make_up_working_days:
            return True
        return not _is_weekend(d) and d not in self._days_off

    def add_working_days(self, start: date, n: int) -> date:
        """The due date of a deadline of `n` working days starting at `start`.

        As in Vietnamese administrative practice, the day the clock starts is not
        counted: `start` is day 0 (working day or not) and the result is the n-th
        working day strictly after it. `n == 0` returns `start`.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_before(self, end: date, n: int) -> date:
        """The n-th working day strictly before `end` (for reminders ahead of a due date)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = end
        while n:
            day -= _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negated count of (end, start] when end < start.

        Round-trips with add_working_days: `working_days_between(s, add_working_days(s, n))
        == n`. A negative result reads as "working days overdue".
        """
        if end < start:
            return -self._count_working_days(end, start)
        return self._count_working_days(start, end)

    def days_off_between(self, start: date, end: date) -> list[DayOff]:
        """The weekdays in (start, end] that are not working days, in date order.

        Empty when end <= start.
        """
        low = bisect_right(self._weekday_off_ordinals, start.toordinal())
        high = bisect_right(self._weekday_off_ordinals, end.toordinal())
        days = (date.fromordinal(o) for o in self._weekday_off_ordinals[low:high])
        return [DayOff(day=d, name=self._days_off[d]) for d in days]

    def _count_working_days(self, start: date, end: date) -> int:
        """Working days in (start, end], start <= end."""
        low, high = start.toordinal(), end.toordinal()
        weekdays = _weekdays_up_to(high) - _weekdays_up_to(low)
        off = _count_in(self._weekday_off_ordinals, low, high)
        make_up = _count_in(self._make_up_ordinals, low, high)
        return weekdays - off + make_up


def _count_in(sorted_ordinals: list[int], low: int, high: int) -> int:
    """How many of `sorted_ordinals` lie in (low, high]."""
    return bisect_right(sorted_ordinals, high) - bisect_right(sorted_ordinals, low)


def _require_date(entry: Mapping[str, Any], key: str) -> date:
    value = entry.get(key)
    # tomllib returns a datetime (a date subclass) for a value with a time part.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"vn_calendar.toml: {key!r} must be a plain date in {entry!r}")
    return value


def _require_str(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"vn_calendar.toml: {key!r} must be a non-empty string in {entry!r}")
    return value


def _read_vn_calendar_file() -> tuple[dict[date, str], dict[date, str]]:
    """The data file's extra days off (day -> name) and make-up working days (day -> reference)."""
    resource = files("domain") / "data" / "vn_calendar.toml"
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    days_off: dict[date, str] = {}
    for entry in data.get("day_off", []):
        _require_str(entry, "reference")
        days_off[_require_date(entry, "day")] = _require_str(entry, "name")
    make_up: dict[date, str] = {}
    for entry in data.get("make_up_working_day", []):
        _require_date(entry, "compensates")
        make_up[_require_date(entry, "day")] = _require_str(entry, "reference")
    return days_off, make_up


@lru_cache(maxsize=1)
def vietnam_calendar() -> WorkingCalendar:
    """The Vietnamese working calendar for 2010-2035.

    Public holidays and substitute days off come from the `holidays` package (English
    names); the Government's make-up working days and the days off the package lacks
    come from `domain/data/vn_calendar.toml`. Outside 2010-2035 only weekends are known.
    """
    package_days = holidays.country_holidays("VN", years=VN_CALENDAR_YEARS, language="en_US")
    extra_days_off, make_up = _read_vn_calendar_file()
    days_off: dict[date, str] = dict(package_days.items())
    days_off.update(extra_days_off)
    return WorkingCalendar(days_off=days_off, make_up_working_days=make_up)
