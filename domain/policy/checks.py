"""The checks of the rulebook: each raises `RuleViolation` naming its rule id (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from domain.calendar import add_months, whole_months_between
from domain.policy.rulesets import (
    RULE_SETS,
    RuleSet,
    _fmt,
    _refuse,
    district_tier_exists,
    rules_at,
)
from domain.stages import Status
from domain.values import (
    Ballot,
    Education,
    IntroducerKind,
    Introduction,
    OrgKind,
)


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


def check_not_after_today(on: date, today: date, field: str = "on") -> None:
    """DATE-ORDER: a fact is recorded once it happened: its effective date is not after
    the day it is recorded (a registration, a rename, a dissolution…)."""
    if on > today:
        raise _refuse(
            "DATE-ORDER",
            f"Ngày {_fmt(on)} chưa đến: chỉ ghi nhận việc đã diễn ra",
            f"{on.isoformat()} has not come yet: only what has happened is recorded",
            field=field,
        )


def check_no_live_units(units: int) -> None:
    """ORG-DISSOLVE: a committee is dissolved only once no organization under it remains
    (each dissolved or moved under another parent first), as a cell only once no member
    remains."""
    if units:
        raise _refuse(
            "ORG-DISSOLVE",
            f"Còn {units} tổ chức trực thuộc: giải thể hoặc chuyển chúng sang cấp trên khác trước",
            f"{units} organizations still sit under it: dissolve them or move them first",
            field="on",
            units=units,
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
    if intro.member_status != Status.full:
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


def votes_needed(denominator: int, on: date) -> int:
    """ADM-VOTE-CELL, ADM-VOTE-COMMITTEE, PRB-REVIEW: the fewest votes for that reach 2/3 of
    the denominator (16 entitled to vote: 11)."""
    num, den = rules_at(on).vote_threshold
    return -(-num * max(denominator, 0) // den)


def vote_passes(ballot: Ballot) -> bool:
    """ADM-VOTE-CELL, ADM-VOTE-COMMITTEE, PRB-REVIEW: at least 2/3 of the denominator."""
    return ballot.denominator > 0 and ballot.votes_for >= votes_needed(
        ballot.denominator, ballot.held_on
    )


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


def check_deciding_committee(
    decided_by_kind: OrgKind, expected: bool, on: date, rule_id: str = "ADM-DECIDE"
) -> None:
    """Who may decide, on admission (ADM-DECIDE) and on recognition or striking off
    (PRB-DECIDE, PRB-DEADLOCK): the committee the tree names (`expected`), and never a
    district committee once the district tier was abolished, even where the tree still shows
    one (a re-parenting of 2025 not yet recorded)."""
    if decided_by_kind is OrgKind.district_committee and not district_tier_exists(on):
        raise _refuse(
            rule_id,
            "Từ 01/07/2025 không còn cấp huyện: cấp ủy cấp trên trực tiếp là đảng ủy xã/phường",
            "From 2025-07-01 there is no district tier: the commune/ward committee decides",
        )
    if not expected:
        raise _refuse(
            rule_id,
            "Tổ chức ra quyết định không phải cấp ủy có thẩm quyền của tổ chức cơ sở đảng",
            "The deciding organization is not the competent committee of the grassroots "
            "organization",
        )


def check_own_resolution(ballot: Ballot, passed: bool) -> None:
    """ADM-VOTE-COMMITTEE: a grassroots committee authorised to admit decides by its own
    resolution, so only when its vote reached 2/3 (it may still refuse). A committee above it
    decides on the full report of the vote, passed or not."""
    if not passed:
        votes = f"{ballot.votes_for}/{ballot.denominator}"
        raise _refuse(
            "ADM-VOTE-COMMITTEE",
            f"Nghị quyết của đảng ủy cơ sở không đạt 2/3 ({votes}): đảng ủy không thể quyết định "
            "kết nạp",
            f"The grassroots committee's vote fell short of 2/3 ({votes}): it cannot decide to "
            "admit",
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


def check_ceremony_on_time(held_on: date, due: date) -> None:
    """ADM-CEREMONY: by its due date (`ceremony_due`: 30 WD from the cell receiving the
    decision, or the approved delay)."""
    if held_on > due:
        raise _refuse(
            "ADM-CEREMONY",
            f"Lễ kết nạp quá hạn ({_fmt(due)}) mà chưa được cấp ủy cấp trên trực tiếp đồng ý "
            "cho lùi",
            f"The ceremony is past its due date ({due}) without the directly-superior "
            "committee's approval of a delay",
            due=due.isoformat(),
        )


def check_readmission(left_on: date, applied_on: date, expunged_on: date | None = None) -> None:
    """READMIT: 36 months after leaving the Party, however one left; and where one left for
    a lesser crime whose record was since expunged, 60 months after the expungement too."""
    rules = rules_at(applied_on)
    waits = [(left_on, rules.readmit_months, "ra khỏi Đảng", "leaving the Party")]
    if expunged_on is not None:
        waits.append(
            (expunged_on, rules.readmit_after_expungement_months, "xóa án tích", "the expungement")
        )
    for since, wait, vi, en in waits:
        if applied_on < add_months(since, wait):
            raise _refuse(
                "READMIT",
                f"Chưa đủ {wait} tháng kể từ ngày {vi} ({_fmt(since)})",
                f"Less than {wait} months since {en} ({since.isoformat()})",
                wait_months=wait,
                since=since.isoformat(),
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


def check_probationer_transfer(on: date) -> None:
    """PRB-LENGTH: a probationer may be transferred, the twelve months running on (I: the
    setting `probationers_may_transfer`)."""
    if not rules_at(on).probationers_may_transfer:
        raise _refuse(
            "PRB-LENGTH",
            "Theo thiết lập hiện hành, đảng viên dự bị không chuyển sinh hoạt đảng",
            "Under the current setting a probationary member is not transferred",
        )


PROBATION_PENALTIES = ("reprimand", "warning")  # PRB-DISCIPLINE
# A full member's discipline is out of scope but recorded; expulsion is a departure
# (RecordDeparture), not a penalty kept on the roll.
PENALTIES = (*PROBATION_PENALTIES, "dismissal")


def penalties_for(probationary: bool) -> tuple[str, ...]:
    """The penalties a member may be given: a probationer only PRB-DISCIPLINE's."""
    return PROBATION_PENALTIES if probationary else PENALTIES


def check_probation_discipline(penalty: str) -> None:
    """PRB-DISCIPLINE: only reprimand or warning for a probationary member."""
    if penalty not in PROBATION_PENALTIES:
        raise _refuse(
            "PRB-DISCIPLINE",
            "Đảng viên dự bị chỉ bị kỷ luật khiển trách hoặc cảnh cáo",
            "A probationary member may only be reprimanded or warned",
        )
