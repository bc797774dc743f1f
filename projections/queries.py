"""The questions organization departments ask every week, answered from the read model."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa

from domain import policy, standing
from domain.admission import CLOSED, Stage
from domain.calendar import vietnam_calendar
from domain.member import Status
from domain.stages import OFF_ROLL
from domain.values import OrgKind
from projections.log import uuid_from_hex
from projections.rows import BREAKDOWNS
from projections.seal import GroupSeal
from projections.tables import Tables, tables, under
from projections.versions import live_version

LOST = tuple(sorted(str(s) for s in CLOSED - {Stage.admitted}))
ON_PROBATION = tuple(sorted(str(s) for s in standing.ON_PROBATION))
MOVING = tuple(sorted(str(s) for s in standing.TRANSFER_MOVING))
OPEN_STAGES = tuple(str(s) for s in Stage if s not in CLOSED)
CELL_KINDS = tuple(str(k) for k in OrgKind if k.holds_members)


@dataclass(frozen=True)
class Quota:
    """Progress of an organization's subtree toward its admission target for a year."""

    org_id: UUID
    year: int
    target: int
    admitted: int
    recognized: int
    pipeline: dict[str, int]
    lost: int
    struck_off: int
    breakdowns: dict[str, int]
    forecast: float

    @property
    def percent(self) -> float | None:
        return round(100 * self.admitted / self.target, 1) if self.target else None


class Card(NamedTuple):
    """One open case, process or transfer on the stage board / in the stalled list (a
    named tuple: a province's board builds thousands, and a frozen dataclass's `__init__`
    was a seventh of its time)."""

    kind: str  # admission | member | transfer
    id: UUID
    cell_id: UUID
    stage: str
    stage_since: date | None
    days_in_stage: int | None
    deadline_rule: str | None
    deadline_due: date | None
    working_days_left: int | None  # negative: overdue
    escalation_level: int
    responsible_id: UUID | None = None  # who holds it now
    # A dossier's document lapsing within 3 months (or lapsed): a warning, not a deadline
    # (policy.VALIDITY_RULES).
    warning_rule: str | None = None
    warning_due: date | None = None


@dataclass(frozen=True)
class Roll:
    cell_id: UUID
    full: list[UUID]
    probationary: list[tuple[UUID, date]]  # with the end of probation
    away: list[UUID]  # temporarily transferred out (still on the roll)
    guests: list[UUID]  # temporarily transferred in (not counted)
    residence_links: list[UUID]  # members of other cells residing here (213)


@dataclass(frozen=True)
class Coverage:
    hamlets_without_cell: list[str] = field(default_factory=list)
    hamlets_without_member: list[str] = field(default_factory=list)


class SealNeeded(RuntimeError):
    """A question that reads people's sealed groups, asked of a read model without the key."""


