"""The quota's breakdowns as the read model computed them before issue 18 item 5, when each
case row carried its person's flags: every ceremony of the year up to `today` under the unit,
counted by the groups of its person's data as the record holds it now
(projections.views.people.person_flags). The tests compare the figures the pages and the API
show today with these."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import sqlalchemy as sa

from domain.application import Dangvien
from domain.person import Person
from projections.tables import tables, under
from projections.versions import live_version
from projections.views.people import BREAKDOWNS, person_flags


def admitted_people(engine: sa.Engine, org_id: UUID, year: int, today: date) -> list[UUID]:
    """The people of the ceremonies held under the unit in the year, by `today`."""
    t = tables(live_version(engine))
    with engine.connect() as conn:
        path = conn.execute(sa.select(t.orgs.c.path).where(t.orgs.c.id == org_id)).scalar_one()
        return list(
            conn.execute(
                sa.select(t.cases.c.person_id).where(
                    under(t.cases.c.path, path),
                    t.cases.c.ceremony_on.between(date(year, 1, 1), min(date(year, 12, 31), today)),
                )
            ).scalars()
        )


def breakdowns_from_the_record(
    app: Dangvien, engine: sa.Engine, org_id: UUID, year: int, today: date
) -> dict[str, int]:
    counts = dict.fromkeys(BREAKDOWNS, 0)
    for person_id in admitted_people(engine, org_id, year, today):
        for group, belongs in person_flags(app.load(Person, person_id).data).items():
            counts[group] += belongs
    return counts
