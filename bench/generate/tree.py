"""The tree as set up on 2016-07-25: districts, grassroots organizations, cells."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from uuid import UUID

from bench.generate.base import ProvinceBase
from bench.generate.model import PLACES_LIST, CellInfo, GrassrootsInfo
from domain.values import CellSetting, OrgKind, Role


class Tree(ProvinceBase):
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
