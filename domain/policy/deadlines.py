"""Deadlines in working days or months, and the escalation ladders that follow them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from functools import lru_cache
from uuid import UUID

from domain.calendar import WorkingCalendar, add_months, vietnam_calendar
from domain.policy.catalog import RULES
from domain.policy.rulesets import _refuse, rules_at

# --- Deadlines -----------------------------------------------------------------------------

DEADLINE_RULES: dict[str, str] = {
    "ADM-DECIDE": "decide_wd",
    "ADM-CEREMONY": "ceremony_wd",
    "PRB-REVIEW": "review_wd",
    "PRB-DECIDE": "recognition_decide_wd",
    "TRF-START": "transfer_start_wd",
    "TRF-PRESENT": "transfer_present_wd",
    "PRB-LENGTH": "probation_months",
    "ADM-CERT": "certificate_validity_months",
    "ADM-DOSSIER-AGE": "dossier_max_age_months",
}

# The validity periods of a dossier's documents (the awareness course's certificate, the
# introducers' letters): a case's process watches them and warns the cell ahead (their
# ladders below), but none is the deadline of a stage, so a board or a case page shows them
# only as a warning, in their last VALIDITY_WARNING_MONTHS months.
VALIDITY_RULES = frozenset({"ADM-CERT", "ADM-DOSSIER-AGE"})
VALIDITY_WARNING_MONTHS = 3


def validity_warning(lapses_on: date, today: date) -> bool:
    """A document's validity is worth a warning from 3 months before it lapses (and after)."""
    return today > add_months(lapses_on, -VALIDITY_WARNING_MONTHS)


@dataclass(frozen=True)
class Deadline:
    """A due date, with the rule set it was computed under and the days off it skipped."""

    rule_id: str
    start: date
    due: date
    amount: int
    unit: str
    rule_set: str
    days_off: tuple[tuple[date, str], ...] = field(default=())


