"""Members: registered from their paper dossiers (August 2016), linked to the cell where they
reside, their probation, recognition or striking off."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from bench.generate.base import ProvinceBase
from bench.generate.model import SETTING_SIZE, WORKPLACES, CellInfo
from bench.generate.simulation import CAL, Job
from domain import policy
from domain.application import Context
from domain.member import Member, Motion
from domain.person import PersonalData
from domain.values import CellSetting, CommentSource, Prerequisite, Role


class Members(ProvinceBase):
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
        if residence is not None and member.status.on_roll:
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
            if not self.papers(member_id):
                return
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

    def papers(self, member_id: UUID) -> bool:
        """What the recognition vote needs (PRB-DOSSIER), filed on the day of the vote where
        missing (a member registered from the paper dossier has no course or helper on
        record); False when the cell has no one to help."""
        app = self.app
        member: Member = self.agg(member_id)

        def ctx() -> Context:  # a command key of its own for each step
            return self.ctx(Role.cell_secretary, member.cell_id)

        if member.helper_member_id is None:
            helper = self.full_members(member.cell_id, self.today, 1, frozenset({member_id}))
            if not helper:
                return False
            app.assign_helper(ctx(), member_id, helper[0], self.today)
        if member.new_member_course is None:
            app.complete_new_member_course(ctx(), member_id, "GCN-ĐVM", self.today)
        filing = {
            Prerequisite.self_review: lambda m, s: m.submit_self_review(s),
            Prerequisite.helper_comments: lambda m, s: m.record_helper_comments(s),
            Prerequisite.workplace_organizations: lambda m, s: m.record_comments(
                CommentSource.workplace_organizations, s
            ),
            Prerequisite.residence_cell: lambda m, s: m.record_comments(
                CommentSource.residence_cell, s
            ),
        }
        for prerequisite, file in filing.items():
            if prerequisite not in member.papers:
                app.member_step(ctx(), member_id, self.today, file)
        return True

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
