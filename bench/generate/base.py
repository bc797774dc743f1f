"""The province's state and plumbing, shared by the parts of the simulation (`Province`
combines them): the job queue run day by day, the batches saved on the store, the escalation
ladders, random people."""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from operator import attrgetter
from typing import Any
from uuid import UUID

from bench.common import rss_mib
from bench.generate.model import (
    ETHNICITIES,
    GIVEN,
    MIDDLE,
    OCCUPATIONS,
    PLACES_LIST,
    RELIGIONS,
    SURNAMES,
    WORKPLACES,
    CellInfo,
    GrassrootsInfo,
    Scale,
)
from bench.generate.simulation import CAL, END, SETUP, Clock, Job, Simulated
from domain.application import Context, Dangvien
from domain.errors import DomainError
from domain.person import PersonalData
from domain.values import Actor, CellSetting, Education, Gender, Role


class ProvinceBase:
    """The state of the simulation; each part (tree, members, admissions, moves, yearly) is a
    subclass, and `Province` combines them, so a part may call another's jobs."""

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
