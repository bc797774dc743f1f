"""Every rule of docs/rulebook.md §1 (domain/policy.py), each proved on its allowed and
refused side.

Each test is table-driven and declares the rule ids it proves with `@proves(...)`; the
meta-tests at the end check that docs/rulebook.md §1, `policy.RULES` and these tests name exactly
the same rules, so a rule cannot be added or lost silently. Every expected value is worked
out by hand in a comment next to it; none is computed by calling the code under test.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from domain import policy
from domain.errors import RuleViolation
from domain.policy import Confidence
from domain.values import (
    Ballot,
    Education,
    HoldKind,
    IntroducerKind,
    Introduction,
    OrgKind,
    TransferReason,
)

DOMAIN_MD = Path(__file__).parents[3] / "shared" / "DOMAIN.md"

# rule id -> names of the tests that prove it (filled by @proves at import time).
PROVED_BY: dict[str, list[str]] = {}

F = TypeVar("F", bound=Callable[..., object])


def proves(*rule_ids: str) -> Callable[[F], F]:
    """Record that the decorated test proves `rule_ids` (checked by the meta-tests)."""

    def mark(test: F) -> F:
        for rule_id in rule_ids:
            PROVED_BY.setdefault(rule_id, []).append(test.__name__)
        return test

    return mark


def assert_outcome(check: Callable[[], object], refused_by: str | None) -> None:
    """`check()` passes when `refused_by` is None; otherwise it raises a RuleViolation that
    names `refused_by` and explains itself in Vietnamese and English."""
    if refused_by is None:
        check()
        return
    with pytest.raises(RuleViolation) as refusal:
        check()
    assert refusal.value.rule_id == refused_by
    assert refusal.value.vi.strip(), "the refusal has no Vietnamese message"
    assert refusal.value.en.strip(), "the refusal has no English message"
    assert refusal.value.vi != refusal.value.en


# --- ADM-AGE ---------------------------------------------------------------------------------


@proves("ADM-AGE")
@pytest.mark.parametrize(
    ("born", "meeting", "provincial_consent", "refused_by"),
    [
        # 2008-03-15 → 2026-03-15 is 18 × 12 = 216 whole months: old enough.
        pytest.param(date(2008, 3, 15), date(2026, 3, 15), False, None, id="216-months-ok"),
        # The day before the 18th birthday the 216th month is not complete: 215 months.
        pytest.param(
            date(2008, 3, 15), date(2026, 3, 14), False, "ADM-AGE", id="215-months-refused"
        ),
        # Born on 29 February: 2026 has no 29 February, the month ends on 28 February.
        pytest.param(date(2008, 2, 29), date(2026, 2, 28), False, None, id="leap-birthday-ok"),
        pytest.param(
            date(2008, 2, 29), date(2026, 2, 27), False, "ADM-AGE", id="leap-birthday-eve"
        ),
        # 1966-03-15 → 2026-03-15 is 60 × 12 = 720 whole months: still allowed.
        pytest.param(date(1966, 3, 15), date(2026, 3, 15), False, None, id="720-months-ok"),
        # 2026-04-14: the 721st month is not complete, still 720.
        pytest.param(date(1966, 3, 15), date(2026, 4, 14), False, None, id="720-months-29d-ok"),
        # 1966-03-15 → 2026-04-15 is 721 months: over 60 ...
        pytest.param(
            date(1966, 3, 15), date(2026, 4, 15), False, "ADM-AGE", id="721-months-refused"
        ),
        # ... unless the provincial-level standing committee consented in writing.
        pytest.param(
            date(1966, 3, 15), date(2026, 4, 15), True, None, id="721-months-with-consent"
        ),
        # Consent does not make a minor old enough.
        pytest.param(
            date(2008, 3, 15), date(2026, 3, 14), True, "ADM-AGE", id="consent-no-help-if-17"
        ),
    ],
)
def test_an_applicant_is_old_enough_on_the_day_of_the_18th_birthday_and_until_full_60(
    born: date, meeting: date, provincial_consent: bool, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_age(born, meeting, provincial_consent), refused_by)


# --- ADM-EDU ---------------------------------------------------------------------------------


@proves("ADM-EDU")
@pytest.mark.parametrize(
    ("education", "exempt_area", "refused_by"),
    [
        pytest.param(Education.lower_secondary, False, None, id="lower-secondary-ok"),
        pytest.param(Education.upper_secondary, False, None, id="upper-secondary-ok"),
        pytest.param(Education.primary, False, "ADM-EDU", id="primary-refused"),
        pytest.param(Education.primary, True, None, id="primary-ok-in-exempt-area"),
    ],
)
def test_an_applicant_needs_lower_secondary_education_unless_the_area_is_exempt(
    education: Education, exempt_area: bool, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_education(education, exempt_area), refused_by)


# --- ADM-CERT --------------------------------------------------------------------------------


@proves("ADM-CERT")
@pytest.mark.parametrize(
    ("issued_on", "vote_on", "refused_by"),
    [
        # 2021-03-10 + 60 months = 2026-03-10: valid on that day (inclusive reading).
        pytest.param(date(2021, 3, 10), date(2026, 3, 10), None, id="exactly-60-months-ok"),
        # One day later the certificate has expired.
        pytest.param(
            date(2021, 3, 10), date(2026, 3, 11), "ADM-CERT", id="60-months-and-a-day-refused"
        ),
        pytest.param(date(2025, 9, 1), date(2026, 3, 10), None, id="six-months-old-ok"),
        pytest.param(None, date(2026, 3, 10), "ADM-CERT", id="no-certificate-refused"),
        # A certificate dated after the vote did not exist at the vote.
        pytest.param(
            date(2026, 3, 11), date(2026, 3, 10), "ADM-CERT", id="issued-after-vote-refused"
        ),
        # 29 Feb 2020 + 60 months: Feb 2025 has 28 days, so valid through 2025-02-28.
        pytest.param(date(2020, 2, 29), date(2025, 2, 28), None, id="leap-issue-last-day-ok"),
        pytest.param(date(2020, 2, 29), date(2025, 3, 1), "ADM-CERT", id="leap-issue-expired"),
    ],
)
def test_a_course_certificate_is_valid_for_60_months_including_the_last_day(
    issued_on: date | None, vote_on: date, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_certificate(issued_on, vote_on), refused_by)


@proves("ADM-CERT")
def test_a_certificate_issued_before_the_first_rule_set_is_judged_by_the_rules_of_the_vote() -> (
    None
):
    # 2015-06-01 → 2019-03-01 is 45 months < 60: valid at a vote held under 29-QĐ/TW (2016).
    policy.check_certificate(date(2015, 6, 1), date(2019, 3, 1))


# --- ADM-DOSSIER-AGE -------------------------------------------------------------------------


@proves("ADM-DOSSIER-AGE")
@pytest.mark.parametrize(
    ("documents", "vote_on", "stale"),
    [
        # 2025-03-10 + 12 months = 2026-03-10: exactly 12 months old still passes.
        pytest.param(
            {"introducer-letter": date(2025, 3, 10)}, date(2026, 3, 10), [], id="12-months-ok"
        ),
        # One day older: must be redone.
        pytest.param(
            {"introducer-letter": date(2025, 3, 10)},
            date(2026, 3, 11),
            ["introducer-letter"],
            id="12-months-and-a-day-refused",
        ),
        # Only the stale documents are named, in name order.
        pytest.param(
            {
                "youth-union-resolution": date(2025, 1, 5),
                "introducer-letter": date(2025, 3, 11),
                "introducer-letter-2": date(2024, 12, 1),
            },
            date(2026, 3, 10),
            ["introducer-letter-2", "youth-union-resolution"],
            id="names-only-the-stale-ones",
        ),
    ],
)
def test_a_dossier_document_older_than_12_months_at_the_vote_must_be_redone(
    documents: dict[str, date], vote_on: date, stale: list[str]
) -> None:
    refused_by = "ADM-DOSSIER-AGE" if stale else None
    assert_outcome(lambda: policy.check_dossier_age(documents, vote_on), refused_by)
    if stale:
        with pytest.raises(RuleViolation) as refusal:
            policy.check_dossier_age(documents, vote_on)
        assert refusal.value.details["stale"] == stale


@proves("ADM-DOSSIER-AGE")
def test_a_dossier_document_written_before_the_first_rule_set_is_judged_at_the_vote() -> None:
    # 2016-05-02 → 2016-09-01 is 3 months: fresh, at a vote under 29-QĐ/TW (2016).
    policy.check_dossier_age({"introducer-letter": date(2016, 5, 2)}, date(2016, 9, 1))


# --- ADM-INTRO, ADM-INTRO-TIME ---------------------------------------------------------------

LETTER_ON = date(2026, 3, 10)


def member(
    *,
    together_since: date | None = date(2025, 3, 10),  # 12 months before LETTER_ON
    status: str | None = "full",
    same_grassroots: bool = True,
) -> Introduction:
    return Introduction(
        kind=IntroducerKind.full_member,
        letter_on=LETTER_ON,
        together_since=together_since,
        same_grassroots=same_grassroots,
        member_status=status,
    )


YOUTH_EXEC = Introduction(kind=IntroducerKind.youth_union_executive, letter_on=LETTER_ON)
TRADE_EXEC = Introduction(kind=IntroducerKind.trade_union_executive, letter_on=LETTER_ON)


@proves("ADM-INTRO")
@pytest.mark.parametrize(
    ("introductions", "youth_union_member", "trade_union_member", "has_youth_union", "refused_by"),
    [
        pytest.param([member(), member()], False, False, True, None, id="two-full-members-ok"),
        pytest.param([member()], False, False, True, "ADM-INTRO", id="one-member-only-refused"),
        pytest.param(
            [member(), member(), member()], False, False, True, "ADM-INTRO", id="three-refused"
        ),
        pytest.param([], False, False, True, "ADM-INTRO", id="nobody-refused"),
        pytest.param(
            [YOUTH_EXEC, TRADE_EXEC], True, True, True, "ADM-INTRO", id="no-member-refused"
        ),
        # A youth-union member: the youth-union executive and one full member.
        pytest.param([YOUTH_EXEC, member()], True, False, True, None, id="youth-exec-ok"),
        pytest.param(
            [member(), member()], True, False, True, "ADM-INTRO", id="youth-needs-youth-exec"
        ),
        pytest.param(
            [TRADE_EXEC, member()], True, True, False, "ADM-INTRO", id="youth-not-by-trade-exec"
        ),
        pytest.param(
            [YOUTH_EXEC, member()], False, False, True, "ADM-INTRO", id="youth-exec-for-non-youth"
        ),
        # The trade-union executive only where there is no youth union, for its members.
        pytest.param(
            [TRADE_EXEC, member()], False, True, False, None, id="trade-exec-no-youth-union-ok"
        ),
        pytest.param(
            [TRADE_EXEC, member()], False, True, True, "ADM-INTRO", id="trade-exec-but-youth-union"
        ),
        pytest.param(
            [TRADE_EXEC, member()], False, False, False, "ADM-INTRO", id="trade-exec-non-member"
        ),
    ],
)
def test_an_applicant_is_introduced_by_two_full_members_or_a_union_executive_and_one(
    introductions: list[Introduction],
    youth_union_member: bool,
    trade_union_member: bool,
    has_youth_union: bool,
    refused_by: str | None,
) -> None:
    assert_outcome(
        lambda: policy.check_introductions(
            introductions,
            youth_union_member=youth_union_member,
            trade_union_member=trade_union_member,
            unit_has_youth_union=has_youth_union,
        ),
        refused_by,
    )


@proves("ADM-INTRO-TIME")
@pytest.mark.parametrize(
    ("introducer", "refused_by"),
    [
        # 2025-03-10 → 2026-03-10 is 12 whole months.
        pytest.param(member(), None, id="12-months-together-ok"),
        # 2025-04-10 → 2026-03-10 is 11 whole months.
        pytest.param(
            member(together_since=date(2025, 4, 10)), "ADM-INTRO-TIME", id="11-months-refused"
        ),
        # 2025-03-11 → 2026-03-10: one day short of 12 months, still 11.
        pytest.param(
            member(together_since=date(2025, 3, 11)), "ADM-INTRO-TIME", id="a-day-short-refused"
        ),
        pytest.param(member(together_since=date(2020, 1, 1)), None, id="years-together-ok"),
        pytest.param(member(together_since=None), "ADM-INTRO-TIME", id="unknown-since-refused"),
        pytest.param(
            member(status="probationary"), "ADM-INTRO-TIME", id="probationary-introducer-refused"
        ),
        pytest.param(member(status=None), "ADM-INTRO-TIME", id="unknown-status-refused"),
        pytest.param(
            member(same_grassroots=False), "ADM-INTRO-TIME", id="not-same-grassroots-refused"
        ),
    ],
)
def test_an_introducer_is_a_full_member_who_worked_12_months_with_the_applicant(
    introducer: Introduction, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_introducer_time(introducer), refused_by)
    # check_introductions applies the same rule to each member introducer.
    assert_outcome(
        lambda: policy.check_introductions(
            [introducer, member()],
            youth_union_member=False,
            trade_union_member=False,
            unit_has_youth_union=True,
        ),
        refused_by,
    )


# --- ADM-VOTE-CELL, ADM-VOTE-COMMITTEE, PRB-REVIEW (the vote) --------------------------------

VOTE_DAY = date(2026, 3, 10)


@proves("ADM-VOTE-CELL", "ADM-VOTE-COMMITTEE", "PRB-REVIEW")
@pytest.mark.parametrize(
    ("on_roll", "excused", "votes_for", "votes_against", "passes"),
    [
        # 6 of 9: 6 × 3 = 18 ≥ 2 × 9 = 18, exactly 2/3.
        pytest.param(9, 0, 6, 3, True, id="6-of-9-passes"),
        # 5 of 9: 15 < 18.
        pytest.param(9, 0, 5, 4, False, id="5-of-9-fails"),
        # 5 of 8: 15 < 16, just under 2/3.
        pytest.param(8, 0, 5, 3, False, id="5-of-8-fails"),
        # 6 of 8: 18 ≥ 16.
        pytest.param(8, 0, 6, 2, True, id="6-of-8-passes"),
        # Denominator is the roll, not those present: 6 for, 0 against out of 10 on the roll,
        # 4 simply absent (not excused): 18 < 20.
        pytest.param(10, 0, 6, 0, False, id="absent-not-excused-still-count"),
        # 11 on the roll, 2 temporarily transferred out and absent: 11 − 2 = 9, 6 × 3 ≥ 18.
        pytest.param(11, 2, 6, 3, True, id="excused-absent-are-excluded"),
        # Without excluding them it would fail: 6 of 11 → 18 < 22.
        pytest.param(11, 0, 6, 3, False, id="same-votes-without-excused-fail"),
        # A cell of 9 full members and 2 probationers: on_roll is 9 (probationers are never on
        # it), 6 of 9 → 18 ≥ 18.
        pytest.param(9, 0, 6, 0, True, id="probationers-not-on-the-roll"),
        # A committee of 11: 8 × 3 = 24 ≥ 22 passes, 7 × 3 = 21 < 22 fails.
        pytest.param(11, 0, 8, 3, True, id="committee-8-of-11-passes"),
        pytest.param(11, 0, 7, 4, False, id="committee-7-of-11-fails"),
    ],
)
def test_a_vote_passes_with_at_least_two_thirds_of_the_full_members_on_the_roll(
    on_roll: int, excused: int, votes_for: int, votes_against: int, passes: bool
) -> None:
    ballot = Ballot(VOTE_DAY, on_roll, excused, votes_for, votes_against)
    policy.check_ballot(ballot, "ADM-VOTE-CELL")
    assert policy.vote_passes(ballot) is passes


@proves("ADM-VOTE-CELL", "ADM-VOTE-COMMITTEE", "PRB-REVIEW")
@pytest.mark.parametrize(
    ("rule_id", "ballot"),
    [
        pytest.param("ADM-VOTE-CELL", Ballot(VOTE_DAY, 9, 0, 7, 3), id="10-votes-on-9-roll"),
        pytest.param("ADM-VOTE-COMMITTEE", Ballot(VOTE_DAY, 5, 6, 0, 0), id="excused-over-roll"),
        pytest.param("PRB-REVIEW", Ballot(VOTE_DAY, 9, 0, -1, 3), id="negative-votes"),
    ],
)
def test_an_inconsistent_ballot_is_refused_under_the_rule_of_the_vote(
    rule_id: str, ballot: Ballot
) -> None:
    assert_outcome(lambda: policy.check_ballot(ballot, rule_id), rule_id)


@proves("ADM-VOTE-COMMITTEE")
@pytest.mark.parametrize(
    ("votes_for", "passed", "refused_by"),
    [
        pytest.param(6, True, None, id="6-of-9-decides"),  # 18 ≥ 18
        pytest.param(5, False, "ADM-VOTE-COMMITTEE", id="5-of-9-cannot"),  # 15 < 18
    ],
)
def test_a_committee_authorised_to_admit_decides_by_its_own_passed_resolution(
    votes_for: int, passed: bool, refused_by: str | None
) -> None:
    ballot = Ballot(VOTE_DAY, 9, 0, votes_for, 9 - votes_for)
    assert_outcome(lambda: policy.check_own_resolution(ballot, passed), refused_by)


# --- ORG-MIN ---------------------------------------------------------------------------------


@proves("ORG-MIN")
@pytest.mark.parametrize(
    ("full_members", "refused_by"),
    [
        pytest.param(3, None, id="3-ok"),
        pytest.param(12, None, id="12-ok"),
        pytest.param(2, "ORG-MIN", id="2-refused"),
        pytest.param(0, "ORG-MIN", id="0-refused"),
    ],
)
def test_a_cell_votes_only_with_at_least_three_full_members(
    full_members: int, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_org_min(full_members, VOTE_DAY), refused_by)


# --- Deadlines: ADM-DECIDE, ADM-CEREMONY, PRB-REVIEW, PRB-DECIDE, TRF-START, TRF-PRESENT ------
# and the month clocks PRB-LENGTH, ADM-CERT, ADM-DOSSIER-AGE. The start day is day 0.


@proves(
    "ADM-DECIDE",
    "ADM-CEREMONY",
    "PRB-REVIEW",
    "PRB-DECIDE",
    "TRF-START",
    "TRF-PRESENT",
    "PRB-LENGTH",
    "ADM-CERT",
    "ADM-DOSSIER-AGE",
)
@pytest.mark.parametrize(
    ("rule_id", "start", "extension_wd", "due", "amount", "unit", "version", "days_off"),
    [
        # ADM-CEREMONY 30 WD from Tue 2026-02-10 across Tết (16–20 Feb 2026 off):
        # Feb 11–13 → 3; Feb 16–20 Tết; Feb 23–27 → 8; Mar 2–6 → 13; Mar 9–13 → 18;
        # Mar 16–20 → 23; Mar 23–27 → 28; Mon Mar 30 → 29; Tue Mar 31 → 30.
        pytest.param(
            "ADM-CEREMONY",
            date(2026, 2, 10),
            0,
            date(2026, 3, 31),
            30,
            "WD",
            "2025-07-01",
            [
                date(2026, 2, 16),
                date(2026, 2, 17),
                date(2026, 2, 18),
                date(2026, 2, 19),
                date(2026, 2, 20),
            ],
            id="ADM-CEREMONY-30wd-across-tet-2026",
        ),
        # ADM-DECIDE 60 WD from Mon 2024-06-03 (no holiday in the span):
        # Jun 4–7 → 4; Jun 10–14 → 9; 17–21 → 14; 24–28 → 19; Jul 1–5 → 24; 8–12 → 29;
        # 15–19 → 34; 22–26 → 39; Jul 29–Aug 2 → 44; Aug 5–9 → 49; 12–16 → 54; 19–23 → 59;
        # Mon Aug 26 → 60.
        pytest.param(
            "ADM-DECIDE",
            date(2024, 6, 3),
            0,
            date(2024, 8, 26),
            60,
            "WD",
            "2021-07-30",
            [],
            id="ADM-DECIDE-60wd",
        ),
        # ... + a 30 WD extension = 90 WD: Aug 27–30 → 64; Sep 2–3 National Day off;
        # Sep 4–6 → 67; 9–13 → 72; 16–20 → 77; 23–27 → 82; Mon Sep 30 → 83; Oct 1–4 → 87;
        # Oct 7 → 88; Oct 8 → 89; Wed Oct 9 → 90.
        pytest.param(
            "ADM-DECIDE",
            date(2024, 6, 3),
            30,
            date(2024, 10, 9),
            90,
            "WD",
            "2021-07-30",
            [date(2024, 9, 2), date(2024, 9, 3)],
            id="ADM-DECIDE-60wd-plus-30wd-extension",
        ),
        # PRB-REVIEW 30 WD from Fri 2025-02-28 (end of probation):
        # Mar 3–7 → 5; 10–14 → 10; 17–21 → 15; 24–28 → 20; Mar 31–Apr 4 → 25;
        # Mon Apr 7 Hùng Kings off; Apr 8–11 → 29; Mon Apr 14 → 30.
        pytest.param(
            "PRB-REVIEW",
            date(2025, 2, 28),
            0,
            date(2025, 4, 14),
            30,
            "WD",
            "2025-01-20",
            [date(2025, 4, 7)],
            id="PRB-REVIEW-30wd",
        ),
        # PRB-DECIDE 30 WD from Mon 2025-04-14: Apr 15–18 → 4; Apr 21–25 → 9;
        # Sat Apr 26 is a make-up working day → 10; Apr 28–29 → 12; Apr 30, May 1, May 2 off;
        # May 5–9 → 17; 12–16 → 22; 19–23 → 27; May 26 → 28; 27 → 29; Wed May 28 → 30.
        pytest.param(
            "PRB-DECIDE",
            date(2025, 4, 14),
            0,
            date(2025, 5, 28),
            30,
            "WD",
            "2025-01-20",
            [date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)],
            id="PRB-DECIDE-30wd-with-a-make-up-saturday",
        ),
        # TRF-START 60 WD from Tue 2025-07-01: Jul 2–4 → 3; 7–11 → 8; 14–18 → 13;
        # 21–25 → 18; Jul 28–Aug 1 → 23; Aug 4–8 → 28; 11–15 → 33; 18–22 → 38;
        # 25–29 → 43; Sep 1–2 National Day off; Sep 3–5 → 46; 8–12 → 51; 15–19 → 56;
        # Sep 22 → 57; 23 → 58; 24 → 59; Thu Sep 25 → 60.
        pytest.param(
            "TRF-START",
            date(2025, 7, 1),
            0,
            date(2025, 9, 25),
            60,
            "WD",
            "2025-07-01",
            [date(2025, 9, 1), date(2025, 9, 2)],
            id="TRF-START-60wd",
        ),
        # TRF-PRESENT 30 WD from Fri 2024-12-20: Dec 23–27 → 5; Dec 30–31 → 7;
        # Wed Jan 1 off; Jan 2–3 → 9; 6–10 → 14; 13–17 → 19; 20–24 → 24; Jan 27–31 Tết off;
        # Feb 3–7 → 29; Mon Feb 10 → 30.
        pytest.param(
            "TRF-PRESENT",
            date(2024, 12, 20),
            0,
            date(2025, 2, 10),
            30,
            "WD",
            "2021-07-30",
            [
                date(2025, 1, 1),
                date(2025, 1, 27),
                date(2025, 1, 28),
                date(2025, 1, 29),
                date(2025, 1, 30),
                date(2025, 1, 31),
            ],
            id="TRF-PRESENT-30wd-across-new-year-and-tet-2025",
        ),
        # PRB-LENGTH: 2024-02-29 + 12 months; Feb 2025 has 28 days → 2025-02-28.
        pytest.param(
            "PRB-LENGTH",
            date(2024, 2, 29),
            0,
            date(2025, 2, 28),
            12,
            "months",
            "2021-07-30",
            [],
            id="PRB-LENGTH-12-months-from-29-february",
        ),
        # ADM-CERT: 2021-03-10 + 60 months = 2026-03-10 (rule set of 2016: before 2021-07-30).
        pytest.param(
            "ADM-CERT",
            date(2021, 3, 10),
            0,
            date(2026, 3, 10),
            60,
            "months",
            "2016-07-25",
            [],
            id="ADM-CERT-60-months",
        ),
        # ADM-DOSSIER-AGE: 2025-03-10 + 12 months = 2026-03-10.
        pytest.param(
            "ADM-DOSSIER-AGE",
            date(2025, 3, 10),
            0,
            date(2026, 3, 10),
            12,
            "months",
            "2025-01-20",
            [],
            id="ADM-DOSSIER-AGE-12-months",
        ),
    ],
)
def test_a_deadline_falls_on_the_date_counted_by_hand(
    rule_id: str,
    start: date,
    extension_wd: int,
    due: date,
    amount: int,
    unit: str,
    version: str,
    days_off: list[date],
) -> None:
    deadline = policy.due_date(rule_id, start, extension_wd=extension_wd)
    assert deadline.rule_id == rule_id
    assert deadline.start == start
    assert deadline.due == due
    assert deadline.amount == amount
    assert deadline.unit == unit
    assert deadline.rule_set == version
    assert [day for day, _name in deadline.days_off] == days_off
    assert all(name for _day, name in deadline.days_off)


@pytest.mark.parametrize(
    "rule_id",
    [
        pytest.param("ADM-AGE", id="a-threshold-rule"),
        pytest.param("NO-SUCH-RULE", id="an-unknown-id"),
    ],
)
def test_a_deadline_is_refused_for_a_rule_that_has_no_clock(rule_id: str) -> None:
    assert_outcome(lambda: policy.due_date(rule_id, date(2026, 3, 10)), "NOT-FOUND")


@proves("ADM-DECIDE", "PRB-DECIDE")
@pytest.mark.parametrize(
    ("rule_id", "already_extended", "extra_wd", "refused_by"),
    [
        pytest.param("ADM-DECIDE", False, 30, None, id="ADM-DECIDE-first-30wd-ok"),
        pytest.param("ADM-DECIDE", False, 1, None, id="ADM-DECIDE-first-1wd-ok"),
        pytest.param("ADM-DECIDE", False, 31, "ADM-DECIDE-EXT", id="ADM-DECIDE-31wd-refused"),
        pytest.param("ADM-DECIDE", False, 0, "ADM-DECIDE-EXT", id="ADM-DECIDE-0wd-refused"),
        pytest.param(
            "ADM-DECIDE", True, 10, "ADM-DECIDE-EXT", id="ADM-DECIDE-second-extension-refused"
        ),
        pytest.param("PRB-DECIDE", False, 30, None, id="PRB-DECIDE-first-30wd-ok"),
        pytest.param("PRB-DECIDE", False, 31, "ADM-DECIDE-EXT", id="PRB-DECIDE-31wd-refused"),
        pytest.param(
            "PRB-DECIDE", True, 5, "ADM-DECIDE-EXT", id="PRB-DECIDE-second-extension-refused"
        ),
    ],
)
def test_a_decision_deadline_is_extended_once_by_at_most_30_working_days(
    rule_id: str, already_extended: bool, extra_wd: int, refused_by: str | None
) -> None:
    assert_outcome(
        lambda: policy.check_extension(rule_id, already_extended, extra_wd, date(2026, 3, 10)),
        refused_by,
    )


@proves("ADM-CEREMONY")
@pytest.mark.parametrize(
    ("held_on", "approved_delay_until", "refused_by"),
    [
        # Due 2026-03-31 (30 WD from 2026-02-10, counted above).
        pytest.param(date(2026, 3, 31), None, None, id="on-the-due-day-ok"),
        pytest.param(date(2026, 3, 2), None, None, id="early-ok"),
        pytest.param(date(2026, 4, 1), None, "ADM-CEREMONY", id="a-day-late-refused"),
        pytest.param(date(2026, 4, 10), date(2026, 4, 15), None, id="approved-delay-ok"),
        pytest.param(
            date(2026, 4, 16), date(2026, 4, 15), "ADM-CEREMONY", id="past-the-approved-delay"
        ),
        # An "approval" earlier than the due date does not shorten it.
        pytest.param(date(2026, 3, 31), date(2026, 3, 20), None, id="approval-never-shortens"),
    ],
)
def test_the_ceremony_is_held_by_its_due_date_unless_the_superior_committee_approved_a_delay(
    held_on: date, approved_delay_until: date | None, refused_by: str | None
) -> None:
    # 30 WD from the cell's receipt on 2026-02-10, across Tết: due on 2026-03-31.
    due = policy.ceremony_due(date(2026, 2, 10), approved_delay_until)
    assert_outcome(lambda: policy.check_ceremony_on_time(held_on, due), refused_by)


# --- ADM-DECIDE: the authority, and the rule change of 2025-07-01 ----------------------------


@proves("ADM-DECIDE")
@pytest.mark.parametrize(
    ("decided_by", "expected", "on", "refused_by"),
    [
        # The last day of the district tier: a district committee still decides.
        pytest.param(
            OrgKind.district_committee, True, date(2025, 6, 30), None, id="district-2025-06-30"
        ),
        # From 2025-07-01 there is no district committee to decide.
        pytest.param(
            OrgKind.district_committee,
            True,
            date(2025, 7, 1),
            "ADM-DECIDE",
            id="district-2025-07-01-refused",
        ),
        pytest.param(
            OrgKind.district_committee, True, date(2018, 5, 2), None, id="district-2018-replay"
        ),
        pytest.param(
            OrgKind.commune_committee, True, date(2025, 7, 1), None, id="commune-2025-07-01-ok"
        ),
        # Not the directly-superior committee of the case's grassroots organization.
        pytest.param(
            OrgKind.commune_committee,
            False,
            date(2025, 7, 1),
            "ADM-DECIDE",
            id="not-the-competent-committee",
        ),
        pytest.param(
            OrgKind.province_committee,
            False,
            date(2024, 3, 1),
            "ADM-DECIDE",
            id="not-competent-before-2025",
        ),
    ],
)
def test_the_competent_committee_decides_and_a_district_one_only_before_2025_07_01(
    decided_by: OrgKind, expected: bool, on: date, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_deciding_committee(decided_by, expected, on), refused_by)


@pytest.mark.parametrize(
    ("on", "version", "regulation", "guidance", "district_tier"),
    [
        pytest.param(
            date(2016, 7, 25),
            "2016-07-25",
            "29-QĐ/TW (2016)",
            "01-HD/TW (2016)",
            True,
            id="2016-07-25-first-day",
        ),
        pytest.param(
            date(2018, 6, 15),
            "2016-07-25",
            "29-QĐ/TW (2016)",
            "01-HD/TW (2016)",
            True,
            id="2018-inside-the-2016-period",
        ),
        pytest.param(
            date(2021, 7, 29),
            "2016-07-25",
            "29-QĐ/TW (2016)",
            "01-HD/TW (2016)",
            True,
            id="2021-07-29-last-day-of-2016-rules",
        ),
        # 24-QĐ/TW from 2021-07-30, guided by 01-HD/TW of 2016 until its own guidance took
        # effect on 2021-09-28.
        pytest.param(
            date(2021, 7, 30),
            "2021-07-30",
            "24-QĐ/TW (2021)",
            "01-HD/TW (2016)",
            True,
            id="2021-07-30-first-day",
        ),
        pytest.param(
            date(2021, 9, 27),
            "2021-07-30",
            "24-QĐ/TW (2021)",
            "01-HD/TW (2016)",
            True,
            id="2021-09-27-the-2016-guidance-still",
        ),
        pytest.param(
            date(2021, 9, 28),
            "2021-07-30",
            "24-QĐ/TW (2021)",
            "01-HD/TW (2021)",
            True,
            id="2021-09-28-the-2021-guidance",
        ),
        pytest.param(
            date(2023, 3, 1),
            "2021-07-30",
            "24-QĐ/TW (2021)",
            "01-HD/TW (2021)",
            True,
            id="2023-inside-the-2021-period",
        ),
        pytest.param(
            date(2025, 1, 19),
            "2021-07-30",
            "24-QĐ/TW (2021)",
            "01-HD/TW (2021)",
            True,
            id="2025-01-19-last-day-of-2021-rules",
        ),
        pytest.param(
            date(2025, 1, 20),
            "2025-01-20",
            "232-QĐ/TW (2025)",
            "01-HD/TW (2021)",
            True,
            id="2025-01-20-first-day",
        ),
        pytest.param(
            date(2025, 3, 15),
            "2025-01-20",
            "232-QĐ/TW (2025)",
            "01-HD/TW (2021)",
            True,
            id="2025-03-inside-the-232-period",
        ),
        # 06-HD/TW took effect on 2025-06-09, before the rule set it guides.
        pytest.param(
            date(2025, 6, 8),
            "2025-01-20",
            "232-QĐ/TW (2025)",
            "01-HD/TW (2021)",
            True,
            id="2025-06-08-the-2021-guidance-still",
        ),
        pytest.param(
            date(2025, 6, 9),
            "2025-01-20",
            "232-QĐ/TW (2025)",
            "06-HD/TW (2025)",
            True,
            id="2025-06-09-the-2025-guidance",
        ),
        pytest.param(
            date(2025, 6, 30),
            "2025-01-20",
            "232-QĐ/TW (2025)",
            "06-HD/TW (2025)",
            True,
            id="2025-06-30-last-day-with-districts",
        ),
        pytest.param(
            date(2025, 7, 1),
            "2025-07-01",
            "294-QĐ/TW (2025)",
            "06-HD/TW (2025)",
            False,
            id="2025-07-01-first-day-without-districts",
        ),
        pytest.param(
            date(2026, 3, 10),
            "2025-07-01",
            "294-QĐ/TW (2025)",
            "06-HD/TW (2025)",
            False,
            id="2026-inside-the-294-period",
        ),
    ],
)
def test_the_rules_in_force_are_chosen_by_the_date_of_the_act(
    on: date, version: str, regulation: str, guidance: str, district_tier: bool
) -> None:
    rules = policy.rules_at(on)
    assert rules.version == version
    assert rules.regulation == regulation
    assert policy.guidance_at(on) == guidance
    assert policy.sources_at(on) == f"{regulation}; {guidance}"
    assert rules.district_tier is district_tier
    # A recorded version replays to the same rule set.
    assert policy.rule_set(version) == rules


@pytest.mark.parametrize(
    "on",
    [
        pytest.param(date(2016, 7, 24), id="the-day-before-29-QD"),
        pytest.param(date(2010, 1, 1), id="long-before"),
    ],
)
def test_no_rule_set_is_in_force_before_2016_07_25(on: date) -> None:
    assert_outcome(lambda: policy.rules_at(on), "RULES-PERIOD")
    # A check on such a date is refused for the same reason rather than judged by later rules.
    assert_outcome(lambda: policy.check_org_min(5, on), "RULES-PERIOD")


# --- PRB-LENGTH, PRB-EFFECTIVE ---------------------------------------------------------------


@proves("PRB-LENGTH", "PRB-EFFECTIVE")
@pytest.mark.parametrize(
    ("ceremony_on", "ends_on"),
    [
        # 2024-02-29 + 12 months: no 29 Feb in 2025, clamp to the month's last day.
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), id="29-february-to-28-february"),
        # 2024-03-15 + 12 months = 2025-03-15.
        pytest.param(date(2024, 3, 15), date(2025, 3, 15), id="mid-month"),
        # 2025-01-31 + 12 months = 2026-01-31.
        pytest.param(date(2025, 1, 31), date(2026, 1, 31), id="month-end"),
        # 2025-06-30 (old rules) + 12 months = 2026-06-30: the clock crosses the 2025-07-01 change.
        pytest.param(date(2025, 6, 30), date(2026, 6, 30), id="across-the-2025-07-01-change"),
    ],
)
def test_probation_lasts_12_calendar_months_and_full_membership_takes_effect_at_its_end(
    ceremony_on: date, ends_on: date
) -> None:
    assert policy.probation_ends(ceremony_on) == ends_on
    assert policy.full_membership_effective(ceremony_on) == ends_on


@proves("PRB-EFFECTIVE")
def test_the_effective_date_does_not_depend_on_when_the_cell_or_committee_acted() -> None:
    # The only input is the ceremony date: a late cell vote or a late decision cannot move it.
    assert list(inspect.signature(policy.full_membership_effective).parameters) == ["ceremony_on"]


# --- PRB-DEADLOCK ----------------------------------------------------------------------------


@proves("PRB-DEADLOCK")
@pytest.mark.parametrize(
    ("failed_votes", "is_deadlocked"),
    [
        pytest.param(0, False, id="no-failed-vote"),
        pytest.param(2, False, id="2-failed-votes-not-yet"),
        pytest.param(3, True, id="3-failed-votes-upper-committee-decides"),
        pytest.param(4, True, id="more-than-3"),
    ],
)
def test_after_three_failed_votes_the_upper_committee_decides(
    failed_votes: int, is_deadlocked: bool
) -> None:
    assert policy.deadlocked(failed_votes, date(2026, 3, 10)) is is_deadlocked


# --- TRF-START, TRF-PRESENT (beyond the deadlines above): holds -------------------------------


@proves("TRF-START")
@pytest.mark.parametrize(
    ("holds", "refused_by"),
    [
        pytest.param([], None, id="no-hold-ok"),
        pytest.param([HoldKind.inspection], "TRF-HOLD", id="under-inspection-refused"),
        pytest.param(
            [HoldKind.complaint, HoldKind.discipline_review],
            "TRF-HOLD",
            id="complaint-and-discipline-refused",
        ),
    ],
)
def test_an_official_transfer_does_not_start_while_the_member_is_under_a_hold(
    holds: list[HoldKind], refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_no_hold(holds), refused_by)


@proves("TRF-START")
@pytest.mark.parametrize(
    ("reason", "trigger_on", "refused_by"),
    [
        pytest.param(TransferReason.new_job, date(2026, 1, 12), None, id="new-job-same-day"),
        pytest.param(TransferReason.demobilisation, date(2025, 12, 1), None, id="demobilised"),
        pytest.param(TransferReason.residence_change, date(2026, 1, 9), None, id="moved"),
        pytest.param(TransferReason.retirement, date(2026, 1, 13), "TRF-START", id="too-early"),
        pytest.param(TransferReason.study, date(2026, 1, 12), "TRF-START", id="study"),
        pytest.param(TransferReason.reorganisation, date(2026, 1, 12), "TRF-START", id="reorg"),
    ],
)
def test_an_official_transfer_starts_for_its_reasons_once_the_trigger_took_effect(
    reason: TransferReason, trigger_on: date, refused_by: str | None
) -> None:
    on = date(2026, 1, 12)
    assert_outcome(lambda: policy.check_official_start(reason, trigger_on, on), refused_by)


@pytest.mark.parametrize(
    ("holds", "to_residence", "refused_by"),
    [
        pytest.param([HoldKind.complaint], True, None, id="held-to-the-residence"),
        pytest.param([HoldKind.complaint], False, "TRF-HOLD", id="held-elsewhere"),
        pytest.param([], True, "TRF-TEMP", id="no-hold-goes-official"),
    ],
)
def test_a_member_retiring_under_a_hold_goes_temporarily_to_the_residence(
    holds: list[HoldKind], to_residence: bool, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_retirement_under_hold(holds, to_residence), refused_by)


# --- TRF-TEMP --------------------------------------------------------------------------------

LEAVES = date(2025, 3, 10)


@proves("TRF-TEMP")
@pytest.mark.parametrize(
    ("reason", "returns_on", "refused_by"),
    [
        # Away for work: 3 months to under a year.
        # 2025-03-10 → 2025-06-10 is exactly 3 months.
        pytest.param(TransferReason.work_away, date(2025, 6, 10), None, id="work-3-months-ok"),
        # 2025-06-09: 2 whole months.
        pytest.param(
            TransferReason.work_away, date(2025, 6, 9), "TRF-TEMP", id="work-3-months-less-a-day"
        ),
        # 2025-05-10: 2 months.
        pytest.param(
            TransferReason.work_away, date(2025, 5, 10), "TRF-TEMP", id="work-2-months-refused"
        ),
        # 2026-02-10: 11 months.
        pytest.param(TransferReason.work_away, date(2026, 2, 10), None, id="work-11-months-ok"),
        # 2026-03-09: one day under a year.
        pytest.param(TransferReason.work_away, date(2026, 3, 9), None, id="work-a-day-under-1y"),
        # 2026-03-10: 12 months = a full year, not "under a year".
        pytest.param(
            TransferReason.work_away, date(2026, 3, 10), "TRF-TEMP", id="work-12-months-refused"
        ),
        pytest.param(
            TransferReason.work_away, date(2025, 3, 1), "TRF-TEMP", id="returns-before-leaving"
        ),
        # Full-time domestic study: 3 months to 2 years.
        pytest.param(TransferReason.study, date(2025, 6, 10), None, id="study-3-months-ok"),
        pytest.param(
            TransferReason.study, date(2025, 5, 10), "TRF-TEMP", id="study-2-months-refused"
        ),
        # 2025-03-10 → 2027-03-10: 24 months, the bound itself.
        pytest.param(TransferReason.study, date(2027, 3, 10), None, id="study-24-months-ok"),
        # 2025-03-10 → 2027-04-10: 25 months.
        pytest.param(
            TransferReason.study, date(2027, 4, 10), "TRF-TEMP", id="study-25-months-refused"
        ),
    ],
)
def test_a_temporary_transfer_covers_3_months_to_under_a_year_away_or_up_to_2_years_of_study(
    reason: TransferReason, returns_on: date, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_temporary_transfer(reason, LEAVES, returns_on), refused_by)


@proves("TRF-TEMP")
def test_a_study_leave_of_two_years_and_a_day_is_not_a_temporary_transfer() -> None:
    # 2025-03-10 + 24 months = 2027-03-10; returning 2027-03-11 is 2 years and 1 day away.
    assert_outcome(
        lambda: policy.check_temporary_transfer(TransferReason.study, LEAVES, date(2027, 3, 11)),
        "TRF-TEMP",
    )


# --- READMIT ---------------------------------------------------------------------------------


@proves("READMIT")
@pytest.mark.parametrize(
    ("left_on", "applied_on", "expunged_on", "refused_by"),
    [
        # 2022-03-10 + 36 months = 2025-03-10, however the member left.
        pytest.param(date(2022, 3, 10), date(2025, 3, 10), None, None, id="36-months-ok"),
        pytest.param(
            date(2022, 3, 10), date(2025, 3, 9), None, "READMIT", id="36-months-less-a-day"
        ),
        # Left on 2019-01-10 for a lesser crime expunged on 2020-03-10: 2020-03-10 + 60 months
        # = 2025-03-10 (the 36 months after leaving ended on 2022-01-10).
        pytest.param(
            date(2019, 1, 10), date(2025, 3, 10), date(2020, 3, 10), None, id="60-months-ok"
        ),
        pytest.param(
            date(2019, 1, 10),
            date(2025, 3, 9),
            date(2020, 3, 10),
            "READMIT",
            id="60-months-less-a-day",
        ),
        # Left on 2015-01-10 (36 months long past), expunged on 2022-03-10: 2027-03-10.
        pytest.param(
            date(2015, 1, 10),
            date(2025, 3, 10),
            date(2022, 3, 10),
            "READMIT",
            id="expunged-36-not-enough",
        ),
        # 2022-02-28 + 36 months = 2025-02-28.
        pytest.param(date(2022, 2, 28), date(2025, 2, 28), None, None, id="february-ok"),
    ],
)
def test_a_former_member_is_readmitted_after_36_months_and_60_after_an_expungement(
    left_on: date, applied_on: date, expunged_on: date | None, refused_by: str | None
) -> None:
    assert_outcome(lambda: policy.check_readmission(left_on, applied_on, expunged_on), refused_by)


# --- EVL-CAP ---------------------------------------------------------------------------------


@proves("EVL-CAP")
def test_the_yearly_rating_cap_is_not_encoded_and_says_why_in_both_languages() -> None:
    # A cap over a whole grassroots organization's yearly ratings, which no step here
    # records, replaced from 2025-08-30 by a score (docs/rules.md, "Not encoded").
    assert "EVL-CAP" not in policy.RULES
    why_vi, why_en = policy.NOT_ENCODED["EVL-CAP"]
    assert "tổ chức cơ sở" in why_vi and "100" in why_vi
    assert "grassroots organization" in why_en and "100-point" in why_en


# --- Meta: the rulebook's §1, policy.RULES and these tests name the same rules ----------

_ROW = re.compile(r"^\|\s*([A-Z]+(?:-[A-Z]+)*)\s*\|")


def domain_rules() -> dict[str, str]:
    """The §1 table of docs/rulebook.md: rule id -> its confidence column."""
    if not DOMAIN_MD.is_file():
        pytest.fail(
            f"DOMAIN.md not found at {DOMAIN_MD}: the rulebook must sit in shared/ beside the "
            "repository, it is the list of rules these tests check"
        )
    text = DOMAIN_MD.read_text(encoding="utf-8")
    section = re.search(r"^## 1\..*?(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert section, f"no '## 1.' section in {DOMAIN_MD}"
    rules: dict[str, str] = {}
    for line in section.group(0).splitlines():
        match = _ROW.match(line)
        if match and match.group(1) != "id":
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert match.group(1) not in rules, f"{match.group(1)} appears twice in §1"
            rules[match.group(1)] = cells[-1]
    assert rules, f"no rule rows found in the §1 table of {DOMAIN_MD}"
    return rules


def test_the_rule_ids_of_the_code_are_exactly_those_of_the_rulebook() -> None:
    in_rulebook = set(domain_rules()) - set(policy.NOT_ENCODED)
    in_code = set(policy.RULES)
    assert in_rulebook - in_code == set(), "rules of docs/rulebook.md §1 missing from policy.RULES"
    assert in_code - in_rulebook == set(), "rules in policy.RULES that docs/rulebook.md §1 lacks"
    for rule_id, rule in policy.RULES.items():
        assert rule.id == rule_id
        assert rule.title_vi.strip()
        assert rule.title_en.strip()


def test_every_rule_of_the_rulebook_is_proved_by_a_test_here() -> None:
    unproved = sorted(set(domain_rules()) - set(PROVED_BY))
    assert unproved == [], f"rules of docs/rulebook.md §1 with no test in {Path(__file__).name}"
    unknown = sorted(set(PROVED_BY) - set(domain_rules()))
    assert unknown == [], "tests claim rule ids that docs/rulebook.md §1 does not have"


def _confidence_letters(column: str) -> set[str]:
    """The confidence letters of a column: 'C (denominator S)' -> {'C', 'S'}."""
    return set(re.findall(r"\b([CSI])\b", column))


def test_a_rule_the_rulebook_marks_secondary_or_inferred_is_not_marked_confirmed() -> None:
    columns = domain_rules()
    # A mixed column ("C (denominator S)", "C (2019), S (2025)") reads as C.
    uncertain = {
        rule_id
        for rule_id, column in columns.items()
        if _confidence_letters(column) and "C" not in _confidence_letters(column)
    }
    # The rulebook itself marks these two S (a check of the parsing, not of policy.py).
    assert {"ADM-CERT", "ADM-DOSSIER-AGE"} <= uncertain
    assert "ADM-AGE" not in uncertain  # its column is "C", though its month reading is I
    for rule_id in sorted(uncertain):
        rule = policy.RULES[rule_id]
        assert rule.confidence is not Confidence.C, f"{rule_id} is {columns[rule_id]!r}"
        assert rule.needs_verification_on(date(2026, 1, 5)), f"{rule_id}: 'cần xác minh'"
    for rule_id, column in columns.items():
        assert _confidence_letters(column), f"{rule_id} has no confidence letter: {column!r}"


def test_every_point_the_rulebook_grades_s_or_i_is_a_reading_of_that_grade_in_the_code() -> None:
    """A row's S or I anywhere ("C (denominator S)", "(the month reading is I)", "S (2025)")
    is a reading of the rule graded so, which every screen then flags."""
    text = DOMAIN_MD.read_text(encoding="utf-8")
    section = re.search(r"^## 1\..*?(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert section
    for line in section.group(0).splitlines():
        match = _ROW.match(line)
        if not match or match.group(1) not in policy.RULES:
            continue
        rule = policy.RULES[match.group(1)]
        in_code = {rule.confidence, *(r.confidence for r in rule.readings)}
        in_rulebook = _confidence_letters(line.split("|", 2)[2]) - {"C"}
        assert in_rulebook <= {str(c) for c in in_code}, f"{rule.id}: {line}"
        if in_rulebook:
            assert policy.confidence_label(rule, None, "vi").endswith("cần xác minh")
    # Each reading graded S or I is a setting, with its chosen default (docs/rulebook.md).
    for rule in policy.RULES.values():
        for reading in rule.readings:
            assert reading.chosen.strip()
            if reading.confidence is not Confidence.C:
                assert reading.setting, f"{rule.id}: {reading.point_en} needs a setting"
                fields = policy.RuleSet.__dataclass_fields__.keys()
                for name in reading.setting.split(", "):
                    assert name in fields, f"{rule.id}: no setting {name}"


@pytest.mark.parametrize(
    ("rule_id", "on", "label"),
    [
        pytest.param("ADM-EDU", date(2026, 1, 5), "C", id="confirmed"),
        pytest.param("ADM-CERT", date(2026, 1, 5), "S — to verify", id="secondary"),
        pytest.param(
            "ADM-AGE", date(2026, 1, 5), "C (age in whole months: I) — to verify", id="month"
        ),
        pytest.param(
            "ADM-VOTE-CELL",
            date(2026, 1, 5),
            "C (the denominator: S) — to verify",
            id="denominator",
        ),
    ],
)
def test_a_rule_s_confidence_is_that_of_its_least_sure_point_in_force(
    rule_id: str, on: date, label: str
) -> None:
    rule = policy.RULES[rule_id]
    assert policy.confidence_label(rule, on, "en") == label
    assert rule.needs_verification_on(on) is label.endswith("to verify")


@pytest.mark.parametrize(
    ("on", "label"),
    [
        pytest.param(date(2025, 8, 29), "C", id="before-the-reading"),
        pytest.param(date(2025, 8, 30), "C (a later point: S) — to verify", id="from-it"),
    ],
)
def test_a_reading_dated_from_a_day_weighs_only_on_acts_from_that_day(on: date, label: str) -> None:
    # A point of a rule that concerns acts from 2025-08-30 on (as the 2025 evaluation scale
    # did before EVL-CAP was left out: docs/rules.md, "Not encoded").
    later = policy.Reading(
        "một điểm sau", "a later point", Confidence.S, "chosen", since=date(2025, 8, 30)
    )
    rule = policy.Rule("X-DATED", "x", "x", Confidence.C, readings=(later,))
    assert policy.confidence_label(rule, on, "en") == label
