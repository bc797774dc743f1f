"""The demo's story (fictional data): the commune and its tree, the hamlets, the people's
names and occupations, the candidates at each stage with the steps and typical gaps between
them, and the demo users. The code that seeds it is in `facts`, `plans` and `seed`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.values import CellSetting, Gender, OrgKind
from infra.users import Role as UserRole

REORGANISED = date(2025, 7, 1)  # the district tier goes (docs/rules.md, rule sets by period)
MIGRATED = date(2025, 1, 6)  # the paper dossiers were entered
SEED = 2026  # the generator's seed: the same demo every time
ACTOR = "demo-seed"


# --- the organizations -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: OrgKind
    parent: str | None
    established: date
    setting: CellSetting | None = None
    members: int = 0


K = OrgKind
S = CellSetting
TREE = (
    OrgSpec(
        "province", "Tỉnh ủy Hòa Sơn (dữ liệu mẫu)", K.province_committee, None, date(1947, 3, 1)
    ),
    OrgSpec("district", "Huyện ủy Sơn Đông", K.district_committee, "province", date(1948, 5, 1)),
    OrgSpec("tan-phu", "Đảng bộ xã Tân Phú", K.grassroots_committee, "district", date(1955, 4, 2)),
    OrgSpec("phu-dong", "Chi bộ thôn Phú Đông", K.cell, "tan-phu", date(1956, 1, 5), S.hamlet, 16),
    OrgSpec("phu-tay", "Chi bộ thôn Phú Tây", K.cell, "tan-phu", date(1956, 1, 5), S.hamlet, 14),
    OrgSpec("trai-moi", "Chi bộ thôn Trại Mới", K.cell, "tan-phu", date(1978, 9, 2), S.hamlet, 10),
    OrgSpec(
        "co-quan", "Chi bộ Cơ quan xã", K.cell, "tan-phu", date(1960, 3, 3), S.commune_agency, 12
    ),
    OrgSpec("cong-an", "Chi bộ Công an xã", K.cell, "tan-phu", date(1975, 8, 19), S.police, 7),
    OrgSpec(
        "y-te", "Chi bộ Trạm Y tế xã", K.cell, "tan-phu", date(1982, 2, 27), S.health_station, 6
    ),
    OrgSpec("an-lac", "Đảng bộ xã An Lạc", K.grassroots_committee, "district", date(1957, 6, 1)),
    OrgSpec(
        "an-lac-kdc",
        "Đảng bộ bộ phận khu dân cư An Lạc",
        K.intermediate_committee,
        "an-lac",
        date(2001, 5, 15),
    ),
    OrgSpec(
        "tdp-1",
        "Chi bộ tổ dân phố An Lạc 1",
        K.cell,
        "an-lac-kdc",
        date(2001, 5, 15),
        S.residential_group,
        13,
    ),
    OrgSpec(
        "tdp-2",
        "Chi bộ tổ dân phố An Lạc 2",
        K.cell,
        "an-lac-kdc",
        date(2001, 5, 15),
        S.residential_group,
        11,
    ),
    OrgSpec(
        "quan-su", "Chi bộ Quân sự xã", K.cell, "an-lac", date(1976, 12, 22), S.commune_military, 6
    ),
    OrgSpec(
        "thpt", "Đảng bộ Trường THPT Tân An", K.grassroots_committee, "district", date(1979, 9, 5)
    ),
    OrgSpec("gv-tn", "Chi bộ Tổ Khoa học tự nhiên", K.cell, "thpt", date(1990, 9, 5), S.school, 9),
    OrgSpec("gv-xh", "Chi bộ Tổ Khoa học xã hội", K.cell, "thpt", date(1990, 9, 5), S.school, 8),
    OrgSpec(
        "thcs",
        "Chi bộ Trường THCS Tân An",
        K.grassroots_cell,
        "district",
        date(1985, 9, 5),
        S.school,
        7,
    ),
)
GRASSROOTS = ("tan-phu", "an-lac", "thpt", "thcs")
COMMITTEE_SIZE = {"tan-phu": 9, "an-lac": 9, "thpt": 7, "thcs": 3}
HAMLETS = (  # the commune's hamlets and residential groups, and the cell serving each
    ("phu-dong", "Thôn Phú Đông"),
    ("phu-tay", "Thôn Phú Tây"),
    ("trai-moi", "Thôn Trại Mới"),
    ("tdp-1", "Tổ dân phố An Lạc 1"),
    ("tdp-2", "Tổ dân phố An Lạc 2"),
    ("dong-chiem", "Thôn Đồng Chiêm"),  # no cell serves it: a gap in coverage
)
RESIDENTIAL = ("phu-dong", "phu-tay", "trai-moi", "tdp-1", "tdp-2")
NO_RESIDENCE_COMMENTS = ("cong-an", "quan-su")  # living in barracks (213-QĐ/TW)


# --- the people ----------------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = words("Nguyễn Trần Lê Phạm Hoàng Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Mai")
MIDDLE = {
    Gender.male: words("Văn Đức Minh Quốc Hữu Xuân Thanh Công Đình"),
    Gender.female: words("Thị Thu Ngọc Hồng Thanh Minh"),
}
GIVEN = {
    Gender.male: words(
        "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quang Sơn Tâm Thắng Trung Tuấn Hiếu Đạt"
    ),
    Gender.female: words(
        "Anh Châu Dung Giang Hà Hoa Hương Lan Linh Mai Nga Oanh Phương Thảo Trang Yến Huyền Ngân"
    ),
}
OCCUPATION = {
    S.hamlet: ("farmer", "farmer", "self_employed", "private_enterprise_worker", "student"),
    S.residential_group: ("self_employed", "private_enterprise_worker", "foreign_invested_worker"),
    S.commune_agency: ("civil_servant",),
    S.police: ("police",),
    S.health_station: ("health_worker",),
    S.commune_military: ("soldier",),
    S.school: ("teacher",),
}
ADDRESS = {
    "tan-phu": "xã Tân An (Tân Phú cũ)",
    "an-lac": "xã Tân An (An Lạc cũ)",
    "thpt": "xã Tân An",
    "thcs": "xã Tân An",
}


# --- the candidates and transfers ----------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One demo case: the stage it awaits today, its cell, and how many days ago its last
    step was taken (for a member: how many days ago the ceremony was held)."""

    stage: str
    cell: str
    days: int


