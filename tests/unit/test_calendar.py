"""Working days and calendar months (domain/calendar.py)."""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from importlib.resources import files
from typing import Any

import holidays
import pytest

from domain.calendar import (
    VN_CALENDAR_YEARS,
    DayOff,
    WorkingCalendar,
    add_months,
    vietnam_calendar,
    whole_months_between,
)

# Monday to Friday only: isolates the weekend rule from the holiday data.
WEEKDAYS_ONLY = WorkingCalendar(days_off={}, make_up_working_days={})
VN = vietnam_calendar()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _data_file() -> dict[str, Any]:
    resource = files("domain") / "data" / "vn_calendar.toml"
    return tomllib.loads(resource.read_text(encoding="utf-8"))


# --- weekends, start day, n = 0 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 3, 1), True),  # Friday
        (date(2024, 3, 2), False),  # Saturday
        (date(2024, 3, 3), False),  # Sunday
        (date(2024, 3, 4), True),  # Monday
    ],
)
def test_saturdays_and_sundays_are_not_working_days(day: date, working: bool) -> None:
    assert WEEKDAYS_ONLY.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        pytest.param(date(2024, 3, 1), 1, date(2024, 3, 4), id="friday+1-is-monday"),
        pytest.param(date(2024, 2, 29), 2, date(2024, 3, 4), id="thursday+2-is-monday"),
        pytest.param(date(2024, 3, 2), 1, date(2024, 3, 4), id="saturday+1-is-monday"),
        pytest.param(date(2024, 3, 3), 5, date(2024, 3, 8), id="sunday+5-is-friday"),
        pytest.param(date(2024, 3, 4), 5, date(2024, 3, 11), id="monday+5-is-next-monday"),
        pytest.param(date(2024, 3, 4), 10, date(2024, 3, 18), id="monday+10-is-monday-after"),
    ],
)
def test_a_deadline_skips_weekends(start: date, n: int, due: date) -> None:
    assert WEEKDAYS_ONLY.add_working_days(start, n) == due


def test_the_day_the_clock_starts_is_not_counted() -> None:
    # Monday + 1 working day is Tuesday, not Monday itself.
    assert WEEKDAYS_ONLY.add_working_days(date(2024, 3, 4), 1) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "start",
    [date(2024, 3, 4), date(2024, 3, 2), date(2026, 2, 17)],  # weekday, Saturday, Tết
)
def test_zero_working_days_is_the_start_day_itself(start: date) -> None:
    assert VN.add_working_days(start, 0) == start


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        VN.add_working_days(date(2024, 3, 4), -1)


# --- holidays, substitute days off, make-up Saturdays -----------------------------------


def test_a_deadline_that_spans_tet_skips_every_tet_day_off() -> None:
    # Start Tuesday 2026-02-10 (day 0, not counted). Counting by hand:
    #   Feb 11, 12, 13                -> 1..3
    #   Feb 14-15 weekend, Feb 16-20 Tết (Eve to Fourth Day), Feb 21-22 weekend
    #   Feb 23-27                     -> 4..8
    #   Mar 2-6, 9-13, 16-20, 23-27   -> 9..28
    #   Mar 30, 31                    -> 29, 30
    # so the 30th working day is Tuesday 2026-03-31 (2026-03-24 without Tết).
    start = date(2026, 2, 10)
    assert VN.add_working_days(start, 30) == date(2026, 3, 31)
    assert WEEKDAYS_ONLY.add_working_days(start, 30) == date(2026, 3, 24)


def test_every_day_of_the_tet_2026_break_is_a_day_off() -> None:
    # The nine-day break, Saturday 2026-02-14 to Sunday 2026-02-22.
    assert not any(VN.is_working_day(d) for d in _days(date(2026, 2, 14), date(2026, 2, 22)))
    assert VN.is_working_day(date(2026, 2, 13))
    assert VN.is_working_day(date(2026, 2, 23))


def test_every_weekday_of_the_tet_2025_break_is_a_day_off() -> None:
    # The Government gave 2025-01-25 (Saturday) to 2025-02-02 (Sunday).
    assert not any(VN.is_working_day(d) for d in _days(date(2025, 1, 25), date(2025, 2, 2)))


def test_days_off_between_lists_exactly_the_tet_days_of_that_window() -> None:
    skipped = VN.days_off_between(date(2026, 2, 10), date(2026, 3, 31))
    assert [d.day for d in skipped] == _days(date(2026, 2, 16), date(2026, 2, 20))
    assert all("Lunar New Year" in d.name for d in skipped)


