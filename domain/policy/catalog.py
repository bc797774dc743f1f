"""The rule catalog: every rule of docs/rules.md with its title, its value's name, its
confidence and readings; the rules not encoded, each with why; and the guards of the processes
that are ours rather than the rulebook's."""

from __future__ import annotations

from datetime import date

from domain.policy.rulesets import Confidence, Reading, Rule, rules_at, sources_at

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
            readings=(
                Reading(
                    "tính tuổi theo tháng tròn",
                    "age in whole months",
                    Confidence.I,
                    "full 18 to full 60 read as 216 to 720 whole months on the meeting day",
                    "min_age_months, max_age_months",
                ),
            ),
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
            readings=(
                Reading(
                    "thời hạn 60 tháng",
                    "the 60-month validity",
                    Confidence.S,
                    "valid through the issue date + 60 months, inclusive, judged on the day of "
                    "the cell's vote",
                    "certificate_validity_months",
                ),
            ),
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
            readings=(
                Reading(
                    "thời hạn 12 tháng",
                    "the 12-month limit",
                    Confidence.S,
                    "an introducer letter older than 12 months on the day of the vote blocks "
                    "it until the slot is assigned anew",
                    "dossier_max_age_months",
                ),
            ),
        ),
        Rule(
            "ADM-INTRO",
            "Người giới thiệu",
            "Introducers",
            Confidence.C,
            note="2 full members; or youth-union executive + 1 full member for youth-union "
            "members; or trade-union executive + 1 full member where there is no youth union",
            shown="2 introducers",
            readings=(
                Reading(
                    "thay người giới thiệu",
                    "replacing an introducer",
                    Confidence.I,
                    "an introducer who left the grassroots organization, was disciplined or is "
                    "no longer a full member on the day of the vote is replaced before it",
                    "replace_departed_introducers",
                ),
            ),
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
            readings=(
                Reading(
                    "mẫu số",
                    "the denominator",
                    Confidence.S,
                    "the full members on the roll on the meeting day, less those temporarily "
                    "transferred out or exempted who do not vote",
                    "denominator_excuses_absent",
                ),
            ),
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
            readings=(
                Reading(
                    "nghị quyết không đạt",
                    "a failed resolution",
                    Confidence.C,
                    "a grassroots committee authorised to admit decides by its own vote, so "
                    "not after that vote failed (it may refuse); a committee above decides on "
                    "the full report either way",
                ),
            ),
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
            readings=(
                Reading(
                    "cấp ủy cấp trên trực tiếp",
                    "the directly-superior committee",
                    Confidence.C,
                    "the committee directly above the cell (its intermediate or grassroots "
                    "committee) approves a later ceremony",
                ),
            ),
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
            readings=(
                Reading(
                    "chuyển sinh hoạt khi dự bị",
                    "a transfer during probation",
                    Confidence.I,
                    "a probationer may be transferred; the dossier travels and the 12 months "
                    "keep running",
                    "probationers_may_transfer",
                ),
            ),
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
            readings=(
                Reading(
                    "cấp ủy cấp trên",
                    "the upper committee",
                    Confidence.C,
                    "the directly-superior committee that is competent (the PRB-DECIDE "
                    "committee) hears the deadlock and decides without the cell's resolution",
                ),
            ),
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
            readings=(
                Reading(
                    "văn bản 2016",
                    "the 2016 text",
                    Confidence.C,
                    "the 2016 bounds hold in every later period (the core numbers did not "
                    "change); the study bound is inclusive, the work bound is not",
                    "temporary_min_months, temporary_max_months, temporary_study_max_months",
                ),
            ),
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
    )
}

# Rules of the rulebook this product deliberately does not encode, each with why
# (docs/rules.md, "Not encoded"): they stay listed so that none is lost silently.
NOT_ENCODED: dict[str, tuple[str, str]] = {
    "EVL-CAP": (
        "Đánh giá, xếp loại đảng viên hằng năm không thuộc quy trình kết nạp, dự bị, chuyển "
        "sinh hoạt; trần 20% tính trên cả tổ chức cơ sở đảng và từ 30/08/2025 bị thay bằng "
        "thang 100 điểm (cần xác minh)",
        "The yearly rating of members is not a step of admission, probation or transfer; the "
        "20% cap is counted over a whole grassroots organization, and from 2025-08-30 gave "
        "way to a 100-point scale (secondary source)",
    ),
}

PROCESS_GUARDS: dict[str, str] = {
    "ADM-VERIFY": "the background is certified only after every verification result is in (§2.6)",
    "ADM-COMMENTS": "comments from work and residence and the cell committee summary (§2.7)",
    "ADM-DECIDE-EXT": "an extension of a deadline is granted once and within its bound (§1)",
    "PRB-DISCIPLINE": "discipline during probation is limited to reprimand or warning (§3)",
    "PRB-DOSSIER": "the cell votes on recognition once the self-review, the helper's comments, "
    "the comments of the unions and of the residence (or their recorded exemption) and the "
    "new-member course's certificate are in (§3)",
    "TRF-HOLD": "no official transfer under inspection, complaint or discipline review; "
    "retiring then, only a temporary transfer to the residence (§4)",
    "CASE-STAGE": "the case's current stage does not accept this step",
    "DATE-ORDER": "a step of a process is not dated before the step it follows",
    "RES-COMMENT": "213-QĐ/TW: each year the residence cell comments on every working member "
    "linked to it (§5)",
    "CASE-UNIQUE": "a person has at most one live admission case",
    "ORG-TREE": "the organization tree stays a tree of the kinds of §6",
    "ORG-TARGET": "an admission target is a number or a rate of start-of-year membership (§7)",
    "TRF-KIND": "an internal transfer stays inside its grassroots organization; letters hop on",
    "TRF-CANCEL": "a transfer is cancelled by its sending side (the sending cell or a "
    "committee above it), never by the receiving side (§4)",
    "ORG-DISSOLVE": "a cell is dissolved only when every member has a new cell (§6)",
    "ORG-DISSOLVE-TRANSFER": "a cell is not dissolved while a transfer out of it, into it or "
    "away from it is under way: each is completed or cancelled first (§4, §6)",
    "TRF-IN-FLIGHT": "a member has one transfer under way at a time, accepted only from the "
    "cell it left (§4, §6: nobody moved twice)",
    "RULES-PERIOD": "no rule set was in force on the date of the act",
    "NOT-FOUND": "the command names something that does not exist",
    # papers (docs/documents.md)
    "PAPER-STEP": "a paper is issued once the step it records has happened, not dated before it",
    "PAPER-ONCE": "a case has one live paper of each kind: a correction supersedes it",
    "PAPER-SUPERSEDED": "a paper is superseded once; it is never edited",
    "TRF-LETTER-CODE": "the receiving side accepts a transfer whose letter dangvien issued only "
    "with the code of its live letter (§4, issue 16)",
}


def source_of(rule: Rule, on: date) -> str:
    """The documents a rule is read from on a date."""
    return sources_at(on)


def describe(rule: Rule, on: date) -> str:
    """The rule's value in force on a date, briefly, for people (`dangvien rules`)."""
    return rule.shown.format(**vars(rules_at(on)))
