"""Generate a province's history (DOMAIN.md §7) into the real event store.

    python -m bench.generate --data-dir /tmp/bench-data            # ≈ 2 M events, SQLite
    python -m bench.generate --data-dir /tmp/bench-small --scale 0.05
    python -m bench.generate --data-dir /tmp/bench-pg --store postgres   # a dangvien_bench_<hex> db

The province: ~800 grassroots organizations under 9 district committees, ~3,800 cells (hamlets,
residential groups, commune agencies, military, police, schools, health stations, enterprises,
cooperatives, public-service units), ~36,000 members registered from their paper dossiers in
August 2016 and ~2,000 admissions a year from 2016-08 to 2026-10, each driven through every step
of DOMAIN.md §2–3 (source, course, application, background, introducers, verification of the
applicant and relatives, comments, cell vote, intermediate appraisal, committee vote, decision by
the competent committee, receipt, ceremony, new-member course, review vote, recognition) with
realistic stage durations; some withdrawn, stopped, rejected, refused or struck off; every stage
still open at the horizon, some overdue and escalated. On 2025-07-01 the district tier goes: 40
commune committees are registered, every grassroots organization is re-parented under one, the
districts are dissolved, and from then on the communes decide and their hamlets are registered.
Also: a few thousand transfers (official between grassroots organizations with the letter's every
hop, internal, temporary), the 2018 dissolution of one district's commune-agency cells, yearly
targets per organization, 213 residence links with their yearly comments, exemptions, holds,
discipline and corrections of personal data.

How: the application service's own commands (`Dangvien`) run against an in-memory repository, so
the facts every rule needs (rolls and ballots, ApplicantFacts, the competent committee on the day,
introducers still valid, escalation plans) are gathered by the application's own code and every
domain check runs; but `commit` only marks the aggregates changed, and their events are saved on
the real store (`infra.bootstrap.build_app`: AES-GCM + zlib) with `app.save(*events)`, one
transaction per batch of ~20,000 events, in the order they happened. Event timestamps are the
simulated day the act was recorded (so `as_of` replays are meaningful on this data).
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import itertools
import os
import random
import sys
import time
from base64 import b64encode
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any
from uuid import UUID

import eventsourcing.domain
from eventsourcing.application import AggregateNotFoundError

from bench.common import create_pg_database, peak_rss_mib, rss_mib, settings_for, write_meta
from domain import policy
from domain.admission import AdmissionCase, CommentSource, Stage
from domain.application import Context, Dangvien
from domain.calendar import add_months, vietnam_calendar
from domain.errors import DomainError, RuleViolation
from domain.member import Exemption, Member, Motion, Status
from domain.organization import AdmissionTarget, Organization
from domain.person import Person, PersonalData
from domain.transfer import Hop, Transfer
from domain.values import (
    Actor,
    CellSetting,
    Education,
    Gender,
    HoldKind,
    IntroducerKind,
    Introduction,
    OrgKind,
    Relationship,
    Relative,
    Role,
    TransferKind,
    TransferReason,
)
from infra.bootstrap import build_app

SETUP = date(2016, 7, 25)  # the first rule set: the system starts
CASES_FROM = date(2016, 8, 15)
END = date(2026, 10, 31)  # the horizon: what is still open then stays open
REORG = date(2025, 7, 1)
CAL = vietnam_calendar()
Job = Generator[date, None, None]


# --- the simulated recording clock ----------------------------------------------------------


class Clock:
    """Event timestamps: the simulated day the act was recorded (09:00 in Hà Nội), one
    microsecond apart, so sorting by timestamp is the order the acts happened in."""

    def __init__(self) -> None:
        self.t = datetime(2016, 1, 1, tzinfo=UTC)
        self.created = 0

    def day(self, on: date) -> None:
        base = datetime.combine(on, dtime(2, 0), tzinfo=UTC)
        if base > self.t:
            self.t = base

    def now(self) -> datetime:
        self.t += timedelta(microseconds=1)
        self.created += 1
        return self.t


# --- the application service on an in-memory repository -------------------------------------


class Memory:
    """A repository that is a dict: `load`, `exists` and `repository.get` read it."""

    cache = None

    def __init__(self) -> None:
        self.aggs: dict[UUID, Any] = {}

    def get(self, aggregate_id: UUID, version: int | None = None, **_: Any) -> Any:
        try:
            return self.aggs[aggregate_id]
        except KeyError:
            raise AggregateNotFoundError(aggregate_id) from None

    def __contains__(self, aggregate_id: object) -> bool:
        return aggregate_id in self.aggs


class Simulated(Dangvien):
    """The real commands; `commit` keeps the changed aggregates for the next batch."""

    def construct_repository(self) -> Any:
        return Memory()

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env)
        self.dirty: dict[UUID, Any] = {}

    def commit(self, *aggregates: Any) -> None:
        aggs = self.repository.aggs  # type: ignore[attr-defined]
        for agg in aggregates:
            if agg is not None:
                aggs[agg.id] = agg
                self.dirty[agg.id] = agg


# --- the province -----------------------------------------------------------------------------

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Lò Vi Lương"
MIDDLE = {Gender.male: "Văn Đức Minh Quốc Hữu Xuân Thanh Công", Gender.female: "Thị Thu Ngọc Hồng"}
GIVEN = {
    Gender.male: "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quang Sơn Tâm Thắng Trung Tuấn",
    Gender.female: "Anh Châu Dung Giang Hà Hoa Hương Lan Linh Mai Nga Oanh Phương Thảo Trang Yến",
}
ETHNICITIES = (("Kinh", 82), ("Thái", 6), ("Mường", 5), ("Tày", 2), ("Dao", 2), ("H'Mông", 3))
RELIGIONS = ((None, 88), ("Công giáo", 7), ("Phật giáo", 5))
PLACES = (
    "An Bình|Hòa Lạc|Tân Thành|Phú Mỹ|Đông Hưng|Quỳnh Lâm|Yên Thịnh|Thạch Sơn|Hưng Lộc|Nghĩa Đàn"
)
PLACES_LIST = PLACES.split("|")

# Members on a cell's roll (paper dossiers, 2016) and admissions, per member, by setting.
SETTING_SIZE = {
    CellSetting.hamlet: (8, 30),
    CellSetting.residential_group: (8, 28),
    CellSetting.commune_agency: (8, 22),
    CellSetting.commune_military: (5, 10),
    CellSetting.police: (5, 14),
    CellSetting.school: (5, 20),
    CellSetting.health_station: (5, 10),
    CellSetting.enterprise: (5, 18),
    CellSetting.cooperative: (5, 10),
    CellSetting.public_service_unit: (6, 20),
    CellSetting.other: (6, 16),
}
ADMIT_RATE = {  # relative propensity to admit, per member on the roll
    CellSetting.hamlet: 0.8,
    CellSetting.residential_group: 0.7,
    CellSetting.commune_agency: 0.9,
    CellSetting.commune_military: 2.0,
    CellSetting.police: 1.6,
    CellSetting.school: 1.5,
    CellSetting.health_station: 1.0,
    CellSetting.enterprise: 1.6,
    CellSetting.cooperative: 0.8,
    CellSetting.public_service_unit: 1.0,
    CellSetting.other: 1.0,
}
OCCUPATIONS = {
    CellSetting.hamlet: (
        ("farmer", 45),
        ("private_enterprise_worker", 18),
        ("foreign_invested_worker", 10),
        ("self_employed", 15),
        ("hamlet_head", 4),
        ("student", 8),
    ),
    CellSetting.residential_group: (
        ("self_employed", 35),
        ("private_enterprise_worker", 30),
        ("foreign_invested_worker", 15),
        ("student", 10),
        ("hamlet_head", 10),
    ),
    CellSetting.commune_agency: (("civil_servant", 100),),
    CellSetting.commune_military: (("soldier", 100),),
    CellSetting.police: (("police", 100),),
    CellSetting.school: (("teacher", 80), ("student", 20)),
    CellSetting.health_station: (("health_worker", 100),),
    CellSetting.enterprise: (("private_enterprise_worker", 65), ("foreign_invested_worker", 35)),
    CellSetting.cooperative: (("cooperative_worker", 100),),
    CellSetting.public_service_unit: (("public_employee", 100),),
    CellSetting.other: (("civil_servant", 100),),
}
# Members of these cells keep contact with the cell where they reside (213-QĐ/TW); army and
# police living in barracks are exempt from the yearly comments.
WORKPLACES = frozenset(CellSetting) - {CellSetting.hamlet, CellSetting.residential_group}
NO_COMMENTS = frozenset({CellSetting.commune_military, CellSetting.police})


@dataclass(eq=False)
class CellInfo:
    id: UUID
    grassroots: GrassrootsInfo
    setting: CellSetting
    exempt_area: bool
    closing: date | None = None  # dissolved in the 2018 reorganisation
    hamlets: tuple[str, ...] = ()


@dataclass(eq=False)
class GrassrootsInfo:
    id: UUID
    kind: OrgKind
    type: str  # commune | agency | enterprise | school | cell
    district: int
    commune: int = -1
    cells: list[CellInfo] = field(default_factory=list)
    committee_size: int = 7


@dataclass
class Scale:
    """How many of everything, at `scale` (1.0 = the province of DOMAIN.md §7)."""

    scale: float

    def n(self, full: float, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))


class Province:
    def __init__(self, app: Simulated, store: Dangvien, scale: float, seed: int, batch: int):
        self.app, self.store = app, store
        self.s = Scale(scale)
        self.r = random.Random(seed)
        self.batch = batch
        self.clock = Clock()
        self.heap: list[tuple[date, int, Job]] = []
        self.seq = itertools.count()
        self.keys = itertools.count(1)
        self.today = SETUP
        self.refused: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.saved = 0
        self.save_seconds = 0.0
        self.by_name: Counter[str] = Counter()
        self.watched: set[tuple[UUID, str, int, date]] = set()
        self.citizen = itertools.count(1)
        self.busy: set[UUID] = set()  # members in a transfer (or moving in a dissolution)
        self.probationers_away: set[UUID] = set()
        self.started = time.perf_counter()
        self.last_report = (self.started, 0)
        # the tree
        self.province: UUID = self.uuid()
        self.districts: list[UUID] = []
        self.communes: list[UUID] = []
        self.commune_district: list[int] = []
        self.grassroots: list[GrassrootsInfo] = []
        self.cells: dict[UUID, CellInfo] = {}
        self.intermediates: list[UUID] = []
        self.members: list[UUID] = []  # every member ever (paper and admitted)
        self.occupation: dict[UUID, str] = {}
        self.born: dict[UUID, date] = {}

    # --- plumbing ---

    def uuid(self) -> UUID:
        return UUID(int=self.r.getrandbits(128), version=4)

    def ctx(self, role: Role, org: UUID) -> Context:
        return Context(Actor(f"{role}-{str(org)[:8]}", role, org), f"g{next(self.keys)}")

    def agg(self, agg_id: UUID) -> Any:
        return self.app.repository.get(agg_id)

    def spawn(self, when: date, job: Job) -> None:
        heapq.heappush(self.heap, (max(when, self.today), next(self.seq), job))

    def once(self, when: date, act: Callable[[], Any]) -> None:
        def job() -> Job:
            act()
            yield from ()

        self.spawn(when, job())

    def run(self) -> None:
        year = self.today.year
        while self.heap:
            when, _, job = heapq.heappop(self.heap)
            if when > END:
                break
            if when.year != year:
                self.report(year)
                year = when.year
            self.today = when
            self.clock.day(when)
            try:
                nxt = next(job)
            except StopIteration:
                pass
            except DomainError as error:
                self.refused[getattr(error, "rule_id", type(error).__name__)] += 1
            else:
                self.spawn(nxt, job)
            if self.clock.created - self.saved >= self.batch:
                self.flush()
        self.flush(everything=True)
        self.report(year)

    def flush(self, everything: bool = False) -> None:
        aggs = self.app.repository.aggs.values() if everything else self.app.dirty.values()  # type: ignore[attr-defined]
        events = [e for a in aggs for e in a.collect_events()]
        self.app.dirty.clear()
        if not events:
            return
        events.sort(key=attrgetter("timestamp"))
        started = time.perf_counter()
        self.store.save(*events)
        self.save_seconds += time.perf_counter() - started
        self.saved += len(events)
        self.by_name.update(type(e).__qualname__ for e in events)

    def report(self, year: int) -> None:
        now = time.perf_counter()
        rate = (self.saved - self.last_report[1]) / max(now - self.last_report[0], 1e-9)
        self.last_report = (now, self.saved)
        print(
            f"  {year}: {self.saved:>10,} events saved  {rate:>8,.0f} ev/s  "
            f"rss {rss_mib():,.0f} MiB  open jobs {len(self.heap):,}",
            flush=True,
        )

    def day(self, start: date, lo: int, hi: int) -> date:
        return start + timedelta(days=self.r.randint(lo, hi))

    def wd(self, start: date, lo: int, hi: int) -> date:
        return CAL.add_working_days(start, self.r.randint(lo, hi))

    def pick(self, weighted: tuple[tuple[Any, int], ...]) -> Any:
        values, weights = zip(*weighted, strict=True)
        return self.r.choices(values, weights)[0]

    # --- escalation: the workflows' ladders, fired on their days ---

    def watch(self, agg_id: UUID) -> None:
        """Plan the rungs of the aggregate's current deadline; each fires on its day if the
        deadline still stands then (what the workflow's `escalate` activity does)."""
        for step in self.app.escalation_plan(agg_id, self.today):
            key = (agg_id, step.rule_id, int(step.level), step.due)
            if key not in self.watched and step.fires_on <= END:
                self.watched.add(key)
                self.once(step.fires_on, lambda a=agg_id, k=key: self.fire(a, k))

    def fire(self, agg_id: UUID, key: tuple[UUID, str, int, date]) -> None:
        for step in self.app.escalation_plan(agg_id, self.today):
            if (step.rule_id, int(step.level), step.due) == key[1:]:
                if step.fires_on <= self.today:
                    self.app.escalate(self.ctx(Role.system, step.target), agg_id, step, self.today)
                return

    # --- people ---

    def person_data(self, setting: CellSetting, born: date, exempt_area: bool) -> PersonalData:
        r = self.r
        gender = Gender.female if r.random() < 0.42 else Gender.male
        name = " ".join(
            (
                r.choice(SURNAMES.split()),
                r.choice(MIDDLE[gender].split()),
                r.choice(GIVEN[gender].split()),
            )
        )
        age = (self.today - born).days // 365
        if exempt_area and r.random() < 0.15:
            education = Education.primary
        else:
            education = Education.upper_secondary if r.random() < 0.8 else Education.lower_secondary
        return PersonalData(
            full_name=name,
            birth_date=born,
            citizen_id=f"038{born.year % 100:02d}{next(self.citizen):07d}",
            gender=gender,
            ethnicity=self.pick(ETHNICITIES),
            religion=self.pick(RELIGIONS),
            address=f"Thôn {r.randint(1, 15)}, xã {r.choice(PLACES_LIST)}",
            education=education,
            youth_union_member=age <= 30 and r.random() < 0.75,
            trade_union_member=setting in WORKPLACES and r.random() < 0.6,
            occupation=self.pick(OCCUPATIONS[setting]),
        )

    # --- the tree (set up on 2016-07-25, established long before) ---

    def build_tree(self) -> None:
        app, s, r = self.app, self.s, self.r
        admin = partial(self.ctx, Role.administrator, UUID(int=0))
        established = date(1946, 1, 1)
        app.register_organization(
            admin(),
            kind=OrgKind.province_committee,
            name="Tỉnh ủy",
            parent_id=None,
            established_on=established,
            org_id=self.province,
        )
        n_districts = s.n(9)
        mountain = set(range(n_districts)[-max(1, n_districts // 4) :])
        for d in range(n_districts):
            self.districts.append(
                app.register_organization(
                    self.ctx(Role.administrator, self.province),
                    kind=OrgKind.district_committee,
                    name=f"Huyện ủy {PLACES_LIST[d % len(PLACES_LIST)]} {d + 1}",
                    parent_id=self.province,
                    established_on=date(1946, 6, 1),
                    org_id=self.uuid(),
                )
            )
        n_grassroots = s.n(800, 2)
        types = (
            ["commune"] * s.n(260)
            + ["agency"] * s.n(70)
            + ["enterprise"] * s.n(60)
            + ["school"] * s.n(50)
        )
        types += ["cell"] * max(0, n_grassroots - len(types))
        r.shuffle(types)
        for i, gtype in enumerate(types):
            district = i % n_districts
            kind = OrgKind.grassroots_cell if gtype == "cell" else OrgKind.grassroots_committee
            exempt = district in mountain and gtype == "commune" and r.random() < 0.6
            g = GrassrootsInfo(
                self.uuid(), kind, gtype, district, committee_size=r.choice((5, 7, 9, 11, 13))
            )
            if gtype == "cell":
                g.committee_size = 3
            may_admit = gtype in ("agency", "enterprise") and r.random() < 0.08
            app.register_organization(
                self.ctx(Role.org_department_officer, self.districts[district]),
                kind=kind,
                name=f"Đảng bộ {gtype} {i + 1}" if gtype != "cell" else f"Chi bộ cơ sở {i + 1}",
                parent_id=self.districts[district],
                established_on=date(r.randint(1950, 1995), 1, 1) + timedelta(r.randint(0, 364)),
                setting=self.pick(
                    (
                        (CellSetting.school, 3),
                        (CellSetting.enterprise, 3),
                        (CellSetting.cooperative, 1),
                        (CellSetting.health_station, 1),
                        (CellSetting.public_service_unit, 2),
                        (CellSetting.other, 1),
                    )
                )
                if gtype == "cell"
                else None,
                may_admit=may_admit,
                exempt_area=exempt,
                org_id=g.id,
            )
            self.grassroots.append(g)
            if gtype == "cell":
                org = self.agg(g.id)
                g.cells.append(CellInfo(g.id, g, org.setting, exempt))
                self.cells[g.id] = g.cells[-1]
                continue
            for setting in self.cell_settings(gtype):
                parent = g.id
                if gtype == "enterprise" and len(g.cells) >= 3 and r.random() < 0.5:
                    parent = self.intermediate_of(g)
                self.add_cell(g, setting, parent, exempt)

    def intermediate_of(self, g: GrassrootsInfo) -> UUID:
        existing = getattr(g, "_intermediate", None)
        if existing:
            return existing  # type: ignore[no-any-return]
        org_id = self.app.register_organization(
            self.ctx(Role.grassroots_officer, g.id),
            kind=OrgKind.intermediate_committee,
            name="Đảng bộ bộ phận phân xưởng",
            parent_id=g.id,
            established_on=self.agg(g.id).registered_on,
            org_id=self.uuid(),
        )
        g._intermediate = org_id  # type: ignore[attr-defined]
        self.intermediates.append(org_id)
        return org_id

    def cell_settings(self, gtype: str) -> list[CellSetting]:
        r = self.r
        if gtype == "commune":
            ward = r.random() < 0.3
            residential = CellSetting.residential_group if ward else CellSetting.hamlet
            return [residential] * r.randint(4, 9) + [
                CellSetting.commune_agency,
                CellSetting.commune_military,
                CellSetting.police,
                CellSetting.school,
                CellSetting.health_station,
            ]
        if gtype == "agency":
            return [CellSetting.public_service_unit] * r.randint(2, 4) + [CellSetting.other] * 2
        if gtype == "enterprise":
            return [CellSetting.enterprise] * r.randint(3, 9)
        return [CellSetting.school] * r.randint(3, 6)

    def add_cell(self, g: GrassrootsInfo, setting: CellSetting, parent: UUID, exempt: bool) -> None:
        cell_id = self.uuid()
        n = len(g.cells) + 1
        self.app.register_organization(
            self.ctx(Role.grassroots_officer, g.id),
            kind=OrgKind.cell,
            name=f"Chi bộ {setting} {n}",
            parent_id=parent,
            established_on=self.agg(g.id).registered_on,
            setting=setting,
            exempt_area=exempt,
            org_id=cell_id,
        )
        info = CellInfo(cell_id, g, setting, exempt)
        g.cells.append(info)
        self.cells[cell_id] = info

    # --- members from their paper dossiers (August 2016) ---

    def migrate(self) -> None:
        """Every cell's members registered from the paper dossiers, one cell a job, between
        2016-07-26 and 2016-08-12; the total is scaled to ~36,500 at scale 1."""
        sizes = {c: self.r.randint(*SETTING_SIZE[c.setting]) for c in self.cells.values()}
        factor = self.s.n(36_500, 50) / sum(sizes.values())
        for cell, size in sizes.items():
            count = max(5, round(size * factor))
            self.spawn(self.day(date(2016, 7, 26), 0, 17), self.migrate_cell(cell, count))

    def migrate_cell(self, cell: CellInfo, count: int) -> Job:
        app, r = self.app, self.r
        founded = self.agg(cell.id).registered_on
        for i in range(count):
            ctx = self.ctx(Role.org_department_officer, cell.grassroots.id)
            probationer = i >= 4 and r.random() < 0.05
            if probationer:  # admitted on paper in 2015-16, probation ends after the start
                joined = self.day(date(2015, 8, 1), 0, 330)
            else:
                joined = date(r.randint(max(founded.year + 1, 1965), 2015), 1, 1)
                joined = min(self.day(joined, 0, 364), date(2015, 6, 30))
            born = joined - timedelta(days=r.randint(19 * 365, 40 * 365))
            born = max(born, date(1928, 1, 1))
            data = self.person_data(cell.setting, born, cell.exempt_area)
            person = app.register_person(ctx, data, self.today)
            decided = joined - timedelta(days=r.randint(5, 30))
            member = app.register_member(
                self.ctx(Role.org_department_officer, cell.grassroots.id),
                person_id=person,
                cell_id=cell.id,
                joined_on=joined,
                decided_on=decided,
                full_from=None if probationer else policy.probation_ends(joined),
            )
            self.remember(member, data)
            if probationer:
                self.spawn(self.today, self.probation(member, cell.id))
            elif cell.setting in WORKPLACES and r.random() < 0.85:
                self.spawn(self.day(self.today, 1, 60), self.link(member))
        yield from ()

    def remember(self, member: UUID, data: PersonalData) -> None:
        self.members.append(member)
        self.occupation[member] = data.occupation
        self.born[member] = data.birth_date

    def link(self, member_id: UUID) -> Job:
        """213-QĐ/TW: a member working in an agency, school, enterprise or the armed forces
        keeps contact with the hamlet or residential-group cell where they live."""
        member: Member = self.agg(member_id)
        cell = self.cells[member.cell_id]
        residence = self.residence_cell(cell)
        if residence is not None and member.status is not Status.struck_off:
            self.app.link_residence(
                self.ctx(Role.cell_secretary, cell.id), member_id, residence, self.today
            )
        yield from ()

    def residence_cell(self, cell: CellInfo) -> UUID | None:
        g = cell.grassroots
        own = [
            c.id
            for c in g.cells
            if c.setting in (CellSetting.hamlet, CellSetting.residential_group)
        ]
        if own:
            return self.r.choice(own)
        pool = self.residential_by_district[g.district]
        return self.r.choice(pool) if pool else None

    # --- admission: a case from source to recognition ---

    def intake(self) -> Job:
        """Cases open every month, in cells weighted by roll and setting (~2,560 a year at
        scale 1, of which ~2,000 reach the ceremony)."""
        month = CASES_FROM
        while month <= END:
            weights = self.admission_weights()
            cells = list(weights)
            cum = list(itertools.accumulate(weights.values()))
            trend = 1 + 0.015 * (month.year - 2017)
            count = self.s.n(232 * trend * self.r.uniform(0.85, 1.15), 0)
            for cell in self.r.choices(cells, cum_weights=cum, k=count):
                self.spawn(self.day(month, 0, 27), self.admission(cell))
            month = add_months(month.replace(day=1), 1)
            yield month

    def admission_weights(self) -> dict[CellInfo, float]:
        weights = {}
        for cell in self.cells.values():
            if cell.closing is not None:
                continue
            roll = len(self.agg(cell.id).roll)
            weights[cell] = max(roll, 1) * ADMIT_RATE[cell.setting]
        return weights

    def admission(self, cell: CellInfo, person_id: UUID | None = None) -> Job:
        app, r = self.app, self.r
        secretary = partial(self.ctx, Role.cell_secretary, cell.id)
        if cell.closing is not None or not self.agg(cell.id).exists_on(self.today):
            return
        if person_id is None:
            age_days = int(r.triangular(18.3, 45, 24) * 365.25)
            born = self.today - timedelta(days=age_days)
            data = self.person_data(cell.setting, born, cell.exempt_area)
            person_id = app.register_person(secretary(), data, self.today)
        person: Person = self.agg(person_id)
        data = person.data
        if data.education is Education.primary and not cell.exempt_area:
            return
        case_id = self.uuid()
        helper = self.full_members(cell.id, self.today, 1)
        app.open_case(
            secretary(),
            case_id=case_id,
            person_id=person_id,
            cell_id=cell.id,
            on=self.today,
            helper_member_id=helper[0] if helper else None,
        )
        fate = self.pick(
            (
                ("admit", 720),
                ("drop_course", 180),
                ("withdraw", 45),
                ("stop", 15),
                ("reject_cell", 25),
                ("refuse", 10),
                ("drop_review", 5),
            )
        )
        ctx = lambda: self.ctx(Role.cell_secretary, cell.id)  # noqa: E731
        if fate == "drop_course":
            yield self.day(self.today, 60, 540)
            app.end_case(ctx(), case_id, withdrawn=r.random() < 0.7, reason="source", on=self.today)
            self.outcomes["withdrawn (source)"] += 1
            return self.maybe_reapply(cell, person_id)
        # the political-awareness course and the dossier
        yield self.day(self.today, 20, 240)
        app.record_certificate(ctx(), case_id, f"{r.randint(1, 999)}/GCN", self.today)
        self.watch(case_id)
        yield self.day(self.today, 3, 40)
        app.submit_application(ctx(), case_id, self.today)
        yield self.day(self.today, 5, 30)
        relatives = self.relatives(data)
        app.declare_background(ctx(), case_id, relatives, self.today)
        if fate == "withdraw" and r.random() < 0.5:
            yield self.day(self.today, 10, 120)
            app.end_case(ctx(), case_id, withdrawn=True, reason="personal", on=self.today)
            self.outcomes["withdrawn"] += 1
            return self.maybe_reapply(cell, person_id)
        yield self.day(self.today, 3, 20)
        self.introduce(case_id, cell, data, self.today)
        self.watch(case_id)
        yield self.day(self.today, 1, 10)
        case: AdmissionCase = self.agg(case_id)
        for rel in relatives:
            if rel.is_party_member and rel.relationship in (
                Relationship.father,
                Relationship.mother,
                Relationship.spouse,
            ):
                app.exempt_family_side(ctx(), case_id, rel.key, self.today)
        officer = partial(self.ctx, Role.grassroots_officer, cell.grassroots.id)
        subjects = case.verification_subjects
        for subject in subjects:
            app.request_verification(
                officer(), case_id, subject, f"Đảng ủy xã {r.choice(PLACES_LIST)}", self.today
            )
        returns = sorted(self.day(self.today, 10, 60) for _ in subjects)
        for on in returns:
            yield on
            for subject in subjects:
                if subject not in case.verification_results:
                    app.record_verification_result(
                        self.ctx(Role.grassroots_officer, cell.grassroots.id),
                        case_id,
                        subject,
                        True,
                        "",
                        self.today,
                    )
                    break
        yield self.day(self.today, 3, 20)
        app.certify_background(
            self.ctx(Role.grassroots_officer, cell.grassroots.id), case_id, self.today
        )
        yield self.day(self.today, 0, 10)
        for source in CommentSource:
            app.record_comment(ctx(), case_id, source, self.today)
        yield self.day(self.today, 1, 7)
        app.summarize_comments(ctx(), case_id, self.today)
        if fate in ("withdraw", "stop"):
            yield self.day(self.today, 5, 90)
            app.end_case(
                ctx(),
                case_id,
                withdrawn=fate == "withdraw",
                reason="moved away" if fate == "withdraw" else "ADM-CERT",
                on=self.today,
            )
            self.outcomes["withdrawn" if fate == "withdraw" else "stopped"] += 1
            return None
        # the cell's vote (a working day 5–40 days on)
        yield self.day(self.today, 5, 40)
        vote_on = self.today
        self.refresh_introducers(case_id, cell, data, vote_on)
        probe = app.cell_ballot(cell.id, vote_on, 0, 0, 0)
        if probe.on_roll < 3:
            app.end_case(ctx(), case_id, withdrawn=False, reason="ORG-MIN", on=vote_on)
            self.outcomes["stopped (ORG-MIN)"] += 1
            return None
        votes_for, against = self.votes(probe.denominator, passes=fate != "reject_cell")
        case = app.record_cell_vote(
            ctx(), case_id, held_on=vote_on, votes_for=votes_for, votes_against=against
        )
        if case.stage is Stage.rejected:
            self.outcomes["rejected (cell vote)"] += 1
            return None
        self.watch(case_id)
        resolution = vote_on
        # decision within ADM-DECIDE (60 WD): most on time, some late, a few extended
        speed = self.pick((("fast", 70), ("slow", 18), ("late", 9), ("extended", 3)))
        decide_wd = {
            "fast": r.randint(12, 45),
            "slow": r.randint(46, 60),
            "late": r.randint(61, 95),
            "extended": r.randint(62, 85),
        }[speed]
        decide_on = CAL.add_working_days(resolution, decide_wd)
        if case.needs_intermediate_appraisal:
            yield self.wd(self.today, 3, 10)
            app.record_intermediate_appraisal(
                self.ctx(Role.grassroots_officer, cell.grassroots.id), case_id, self.today
            )
        yield min(self.wd(self.today, 5, 20), decide_on)
        size = cell.grassroots.committee_size
        app.record_committee_vote(
            self.ctx(Role.grassroots_officer, cell.grassroots.id),
            case_id,
            held_on=self.today,
            committee_size=size,
            votes_for=size if fate != "refuse" else size // 2,
            votes_against=0 if fate != "refuse" else size - size // 2,
        )
        if speed == "extended":
            yield CAL.add_working_days(resolution, r.randint(45, 58))
            app.extend_decision_deadline(
                self.ctx(Role.org_department_officer, cell.grassroots.id),
                case_id,
                30,
                "awaiting verification abroad",
                self.today,
            )
            self.watch(case_id)
        yield decide_on
        competent = app.competent_committee(cell.id, self.today).id
        department = partial(self.ctx, Role.org_department_officer, competent)
        if fate == "refuse":
            app.refuse_admission(
                department(),
                case_id,
                decided_by=competent,
                reason="ADM-VOTE-COMMITTEE",
                on=self.today,
            )
            self.outcomes["refused (decision)"] += 1
            return None
        app.decide_admission(
            department(),
            case_id,
            number=f"{r.randint(1, 3000)}-QĐ/ĐU",
            decided_by=competent,
            on=self.today,
        )
        # the ceremony within 30 WD of the cell's receipt (a few with an approved delay)
        yield self.day(self.today, 1, 10)
        app.receive_decision(ctx(), case_id, self.today)
        self.watch(case_id)
        received = self.today
        delay = r.random() < 0.02
        if delay:
            yield self.wd(received, 20, 28)
            superior = app.grassroots_of(cell.id, self.today).parent_on(self.today)
            assert superior is not None
            until = CAL.add_working_days(received, r.randint(35, 50))
            app.approve_ceremony_delay(
                self.ctx(Role.org_department_officer, superior),
                case_id,
                until=until,
                approved_by=superior,
                on=self.today,
            )
            self.watch(case_id)
            yield min(CAL.add_working_days(received, r.randint(31, 34)), until)
        else:
            yield self.wd(received, 3, 28 if r.random() < 0.9 else 30)
        member_id = app.hold_ceremony(ctx(), case_id, self.today)
        self.remember(member_id, data)
        self.outcomes["admitted"] += 1
        self.watch(member_id)
        yield from self.probation(member_id, cell.id, strike=fate == "drop_review")

    def maybe_reapply(self, cell: CellInfo, person_id: UUID) -> None:
        if self.r.random() < 0.15:
            self.spawn(self.day(self.today, 365, 1100), self.admission(cell, person_id))

    def relatives(self, data: PersonalData) -> list[Relative]:
        r = self.r
        age = (self.today - data.birth_date).days // 365
        rels = [
            (Relationship.father, r.random() < 0.25),
            (Relationship.mother, r.random() < 0.08),
        ]
        if r.random() < 0.04:
            rels.append((Relationship.raiser, False))
        if age >= 24 and r.random() < min(0.9, (age - 22) * 0.1):
            rels += [
                (Relationship.spouse, r.random() < 0.1),
                (Relationship.father_in_law, r.random() < 0.2),
                (Relationship.mother_in_law, False),
            ]
        if age >= 40 and r.random() < 0.6:
            rels.append((Relationship.adult_child, False))
        return [
            Relative(
                f"r{i + 1}",
                rel,
                f"{r.choice(SURNAMES.split())} {r.choice(GIVEN[Gender.male].split())}",
                f"xã {r.choice(PLACES_LIST)}",
                member,
            )
            for i, (rel, member) in enumerate(rels)
        ]

    def full_members(
        self, cell_id: UUID, on: date, count: int, exclude: frozenset[UUID] = frozenset()
    ) -> list[UUID]:
        """Full members on the roll who can introduce or help: not away, not exempted, not
        disciplined, not moving."""
        cell: Organization = self.agg(cell_id)
        able = []
        for member_id in cell.members_on(on):
            if member_id in exclude or member_id in self.busy:
                continue
            m: Member = self.agg(member_id)
            if (
                m.status_on(on) is Status.full
                and not m.is_away_on(on)
                and not m.is_exempt_on(on)
                and not m.penalties
                and m.full_from is not None
                and add_months(m.full_from, 1) <= on
            ):
                able.append(member_id)
        able.sort()
        return self.r.sample(able, min(count, len(able)))

    def introduction(self, member_id: UUID | None, letter_on: date) -> Introduction:
        if member_id is None:
            return Introduction(IntroducerKind.youth_union_executive, letter_on)
        m: Member = self.agg(member_id)
        since = max(m.ceremony_on, letter_on - timedelta(days=self.r.randint(400, 3000)))
        since = min(since, add_months(letter_on, -13))
        status = m.status_on(letter_on)
        return Introduction(
            IntroducerKind.full_member,
            letter_on,
            member_id=member_id,
            together_since=since,
            member_status=str(status) if status else None,
        )

    def introduce(self, case_id: UUID, cell: CellInfo, data: PersonalData, on: date) -> None:
        """ADM-INTRO: two full members, or the youth-union executive and one full member."""
        app = self.app
        youth = data.youth_union_member
        chosen = self.full_members(cell.id, on, 1 if youth else 2)
        if len(chosen) < (1 if youth else 2):
            raise RuleViolation(
                "ADM-INTRO", "no introducer", "not enough full members to introduce"
            )
        slots: list[UUID | None] = [None, chosen[0]] if youth else list(chosen)
        for slot, member_id in enumerate(slots, start=1):
            app.assign_introducer(
                self.ctx(Role.cell_secretary, cell.id),
                case_id,
                slot,
                self.introduction(member_id, on),
            )

    def refresh_introducers(
        self, case_id: UUID, cell: CellInfo, data: PersonalData, on: date
    ) -> None:
        """Before the vote: an introducer who moved away or was disciplined is replaced, and
        letters about to pass 12 months are redone (ADM-INTRO, ADM-DOSSIER-AGE)."""
        case: AdmissionCase = self.agg(case_id)
        stale = False
        for intro in case.introductions.values():
            stale |= policy.dossier_stale_after(intro.letter_on, on) <= on + timedelta(days=7)
        current = {i.member_id for i in case.introductions.values() if i.member_id}
        for slot, intro in sorted(case.introductions.items()):
            if intro.member_id is None:
                if stale:
                    self.app.assign_introducer(
                        self.ctx(Role.cell_secretary, cell.id),
                        case_id,
                        slot,
                        self.introduction(None, on - timedelta(days=3)),
                    )
                continue
            m: Member = self.agg(intro.member_id)
            valid = (
                m.status_on(on) is Status.full
                and not any(d <= on for d, _ in m.penalties)
                and self.app.grassroots_of(m.cell_id, on).id == case.grassroots_id
            )
            if valid and not stale:
                continue
            letter = on - timedelta(days=self.r.randint(2, 8))
            member_id = intro.member_id
            if not valid:
                found = self.full_members(cell.id, letter, 1, exclude=frozenset(current))
                if not found:
                    raise RuleViolation("ADM-INTRO", "no replacement", "no replacement introducer")
                member_id = found[0]
                current.add(member_id)
            self.app.assign_introducer(
                self.ctx(Role.cell_secretary, cell.id),
                case_id,
                slot,
                self.introduction(member_id, letter),
            )

    def votes(self, denominator: int, passes: bool) -> tuple[int, int]:
        """A show of party cards: ≥ 2/3 of the denominator for, or short of it."""
        need = -(-2 * denominator // 3)
        present = max(1, round(denominator * self.r.uniform(0.8, 1.0)))
        if passes:
            votes_for = min(denominator, max(need, present - self.r.randint(0, 1)))
            return votes_for, min(denominator - votes_for, max(0, present - votes_for))
        votes_for = self.r.randint(max(0, need - 4), need - 1) if need > 0 else 0
        return votes_for, min(denominator - votes_for, max(0, present - votes_for))

    # --- probation and recognition ---

    def probation(self, member_id: UUID, cell_id: UUID, strike: bool = False) -> Job:
        app, r = self.app, self.r
        member: Member = self.agg(member_id)
        if member.case_id is None:
            self.watch(member_id)
        else:
            yield self.day(self.today, 60, 240)
            app.complete_new_member_course(
                self.ctx(Role.grassroots_officer, self.cells[member.cell_id].grassroots.id),
                member_id,
                f"{r.randint(1, 500)}/GCN-ĐVM",
                self.today,
            )
            if r.random() < 0.1:
                helper = self.full_members(member.cell_id, self.today, 1, frozenset({member_id}))
                if helper:
                    app.assign_helper(
                        self.ctx(Role.cell_secretary, member.cell_id),
                        member_id,
                        helper[0],
                        self.today,
                    )
        if strike:
            yield self.day(self.today, 30, 150)
            yield from self.strike_off(member_id)
            return
        if (
            cell_id in self.cells
            and self.cells[cell_id].setting in WORKPLACES
            and r.random() < 0.85
        ):
            self.spawn(self.day(self.today, 20, 120), self.link(member_id))
        # PRB-REVIEW: the cell reviews within 30 WD of the end of the twelve months
        late = r.random() < 0.12
        yield CAL.add_working_days(
            member.probation_ends, r.randint(31, 60) if late else r.randint(1, 26)
        )
        for attempt in range(3):
            cell = member.cell_id
            probe = app.cell_ballot(cell, self.today, 0, 0, 0)
            if probe.on_roll < 3:
                return
            passes = attempt > 0 or r.random() > 0.015
            votes_for, against = self.votes(probe.denominator, passes)
            app.record_review_vote(
                self.ctx(Role.cell_secretary, cell),
                member_id,
                motion=Motion.recognize,
                held_on=self.today,
                votes_for=votes_for,
                votes_against=against,
            )
            if member.resolution is not None:
                break
            yield self.day(self.today, 20, 50)
        self.watch(member_id)
        # PRB-DECIDE: 30 WD from the resolution (a few extended, some late)
        resolved = self.today
        if r.random() < 0.03:
            yield self.wd(resolved, 20, 28)
            app.extend_recognition_deadline(
                self.ctx(Role.org_department_officer, cell), member_id, 20, "review", self.today
            )
            self.watch(member_id)
            yield self.wd(resolved, 30, 48)
        else:
            yield self.wd(resolved, 5, 29) if r.random() < 0.88 else self.wd(resolved, 31, 55)
        competent = app.competent_committee(member.cell_id, self.today).id
        app.recognize(
            self.ctx(Role.org_department_officer, competent),
            member_id,
            decided_by=competent,
            on=self.today,
        )

    def strike_off(self, member_id: UUID) -> Job:
        app = self.app
        member: Member = self.agg(member_id)
        probe = app.cell_ballot(member.cell_id, self.today, 0, 0, 0)
        if probe.on_roll < 3:
            return
        votes_for, against = self.votes(probe.denominator, True)
        app.record_review_vote(
            self.ctx(Role.cell_secretary, member.cell_id),
            member_id,
            motion=Motion.strike_off,
            held_on=self.today,
            votes_for=votes_for,
            votes_against=against,
        )
        yield self.wd(self.today, 5, 25)
        competent = app.competent_committee(member.cell_id, self.today).id
        app.strike_off(
            self.ctx(Role.org_department_officer, competent),
            member_id,
            decided_by=competent,
            reason="PRB: not fit",
            on=self.today,
        )
        self.outcomes["struck off"] += 1

    # --- transfers ---

    def transfers(self) -> Job:
        """~600 transfers a year at scale 1: official between grassroots organizations,
        internal, temporary (work away, study)."""
        month = date(2016, 10, 1)
        while month <= END:
            for _ in range(self.s.n(50 * self.r.uniform(0.8, 1.2), 0)):
                kind = self.pick(
                    (
                        (TransferKind.official, 46),
                        (TransferKind.internal, 34),
                        (TransferKind.temporary, 20),
                    )
                )
                self.spawn(self.day(month, 0, 27), self.transfer(kind))
            month = add_months(month, 1)
            yield month

    def movable(self, on: date) -> tuple[UUID, CellInfo] | None:
        """A full member who may move: not away, not moving, whose cell keeps ≥ 5 full."""
        for _ in range(20):
            member_id = self.r.choice(self.members)
            if member_id in self.busy:
                continue
            m: Member = self.agg(member_id)
            cell = self.cells[m.cell_id]
            if (
                m.status_on(on) is not Status.full
                or m.away_transfer_id is not None
                or m.is_exempt_on(on)
                or cell.closing is not None
            ):
                continue
            roll: Organization = self.agg(cell.id)
            full = sum(1 for x in roll.members_on(on) if self.agg(x).status_on(on) is Status.full)
            if full >= 6:
                return member_id, cell
        return None

    def transfer(self, kind: TransferKind) -> Job:
        app, r = self.app, self.r
        found = self.movable(self.today)
        if found is None:
            return
        member_id, cell = found
        member: Member = self.agg(member_id)
        g = cell.grassroots
        if kind is TransferKind.official and member.holds:
            return
        if kind is TransferKind.internal:
            others = [c for c in g.cells if c.id != cell.id and c.closing is None]
            if not others:
                return
            dest = r.choice(others)
            destination = dest.id
            reason = r.choice((TransferReason.new_job, TransferReason.residence_change))
        else:
            other = r.choice(self.grassroots)
            if other is g:
                return
            choices = [c for c in other.cells if c.closing is None]
            if not choices:
                return
            dest = r.choice(choices)
            destination = other.id if kind is TransferKind.official else dest.id
            reason = (
                r.choice(
                    (
                        TransferReason.new_job,
                        TransferReason.retirement,
                        TransferReason.residence_change,
                        TransferReason.demobilisation,
                    )
                )
                if kind is TransferKind.official
                else r.choice((TransferReason.work_away, TransferReason.study))
            )
        returns_on = None
        on = self.today
        trigger = CAL.working_days_before(
            on, r.randint(2, 40) if r.random() < 0.9 else r.randint(61, 90)
        )
        if kind is TransferKind.temporary:
            trigger = on
            months = r.randint(3, 11) if reason is TransferReason.work_away else r.randint(3, 24)
            returns_on = add_months(on, months) - timedelta(days=1 if months in (11, 24) else 0)
        self.busy.add(member_id)
        tid = self.uuid()
        secretary = partial(self.ctx, Role.cell_secretary, cell.id)
        try:
            app.start_transfer(
                secretary(),
                transfer_id=tid,
                member_id=member_id,
                kind=kind,
                reason=reason,
                destination_org_id=destination,
                trigger_on=trigger,
                on=on,
                returns_on=returns_on,
                portal_reference=f"DVC-{r.randint(10**7, 10**8)}"
                if kind is TransferKind.official and on >= date(2025, 12, 12) and r.random() < 0.3
                else None,
            )
            self.watch(tid)
            # the letter's way: up the sending side, down the receiving side
            route: list[UUID] = []
            if kind is TransferKind.internal or kind is TransferKind.temporary:
                route = [g.id, dest.id] if g.id != cell.id else [dest.id]
            else:
                up = self.agg(g.id).parent_on(on)
                down = self.agg(dest.grassroots.id).parent_on(on)
                route = [g.id] if g.id != cell.id else []
                route += [up] if up == down else [up, down]
                route += [dest.grassroots.id] if dest.grassroots.id != dest.id else []
                route.append(dest.id)
            last = cell.id
            for hop_to in route:
                yield self.wd(self.today, 1, 6)
                if r.random() < 0.01 and hop_to != dest.id:
                    app.cancel_transfer(secretary(), tid, "the decision was withdrawn", self.today)
                    self.outcomes["transfer cancelled"] += 1
                    return
                app.forward_letter(
                    self.ctx(Role.grassroots_officer, last),
                    tid,
                    Hop(last, hop_to, f"{r.randint(1, 999)}-GGT", self.today),
                )
                last = hop_to
            self.watch(tid)
            # TRF-PRESENT: the member presents the letter within 30 WD (some late)
            yield self.wd(self.today, 2, 25) if r.random() < 0.9 else self.wd(self.today, 31, 50)
            app.present_letter(self.ctx(Role.cell_secretary, dest.id), tid, self.today)
            yield self.wd(self.today, 0, 5)
            app.accept_transfer(self.ctx(Role.cell_secretary, dest.id), tid, self.today)
            self.outcomes[f"transfer {kind}"] += 1
            if kind is TransferKind.temporary:
                assert returns_on is not None
                yield max(self.today, returns_on + timedelta(days=r.randint(-10, 10)))
                app.end_temporary_transfer(self.ctx(Role.cell_secretary, dest.id), tid, self.today)
        finally:
            self.busy.discard(member_id)

    # --- the 2018 dissolution of one district's commune-agency cells ---

    def dissolution(self) -> Job:
        """One district dissolves all its commune-agency cells on one date; each member moves
        to a residence cell of the same grassroots committee by an internal transfer."""
        app, r = self.app, self.r
        cells = [
            c
            for g in self.grassroots
            if g.district == 0 and g.type == "commune"
            for c in g.cells
            if c.setting is CellSetting.commune_agency
        ][: self.s.n(13)]
        for c in cells:
            c.closing = date(2018, 6, 1)
        yield date(2018, 3, 1)
        for c in cells:
            homes = [
                x.id
                for x in c.grassroots.cells
                if x.setting in (CellSetting.hamlet, CellSetting.residential_group)
            ]
            for member_id in sorted(self.agg(c.id).members_on(self.today)):
                m: Member = self.agg(member_id)
                if member_id in self.busy or m.away_transfer_id is not None:
                    continue
                home = m.residence_cell_id if m.residence_cell_id in homes else r.choice(homes)
                self.spawn(self.day(self.today, 0, 30), self.move_home(member_id, c, home))
        yield date(2018, 6, 1)
        still_open = {
            a.cell_id
            for a in self.app.repository.aggs.values()  # type: ignore[attr-defined]
            if isinstance(a, AdmissionCase) and not a.stage.is_closed
        }
        for c in cells:
            officer = partial(self.ctx, Role.org_department_officer, c.grassroots.id)
            org = self.agg(c.id)
            if (
                c.id not in still_open
                and not org.members_on(self.today)
                and not org.guests_on(self.today)
            ):
                app.dissolve_organization(officer(), c.id, self.today)
                self.outcomes["cell dissolved"] += 1

    def move_home(self, member_id: UUID, cell: CellInfo, home: UUID) -> Job:
        app = self.app
        self.busy.add(member_id)
        tid = self.uuid()
        officer = partial(self.ctx, Role.grassroots_officer, cell.grassroots.id)
        try:
            app.start_transfer(
                officer(),
                transfer_id=tid,
                member_id=member_id,
                kind=TransferKind.internal,
                reason=TransferReason.reorganisation,
                destination_org_id=home,
                trigger_on=date(2018, 3, 1),
                on=self.today,
            )
            app.forward_letter(officer(), tid, Hop(cell.id, home, "GT-giải thể", self.today))
            yield self.wd(self.today, 1, 10)
            app.present_letter(self.ctx(Role.cell_secretary, home), tid, self.today)
            app.accept_transfer(self.ctx(Role.cell_secretary, home), tid, self.today)
            self.outcomes["transfer reorganisation"] += 1
        finally:
            self.busy.discard(member_id)

    # --- 2025-07-01: the district tier goes, the communes decide ---

    def reorganisation(self) -> Job:
        app, s = self.app, self.s
        yield REORG - timedelta(days=1)  # recorded the day before, effective on 2025-07-01
        n = s.n(40, 2)
        for i in range(n):
            district = i % len(self.districts)
            self.commune_district.append(district)
            self.communes.append(
                app.register_organization(
                    self.ctx(Role.administrator, self.province),
                    kind=OrgKind.commune_committee,
                    name=f"Đảng ủy xã {PLACES_LIST[i % len(PLACES_LIST)]} {i + 1}",
                    parent_id=self.province,
                    established_on=REORG,
                    org_id=self.uuid(),
                )
            )
        by_district: dict[int, list[int]] = {}
        for i, d in enumerate(self.commune_district):
            by_district.setdefault(d, []).append(i)
        for k, g in enumerate(self.grassroots):
            options = by_district.get(g.district) or list(range(n))
            g.commune = options[k % len(options)]
            app.reparent_organization(
                self.ctx(Role.administrator, self.province), g.id, self.communes[g.commune], REORG
            )
        for d in self.districts:
            app.dissolve_organization(self.ctx(Role.administrator, self.province), d, REORG)
        # the communes' hamlets, and the cells serving them (some combined, some uncovered)
        yield date(2025, 7, 20)
        for g in self.grassroots:
            commune = self.communes[g.commune]
            officer = partial(self.ctx, Role.org_department_officer, commune)
            residential = [
                c
                for c in g.cells
                if c.setting in (CellSetting.hamlet, CellSetting.residential_group)
            ]
            numbers = itertools.count(1)
            for c in residential:
                keys = [
                    f"{str(g.id)[:8]}-{next(numbers)}" for _ in range(self.pick(((1, 85), (2, 15))))
                ]
                for key in keys:
                    app.register_hamlet(officer(), commune, key, f"Thôn {key[-4:]}", self.today)
                c.hamlets = tuple(keys)
                app.serve_hamlets(officer(), c.id, commune, c.hamlets, self.today)
            if residential and self.r.random() < 0.1:  # a hamlet with no party organization
                app.register_hamlet(
                    officer(), commune, f"{str(g.id)[:8]}-x", "Thôn mới", self.today
                )

    # --- yearly: targets, 213 comments, and the year's small events ---

    def yearly(self) -> Job:
        year = 2016
        while year <= END.year:
            set_on = date(2016, 8, 10) if year == 2016 else date(year, 1, 8)
            yield set_on
            self.targets(year)
            if year <= 2025:
                yield date(year, 12, 1)
                self.spawn(self.today, self.residence_round(year))
            year += 1
            yield date(year, 1, 1)

    def targets(self, year: int) -> None:
        """Targets per organization and year: the province, its districts (the communes from
        July 2025) and every grassroots organization (a number, or a rate of membership)."""
        app, r = self.app, self.r
        on = self.today
        province = partial(self.ctx, Role.org_department_officer, self.province)
        app.set_target(province(), self.province, AdmissionTarget(year, count=self.s.n(2000)), on)
        members: Counter[int] = Counter()
        for g in self.grassroots:
            start = sum(len(self.agg(c.id).members_on(on)) for c in g.cells)
            members[g.district] += start
            officer = partial(self.ctx, Role.org_department_officer, self.superior(g))
            if r.random() < 0.5:
                target = AdmissionTarget(
                    year, rate_percent=r.choice((3.0, 3.5, 4.0, 5.0)), start_of_year_members=start
                )
            else:
                target = AdmissionTarget(year, count=max(1, round(start * r.uniform(0.025, 0.05))))
            app.set_target(officer(), g.id, target, self.day(on, 0, 20))
            if r.random() < 0.04:  # revised mid-year
                app.set_target(
                    officer(),
                    g.id,
                    AdmissionTarget(year, count=max(1, target.admissions + 1)),
                    self.day(on, 120, 180),
                )
        if self.communes and year >= 2026:
            for c in self.communes:
                app.set_target(province(), c, AdmissionTarget(year, count=self.s.n(50)), on)
        elif not self.communes:
            for d, district in enumerate(self.districts):
                app.set_target(
                    province(),
                    district,
                    AdmissionTarget(year, count=max(1, round(members[d] * 0.04))),
                    on,
                )

    def superior(self, g: GrassrootsInfo) -> UUID:
        return self.agg(g.id).parent_on(self.today)  # type: ignore[no-any-return]

    def residence_round(self, year: int) -> Job:
        """The yearly comments of the residence cells (213-QĐ/TW), December."""
        linked = [m for m in self.members if self.agg(m).residence_cell_id is not None]
        linked.sort()
        days = sorted(self.day(self.today, 0, 24) for _ in linked)
        for member_id, on in zip(linked, days, strict=True):
            if self.today < on:
                yield on
            m: Member = self.agg(member_id)
            if (
                m.residence_cell_id is None
                or m.status is Status.struck_off
                or self.cells[m.cell_id].setting in NO_COMMENTS
            ):
                continue
            self.app.record_residence_comment(
                self.ctx(Role.cell_secretary, m.residence_cell_id),
                member_id,
                year,
                self.r.random() < 0.985,
                self.today,
            )

    def chores(self) -> Job:
        """Each month: exemptions, holds placed and released, discipline, corrections."""
        r, s = self.r, self.s
        month = date(2016, 9, 1)
        while month <= END:
            for _ in range(s.n(55 * r.uniform(0.7, 1.3), 0)):
                member_id = r.choice(self.members)
                m: Member = self.agg(member_id)
                if m.status is not Status.full:
                    continue
                on = self.day(month, 0, 27)
                what = self.pick((("exempt", 45), ("hold", 8), ("discipline", 9), ("correct", 38)))
                self.once(on, lambda w=what, i=member_id: self.chore(w, i))
            month = add_months(month, 1)
            yield month

    def chore(self, what: str, member_id: UUID) -> None:
        app, r = self.app, self.r
        m: Member = self.agg(member_id)
        if m.status is Status.struck_off:
            return
        ctx = self.ctx(Role.cell_secretary, m.cell_id)
        if what == "exempt":
            ends = add_months(self.today, r.randint(3, 12))
            app.exempt_member(
                ctx, member_id, Exemption(self.today, ends, r.choice(("illness", "work far away")))
            )
        elif what == "hold" and member_id not in self.busy:
            app.place_hold(ctx, member_id, r.choice(list(HoldKind)), self.today)
            self.once(self.day(self.today, 60, 200), lambda: self.release(member_id))
        elif what == "discipline":
            app.discipline_member(
                ctx, member_id, r.choice(("reprimand", "warning")), "violation", self.today
            )
        elif what == "correct":
            person: Person = self.agg(m.person_id)
            data = person.data
            moved = PersonalData(
                **{
                    **vars(data),
                    "address": f"Tổ {r.randint(1, 30)}, phường {r.choice(PLACES_LIST)}",
                }
            )
            app.register_person(ctx, moved, self.today)

    def release(self, member_id: UUID) -> None:
        m: Member = self.agg(member_id)
        for kind in sorted(m.holds):
            self.app.release_hold(
                self.ctx(Role.cell_secretary, m.cell_id), member_id, kind, self.today
            )

    # --- all of it ---

    def generate(self) -> None:
        self.clock.day(SETUP)
        self.build_tree()
        self.residential_by_district: dict[int, list[UUID]] = {}
        for c in self.cells.values():
            if c.setting in (CellSetting.hamlet, CellSetting.residential_group):
                self.residential_by_district.setdefault(c.grassroots.district, []).append(c.id)
        self.migrate()
        self.spawn(CASES_FROM, self.intake())
        self.spawn(date(2016, 8, 1), self.yearly())
        self.spawn(date(2016, 10, 1), self.transfers())
        self.spawn(date(2016, 9, 1), self.chores())
        self.spawn(date(2017, 6, 1), self.dissolution())
        self.spawn(REORG - timedelta(days=1), self.reorganisation())
        self.run()

    def sample_grassroots(self) -> UUID:
        """A typical large grassroots committee of a commune (the 80th percentile by roll)."""
        communes = [g for g in self.grassroots if g.type == "commune"] or self.grassroots
        sized = sorted(communes, key=lambda g: sum(len(self.agg(c.id).roll) for c in g.cells))
        return sized[int(0.8 * (len(sized) - 1))].id


def iter_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def write_seeded_id_key(data_dir: Path, seed: int) -> None:
    """The store's person-id key, from the seed: person and member ids are keyed hashes, the
    simulation sorts and picks among them, so with a fresh random key every run would be
    another province. (Synthetic data only; a real data directory generates its key.)"""
    key = b64encode(hashlib.sha256(f"dangvien bench id key {seed}".encode()).digest()).decode()
    fd = os.open(data_dir / "id.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="keys, SQLite store, meta")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-dbname", default="", help="PostgreSQL store (default: a new dangvien_bench_<hex>)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = the province of DOMAIN.md §7"
    )
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--batch", type=int, default=20_000, help="events per transaction")
    args = parser.parse_args(argv)

    data_dir: Path = args.data_dir.resolve()
    if (data_dir / "events.sqlite").exists() or (data_dir / "bench-meta.json").exists():
        sys.exit(f"{data_dir} already holds a generated store: use a new --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    pg_dbname = ""
    if args.store == "postgres":
        pg_dbname = args.pg_dbname or create_pg_database()
    write_seeded_id_key(data_dir, args.seed)
    settings = settings_for(data_dir, args.store, pg_dbname)
    store = build_app(settings)
    sim = Simulated(
        {
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "DANGVIEN_ID_KEY": store.env["DANGVIEN_ID_KEY"],
        }
    )

    clock_holder: list[Clock] = []
    original = eventsourcing.domain.CanCreateTimestamp.create_timestamp
    province = Province(sim, store, args.scale, args.seed, args.batch)
    clock_holder.append(province.clock)
    eventsourcing.domain.CanCreateTimestamp.create_timestamp = staticmethod(province.clock.now)  # type: ignore[method-assign]
    print(
        f"generating a province at scale {args.scale} into {args.store} "
        f"({data_dir}{' / ' + pg_dbname if pg_dbname else ''}), history {CASES_FROM} … {END}",
        flush=True,
    )
    started = time.perf_counter()
    try:
        province.generate()
    finally:
        eventsourcing.domain.CanCreateTimestamp.create_timestamp = original  # type: ignore[method-assign]
    seconds = time.perf_counter() - started
    total = int(store.recorder.max_notification_id() or 0)

    aggs = sim.repository.aggs.values()  # type: ignore[attr-defined]
    kinds = Counter(type(a).__name__ for a in aggs)
    cases = [a for a in aggs if isinstance(a, AdmissionCase)]
    open_stages = Counter(str(c.stage) for c in cases if not c.stage.is_closed)
    members = [a for a in aggs if isinstance(a, Member)]
    statuses = Counter(str(m.status) for m in members)
    transfers = Counter(str(t.kind) for t in aggs if isinstance(t, Transfer))
    orgs = Counter(str(o.kind) for o in aggs if isinstance(o, Organization))
    meta = {
        "store": args.store,
        "pg_dbname": pg_dbname,
        "scale": args.scale,
        "seed": args.seed,
        "events": total,
        "horizon": END.isoformat(),
        "province_id": str(province.province),
        "grassroots_id": str(province.sample_grassroots()),
        "aggregates": dict(kinds),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
    }
    write_meta(data_dir, meta)

    print()
    print(f"events stored            {total:>12,}")
    print(
        f"generation               {seconds:>12,.1f} s   {total / seconds:>10,.0f} events/s"
        " (simulation + store)"
    )
    print(
        f"store writes (app.save)  {province.save_seconds:>12,.1f} s   "
        f"{total / max(province.save_seconds, 1e-9):>10,.0f} events/s"
        " (encode + AES-GCM + zlib + insert)"
    )
    print(
        f"memory                   {rss_mib():>12,.0f} MiB now;"
        f" peak (ru_maxrss) {peak_rss_mib():,.0f} MiB"
    )
    print(f"organizations            {dict(orgs)}")
    print(f"aggregates               {dict(kinds)}")
    print(f"members by status        {dict(statuses)}  (total {len(members):,})")
    print(
        f"cases                    {len(cases):,};"
        f" open by stage: {dict(sorted(open_stages.items()))}"
    )
    print(f"outcomes                 {dict(province.outcomes)}")
    print(f"transfers                {dict(transfers)}")
    print(f"refused commands         {dict(province.refused) or 0}")
    print("events by type (top 25):")
    for name, count in province.by_name.most_common(25):
        print(f"  {name:<45} {count:>10,}")
    print(f"meta written to {data_dir / 'bench-meta.json'}")


if __name__ == "__main__":
    main()