class ReadModel:
    """Queries over one version of the read model (the live one by default). `seal` opens
    people's sealed groups (projections/seal.py), which only the stage board's filter by
    group and a quota asked before its year's last ceremony read."""

    def __init__(
        self, engine: sa.Engine, version: int | None = None, *, seal: GroupSeal | None = None
    ) -> None:
        self.engine = engine
        self.t: Tables = tables(version or live_version(engine))
        self.seal = seal

    def _groups(self, rows: Sequence[Any]) -> list[int]:
        """The groups (bitmasks) of rows ending with a person's id and sealed groups."""
        if self.seal is None:
            raise SealNeeded("people's breakdown groups need the read model's key")
        opened = self.seal.open
        return [opened(row[-2], row[-1]) if row[-1] is not None else 0 for row in rows]

    def _path(self, conn: sa.Connection, org_id: UUID) -> str:
        path = conn.execute(
            sa.select(self.t.orgs.c.path).where(self.t.orgs.c.id == org_id)
        ).scalar()
        if path is None:
            raise LookupError(f"unknown organization {org_id}")
        return str(path)

    # --- quota ---

    def quota(self, org_id: UUID, year: int, today: date) -> Quota:
        t, start, end = self.t, date(year, 1, 1), date(year, 12, 31)
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            in_tree = under(t.cases.c.path, path)
            admitted = conn.execute(
                sa.select(sa.func.count()).where(
                    in_tree, t.cases.c.ceremony_on.between(start, min(end, today))
                )
            ).scalar_one()
            breakdowns = self._breakdowns(conn, path, year, today)
            open_cases = conn.execute(  # by stage and day entered: the pipeline, the forecast
                sa.select(t.cases.c.stage, t.cases.c.stage_since, sa.func.count())
                .where(t.cases.c.closed.is_(False), in_tree)
                .group_by(t.cases.c.stage, t.cases.c.stage_since)
            ).all()
            pipeline: Counter[str] = Counter()
            for stage, _, count in open_cases:
                pipeline[str(stage)] += int(count)
            lost = conn.execute(
                sa.select(sa.func.count()).where(
                    in_tree,
                    t.cases.c.stage.in_(LOST),
                    t.cases.c.outcome_on.between(start, min(end, today)),
                )
            ).scalar_one()
            members_in_tree = under(t.members.c.path, path)
            recognized = conn.execute(
                sa.select(sa.func.count()).where(
                    members_in_tree,
                    t.members.c.full_from.between(start, end),
                    t.members.c.recognized_on <= today,
                )
            ).scalar_one()
            struck_off = conn.execute(
                sa.select(sa.func.count()).where(
                    members_in_tree, t.members.c.struck_off_on.between(start, min(end, today))
                )
            ).scalar_one()
            target = self._target(conn, org_id, path, year)
            forecast = admitted + self._expected_more(conn, open_cases, today, end)
        return Quota(
            org_id,
            year,
            target,
            int(admitted),
            int(recognized),
            dict(pipeline),
            int(lost),
            int(struck_off),
            breakdowns,
            round(forecast, 1),
        )

    def _breakdowns(self, conn: sa.Connection, path: str, year: int, today: date) -> dict[str, int]:
        """The year's ceremonies under `path` by group, from the counts the projection keeps
        (no person's group is read); before the year's end, less those held after `today`
        (rare: a question about a past day of the year), whose groups are opened."""
        t = self.t
        g = t.admitted_groups.c
        counted = dict(
            conn.execute(
                sa.select(g.breakdown, sa.func.sum(g.admitted))
                .join(t.orgs, t.orgs.c.id == g.cell_id)
                .where(under(t.orgs.c.path, path), g.year == year)
                .group_by(g.breakdown)
            ).all()
        )
        breakdowns = {b: int(counted.get(b) or 0) for b in BREAKDOWNS}
        end = date(year, 12, 31)
        if today >= end:
            return breakdowns
        later = conn.execute(
            sa.select(t.cases.c.person_id, t.person_groups.c.sealed)
            .select_from(
                t.cases.outerjoin(
                    t.person_groups, t.person_groups.c.person_id == t.cases.c.person_id
                )
            )
            .where(
                under(t.cases.c.path, path),
                t.cases.c.ceremony_on > max(today, date(year, 1, 1) - timedelta(days=1)),
                t.cases.c.ceremony_on <= end,
            )
        ).all()
        for groups in self._groups(later) if later else ():
            for i, b in enumerate(BREAKDOWNS):
                breakdowns[b] -= groups >> i & 1
        return breakdowns

    def admissions_by_month(self, org_id: UUID, year: int, today: date) -> list[int]:
        """Ceremonies held in the subtree in each month of the year up to `today` (12
        numbers, January first): the dashboard's chart against the target."""
        t = self.t
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            days = conn.execute(
                sa.select(t.cases.c.ceremony_on).where(
                    t.cases.c.ceremony_on.between(date(year, 1, 1), min(date(year, 12, 31), today)),
                    under(t.cases.c.path, path),
                )
            ).scalars()
            months = Counter(day.month for day in days)
        return [months.get(month, 0) for month in range(1, 13)]

    def _target(self, conn: sa.Connection, org_id: UUID, path: str, year: int) -> int:
        """The unit's own target, or the sum over its subtree of the nearest targets."""
        t = self.t
        set_targets = dict(
            conn.execute(
                sa.select(t.orgs.c.path, t.targets.c.admissions)
                .join(t.targets, t.targets.c.org_id == t.orgs.c.id)
                .where(under(t.orgs.c.path, path), t.targets.c.year == year)
            ).all()
        )
        if path in set_targets:
            return int(set_targets[path])
        nearest = [
            p for p in set_targets if not any(p != q and p.startswith(q) for q in set_targets)
        ]
        return sum(int(set_targets[p]) for p in nearest)

    def _expected_more(
        self, conn: sa.Connection, open_cases: Sequence[Any], today: date, end: date
    ) -> float:
        """The year-end forecast: each open case counts with its stage's historical
        conversion to admission, if its stage's median time to the ceremony ends by 31 Dec.
        The history is every closed case of the read model (`stage_outcomes`)."""
        t = self.t
        reached: Counter[str] = Counter()
        admitted: Counter[str] = Counter()
        to_ceremony: dict[str, list[tuple[int, int]]] = defaultdict(list)
        outcomes = t.stage_outcomes.c
        for stage, days, cases in conn.execute(
            sa.select(outcomes.stage, outcomes.days_to_ceremony, outcomes.cases)
        ):
            reached[stage] += cases
            if days >= 0:
                admitted[stage] += cases
                to_ceremony[stage].append((days, cases))
        ready_after = {stage: _median(counts) for stage, counts in to_ceremony.items()}
        expected = 0.0
        for stage, since, count in open_cases:
            if stage not in ready_after:
                continue
            ready = max(since + timedelta(days=ready_after[stage]), today)
            if ready <= end:
                expected += count * admitted[stage] / reached[stage]
        return expected

    # --- boards ---

    def stage_board(
        self,
        org_id: UUID,
        today: date,
        *,
        cell_id: UUID | None = None,
        overdue_only: bool = False,
        group: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Card]:
        """Every open case under the organization with its stage, time in stage, next
        deadline, working days left (negative: overdue) and escalation level; the nearest
        deadline first, a page of `limit` cards from `offset` when given. `group` keeps the
        candidates of one breakdown group of docs/rulebook.md §7 (`BREAKDOWNS`)."""
        t = self.t
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            query = self._card_query("admission").where(
                t.cases.c.closed.is_(False), under(t.cases.c.path, path)
            )
            if cell_id is not None:
                query = query.where(t.cases.c.cell_id == cell_id)
            if overdue_only:
                query = query.where(t.cases.c.deadline_due < today)
            due = t.cases.c.deadline_due
            query = query.order_by(due.is_(None), due, t.cases.c.opened_on, t.cases.c.id)
            if group is None:
                if limit is not None:
                    query = query.limit(limit).offset(offset)
                return self._cards("admission", conn.execute(query), today)
            if group not in BREAKDOWNS:
                raise LookupError(f"unknown breakdown group {group!r}")
            # The group is sealed on each person's row: the open cases' are opened here (a
            # province's board holds a few thousand), then the page is cut.
            sealed = t.person_groups
            rows = conn.execute(
                query.add_columns(_raw(t.cases.c.person_id), sealed.c.sealed).outerjoin(
                    sealed, sealed.c.person_id == t.cases.c.person_id
                )
            ).all()
        bit = 1 << BREAKDOWNS.index(group)
        people = [(uuid_from_hex(r[-2]), r[-1]) for r in rows]
        kept = [r[:-2] for r, g in zip(rows, self._groups(people), strict=True) if g & bit]
        page = kept[offset : None if limit is None else offset + limit]
        return self._cards("admission", _Fetched(page), today)

    def stalled(self, org_id: UUID, today: date, limit: int = 200) -> list[Card]:
        """Open cases, probations and transfers past their deadline or escalated, worst
        first (highest escalation, then most working days overdue)."""
        t = self.t
        cards: list[Card] = []
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            for kind, table, path_column, open_clause in (
                ("admission", t.cases, t.cases.c.path, t.cases.c.closed.is_(False)),
                ("member", t.members, t.members.c.path, t.members.c.status.in_(ON_PROBATION)),
                ("transfer", t.transfers, t.transfers.c.from_path, t.transfers.c.stage.in_(MOVING)),
            ):
                query = self._card_query(kind).where(
                    open_clause,
                    under(path_column, path),
                    sa.or_(table.c.deadline_due < today, table.c.escalation_level >= 1),
                )
                cards += self._cards(kind, conn.execute(query), today)
        cards.sort(key=lambda c: (-c.escalation_level, c.working_days_left or 0))
        return cards[:limit]

    def _card_query(self, kind: str) -> sa.Select[Any]:
        """The columns of a card, in `Card`'s order, from the table of its kind; ids come
        as text (`_raw`) and are turned into UUIDs by `uuid_from_hex`."""
        t, none = self.t, sa.null()
        if kind == "admission":
            c = t.cases.c
            return sa.select(
                _raw(c.id), _raw(c.cell_id), c.stage, c.stage_since, c.deadline_rule
            ).add_columns(
                c.deadline_due,
                c.escalation_level,
                _raw(c.responsible_id),
                c.validity_rule,
                c.validity_due,
            )
        if kind == "member":
            m = t.members.c
            return sa.select(
                _raw(m.id), _raw(m.cell_id), m.status, none, m.deadline_rule
            ).add_columns(m.deadline_due, m.escalation_level, none, none, none)
        r = t.transfers.c
        return sa.select(
            _raw(r.id), _raw(r.from_cell_id), r.stage, none, r.deadline_rule
        ).add_columns(r.deadline_due, r.escalation_level, none, none, none)

    @staticmethod
    def _cards(kind: str, rows: Any, today: date) -> list[Card]:
        between = vietnam_calendar().working_days_between
        days_left: dict[date, int] = {}  # a province's board has a few hundred due dates

        def left(due: date) -> int:
            found = days_left.get(due)
            if found is None:
                found = days_left[due] = between(today, due)
            return found

        ident = uuid_from_hex  # interned: a board names a few thousand organizations
        warned = policy.validity_warning
        return [
            Card(
                kind,
                ident(id_),
                ident(cell),
                stage,
                since,
                (today - since).days if since else None,
                rule,
                due,
                left(due) if due else None,
                level,
                ident(holder) if holder is not None else None,
                *((lapse_rule, lapses) if lapses and warned(lapses, today) else (None, None)),
            )
            for id_, cell, stage, since, rule, due, level, holder, lapse_rule, lapses in rows.all()
        ]

    # --- rolls ---

    def roll(self, cell_id: UUID, today: date) -> Roll:
        t = self.t
        with self.engine.connect() as conn:
            own = conn.execute(
                sa.select(t.members).where(
                    t.members.c.cell_id == cell_id, t.members.c.status.not_in(OFF_ROLL)
                )
            ).all()
            guests = (
                conn.execute(sa.select(t.members.c.id).where(t.members.c.host_cell_id == cell_id))
                .scalars()
                .all()
            )
            linked = (
                conn.execute(
                    sa.select(t.members.c.id).where(
                        t.members.c.residence_cell_id == cell_id,
                        t.members.c.status.not_in(OFF_ROLL),
                    )
                )
                .scalars()
                .all()
            )
        full = [r.id for r in own if r.full_from is not None and r.full_from <= today]
        probationary = [
            (r.id, r.probation_ends) for r in own if r.full_from is None or r.full_from > today
        ]
        away = [r.id for r in own if r.host_cell_id is not None]
        return Roll(cell_id, full, probationary, away, list(guests), list(linked))

    def cells_below_minimum(self, org_id: UUID, today: date) -> list[tuple[UUID, str, int]]:
        """ORG-MIN: cells of the subtree with fewer full members than a vote needs."""
        minimum = policy.counting_rules(today).org_min_full_members
        t = self.t
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            full = sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            t.members.c.full_from <= today, t.members.c.status == str(Status.full)
                        ),
                        1,
                    ),
                    else_=0,
                )
            )
            found = conn.execute(
                sa.select(t.orgs.c.id, t.orgs.c.name, sa.func.coalesce(full, 0))
                .select_from(t.orgs.outerjoin(t.members, t.members.c.cell_id == t.orgs.c.id))
                .where(
                    under(t.orgs.c.path, path),
                    t.orgs.c.kind.in_(CELL_KINDS),
                    t.orgs.c.dissolved_on.is_(None),
                )
                .group_by(t.orgs.c.id, t.orgs.c.name)
            ).all()
        return [(i, n, int(c)) for i, n, c in found if int(c) < minimum]

    # --- transfers ---

    def transfers_in_transit(self, org_id: UUID, today: date) -> list[Card]:
        """Left one organization, not yet presented at the next, with working days left."""
        return self.transfers(org_id, today, ("in_transit", "letter_issued"))

    def transfers(
        self, org_id: UUID, today: date, stages: Sequence[str], limit: int | None = None
    ) -> list[Card]:
        """Transfers sent or received by the subtree (bound for it from the start: their
        destination is in it) at these stages, the latest started first (the finished ones
        too: completed, cancelled)."""
        t = self.t
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            found = conn.execute(
                self._card_query("transfer")
                .where(
                    sa.or_(
                        under(t.transfers.c.from_path, path),
                        under(t.transfers.c.to_path, path),
                        under(t.transfers.c.destination_path, path),
                    ),
                    t.transfers.c.stage.in_(tuple(stages)),
                )
                .order_by(t.transfers.c.started_on.desc(), t.transfers.c.id)
                .limit(limit)
            )
            return self._cards("transfer", found, today)

    # --- coverage ---

    def coverage(self, org_id: UUID) -> Coverage:
        """Hamlets/residential groups with no cell serving them, and with no member: no
        member on the rolls of the cells serving them nor residing there (213 links)."""
        t = self.t
        with self.engine.connect() as conn:
            path = self._path(conn, org_id)
            hamlets = conn.execute(
                sa.select(t.hamlets.c.name, t.hamlets.c.cell_ids)
                .join(t.orgs, t.orgs.c.id == t.hamlets.c.commune_id)
                .where(under(t.orgs.c.path, path) | sa.literal(path).startswith(t.orgs.c.path))
            ).all()
            staffed = {
                str(c)
                for c in conn.execute(
                    sa.select(t.members.c.cell_id).where(t.members.c.status.not_in(OFF_ROLL))
                ).scalars()
            } | {
                str(c)
                for c in conn.execute(
                    sa.select(t.members.c.residence_cell_id).where(
                        t.members.c.residence_cell_id.is_not(None),
                        t.members.c.status.not_in(OFF_ROLL),
                    )
                ).scalars()
            }
        without_cell = sorted(name for name, cells in hamlets if not cells)
        without_member = sorted(
            name for name, cells in hamlets if not any(c in staffed for c in cells)
        )
        return Coverage(without_cell, without_member)


def _median(counts: list[tuple[int, int]]) -> float:
    """The median of values given with their multiplicities."""
    ordered = sorted(counts)
    total = sum(n for _, n in ordered)

    def at(position: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        raise IndexError(position)

    return (at((total - 1) // 2) + at(total // 2)) / 2


class _Fetched(NamedTuple):
    """Rows already fetched, as `ReadModel._cards` reads a result."""

    rows: list[Any]

    def all(self) -> list[Any]:
        return self.rows


def _raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """An id as text, for `uuid_from_hex`: 32 hex digits on SQLite, the dashed form on
    PostgreSQL, whose driver would otherwise parse every one into a new UUID (on a
    province's board, 16,000 of them: more time than the query)."""
    return sa.cast(column, sa.String)
