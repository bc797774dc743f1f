"""Every year: targets, the residence comments (213-QĐ/TW), and the year's small events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import partial
from uuid import UUID

from bench.generate.base import ProvinceBase
from bench.generate.model import NO_COMMENTS, PLACES_LIST, GrassrootsInfo
from bench.generate.simulation import END, Job
from domain.calendar import add_months
from domain.member import Exemption, Member, Status
from domain.organization import AdmissionTarget
from domain.person import Person, PersonalData
from domain.values import HoldKind, Role


class Yearly(ProvinceBase):
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
                or not m.status.on_roll
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
        if not m.status.on_roll:
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