def test_days_off_between_leaves_out_holidays_falling_on_a_weekend() -> None:
    # Saturday 2025-02-01 is the Fourth Day of Tết, but it was not a working day anyway.
    skipped = VN.days_off_between(date(2025, 1, 24), date(2025, 2, 3))
    assert [d.day for d in skipped] == _days(date(2025, 1, 27), date(2025, 1, 31))


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 2, 20), date(2026, 2, 20)), (date(2026, 2, 20), date(2026, 2, 10))],
)
def test_days_off_between_is_empty_when_the_window_is_empty(start: date, end: date) -> None:
    assert VN.days_off_between(start, end) == []


def test_days_off_between_excludes_the_start_and_includes_the_end() -> None:
    calendar = WorkingCalendar(
        days_off={date(2024, 3, 4): "A", date(2024, 3, 8): "B"}, make_up_working_days={}
    )
    assert calendar.days_off_between(date(2024, 3, 4), date(2024, 3, 8)) == [
        DayOff(day=date(2024, 3, 8), name="B")
    ]


@pytest.mark.parametrize(
    "saturday",
    [date(2019, 1, 5), date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)],
)
def test_a_make_up_saturday_is_a_working_day(saturday: date) -> None:
    assert saturday.weekday() == 5
    assert VN.is_working_day(saturday)
    # The Friday before it, if a working day, is one working day away from it.
    friday = saturday - timedelta(days=1)
    if VN.is_working_day(friday):
        assert VN.add_working_days(friday, 1) == saturday


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 2025-04-30 and 05-01 are holidays, Friday 05-02 the substitute day off.
        pytest.param(date(2025, 4, 29), 1, date(2025, 5, 5), id="reunification-2025"),
        # 2026-01-01 is New Year's Day, Friday 01-02 the bridge day off of the data file.
        pytest.param(date(2025, 12, 31), 1, date(2026, 1, 5), id="new-year-2026"),
        # Monday 2026-08-31 is the substitute day off before National Day (Sep 1-2).
        pytest.param(date(2026, 8, 28), 1, date(2026, 9, 3), id="national-day-2026"),
    ],
)
def test_a_substitute_day_off_is_skipped(start: date, n: int, due: date) -> None:
    assert VN.add_working_days(start, n) == due


# --- working_days_between ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        pytest.param(date(2024, 3, 4), date(2024, 3, 4), 0, id="same-day"),
        pytest.param(date(2024, 3, 1), date(2024, 3, 4), 1, id="friday-to-monday"),
        pytest.param(date(2024, 3, 4), date(2024, 3, 1), -1, id="monday-back-to-friday"),
        pytest.param(date(2024, 3, 2), date(2024, 3, 3), 0, id="saturday-to-sunday"),
        pytest.param(date(2026, 2, 10), date(2026, 3, 31), 30, id="across-tet-2026"),
        pytest.param(date(2026, 3, 31), date(2026, 2, 10), -30, id="overdue-across-tet-2026"),
        # Sat 04-26 (make-up), Mon 04-28, Tue 04-29, Mon 05-05.
        pytest.param(date(2025, 4, 25), date(2025, 5, 5), 4, id="across-reunification-2025"),
    ],
)
def test_working_days_between_counts_the_half_open_span(start: date, end: date, count: int) -> None:
    assert VN.working_days_between(start, end) == count


def test_working_days_between_agrees_with_a_day_by_day_count() -> None:
    # The implementation counts by arithmetic and bisection; walk the days instead.
    start = date(2025, 12, 1)
    running = 0
    for end in _days(start, date(2027, 1, 31)):
        if end > start and VN.is_working_day(end):
            running += 1
        assert VN.working_days_between(start, end) == running
        assert VN.working_days_between(end, start) == -running


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 15, 30, 45, 60, 90])
def test_adding_then_counting_working_days_round_trips(n: int) -> None:
    for start in _days(date(2018, 12, 1), date(2026, 12, 31)):
        due = VN.add_working_days(start, n)
        assert VN.working_days_between(start, due) == n
        assert VN.working_days_between(due, start) == -n
        if n:
            # The due date is the first day reaching n, so it is itself a working day.
            assert VN.is_working_day(due)
            assert VN.working_days_between(start, due - timedelta(days=1)) == n - 1


# --- constructor guards -----------------------------------------------------------------


def test_a_make_up_working_day_on_a_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="weekend"):
        WorkingCalendar(days_off={}, make_up_working_days={date(2024, 3, 4): "x"})


def test_a_day_both_off_and_worked_is_refused() -> None:
    saturday = date(2024, 3, 2)
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(days_off={saturday: "x"}, make_up_working_days={saturday: "y"})


def test_the_vietnam_calendar_is_built_once() -> None:
    assert vietnam_calendar() is vietnam_calendar()


