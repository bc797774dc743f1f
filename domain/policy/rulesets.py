"""The rule sets by period and the table of rule ids (with their sources and confidence):
what was in force on the day an act happened (docs/rulebook.md §0, §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from domain.errors import RuleViolation


class Confidence(StrEnum):
    """How sure the rulebook is (docs/rulebook.md): C quoted, S secondary (verify), I inferred."""

    C = "C"
    S = "S"
    I = "I"  # noqa: E741 — the rulebook's own letter


# From the surest to the least sure: a rule is as sure as its least sure point.
_WEAKER = (Confidence.C, Confidence.S, Confidence.I)


@dataclass(frozen=True)
class Reading:
    """One point of a rule that the rulebook grades S or I, or whose words had to be read one
    way: the reading the code implements, how sure it is, and the setting that changes it (a
    field of `RuleSet`). docs/rules.md lists them all."""

    point_vi: str
    point_en: str
    confidence: Confidence
    chosen: str  # the reading implemented
    setting: str | None = None
    since: date | None = None  # the point concerns acts from this date on (None: every act)

    def applies_on(self, on: date) -> bool:
        return self.since is None or on >= self.since


@dataclass(frozen=True)
class Rule:
    id: str
    title_vi: str
    title_en: str
    confidence: Confidence  # the rulebook's grade of the rule itself
    setting: str | None = None  # the RuleSet field that holds its value, if any
    unit: Literal["WD", "months", "count", "fraction", ""] = ""
    note: str = ""
    shown: str = ""  # the value for people, formatted with the RuleSet's fields
    readings: tuple[Reading, ...] = ()

    def uncertain_on(self, on: date | None) -> tuple[Reading, ...]:
        """The points of the rule graded S or I that concern an act of that date (of any
        date when `on` is None)."""
        return tuple(
            r
            for r in self.readings
            if (on is None or r.applies_on(on)) and r.confidence is not Confidence.C
        )

    def confidence_on(self, on: date | None) -> Confidence:
        """The rule's confidence for an act of that date (of any date when `on` is None): its
        least sure point."""
        grades = (self.confidence, *(r.confidence for r in self.uncertain_on(on)))
        return max(grades, key=_WEAKER.index)

    def needs_verification_on(self, on: date | None) -> bool:
        """Shown as "cần xác minh" to users (docs/rulebook.md: S and I points are settings)."""
        return self.confidence_on(on) is not Confidence.C


def confidence_label(rule: Rule, on: date | None, lang: str = "vi") -> str:
    """The rule's confidence as every screen shows it (the CLI, the web, docs/rules.md): the
    rulebook's grade, its points graded otherwise, and the flag "cần xác minh" — for an act
    of `on`, or over every period when `on` is None."""
    vi = lang != "en"
    points = [
        f"{r.point_vi if vi else r.point_en}: {r.confidence}"
        for r in rule.uncertain_on(on)
        if r.confidence is not rule.confidence
    ]
    label = str(rule.confidence) + (f" ({'; '.join(points)})" if points else "")
    if rule.needs_verification_on(on):
        label += " — cần xác minh" if vi else " — to verify"
    return label


@dataclass(frozen=True)
class RuleSet:
    """The rules in force from `in_force_from` (docs/rulebook.md §0)."""

    version: str
    in_force_from: date
    regulation: str
    guidance: str
    district_tier: bool  # the district committee exists (abolished 2025-07-01)
    guidance_from: date | None = None  # when the guidance took effect, if not with the set
    min_age_months: int = 216
    max_age_months: int = 720
    certificate_validity_months: int = 60
    dossier_max_age_months: int = 12
    introducer_min_months_together: int = 12
    vote_threshold: tuple[int, int] = (2, 3)
    # ADM-VOTE-CELL's denominator (S): members temporarily away or exempted who do not vote
    # leave it; False counts every full member on the roll.
    denominator_excuses_absent: bool = True
    # ADM-INTRO (I): an introducer who moved away or was disciplined is replaced before the
    # vote; False lets the introduction stand.
    replace_departed_introducers: bool = True
    # PRB-LENGTH (I): a probationer may be transferred, the twelve months running on.
    probationers_may_transfer: bool = True
    decide_wd: int = 60
    decide_extension_wd: int = 30
    ceremony_wd: int = 30
    probation_months: int = 12
    review_wd: int = 30
    recognition_decide_wd: int = 30
    recognition_extension_wd: int = 30
    deadlock_failed_votes: int = 3
    transfer_start_wd: int = 60
    transfer_present_wd: int = 30
    temporary_min_months: int = 3
    temporary_max_months: int = 12  # away for work: 3 months to < 1 year
    temporary_study_max_months: int = 24  # full-time domestic study: 3 months to 2 years
    org_min_full_members: int = 3
    readmit_months: int = 36
    readmit_after_expungement_months: int = 60

    @property
    def guidance_in_force_from(self) -> date:
        return self.guidance_from or self.in_force_from


# A guidance may take effect after its regulation (01-HD/TW of 2021 from 2021-09-28: until
# then 01-HD/TW of 2016 still guided) or before its rule set (06-HD/TW from 2025-06-09).
RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet("2016-07-25", date(2016, 7, 25), "29-QĐ/TW (2016)", "01-HD/TW (2016)", True),
    RuleSet(
        "2021-07-30",
        date(2021, 7, 30),
        "24-QĐ/TW (2021)",
        "01-HD/TW (2021)",
        True,
        guidance_from=date(2021, 9, 28),
    ),
    RuleSet("2025-01-20", date(2025, 1, 20), "232-QĐ/TW (2025)", "01-HD/TW (2021)", True),
    RuleSet(
        "2025-07-01",
        date(2025, 7, 1),
        "294-QĐ/TW (2025)",
        "06-HD/TW (2025)",
        False,
        guidance_from=date(2025, 6, 9),
    ),
)


def guidance_at(on: date) -> str:
    """The Secretariat's guidance in force on a date (docs/rulebook.md §0)."""
    rules_at(on)  # RULES-PERIOD
    in_force = [rs for rs in RULE_SETS if rs.guidance_in_force_from <= on]
    return max(in_force, key=lambda rs: rs.guidance_in_force_from).guidance


