"""The demo seed of `dangvien up` (dữ liệu mẫu): a commune as a new user would find it.

Everything here is generated and fictional: the province (Tỉnh ủy Hòa Sơn, "(dữ liệu mẫu)" in
its name), its organizations, names, birth dates and citizen IDs (province code 099, which no
province has). The story:

- A district committee (Huyện ủy Sơn Đông) with the grassroots committees of two communes
  (Tân Phú: hamlet cells, the commune-agency, police and health-station cells; An Lạc: an
  intermediate committee over two residential groups, and the military cell), the upper
  secondary school's grassroots committee and the lower secondary school's grassroots cell.
  On 2025-07-01 the district goes: the new commune committee, Đảng ủy xã Tân An, becomes the
  directly-superior committee of all four (DOMAIN.md §0), and registers its hamlets.
- About 120 members registered from their paper dossiers, members of agencies, schools and the
  armed forces linked to the cell where they reside (213-QĐ/TW) with last year's comments, and
  this year's admission targets.
- 33 candidates spread over every stage, from the source listing to recognition (some
  withdrawn or rejected, some overdue so that escalation has fired), and four transfers (one
  in transit, one whose letter is overdue, one temporary stay, one just started).

Facts that are not process steps go through the application service. Every candidate and
transfer runs through the real workflows: a workflow per case and one `act` update per human
step, back-dated, so each case has a live process whose timers and escalations run on today's
clock.

Idempotent: every id and command key derives from the demo's own keys, the data from a seeded
generator and from the anchor date (kept in `demo.json`), and a step its record has already
applied is not sent again. A seed interrupted half-way and run again completes the demo and
duplicates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain import policy
from domain.application import NAMESPACE, Context, Dangvien
from domain.calendar import add_months, vietnam_calendar
from domain.organization import AdmissionTarget
from domain.person import PersonalData
from domain.record import Recorded
from domain.values import Actor, CellSetting, Education, Gender, OrgKind, Role
from infra.api.schemas import parse_step
from infra.users import Role as UserRole
from infra.users import UserStore
from workflows.messages import TASK_QUEUE, Act, ActorRef, AdmissionStart, TransferStart, View

CAL = vietnam_calendar()
REORGANISED = date(2025, 7, 1)  # the district tier goes (DOMAIN.md §0)
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


@dataclass
class Planned:
    """One human step of a demo process."""

    subject: str  # admission | member | transfer
    kind: str
    on: date
    actor: ActorRef
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Process:
    """A demo process: how to start its workflow, and its steps in order."""

    workflow_id: str
    subject_id: UUID
    start: AdmissionStart | TransferStart
    steps: list[Planned]
    member_id: UUID | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    org_name: str


@dataclass(frozen=True)
class DemoResult:
    organizations: int
    members: int
    cases: int
    transfers: int
    users: list[DemoUser]


DEMO_USERS = (  # (username, role, organization, display name)
    ("bithu.phudong", UserRole.cell_secretary, "phu-dong", "Bí thư Chi bộ thôn Phú Đông"),
    ("dangbo.tanphu", UserRole.grassroots_officer, "tan-phu", "Văn phòng Đảng ủy Tân Phú"),
    ("bantochuc.tanan", UserRole.department_officer, "commune", "Ban Tổ chức Đảng ủy xã Tân An"),
    ("kiemtra.tanan", UserRole.auditor, "commune", "Ủy ban Kiểm tra Đảng ủy xã Tân An"),
)


def demo_id(kind: str, key: object) -> UUID:
    """Opaque, stable ids: a rerun of the seed finds what it made before."""
    return uuid5(NAMESPACE, f"demo/{kind}/{key}")


def workday(d: date) -> date:
    """Meetings and letters fall on working days: the working day on or before `d`."""
    while not CAL.is_working_day(d):
        d -= timedelta(days=1)
    return d


class DemoSeed:
    """Builds the demo on the application and the workflows (see the module docstring)."""

    def __init__(self, app: Dangvien, client: Client, today: date, concurrency: int = 6) -> None:
        self.app = app
        self.client = client
        self.today = today
        self.r = random.Random(SEED)  # noqa: S311 — made-up data, not secrets
        self.concurrency = concurrency
        self.orgs: dict[str, UUID] = {}
        self.parent_of: dict[str, str] = {}
        self.members: dict[str, list[UUID]] = {}
        self.citizen = 0
        self.candidates: list[Process] = []
        self.transfers: list[Process] = []

    # --- plumbing -----------------------------------------------------------------------------

    def ctx(self, key: str, role: Role = Role.administrator, org: str = "province") -> Context:
        org_id = self.orgs.get(org, UUID(int=0))
        return Context(Actor(ACTOR, role, org_id), f"demo/{key}")

    def actor(self, role: Role, org: str) -> ActorRef:
        return ActorRef(ACTOR, str(role), self.orgs[org])

    def grassroots(self, cell: str) -> str:
        key = cell
        while key not in GRASSROOTS:
            key = self.parent_of[key]
        return key

    # --- the whole seed -----------------------------------------------------------------------

    async def run(self, users: UserStore | None = None) -> DemoResult:
        """Facts first (in a thread: the application is synchronous), then the processes:
        every case concurrently, then the transfers (which change rolls)."""
        await asyncio.to_thread(self.record_facts)
        limit = asyncio.Semaphore(self.concurrency)

        async def drive(process: Process) -> None:
            async with limit:
                await self.drive(process)

        await asyncio.gather(*(drive(p) for p in self.candidates))
        for process in self.transfers:
            await self.drive(process)
        made = await asyncio.to_thread(self.demo_users, users) if users else []
        return DemoResult(
            organizations=len(self.orgs),
            members=sum(len(m) for m in self.members.values()),
            cases=len(self.candidates),
            transfers=len(self.transfers),
            users=made,
        )

    def record_facts(self) -> None:
        """The facts, and the plan of every process (the same on every run)."""
        self.r = random.Random(SEED)  # noqa: S311 — made-up data, not secrets
        self.citizen = 0
        self.build_tree()
        self.register_members()
        self.link_residences()
        self.set_targets()
        self.candidates = [self.plan_case(n, c) for n, c in enumerate(CANDIDATES, 1)]
        self.transfers = self.plan_transfers()

    # --- organizations, hamlets, members, targets ------------------------------------------------

    def build_tree(self) -> None:
        app = self.app
        for spec in TREE:
            self.orgs[spec.key] = org_id = demo_id("org", spec.key)
            if spec.parent:
                self.parent_of[spec.key] = spec.parent
            app.register_organization(
                self.ctx(f"org/{spec.key}"),
                kind=spec.kind,
                name=spec.name,
                parent_id=self.orgs[spec.parent] if spec.parent else None,
                established_on=spec.established,
                setting=spec.setting,
                org_id=org_id,
            )
        # 2025-07-01: the commune committee becomes the directly-superior committee.
        self.orgs["commune"] = demo_id("org", "commune")
        app.register_organization(
            self.ctx("org/commune"),
            kind=OrgKind.commune_committee,
            name="Đảng ủy xã Tân An",
            parent_id=self.orgs["province"],
            established_on=REORGANISED,
            org_id=self.orgs["commune"],
        )
        for key in GRASSROOTS:
            app.reparent_organization(
                self.ctx(f"reparent/{key}"), self.orgs[key], self.orgs["commune"], REORGANISED
            )
            self.parent_of[key] = "commune"
        app.dissolve_organization(self.ctx("dissolve/district"), self.orgs["district"], REORGANISED)
        registered = date(2025, 7, 21)
        officer = Role.org_department_officer
        for key, name in HAMLETS:
            app.register_hamlet(
                self.ctx(f"hamlet/{key}", officer, "commune"),
                self.orgs["commune"],
                key,
                name,
                registered,
            )
            if key in self.orgs:
                app.serve_hamlets(
                    self.ctx(f"serve/{key}", officer, "commune"),
                    self.orgs[key],
                    self.orgs["commune"],
                    (key,),
                    registered,
                )

    def person(self, setting: CellSetting, born: date, address: str) -> PersonalData:
        r = self.r
        self.citizen += 1
        gender = Gender.female if r.random() < 0.45 else Gender.male
        name = f"{r.choice(SURNAMES)} {r.choice(MIDDLE[gender])} {r.choice(GIVEN[gender])}"
        century = (0 if born.year < 2000 else 2) + (1 if gender is Gender.female else 0)
        age = (self.today - born).days // 365
        return PersonalData(
            full_name=name,
            birth_date=born,
            # 099: a province code nobody has, so no demo ID is anyone's real one.
            citizen_id=f"099{century}{born.year % 100:02d}{self.citizen:06d}",
            gender=gender,
            ethnicity=r.choices(("Kinh", "Mường", "Tày", "Dao"), (88, 6, 4, 2))[0],
            religion=r.choices((None, "Công giáo", "Phật giáo"), (86, 8, 6))[0],
            address=address,
            education=Education.upper_secondary if r.random() < 0.85 else Education.lower_secondary,
            youth_union_member=age <= 30 and r.random() < 0.8,
            trade_union_member=setting not in (S.hamlet, S.residential_group) and r.random() < 0.7,
            occupation=r.choice(OCCUPATION[setting]),
        )

    def register_members(self) -> None:
        """Members admitted before dangvien, from their paper dossiers."""
        app, r = self.app, self.r
        for spec in TREE:
            if not spec.members:
                continue
            assert spec.setting is not None
            ids = []
            for i in range(spec.members):
                first = max(spec.established.year + 1, 1972)
                joined = workday(date(r.randint(first, 2021), r.randint(1, 12), r.randint(1, 28)))
                born = joined - timedelta(days=r.randint(20 * 365, 42 * 365))
                where = f"{spec.name.removeprefix('Chi bộ ')}, {ADDRESS[self.grassroots(spec.key)]}"
                data = self.person(spec.setting, born, where)
                person_id = app.register_person(self.ctx(f"person/{spec.key}/{i}"), data, MIGRATED)
                ids.append(
                    app.register_member(
                        self.ctx(f"member/{spec.key}/{i}"),
                        person_id=person_id,
                        cell_id=self.orgs[spec.key],
                        joined_on=joined,
                        decided_on=joined - timedelta(days=r.randint(7, 30)),
                        full_from=policy.probation_ends(joined),
                    )
                )
            self.members[spec.key] = ids

    def link_residences(self) -> None:
        """213-QĐ/TW: members of agencies, schools and the armed forces keep contact with the
        cell where they reside; last year's comments are in."""
        app, r = self.app, self.r
        for spec in TREE:
            if spec.setting is None or spec.setting.is_residential or not spec.members:
                continue
            for i, member_id in enumerate(self.members[spec.key]):
                if r.random() > 0.7:
                    continue
                home = r.choice(RESIDENTIAL)
                secretary = Role.cell_secretary
                app.link_residence(
                    self.ctx(f"link/{spec.key}/{i}", secretary, spec.key),
                    member_id,
                    self.orgs[home],
                    date(2025, 2, 17),
                )
                if spec.key not in NO_RESIDENCE_COMMENTS:
                    app.record_residence_comment(
                        self.ctx(f"comment/{spec.key}/{i}", secretary, home),
                        member_id,
                        2025,
                        r.random() < 0.95,
                        date(2025, 11, 14),
                    )

    def set_targets(self) -> None:
        """This year's targets (chỉ tiêu kết nạp): the commune's, and each grassroots
        organization's (a number, or a rate of its membership at the start of the year)."""
        year = self.today.year
        on = workday(date(year, 1, 12))
        officer = Role.org_department_officer
        targets = {
            "commune": AdmissionTarget(year, count=10),
            "tan-phu": AdmissionTarget(
                year,
                rate_percent=5.0,
                start_of_year_members=sum(
                    len(self.members[c]) for c in ("phu-dong", "phu-tay", "trai-moi", "co-quan")
                )
                + len(self.members["cong-an"])
                + len(self.members["y-te"]),
            ),
            "an-lac": AdmissionTarget(year, count=3),
            "thpt": AdmissionTarget(year, count=2),
            "thcs": AdmissionTarget(year, count=1),
        }
        for key, target in targets.items():
            self.app.set_target(
                self.ctx(f"target/{year}/{key}", officer, "commune"), self.orgs[key], target, on
            )

    # --- a case's steps -------------------------------------------------------------------------

    def full_members(self, cell: str, count: int, start: int = 0) -> list[UUID]:
        """Introducers and helpers come from the first members of the roll (the last ones are
        the ones who transfer)."""
        pool = self.members[cell][: max(4, len(self.members[cell]) - 2)]
        return [pool[(start + i) % len(pool)] for i in range(count)]

    def plan_case(self, n: int, c: Candidate) -> Process:
        r, app = self.r, self.app
        cell_id = self.orgs[c.cell]
        spec = next(s for s in TREE if s.key == c.cell)
        assert spec.setting is not None
        grassroots = self.grassroots(c.cell)
        intermediate = self.parent_of[c.cell] == "an-lac-kdc"
        age = r.randint(20, 38) if spec.setting is not S.school else r.randint(24, 40)
        born = self.today - timedelta(days=age * 365 + r.randint(0, 364))
        address = f"{spec.name.removeprefix('Chi bộ ')}, {ADDRESS[grassroots]}"
        data = self.person(spec.setting, born, address)
        case_id = demo_id("case", n)
        secretary = self.actor(Role.cell_secretary, c.cell)
        steps = self.admission_path(n, c, data, intermediate)
        # Keep the steps a case at this stage has taken, back-dated from the last one
        # (`days` ago; for a member, the ceremony).
        kinds = [kind for kind, _, _ in steps]
        if c.stage == "rejected":
            steps = steps[: kinds.index("record_cell_vote") + 1]
        elif c.stage in NEXT_STEP:
            steps = steps[: kinds.index(NEXT_STEP[c.stage])]
        if c.stage == "withdrawn":
            steps.append(("withdraw", secretary, {"reason": "Chuyển đi làm ăn xa, xin rút hồ sơ"}))
        gaps = [
            GAP[kind] if i == 0 or steps[i - 1][0] != kind else 2
            for i, (kind, _, _) in enumerate(steps)
        ]
        opened = self.today - timedelta(days=c.days + sum(gaps))
        dates = [workday(opened + timedelta(days=sum(gaps[: i + 1]))) for i in range(len(gaps))]
        opened = workday(opened)
        planned = [
            self.dated(kind, on, actor, args, c.cell)
            for (kind, actor, args), on in zip(steps, dates, strict=True)
        ]
        member_id = None
        if c.stage in MEMBER_STAGES:
            member_id = uuid5(NAMESPACE, f"member/{case_id}")  # as hold_ceremony names it
            planned += self.probation(c, dates[-1], grassroots)[: MEMBER_STAGES[c.stage]]
        person_id = app.register_person(
            self.ctx(f"candidate/{n}", Role.cell_secretary, c.cell), data, opened
        )
        helper = self.full_members(c.cell, 1, start=n + 5)[0]
        return Process(
            workflow_id=f"admission-{case_id}",
            subject_id=case_id,
            start=AdmissionStart(case_id, person_id, cell_id, opened, secretary, helper),
            steps=planned,
            member_id=member_id,
        )

    def admission_path(
        self, n: int, c: Candidate, data: PersonalData, intermediate: bool
    ) -> list[tuple[str, ActorRef, dict[str, Any]]]:
        """Every step of DOMAIN.md §2 for this applicant, from the course to the ceremony."""
        r = self.r
        grassroots = self.grassroots(c.cell)
        secretary = self.actor(Role.cell_secretary, c.cell)
        officer = self.actor(Role.grassroots_officer, grassroots)
        introducers = self.full_members(c.cell, 2, start=n)
        relatives = self.relatives(data)
        exempt = [x for x in relatives if x["is_party_member"]]
        subjects = ["applicant"] + [x["key"] for x in relatives if not x["is_party_member"]]

        steps: list[tuple[str, ActorRef, dict[str, Any]]] = [
            ("record_certificate", secretary, {"number": f"{r.randint(10, 480)}-GCN/TTCT"}),
            ("submit_application", secretary, {}),
            ("declare_background", secretary, {"relatives": relatives}),
        ]
        # ADM-INTRO: a youth-union member by the youth union's executive and a full member.
        slots: list[dict[str, Any]] = (
            [{"kind": "youth_union_executive"}, {"kind": "full_member", "who": introducers[0]}]
            if data.youth_union_member
            else [
                {"kind": "full_member", "who": introducers[0]},
                {"kind": "full_member", "who": introducers[1]},
            ]
        )
        for slot, intro in enumerate(slots, 1):
            args: dict[str, Any] = {"slot": slot, "kind": intro["kind"]}
            if "who" in intro:
                args |= {"member_id": str(intro["who"])}
            steps.append(("assign_introducer", secretary, args))
        steps += [
            ("exempt_family_side", secretary, {"member_relative_key": x["key"]}) for x in exempt
        ]
        sent_to = "Đảng ủy xã Tân An"
        steps += [
            ("request_verification", officer, {"subject": s, "sent_to": sent_to}) for s in subjects
        ]
        steps += [
            ("record_verification_result", officer, {"subject": s, "satisfactory": True})
            for s in subjects
        ]
        steps += [
            ("certify_background", officer, {}),
            ("record_comment", secretary, {"source": "workplace_organizations"}),
            ("record_comment", secretary, {"source": "residence_cell"}),
            ("summarize_comments", secretary, {}),
            ("record_cell_vote", secretary, {"fails": c.stage == "rejected"}),
        ]
        if intermediate:
            steps.append(
                (
                    "record_intermediate_appraisal",
                    self.actor(Role.grassroots_officer, "an-lac-kdc"),
                    {},
                )
            )
        size = COMMITTEE_SIZE[grassroots]
        steps.append(
            (
                "record_committee_vote",
                officer,
                {"committee_size": size, "votes_for": size - 1, "votes_against": 1},
            )
        )
        department = self.actor(Role.org_department_officer, "commune")
        if c.stage == "decision_extended":
            reason = "Chờ kết quả thẩm tra lý lịch người thân đang làm việc ở tỉnh khác"
            steps.append(
                ("extend_decision_deadline", department, {"extra_wd": 30, "reason": reason})
            )
        steps += [
            ("decide", department, {"number": f"{r.randint(100, 990)}-QĐ/ĐU"}),
            ("receive_decision", secretary, {}),
            ("hold_ceremony", secretary, {}),
        ]
        return steps

    def dated(
        self, kind: str, on: date, actor: ActorRef, args: dict[str, Any], cell: str
    ) -> Planned:
        """The facts of a step that depend on its date: letters, ballots, the decider."""
        args = dict(args)
        if kind == "assign_introducer":
            args["letter_on"] = on.isoformat()
            if args["kind"] == "full_member":
                args["together_since"] = add_months(on, -self.r.randint(18, 72)).isoformat()
        if kind == "record_cell_vote":
            fails = args.pop("fails")
            ballot = self.app.cell_ballot(self.orgs[cell], on, 0, 0, 0)
            den = ballot.denominator
            if fails:
                votes_for = -(-2 * den // 3) - 2
                args |= {"votes_for": votes_for, "votes_against": den - votes_for - 1}
            else:  # unanimous in small cells, one against in the larger ones
                against = 1 if den >= 9 else 0
                args |= {"votes_for": den - against, "votes_against": against}
        if kind == "decide":
            args["decided_by"] = str(self.app.competent_committee(self.orgs[cell], on).id)
        return Planned("admission", kind, on, actor, args)

    def relatives(self, data: PersonalData) -> list[dict[str, Any]]:
        r = self.r
        surname = data.full_name.split()[0]
        where = "xã Tân An" if r.random() < 0.7 else "phường Hòa Bình, tỉnh Hòa Sơn"
        father = f"{surname} {r.choice(MIDDLE[Gender.male])} {r.choice(GIVEN[Gender.male])}"
        mother_surname = r.choice(SURNAMES)
        mother = f"{mother_surname} Thị {r.choice(GIVEN[Gender.female])}"
        found = [
            {
                "key": "r1",
                "relationship": "father",
                "full_name": father,
                "lives_or_works_at": where,
                "is_party_member": r.random() < 0.3,
            },
            {
                "key": "r2",
                "relationship": "mother",
                "full_name": mother,
                "lives_or_works_at": where,
                "is_party_member": False,
            },
        ]
        age = (self.today - data.birth_date).days // 365
        if age >= 27 and r.random() < 0.6:
            gender = Gender.male if data.gender is Gender.female else Gender.female
            spouse = f"{r.choice(SURNAMES)} {r.choice(MIDDLE[gender])} {r.choice(GIVEN[gender])}"
            found.append(
                {
                    "key": "r3",
                    "relationship": "spouse",
                    "full_name": spouse,
                    "lives_or_works_at": "xã Tân An",
                    "is_party_member": False,
                }
            )
        return found

    def probation(self, c: Candidate, ceremony: date, grassroots: str) -> list[Planned]:
        """The steps of the twelve months after the ceremony: the new-member course, the
        cell's review after the twelve months, the committee's recognition."""
        secretary = self.actor(Role.cell_secretary, c.cell)
        ends = policy.probation_ends(ceremony)
        course = workday(ceremony + timedelta(days=75))
        review = CAL.add_working_days(ends, 8)
        recognized = CAL.add_working_days(review, 12)
        den = self.app.cell_ballot(self.orgs[c.cell], review, 0, 0, 0).denominator
        against = 1 if den >= 9 else 0
        competent = self.app.competent_committee(self.orgs[c.cell], recognized).id
        steps = [
            Planned(
                "member",
                "complete_new_member_course",
                course,
                self.actor(Role.grassroots_officer, grassroots),
                {"certificate_no": f"{self.r.randint(10, 300)}-GCN/ĐVM"},
            ),
            Planned(
                "member",
                "record_review_vote",
                review,
                secretary,
                {"motion": "recognize", "votes_for": den - against, "votes_against": against},
            ),
            Planned(
                "member",
                "recognize",
                recognized,
                self.actor(Role.org_department_officer, "commune"),
                {"decided_by": str(competent)},
            ),
        ]
        return [s for s in steps if s.on <= self.today]

    # --- transfers --------------------------------------------------------------------------

    def plan_transfers(self) -> list[Process]:
        """One official transfer in transit, one whose letter is overdue (TRF-PRESENT), a
        temporary stay in another grassroots organization, and an internal one just started."""
        t = self.today
        commune = "commune"

        def hops(route: list[str], first: date, every: int) -> list[tuple[str, str, date]]:
            return [
                (a, b, workday(first + timedelta(days=i * every)))
                for i, (a, b) in enumerate(itertools.pairwise(route))
            ]

        return [
            self.transfer(
                1,
                "phu-tay",
                "an-lac",
                "official",
                "residence_change",
                trigger=t - timedelta(days=40),
                start=t - timedelta(days=30),
                route=hops(["phu-tay", "tan-phu", commune], t - timedelta(days=25), 7),
            ),
            self.transfer(
                2,
                "co-quan",
                "thpt",
                "official",
                "new_job",
                trigger=t - timedelta(days=90),
                start=t - timedelta(days=80),
                route=hops(
                    ["co-quan", "tan-phu", commune, "thpt", "gv-xh"], t - timedelta(days=76), 4
                ),
            ),
            self.transfer(
                3,
                "phu-dong",
                "gv-tn",
                "temporary",
                "work_away",
                trigger=t - timedelta(days=40),
                start=t - timedelta(days=40),
                route=hops(["phu-dong", "tan-phu", "gv-tn"], t - timedelta(days=38), 3),
                returns_on=add_months(t - timedelta(days=40), 8),
                presented=t - timedelta(days=30),
            ),
            self.transfer(
                4,
                "trai-moi",
                "phu-dong",
                "internal",
                "residence_change",
                trigger=t - timedelta(days=75),
                start=t - timedelta(days=20),
                route=[],
            ),
        ]

    def transfer(
        self,
        n: int,
        cell: str,
        destination: str,
        kind: str,
        reason: str,
        *,
        trigger: date,
        start: date,
        route: list[tuple[str, str, date]],
        returns_on: date | None = None,
        presented: date | None = None,
    ) -> Process:
        transfer_id = demo_id("transfer", n)
        member_id = self.members[cell][-1]
        secretary = self.actor(Role.cell_secretary, cell)
        steps = [
            Planned(
                "transfer",
                "forward_letter",
                on,
                self.actor(Role.grassroots_officer, a),
                {
                    "from_org_id": str(self.orgs[a]),
                    "to_org_id": str(self.orgs[b]),
                    "letter_no": f"{self.r.randint(10, 250)}-GGT",
                },
            )
            for a, b, on in route
        ]
        if presented is not None:
            receiving = route[-1][1]
            host = self.actor(Role.cell_secretary, receiving)
            steps += [
                Planned("transfer", "present_letter", workday(presented), host),
                Planned(
                    "transfer", "accept_transfer", workday(presented + timedelta(days=2)), host
                ),
            ]
        return Process(
            workflow_id=f"transfer-{transfer_id}",
            subject_id=transfer_id,
            start=TransferStart(
                transfer_id,
                member_id,
                kind,
                reason,
                self.orgs[destination],
                workday(trigger),
                workday(start),
                secretary,
                returns_on=returns_on,
            ),
            steps=steps,
        )

    # --- running the processes ------------------------------------------------------------------

    def applied(self, subject_id: UUID | None, key: str) -> bool:
        if subject_id is None or not self.app.exists(subject_id):
            return False
        return self.app.load(Recorded, subject_id).has_applied(key)

    async def drive(self, process: Process) -> None:
        """Start the process's workflow (once), wait for its record, and send each step not
        applied yet."""
        if not await asyncio.to_thread(self.app.exists, process.subject_id):
            workflow = (
                "AdmissionWorkflow"
                if isinstance(process.start, AdmissionStart)
                else "TransferWorkflow"
            )
            with contextlib.suppress(WorkflowAlreadyStartedError):  # an interrupted seed's
                await self.client.start_workflow(
                    workflow,
                    process.start,
                    id=process.workflow_id,
                    task_queue=TASK_QUEUE,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
        while not await asyncio.to_thread(self.app.exists, process.subject_id):
            await asyncio.sleep(0.1)  # the workflow's first activity records it
        handle: WorkflowHandle[Any, View] = self.client.get_workflow_handle(
            process.workflow_id, result_type=View
        )
        for i, step in enumerate(process.steps):
            key = f"demo/{process.workflow_id}/{i}"
            subject = process.member_id if step.subject == "member" else process.subject_id
            if await asyncio.to_thread(self.applied, subject, key):
                continue
            if step.subject == "member":
                await until_probation(handle)
            # The update id is the command key: Temporal answers a repeat of an update (one
            # sent again after an interruption) with the first one's outcome.
            await handle.execute_update(
                "act",
                Act(parse_step(step.kind, step.on, step.args), step.actor, key),
                id=key,
                result_type=View,
            )

    def demo_users(self, users: UserStore) -> list[DemoUser]:
        """One user per role, scoped to a demo organization, with a fresh password (a rerun
        resets the password of a user an interrupted seed created)."""
        made = []
        names = {s.key: s.name for s in TREE} | {"commune": "Đảng ủy xã Tân An"}
        for username, role, org, display in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            if users.get(username) is None:
                users.create(username, password, role, self.orgs[org], display)
            else:
                users.reset_password(username, password)
            made.append(DemoUser(username, password, str(role), names[org]))
        return made


async def until_probation(handle: WorkflowHandle[Any, View], seconds: float = 30.0) -> None:
    """After the ceremony the workflow continues as the probation: wait for it to answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            view: View | None = await handle.query("status", result_type=View)
            if view is not None and view.subject == "member":
                return
        except RPCError:  # between the two runs
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"{handle.id} did not continue as a probation")
        await asyncio.sleep(0.1)


# --- the seed's state in the data directory --------------------------------------------------

STATE = "demo.json"
USERS_FILE = "demo-users.txt"


def demo_to_seed(data_dir: Path, *, empty: bool, wanted: bool, today: date) -> date | None:
    """The anchor date to seed the demo from, or None. The first run decides: an empty
    record and no `--no-demo` start a seed (its anchor is kept, so an interrupted seed resumes
    with the same dates); otherwise the demo is never seeded in this data directory."""
    path = data_dir / STATE
    if not path.exists():
        seeding = wanted and empty
        first: dict[str, object] = (
            {"anchor": today.isoformat(), "seeded": False} if seeding else {"skipped": True}
        )
        _write_state(path, first)
        return today if seeding else None
    state = json.loads(path.read_text())
    if state.get("seeded") or state.get("skipped") or not wanted:
        return None
    return date.fromisoformat(state["anchor"])


def mark_seeded(data_dir: Path) -> None:
    path = data_dir / STATE
    state = json.loads(path.read_text())
    _write_state(path, state | {"seeded": True})


def _write_state(path: Path, state: dict[str, object]) -> None:
    """Whole or not at all: a crash mid-write must not leave a file no start can read."""
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state) + "\n")
    os.replace(partial, path)


def write_demo_users(data_dir: Path, users: list[DemoUser]) -> Path:
    """The demo users' passwords, readable by the owner only (they are stored only hashed)."""
    path = data_dir / USERS_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# dangvien demo users (fictional data): username, password, role, organization\n")
        for u in users:
            f.write(f"{u.username}\t{u.password}\t{u.role}\t{u.org_name}\n")
    return path