def due_date(
    rule_id: str,
    start: date,
    *,
    extension_wd: int = 0,
    judged_on: date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """The due date of a deadline rule whose clock starts on `start` (start day not counted).

    The rule set is the one in force when the clock starts, or on `judged_on` for validity
    periods judged later (a certificate at the cell's vote)."""
    if calendar is None:  # the same few thousand start days, over and over: remembered
        return _due_on_vietnam_calendar(rule_id, start, extension_wd, judged_on)
    return _due_date(rule_id, start, extension_wd, judged_on, calendar)


@lru_cache(maxsize=1 << 16)
def _due_on_vietnam_calendar(
    rule_id: str, start: date, extension_wd: int, judged_on: date | None
) -> Deadline:
    return _due_date(rule_id, start, extension_wd, judged_on, vietnam_calendar())


def _due_date(
    rule_id: str,
    start: date,
    extension_wd: int,
    judged_on: date | None,
    calendar: WorkingCalendar,
) -> Deadline:
    if rule_id not in DEADLINE_RULES:
        raise _refuse(
            "NOT-FOUND",
            f"{rule_id} không phải là quy định về thời hạn",
            f"{rule_id} is not a deadline rule",
            known=sorted(DEADLINE_RULES),
        )
    rules = rules_at(judged_on or start)
    amount = int(getattr(rules, DEADLINE_RULES[rule_id]))
    if RULES[rule_id].unit == "months":
        due = add_months(start, amount)
        return Deadline(rule_id, start, due, amount, "months", rules.version)
    due = calendar.add_working_days(start, amount + extension_wd)
    skipped = tuple((d.day, d.name) for d in calendar.days_off_between(start, due))
    return Deadline(rule_id, start, due, amount + extension_wd, "WD", rules.version, skipped)


def ceremony_due(received_on: date, approved_delay_until: date | None = None) -> date:
    """ADM-CEREMONY: 30 WD from the cell's receipt of the decision, or the later day to which
    the directly-superior committee approved a delay (an approval never shortens it)."""
    due = due_date("ADM-CEREMONY", received_on).due
    return max(due, approved_delay_until or due)


# --- Escalation ----------------------------------------------------------------------------


class Level(IntEnum):
    """Who hears of a stalled step, level by level."""

    reminder = 0  # the responsible unit, some working days before the due date
    unit_above = 1  # the unit above the responsible one, the day after the due date
    organization_department = 2  # the competent committee's organization department, later
    upper_committee = 3  # PRB-DEADLOCK: three failed votes


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder of one deadline rule (a setting: the rulebook names only the
    deadline; the steps around it are the department's practice)."""

    remind_before_wd: int
    department_after_wd: int


ESCALATION_LADDERS: dict[str, Ladder] = {
    "ADM-DECIDE": Ladder(remind_before_wd=10, department_after_wd=10),
    "ADM-CEREMONY": Ladder(remind_before_wd=5, department_after_wd=10),
    "PRB-REVIEW": Ladder(remind_before_wd=5, department_after_wd=10),
    "PRB-DECIDE": Ladder(remind_before_wd=5, department_after_wd=10),
    "TRF-START": Ladder(remind_before_wd=10, department_after_wd=10),
    "TRF-PRESENT": Ladder(remind_before_wd=5, department_after_wd=10),
    # Validity periods: warn ahead so the vote is held before the document lapses.
    "ADM-CERT": Ladder(remind_before_wd=20, department_after_wd=20),
    "ADM-DOSSIER-AGE": Ladder(remind_before_wd=20, department_after_wd=20),
}


@dataclass(frozen=True)
class EscalationStep:
    """One rung: on `fires_on` (at the start of that day) `target` hears that `rule_id`'s
    deadline of `due` is near or past."""

    rule_id: str
    level: Level
    fires_on: date
    target: UUID
    due: date


def escalation_plan(
    rule_id: str,
    due: date,
    responsible: UUID,
    above: UUID | None,
    department: UUID | None,
    calendar: WorkingCalendar | None = None,
) -> list[EscalationStep]:
    """The ladder of a deadline: a reminder to the responsible unit, then the unit above the
    day after the due date, then the competent committee's organization department."""
    ladder = ESCALATION_LADDERS[rule_id]
    cal = calendar or vietnam_calendar()
    rungs = [
        (Level.reminder, cal.working_days_before(due, ladder.remind_before_wd), responsible),
        (Level.unit_above, cal.add_working_days(due, 1), above or responsible),
        (
            Level.organization_department,
            cal.add_working_days(due, ladder.department_after_wd),
            department or above or responsible,
        ),
    ]
    return [EscalationStep(rule_id, level, on, target, due) for level, on, target in rungs]


# --- Due soon -------------------------------------------------------------------------------

DUE_SOON_WD = 3  # issue 16: the unit holding a deadline hears when it is this near


@dataclass(frozen=True)
class DueSoon:
    """On `fires_on` (at the start of that day) `target`, the unit holding `rule_id`'s deadline
    of `due`, hears that it is DUE_SOON_WD working days away. A notice, not a rung of the
    ladder: nothing is recorded on the record, and no level is reached."""

    rule_id: str
    fires_on: date
    target: UUID
    due: date


def due_soon(
    rule_id: str, due: date, responsible: UUID, calendar: WorkingCalendar | None = None
) -> DueSoon:
    """The due-soon notice of a deadline: DUE_SOON_WD working days before it (the due day
    counted among them, as for the ladder's reminder), days off skipped."""
    cal = calendar or vietnam_calendar()
    return DueSoon(rule_id, cal.working_days_before(due, DUE_SOON_WD), responsible, due)


def working_days_overdue(due: date, on: date, calendar: WorkingCalendar | None = None) -> int:
    """Working days past `due` on `on` (negative: days left)."""
    return (calendar or vietnam_calendar()).working_days_between(due, on)