# --- calendar months ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2008, 5, 10), 216, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param(date(2008, 5, 10), date(2026, 5, 10), 216, id="18th-birthday"),
        pytest.param(date(2008, 5, 10), date(2026, 5, 9), 215, id="day-before-18th-birthday"),
        # Born on Feb 29: in a common year the birthday is Feb 28 (add_months clamps).
        pytest.param(date(2008, 2, 29), date(2026, 2, 28), 216, id="feb-29-birth-common-year"),
        pytest.param(date(2008, 2, 29), date(2026, 2, 27), 215, id="feb-29-birth-day-before"),
        pytest.param(date(2008, 2, 29), date(2026, 3, 1), 216, id="feb-29-birth-march-1"),
        pytest.param(date(2010, 2, 28), date(2028, 2, 28), 216, id="feb-28-birth-leap-year"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 28), 0, id="jan-31-to-feb-28"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 29), 1, id="jan-31-to-feb-29"),
        pytest.param(date(2024, 1, 31), date(2024, 3, 30), 1, id="jan-31-to-mar-30"),
        pytest.param(date(2024, 1, 31), date(2024, 3, 31), 2, id="jan-31-to-mar-31"),
        pytest.param(date(2024, 5, 10), date(2024, 5, 10), 0, id="same-day"),
    ],
)
def test_whole_months_between_counts_only_completed_months(
    start: date, end: date, months: int
) -> None:
    assert whole_months_between(start, end) == months


def test_whole_months_between_inverts_add_months_for_every_day_and_month_count() -> None:
    for start in _days(date(2023, 1, 1), date(2024, 12, 31)):
        for n in range(40):
            end = add_months(start, n)
            assert whole_months_between(start, end) == n
            if end > start:
                assert whole_months_between(start, end - timedelta(days=1)) == n - 1


def test_whole_months_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before"):
        whole_months_between(date(2026, 5, 10), date(2026, 5, 9))


# --- the data file against the holidays package -------------------------------------------

_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def _package_substitutions() -> dict[date, date]:
    """Make-up day -> day off, for every "Day off (substituted from MM/DD/YYYY)"."""
    package = holidays.country_holidays("VN", years=VN_CALENDAR_YEARS, language="en_US")
    pairs: dict[date, date] = {}
    for day_off, name in package.items():
        for month, day, year in _SUBSTITUTED.findall(name):
            pairs[date(int(year), int(month), int(day))] = day_off
    return pairs


def test_every_substitution_in_the_holidays_package_has_its_make_up_day_in_the_data_file() -> None:
    substitutions = _package_substitutions()
    # 13 in holidays 0.109; far fewer means the label format changed and the regex is blind.
    assert len(substitutions) >= 13
    in_file = {e["day"]: e["compensates"] for e in _data_file()["make_up_working_day"]}
    missing = {make_up: off for make_up, off in substitutions.items() if make_up not in in_file}
    assert missing == {}, "add these make-up working days to domain/data/vn_calendar.toml"
    for make_up, day_off in substitutions.items():
        assert in_file[make_up] == day_off
        assert VN.is_working_day(make_up)
        assert not VN.is_working_day(day_off)


def test_every_make_up_day_of_the_data_file_is_a_weekend_day_paying_back_a_day_off() -> None:
    entries = _data_file()["make_up_working_day"]
    assert entries
    for entry in entries:
        assert entry["day"].weekday() >= 5, entry
        assert entry["compensates"].weekday() < 5, entry
        assert entry["reference"], entry
        assert VN.is_working_day(entry["day"]), entry
        # The day paid back must be off, from the package or from the file's [[day_off]].
        assert not VN.is_working_day(entry["compensates"]), entry


def test_every_extra_day_off_of_the_data_file_is_a_named_weekday_off() -> None:
    for entry in _data_file()["day_off"]:
        assert entry["day"].weekday() < 5, entry
        assert entry["name"], entry
        assert entry["reference"], entry
        assert [
            d.name for d in VN.days_off_between(entry["day"] - timedelta(days=1), entry["day"])
        ] == [entry["name"]]


@pytest.mark.parametrize(
    ("end", "n", "expected"),
    [
        # Five working days before Monday 2026-02-23, across Tết 2026 (16–20 Feb):
        # Feb 13, 12, 11, 10, 9 → 2026-02-09.
        pytest.param(date(2026, 2, 23), 5, date(2026, 2, 9), id="across-tet"),
        # One working day before Monday 2025-04-28 is the make-up Saturday 2025-04-26.
        pytest.param(date(2025, 4, 28), 1, date(2025, 4, 26), id="make-up-saturday"),
        pytest.param(date(2026, 3, 4), 0, date(2026, 3, 4), id="zero"),
    ],
)
def test_working_days_before_a_date_count_backwards_over_days_off(
    end: date, n: int, expected: date
) -> None:
    assert vietnam_calendar().working_days_before(end, n) == expected
