"""Transfers (official, internal, temporary), the 2018 dissolution of one district's
commune-agency cells, and the 2025 reorganisation (the district tier goes)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import partial
from uuid import UUID

from bench.generate.base import ProvinceBase
from bench.generate.model import PLACES_LIST, CellInfo
from bench.generate.simulation import CAL, END, REORG, Job
from domain.admission import AdmissionCase
from domain.calendar import add_months
from domain.member import Member, Status
from domain.organization import Organization
from domain.transfer import Hop
from domain.values import CellSetting, OrgKind, Role, TransferKind, TransferReason


class Moves(ProvinceBase):
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
