"""A unit's year as its quota report states it (issue 16, domain/services/
paper_statements_org.py): the quota page's own counts (`ReadModel.quota`), and the same
counted by quarter — admissions decided, ceremonies held, recognitions. Counts only."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

import sqlalchemy as sa

from domain.services.paper_statements_org import YearFigures, YearFiguresOf
from projections.queries import ReadModel
from projections.seal import GroupSeal
from projections.tables import under


def _quarters(days: list[date]) -> list[int]:
    found = Counter((day.month - 1) // 3 for day in days)
    return [found.get(q, 0) for q in range(4)]


def year_figures(engine: sa.Engine, seal: GroupSeal | None = None) -> YearFiguresOf:
    """The port the record's quota report reads (wired by infra/api/services.py); `seal`
    opens people's sealed groups for a report dated before its year's last ceremony (issue 18,
    docs/privacy.md)."""

    def figures(org_id: UUID, year: int, on: date) -> YearFigures:
        model = ReadModel(engine, seal=seal)
        quota = model.quota(org_id, year, on)  # LookupError: a unit not known yet
        t, start, end = model.t, date(year, 1, 1), min(date(year, 12, 31), on)
        with engine.connect() as conn:
            path = model._path(conn, org_id)
            cases, members = t.cases.c, t.members.c
            decided = list(
                conn.execute(
                    sa.select(cases.decided_on).where(
                        under(cases.path, path), cases.decided_on.between(start, end)
                    )
                ).scalars()
            )
            admitted = list(
                conn.execute(
                    sa.select(cases.ceremony_on).where(
                        under(cases.path, path), cases.ceremony_on.between(start, end)
                    )
                ).scalars()
            )
            recognized = list(
                conn.execute(
                    sa.select(members.full_from).where(
                        under(members.path, path),
                        members.full_from.between(date(year, 1, 1), date(year, 12, 31)),
                        members.recognized_on <= on,
                    )
                ).scalars()
            )
        return YearFigures(
            target=quota.target,
            decided=len(decided),
            admitted=quota.admitted,
            recognized=quota.recognized,
            quarters={
                "decided": _quarters(decided),
                "admitted": _quarters(admitted),
                "recognized": _quarters(recognized),
            },
            breakdowns=dict(quota.breakdowns),
        )

    return figures