def sources_at(on: date) -> str:
    """The regulation and the guidance in force on a date."""
    return f"{rules_at(on).regulation}; {guidance_at(on)}"


def rules_at(on: date) -> RuleSet:
    """The rule set in force on the day the governed act happened."""
    in_force = [rs for rs in RULE_SETS if rs.in_force_from <= on]
    if not in_force:
        raise RuleViolation(
            "RULES-PERIOD",
            f"Không có bộ quy định nào có hiệu lực vào ngày {on:%d/%m/%Y}",
            f"No rule set was in force on {on.isoformat()}",
            on=on.isoformat(),
        )
    return in_force[-1]


def version_at(on: date) -> str:
    """The version label for an event's stamp; acts older than the first rule set we encode
    (registering an organization of 2010, a member admitted in 2005) are labelled as such."""
    first = RULE_SETS[0]
    return rules_at(on).version if on >= first.in_force_from else f"before-{first.version}"


def district_tier_exists(on: date) -> bool:
    """The district committee tier existed until 2025-06-30 (docs/rulebook.md §0)."""
    return on < RULE_SETS[0].in_force_from or rules_at(on).district_tier


def rule_set(version: str) -> RuleSet:
    """The rule set recorded on an event, for replaying it by the rules of its time."""
    return next(rs for rs in RULE_SETS if rs.version == version)


def _refuse(rule_id: str, vi: str, en: str, **details: object) -> RuleViolation:
    return RuleViolation(rule_id, vi, en, **details)


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")
