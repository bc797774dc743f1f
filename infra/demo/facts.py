"""The demo's facts that are not process steps, through the application service: the tree
and its 2025 reorganisation, the hamlets, the members from their paper dossiers, the residence
links with their comments, this year's targets."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import UUID, uuid5

from domain import policy
from domain.application import NAMESPACE, Context, Dangvien
from domain.calendar import vietnam_calendar
from domain.organization import AdmissionTarget
from domain.person import PersonalData
from domain.values import Actor, CellSetting, Education, Gender, OrgKind, Role
from infra.demo.story import (
    ACTOR,
    ADDRESS,
    GIVEN,
    GRASSROOTS,
    HAMLETS,
    MIDDLE,
    MIGRATED,
    NO_RESIDENCE_COMMENTS,
    OCCUPATION,
    REORGANISED,
    RESIDENTIAL,
    SEED,
    SURNAMES,
    TREE,
)
from workflows.messages import ActorRef

CAL = vietnam_calendar()


def demo_id(kind: str, key: object) -> UUID:
    """Opaque, stable ids: a rerun of the seed finds what it made before."""
    return uuid5(NAMESPACE, f"demo/{kind}/{key}")


def workday(d: date) -> date:
    """Meetings and letters fall on working days: the working day on or before `d`."""
    while not CAL.is_working_day(d):
        d -= timedelta(days=1)
    return d


class DemoFacts:
    """The demo's state (organizations and rolls by key) and its facts."""

    def __init__(self, app: Dangvien, today: date) -> None:
        self.app = app
        self.today = today
        self.r = random.Random(SEED)  # noqa: S311 — made-up data, not secrets
        self.orgs: dict[str, UUID] = {}
        self.parent_of: dict[str, str] = {}
        self.members: dict[str, list[UUID]] = {}
        self.citizen = 0

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
            trade_union_member=setting not in (CellSetting.hamlet, CellSetting.residential_group)
            and r.random() < 0.7,
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
