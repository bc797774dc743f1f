"""Every rule of docs/rulebook.md, in one place, with its id, its source and the periods it
applies to.

A rule set is chosen by the date the governed act happened (docs/rulebook.md §0), never by
today's date.
Each `check_*` function raises `RuleViolation` naming its rule id; each `*_due` function gives a
deadline from its start date. Numbers live in `RuleSet`, so a later regulation is a new row of
`RULE_SETS`, not a code change. Process guards that are ours rather than the rulebook's
(`CASE-*`, `ORG-TREE`, ...) are listed in `PROCESS_GUARDS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Literal
from uuid import UUID

from domain.calendar import WorkingCalendar, add_months, vietnam_calendar, whole_months_between
from domain.errors import RuleViolation
from domain.values import (
    Ballot,
    Education,
    HoldKind,
    IntroducerKind,
    Introduction,
    OrgKind,
    TransferReason,
)


class Confidence(StrEnum):
    """How sure the rulebook is (docs/rulebook.md): C quoted, S secondary (verify), I inferred."""

    C = "C"
    S = "S"
    I = "I"  # noqa: E741 — the rulebook's own letter


@dataclass(frozen=True)
class Rule:
    id: str
    title_vi: str
    title_en: str
    confidence: Confidence
    setting: str | None = None  # the RuleSet field that holds its value, if any
    unit: Literal["WD", "months", "count", "fraction", ""] = ""
    note: str = ""
    shown: str = ""  # the value for people, formatted with the RuleSet's fields

    @property
    def needs_verification(self) -> bool:
        """Shown as "cần xác minh" to users (docs/rulebook.md: S and I rules are settings)."""
        return self.confidence is not Confidence.C


@dataclass(frozen=True)
class RuleSet:
    """The rules in force from `in_force_from` (docs/rulebook.md §0)."""

    version: str
    in_force_from: date
    regulation: str
    guidance: str
    district_tier: bool  # the district committee exists (abolished 2025-07-01)
    min_age_months: int = 216
    max_age_months: int = 720
    certificate_validity_months: int = 60
    dossier_max_age_months: int = 12
    introducer_min_months_together: int = 12
    vote_threshold: tuple[int, int] = (2, 3)
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
    def sources(self) -> str:
        return f"{self.regulation}; {self.guidance}"


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet("2016-07-25", date(2016, 7, 25), "29-QĐ/TW (2016)", "01-HD/TW (2016)", True),
    RuleSet("2021-07-30", date(2021, 7, 30), "24-QĐ/TW (2021)", "01-HD/TW (2021)", True),
    RuleSet("2025-01-20", date(2025, 1, 20), "232-QĐ/TW (2025)", "01-HD/TW (2021)", True),
    RuleSet("2025-07-01", date(2025, 7, 1), "294-QĐ/TW (2025)", "06-HD/TW (2025)", False),
)


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


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "ADM-AGE",
            "Tuổi khi chi bộ xét kết nạp",
            "Age at the cell's admission vote",
            Confidence.C,
            "min_age_months",
            "months",
            "full 18 to full 60, in whole months (the month reading is I); over 60 only with "
            "written consent of the provincial-level standing committee",
            shown="{min_age_months}–{max_age_months} months",
        ),
        Rule(
            "ADM-EDU",
            "Trình độ học vấn",
            "Education",
            Confidence.C,
            note="lower-secondary diploma or higher; lower allowed in mountain, border, island and "
            "ethnic-minority areas",
            shown="≥ lower secondary",
        ),
        Rule(
            "ADM-CERT",
            "Hiệu lực giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
            "Political-awareness course certificate validity",
            Confidence.S,
            "certificate_validity_months",
            "months",
            "checked at the cell's vote",
            shown="{certificate_validity_months} months",
        ),
        Rule(
            "ADM-DOSSIER-AGE",
            "Hồ sơ quá 12 tháng chưa được chi bộ xem xét",
            "Dossier not considered by the cell within 12 months",
            Confidence.S,
            "dossier_max_age_months",
            "months",
            "introducer letters and the youth/trade-union resolution must be redone",
            shown="{dossier_max_age_months} months",
        ),
        Rule(
            "ADM-INTRO",
            "Người giới thiệu",
            "Introducers",
            Confidence.C,
            note="2 full members; or youth-union executive + 1 full member for youth-union "
            "members; or trade-union executive + 1 full member where there is no youth union",
            shown="2 introducers",
        ),
        Rule(
            "ADM-INTRO-TIME",
            "Thời gian công tác cùng người được giới thiệu",
            "Time the introducer worked with the applicant",
            Confidence.C,
            "introducer_min_months_together",
            "months",
            "the introducer is a full member on the letter's date",
            shown="≥ {introducer_min_months_together} months together",
        ),
        Rule(
            "ADM-VOTE-CELL",
            "Nghị quyết chi bộ đề nghị kết nạp",
            "Cell resolution proposing admission",
            Confidence.C,
            "vote_threshold",
            "fraction",
            "≥ 2/3 of all full members on the roll; those temporarily transferred out or "
            "exempted are excluded unless they vote (denominator: S)",
            shown="≥ {vote_threshold[0]}/{vote_threshold[1]} of full members",
        ),
        Rule(
            "ADM-VOTE-COMMITTEE",
            "Nghị quyết đảng ủy cơ sở",
            "Grassroots committee resolution",
            Confidence.C,
            "vote_threshold",
            "fraction",
            "≥ 2/3 of committee members",
            shown="≥ {vote_threshold[0]}/{vote_threshold[1]} of the committee",
        ),
        Rule(
            "ADM-DECIDE",
            "Cấp ủy có thẩm quyền quyết định kết nạp",
            "Competent committee decides on admission",
            Confidence.C,
            "decide_wd",
            "WD",
            "from the cell resolution; + up to 30 WD extension; the directly-superior committee "
            "of the grassroots organization (a district committee only before 2025-07-01)",
            shown="{decide_wd} WD (+ ≤ {decide_extension_wd} WD)",
        ),
        Rule(
            "ADM-CEREMONY",
            "Tổ chức lễ kết nạp",
            "Admission ceremony",
            Confidence.C,
            "ceremony_wd",
            "WD",
            "from the cell's receipt of the decision; later only with the directly-superior "
            "committee's approval",
            shown="{ceremony_wd} WD",
        ),
        Rule(
            "PRB-LENGTH",
            "Thời gian dự bị",
            "Probation",
            Confidence.C,
            "probation_months",
            "months",
            "from the ceremony date",
            shown="{probation_months} months",
        ),
        Rule(
            "PRB-REVIEW",
            "Chi bộ xét công nhận đảng viên chính thức",
            "Cell reviews the probationer",
            Confidence.C,
            "review_wd",
            "WD",
            "from the end of the 12 months",
            shown="{review_wd} WD",
        ),
        Rule(
            "PRB-DECIDE",
            "Cấp ủy quyết định công nhận đảng viên chính thức",
            "Competent committee decides on full membership",
            Confidence.C,
            "recognition_decide_wd",
            "WD",
            "from the cell resolution; + up to 30 WD extension",
            shown="{recognition_decide_wd} WD (+ ≤ {recognition_extension_wd} WD)",
        ),
        Rule(
            "PRB-EFFECTIVE",
            "Thời điểm công nhận đảng viên chính thức",
            "Full membership takes effect",
            Confidence.C,
            "probation_months",
            "months",
            "exactly at the end of the 12 months, however late the cell or committee acted",
            shown="ceremony + {probation_months} months",
        ),
        Rule(
            "PRB-DEADLOCK",
            "Biểu quyết không đủ 2/3 ba lần",
            "Votes that fail to reach 2/3",
            Confidence.C,
            "deadlock_failed_votes",
            "count",
            "after 3 failed votes the upper committee decides",
            shown="{deadlock_failed_votes} failed votes",
        ),
        Rule(
            "TRF-START",
            "Thời hạn làm thủ tục chuyển sinh hoạt đảng chính thức",
            "Start an official transfer",
            Confidence.C,
            "transfer_start_wd",
            "WD",
            "from the effective date of the job/retirement/demobilisation decision or the "
            "change of permanent residence",
            shown="{transfer_start_wd} WD",
        ),
        Rule(
            "TRF-PRESENT",
            "Thời hạn xuất trình giấy giới thiệu sinh hoạt đảng",
            "Present the transfer letter",
            Confidence.C,
            "transfer_present_wd",
            "WD",
            "from the date of the introduction letter",
            shown="{transfer_present_wd} WD",
        ),
        Rule(
            "TRF-TEMP",
            "Chuyển sinh hoạt đảng tạm thời",
            "Temporary transfer applies when",
            Confidence.C,
            "temporary_min_months",
            "months",
            "away 3 months to < 1 year; full-time domestic study 3 months to 2 years (2016 text)",
            shown="{temporary_min_months} months – < {temporary_max_months} months; "
            "study ≤ {temporary_study_max_months} months",
        ),
        Rule(
            "ORG-MIN",
            "Số đảng viên chính thức tối thiểu",
            "Minimum full members",
            Confidence.C,
            "org_min_full_members",
            "count",
            "a cell under 3 full members cannot validly vote",
            shown="≥ {org_min_full_members} full members",
        ),
        Rule(
            "READMIT",
            "Thời gian chờ kết nạp lại",
            "Readmission waiting period",
            Confidence.C,
            "readmit_months",
            "months",
            "60 months after expungement for a lesser crime",
            shown="{readmit_months} months ({readmit_after_expungement_months} after expungement)",
        ),
        Rule(
            "EVL-CAP",
            "Tỷ lệ hoàn thành xuất sắc nhiệm vụ",
            "Share rated excellent",
            Confidence.C,
            note="≤ 20% of those rated good (2019 guidance, C); from 2025-08-30 "
            "a 100-point scale, excellent ≥ 90 (S)",
        ),
    )
}

PROCESS_GUARDS: dict[str, str] = {
    "ADM-VERIFY": "the background is certified only after every verification result is in (§2.6)",
    "ADM-COMMENTS": "comments from work and residence and the cell committee summary (§2.7)",
    "ADM-DECIDE-EXT": "an extension of a deadline is granted once and within its bound (§1)",
    "PRB-DISCIPLINE": "discipline during probation is limited to reprimand or warning (§3)",
    "TRF-HOLD": "no official transfer under inspection, complaint or discipline review (§4)",
    "CASE-STAGE": "the case's current stage does not accept this step",
    "DATE-ORDER": "a step of a process is not dated before the step it follows",
    "RES-COMMENT": "213-QĐ/TW: each year the residence cell comments on every working member "
    "linked to it (§5)",
    "CASE-UNIQUE": "a person has at most one live admission case",
    "ORG-TREE": "the organization tree stays a tree of the kinds of §6",
    "ORG-TARGET": "an admission target is a number or a rate of start-of-year membership (§7)",
    "TRF-KIND": "an internal transfer stays inside its grassroots organization; letters hop on",
    "ORG-DISSOLVE": "a cell is dissolved only when every member has a new cell (§6)",
    "RULES-PERIOD": "no rule set was in force on the date of the act",
    "NOT-FOUND": "the command names something that does not exist",
}


def _refuse(rule_id: str, vi: str, en: str, **details: object) -> RuleViolation:
    return RuleViolation(rule_id, vi, en, **details)


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def check_not_before(on: date, *previous: date | None) -> None:
    """DATE-ORDER: a step of a process is not dated before the steps it follows."""
    known = [d for d in previous if d is not None]
    if known and on < max(known):
        last = max(known)
        raise _refuse(
            "DATE-ORDER",
            f"Ngày {_fmt(on)} sớm hơn bước trước ({_fmt(last)})",
            f"{on.isoformat()} is before the previous step ({last.isoformat()})",
        )


# --- Admission -----------------------------------------------------------------------------


def check_age(birth_date: date, meeting_on: date, provincial_consent: bool = False) -> None:
    """ADM-AGE: full 18 to full 60 in whole months on the day of the cell meeting."""
    rules = rules_at(meeting_on)
    months = whole_months_between(birth_date, meeting_on)
    if months < rules.min_age_months:
        raise _refuse(
            "ADM-AGE",
            f"Người xin vào Đảng chưa đủ 18 tuổi vào ngày họp chi bộ ({months} tháng)",
            f"The applicant is not a full 18 years old on the day of the cell meeting "
            f"({months} months)",
            months=months,
        )
    if months > rules.max_age_months and not provincial_consent:
        raise _refuse(
            "ADM-AGE",
            f"Người xin vào Đảng đã quá 60 tuổi ({months} tháng): cần văn bản đồng ý của ban "
            "thường vụ tỉnh ủy",
            f"The applicant is over 60 ({months} months): written consent of the provincial "
            "standing committee is required",
            months=months,
        )


def check_education(education: Education, exempt_area: bool) -> None:
    """ADM-EDU: lower-secondary or higher, unless the area is exempt."""
    if education is Education.primary and not exempt_area:
        raise _refuse(
            "ADM-EDU",
            "Người xin vào Đảng chưa tốt nghiệp trung học cơ sở và không thuộc vùng được miễn",
            "The applicant has no lower-secondary diploma and does not live in an exempt area",
        )


def certificate_expires(issued_on: date, judged_on: date) -> date:
    """ADM-CERT: the last day on which the certificate is still valid, by the rules in force on
    the day it is judged (the cell's vote)."""
    return add_months(issued_on, rules_at(judged_on).certificate_validity_months)


def check_certificate(issued_on: date | None, vote_on: date) -> None:
    """ADM-CERT: the certificate is valid on the day of the cell's vote (60 months inclusive)."""
    if issued_on is None:
        raise _refuse(
            "ADM-CERT",
            "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
            "No political-awareness course certificate is recorded",
        )
    if issued_on > vote_on or vote_on > certificate_expires(issued_on, vote_on):
        raise _refuse(
            "ADM-CERT",
            f"Giấy chứng nhận cấp ngày {_fmt(issued_on)} không còn giá trị vào ngày "
            f"{_fmt(vote_on)}: phải học lại lớp bồi dưỡng",
            f"The certificate issued on {issued_on} is not valid on {vote_on}: retake the course",
        )


def dossier_stale_after(document_on: date, judged_on: date) -> date:
    """ADM-DOSSIER-AGE: the last day a document still counts (stale from the day after)."""
    return add_months(document_on, rules_at(judged_on).dossier_max_age_months)


def check_dossier_age(documents: Mapping[str, date], vote_on: date) -> None:
    """ADM-DOSSIER-AGE: introducer letters and union resolutions are at most 12 months old."""
    stale = sorted(
        name for name, on in documents.items() if vote_on > dossier_stale_after(on, vote_on)
    )
    if stale:
        raise _refuse(
            "ADM-DOSSIER-AGE",
            "Hồ sơ quá 12 tháng chưa được chi bộ xem xét: phải làm lại " + ", ".join(stale),
            "The dossier is over 12 months old: redo " + ", ".join(stale),
            stale=stale,
        )


def check_introductions(
    introductions: Iterable[Introduction],
    *,
    youth_union_member: bool,
    trade_union_member: bool,
    unit_has_youth_union: bool,
) -> None:
    """ADM-INTRO: who may introduce, and ADM-INTRO-TIME for each member introducer."""
    intros = list(introductions)
    kinds = sorted(i.kind for i in intros)
    members = [i for i in intros if i.kind is IntroducerKind.full_member]
    if len(intros) != 2 or not members:
        raise _refuse(
            "ADM-INTRO",
            "Cần hai người giới thiệu, trong đó ít nhất một đảng viên chính thức",
            "Two introducers are required, at least one of them a full member",
            kinds=kinds,
        )
    org = next((i for i in intros if i.kind is not IntroducerKind.full_member), None)
    if youth_union_member and (org is None or org.kind is not IntroducerKind.youth_union_executive):
        raise _refuse(
            "ADM-INTRO",
            "Đoàn viên xin vào Đảng phải được ban chấp hành đoàn cơ sở và một đảng viên chính "
            "thức giới thiệu",
            "A youth-union member is introduced by the youth-union executive and one full member",
        )
    if (
        org is not None
        and org.kind is IntroducerKind.youth_union_executive
        and not youth_union_member
    ):
        raise _refuse(
            "ADM-INTRO",
            "Ban chấp hành đoàn chỉ giới thiệu đoàn viên",
            "The youth-union executive introduces only youth-union members",
        )
    if (
        org is not None
        and org.kind is IntroducerKind.trade_union_executive
        and (not trade_union_member or unit_has_youth_union)
    ):
        raise _refuse(
            "ADM-INTRO",
            "Ban chấp hành công đoàn chỉ giới thiệu đoàn viên công đoàn ở nơi không có tổ chức "
            "đoàn",
            "The trade-union executive introduces only its members, where there is no youth union",
        )
    for intro in members:
        check_introducer_time(intro)


def check_introducer_time(intro: Introduction) -> None:
    """ADM-INTRO-TIME: a full member, with the applicant ≥ 12 months in the same unit."""
    if intro.member_status != "full":
        raise _refuse(
            "ADM-INTRO-TIME",
            "Người giới thiệu phải là đảng viên chính thức (đảng viên dự bị không được giới thiệu)",
            "An introducer must be a full member (probationary members cannot introduce)",
            member_id=str(intro.member_id),
        )
    months = (
        whole_months_between(intro.together_since, intro.letter_on)
        if intro.together_since and intro.together_since <= intro.letter_on
        else 0
    )
    needed = rules_at(intro.letter_on).introducer_min_months_together
    if months < needed or not intro.same_grassroots:
        raise _refuse(
            "ADM-INTRO-TIME",
            f"Người giới thiệu phải công tác cùng người xin vào Đảng ít nhất {needed} tháng "
            f"trong cùng đơn vị, cùng tổ chức cơ sở đảng ({months} tháng)",
            f"The introducer must have worked with the applicant for at least {needed} months "
            f"in the same unit under the same grassroots organization ({months} months)",
            months=months,
        )


def vote_passes(ballot: Ballot) -> bool:
    """ADM-VOTE-CELL, ADM-VOTE-COMMITTEE, PRB-REVIEW: at least 2/3 of the denominator."""
    num, den = rules_at(ballot.held_on).vote_threshold
    return ballot.denominator > 0 and ballot.votes_for * den >= num * ballot.denominator


def check_ballot(ballot: Ballot, rule_id: str) -> None:
    """The ballot's numbers are consistent (a vote of the rule `rule_id`)."""
    if (
        min(ballot.on_roll, ballot.excused, ballot.votes_for, ballot.votes_against) < 0
        or ballot.denominator <= 0
        or ballot.votes_for + ballot.votes_against > ballot.denominator
    ):
        raise _refuse(
            rule_id,
            "Số liệu biểu quyết không hợp lệ: số phiếu vượt quá số người có quyền biểu quyết",
            "The ballot is inconsistent: more votes than members entitled to vote",
        )


def check_org_min(full_members: int, on: date) -> None:
    """ORG-MIN: a cell under 3 full members cannot validly vote."""
    need = rules_at(on).org_min_full_members
    if full_members < need:
        raise _refuse(
            "ORG-MIN",
            f"Chi bộ chỉ có {full_members} đảng viên chính thức (cần ít nhất {need}): "
            "không đủ điều kiện biểu quyết",
            f"The cell has {full_members} full members (at least {need} needed): it cannot "
            "validly vote",
            full_members=full_members,
        )


def check_deciding_committee(decided_by_kind: OrgKind, expected: bool, on: date) -> None:
    """ADM-DECIDE (authority): the directly-superior committee of the grassroots organization
    (or the grassroots committee authorised to admit); a district committee only before the
    district tier was abolished."""
    if decided_by_kind is OrgKind.district_committee and not district_tier_exists(on):
        raise _refuse(
            "ADM-DECIDE",
            "Từ 01/07/2025 không còn cấp huyện: cấp ủy cấp trên trực tiếp là đảng ủy xã/phường",
            "From 2025-07-01 there is no district tier: the commune/ward committee decides",
        )
    if not expected:
        raise _refuse(
            "ADM-DECIDE",
            "Tổ chức ra quyết định không phải cấp ủy có thẩm quyền của tổ chức cơ sở đảng",
            "The deciding organization is not the competent committee of the grassroots "
            "organization",
        )


def check_extension(rule_id: str, already_extended: bool, extra_wd: int, on: date) -> None:
    """ADM-DECIDE-EXT: one extension, bounded by the rule (ADM-DECIDE or PRB-DECIDE)."""
    rules = rules_at(on)
    bound = rules.decide_extension_wd if rule_id == "ADM-DECIDE" else rules.recognition_extension_wd
    if already_extended or not 0 < extra_wd <= bound:
        raise _refuse(
            "ADM-DECIDE-EXT",
            f"Chỉ được gia hạn một lần, tối đa {bound} ngày làm việc ({rule_id})",
            f"One extension only, of at most {bound} working days ({rule_id})",
            rule=rule_id,
        )


def check_ceremony_on_time(held_on: date, due: date, approved_delay_until: date | None) -> None:
    """ADM-CEREMONY: within 30 WD of the cell receiving the decision, or an approved delay."""
    limit = max(due, approved_delay_until or due)
    if held_on > limit:
        raise _refuse(
            "ADM-CEREMONY",
            f"Lễ kết nạp quá hạn ({_fmt(due)}) mà chưa được cấp ủy cấp trên trực tiếp đồng ý "
            "cho lùi",
            f"The ceremony is past its due date ({due}) without the directly-superior "
            "committee's approval of a delay",
            due=due.isoformat(),
        )


def check_readmission(left_on: date, applied_on: date, expunged_lesser_crime: bool) -> None:
    """READMIT: 36 months after leaving; 60 after the expungement of a lesser crime (then
    `left_on` is the expungement date)."""
    rules = rules_at(applied_on)
    wait = rules.readmit_after_expungement_months if expunged_lesser_crime else rules.readmit_months
    if applied_on < add_months(left_on, wait):
        raise _refuse(
            "READMIT",
            f"Chưa đủ {wait} tháng kể từ ngày {_fmt(left_on)} (ra khỏi Đảng hoặc xóa án tích)",
            f"Less than {wait} months since {left_on} (leaving the Party, or the expungement)",
            wait_months=wait,
        )


# --- Probation -----------------------------------------------------------------------------


def counting_rules(on: date) -> RuleSet:
    """The rules that measure a member who joined before the first rule set we encode: the
    first one, whose core numbers did not change (§0). For measuring, never for refusing."""
    return rules_at(max(on, RULE_SETS[0].in_force_from))


def probation_ends(ceremony_on: date) -> date:
    """PRB-LENGTH: twelve calendar months from the ceremony."""
    return add_months(ceremony_on, counting_rules(ceremony_on).probation_months)


def full_membership_effective(ceremony_on: date) -> date:
    """PRB-EFFECTIVE: always the end of probation, however late the decision came."""
    return probation_ends(ceremony_on)


def check_registered_member(
    born: date, decided: date, joined: date, full_from: date | None
) -> None:
    """A member registered from the paper dossier: born, then decided on (DATE-ORDER), then
    joined at the ceremony; full member from exactly the end of probation (PRB-EFFECTIVE).
    `field` in the refusal's details names the date at fault."""
    for name, before, after in (("decided_on", born, decided), ("joined_on", decided, joined)):
        if after < before or after == born:
            raise _refuse(
                "DATE-ORDER",
                f"Ngày {_fmt(after)} sớm hơn ngày đứng trước nó ({_fmt(before)})",
                f"{after.isoformat()} is earlier than the date it follows ({before.isoformat()})",
                field=name,
            )
    effective = full_membership_effective(joined)
    if full_from is not None and full_from != effective:
        raise _refuse(
            "PRB-EFFECTIVE",
            f"Ngày chính thức là ngày hết thời gian dự bị ({_fmt(effective)})",
            f"Full membership takes effect when the probation ends ({effective.isoformat()})",
            field="full_from",
        )


def deadlocked(failed_votes: int, on: date) -> bool:
    """PRB-DEADLOCK: after 3 failed votes the upper committee decides."""
    return failed_votes >= counting_rules(on).deadlock_failed_votes


def check_probation_discipline(penalty: str) -> None:
    """PRB-DISCIPLINE: only reprimand or warning for a probationary member."""
    if penalty not in ("reprimand", "warning"):
        raise _refuse(
            "PRB-DISCIPLINE",
            "Đảng viên dự bị chỉ bị kỷ luật khiển trách hoặc cảnh cáo",
            "A probationary member may only be reprimanded or warned",
        )


# --- Transfers -----------------------------------------------------------------------------


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


# --- Evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRules:
    """EVL-CAP: annual evaluation (132-QĐ/TW 2018 → 124-QĐ/TW 2023 → 366-QĐ/TW 2025-08-30)."""

    in_force_from: date
    regulation: str
    excellent_share_of_good: tuple[int, int] | None = (1, 5)
    excellent_min_score: int | None = None
    confidence: Confidence = Confidence.C


EVALUATION_RULES: tuple[EvaluationRules, ...] = (
    EvaluationRules(date(2018, 1, 1), "132-QĐ/TW (2018)"),
    EvaluationRules(date(2023, 1, 1), "124-QĐ/TW (2023)"),
    EvaluationRules(date(2025, 8, 30), "366-QĐ/TW (2025)", None, 90, Confidence.S),
)


def evaluation_rules_at(on: date) -> EvaluationRules:
    in_force = [r for r in EVALUATION_RULES if r.in_force_from <= on]
    if not in_force:
        raise _refuse(
            "RULES-PERIOD",
            f"Không có quy định đánh giá nào có hiệu lực vào ngày {_fmt(on)}",
            f"No evaluation regulation was in force on {on.isoformat()}",
        )
    return in_force[-1]


def check_excellent_rating(
    on: date, *, excellent: int, good: int, score: int | None = None
) -> None:
    """EVL-CAP: the share rated excellent (before 2025-08-30), or the score (from then)."""
    rules = evaluation_rules_at(on)
    if rules.excellent_share_of_good is not None:
        num, den = rules.excellent_share_of_good
        if excellent * den > num * good:
            raise _refuse(
                "EVL-CAP",
                "Số đảng viên hoàn thành xuất sắc nhiệm vụ vượt 20% số hoàn thành tốt nhiệm vụ",
                "More members rated excellent than 20% of those rated good",
            )
    elif rules.excellent_min_score is not None and (score or 0) < rules.excellent_min_score:
        raise _refuse(
            "EVL-CAP",
            f"Hoàn thành xuất sắc nhiệm vụ cần từ {rules.excellent_min_score} điểm",
            f"An excellent rating needs a score of {rules.excellent_min_score} or more",
        )


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


def working_days_overdue(due: date, on: date, calendar: WorkingCalendar | None = None) -> int:
    """Working days past `due` on `on` (negative: days left)."""
    return (calendar or vietnam_calendar()).working_days_between(due, on)


def source_of(rule: Rule, on: date) -> str:
    """The documents a rule is read from on a date."""
    if rule.id == "EVL-CAP":
        return evaluation_rules_at(on).regulation
    return rules_at(on).sources


def describe(rule: Rule, on: date) -> str:
    """The rule's value in force on a date, briefly, for people (`dangvien rules`)."""
    if rule.id == "EVL-CAP":
        evaluation = evaluation_rules_at(on)
        if evaluation.excellent_share_of_good:
            num, den = evaluation.excellent_share_of_good
            return f"≤ {num}/{den} of 'good'"
        return f"score ≥ {evaluation.excellent_min_score}"
    return rule.shown.format(**vars(rules_at(on)))
