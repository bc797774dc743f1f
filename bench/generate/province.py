"""The province: every part of the simulation combined, and the whole history generated."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from bench.generate.admission import Admissions
from bench.generate.members import Members
from bench.generate.moves import Moves
from bench.generate.simulation import CASES_FROM, REORG, SETUP
from bench.generate.tree import Tree
from bench.generate.yearly import Yearly
from domain.values import CellSetting


class Province(Tree, Members, Admissions, Moves, Yearly):
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