CANDIDATES = (
    Candidate("course", "phu-dong", 12),
    Candidate("course", "tdp-2", 30),
    Candidate("course", "gv-xh", 55),
    Candidate("application", "phu-tay", 9),
    Candidate("application", "co-quan", 21),
    Candidate("background", "trai-moi", 15),
    Candidate("background", "thcs", 6),
    Candidate("introducers", "phu-dong", 18),
    Candidate("introducers", "cong-an", 11),
    Candidate("verification", "tdp-1", 24),
    Candidate("verification", "gv-tn", 40),
    Candidate("comments", "y-te", 8),
    Candidate("comments", "phu-tay", 16),
    Candidate("cell_vote", "phu-dong", 5),
    Candidate("cell_vote", "quan-su", 13),
    Candidate("intermediate_appraisal", "tdp-1", 12),
    Candidate("committee_vote", "co-quan", 9),
    Candidate("committee_vote", "trai-moi", 95),  # ADM-DECIDE overdue
    Candidate("decision", "gv-tn", 20),
    Candidate("decision", "phu-tay", 100),  # overdue: escalated to the department
    Candidate("decision_extended", "tdp-2", 5),
    Candidate("ceremony", "thcs", 10),
    Candidate("ceremony", "phu-dong", 50),  # ADM-CEREMONY overdue
    Candidate("probation", "cong-an", 95),
    Candidate("probation", "phu-dong", 160),
    Candidate("probation", "gv-xh", 250),
    Candidate("review", "co-quan", 372),
    Candidate("review", "phu-tay", 440),  # PRB-REVIEW overdue
    Candidate("recognition", "tdp-1", 395),
    Candidate("full", "trai-moi", 450),
    Candidate("full", "gv-tn", 480),
    Candidate("withdrawn", "phu-dong", 40),
    Candidate("rejected", "co-quan", 70),
)
# The first step a case at each admission stage has not taken yet.
NEXT_STEP = {
    "course": "record_certificate",
    "application": "submit_application",
    "background": "declare_background",
    "introducers": "assign_introducer",
    "verification": "record_verification_result",
    "comments": "record_comment",
    "cell_vote": "record_cell_vote",
    "intermediate_appraisal": "record_intermediate_appraisal",
    "committee_vote": "record_committee_vote",
    "decision": "decide",
    "decision_extended": "decide",
    "ceremony": "hold_ceremony",
    "withdrawn": "declare_background",  # then withdrawn by the applicant
}
MEMBER_STAGES = {"probation": 1, "review": 1, "recognition": 2, "full": 3}  # member steps taken

# Typical days between one step and the next (the ones the cut keeps are back-dated from the
# last step taken).
GAP = {
    "record_certificate": 40,
    "submit_application": 12,
    "declare_background": 7,
    "assign_introducer": 8,
    "exempt_family_side": 2,
    "request_verification": 3,
    "record_verification_result": 25,
    "certify_background": 7,
    "record_comment": 5,
    "summarize_comments": 4,
    "record_cell_vote": 10,
    "record_intermediate_appraisal": 8,
    "record_committee_vote": 10,
    "extend_decision_deadline": 60,
    "decide": 25,
    "receive_decision": 6,
    "hold_ceremony": 14,
    "withdraw": 30,
}


DEMO_USERS = (  # (username, role, organization, display name)
    ("bithu.phudong", UserRole.cell_secretary, "phu-dong", "Bí thư Chi bộ thôn Phú Đông"),
    ("dangbo.tanphu", UserRole.grassroots_officer, "tan-phu", "Văn phòng Đảng ủy Tân Phú"),
    ("bantochuc.tanan", UserRole.department_officer, "commune", "Ban Tổ chức Đảng ủy xã Tân An"),
    ("kiemtra.tanan", UserRole.auditor, "commune", "Ủy ban Kiểm tra Đảng ủy xã Tân An"),
)
