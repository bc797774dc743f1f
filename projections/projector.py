"""The projector: reads the notification log in order, applies each event to the aggregate it
belongs to (with the domain's own code), and writes the rows of every aggregate a batch touched
together with the tracking position, in one transaction (exactly once). A failing event stops
the projection and is recorded with its position; nothing is skipped."""

from __future__ import annotations

import gc
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from domain.admission import CLOSED, HOLDERS, AdmissionCase
from domain.application import Dangvien
from domain.member import Member
from domain.organization import Organization
from domain.person import Person, PersonalData
from domain.record import Recorded
from domain.transfer import Transfer
from projections import rows
from projections.log import Decoder, Entry, Share, read_window
from projections.tables import (
    Tables,
    control,
    failures,
    live,
    subtree_end,
    tables,
    tracking,
)

PERSON_TOPIC = f"{Person.__module__}:Person."
READ_SPAN = 100_000  # positions read from the log at a time
WRITE_SLICE = 10_000  # aggregates (or cases' stages) whose rows are built and written at once
CLOSED_STAGES = frozenset(str(stage) for stage in CLOSED)
FLAGS = rows.BREAKDOWNS


def _pack(flags: dict[str, bool]) -> int:
    return sum(1 << i for i, name in enumerate(FLAGS) if flags[name])


def _unpack(bits: int) -> dict[str, bool]:
    return {name: bool(bits >> i & 1) for i, name in enumerate(FLAGS)}


def _dialect(conn: sa.Connection) -> Any:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


PEEKED = (Organization, Transfer)  # read by other rows: a commune's hamlets, a host cell
# What every partition of a rebuild projects (rows read other rows of these), besides its share.
SHARED_TOPICS = tuple(f"{cls.__module__}:{cls.__qualname__}." for cls in (*PEEKED, Person))
RECORDED_TOPIC = f"{Recorded.__module__}:{Recorded.__qualname__}."


@dataclass(frozen=True)
class Partition:
    """One of `count` projectors that rebuild a version together, each in its own process
    (maintenance.rebuild). Cases, members and their stages are shared out by the last hex
    digit of their id; every partition projects the organizations, transfers and people
    (their rows read them), and the first one writes their rows."""

    index: int
    count: int

    def owns(self, agg_id: UUID) -> bool:
        return (agg_id.int & 0xF) % self.count == self.index

    @property
    def digits(self) -> tuple[str, ...]:
        return tuple(format(d, "x") for d in range(16) if d % self.count == self.index)

    @property
    def share(self) -> Share:
        """What to read of the log: its own aggregates' events, everyone's events of the
        shared kinds, and every `Recorded` event (some are of shared aggregates)."""
        return Share(self.digits, (*SHARED_TOPICS, RECORDED_TOPIC))

    def owned(self, column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[bool]:
        """`owns(column)` in SQL: ids are 32 hex digits in SQLite, uuid text in PostgreSQL."""
        digits = self.digits
        if dialect == "postgresql":
            last_digit = sa.func.substr(sa.cast(column, sa.String), 36, 1, type_=sa.String)
        else:
            last_digit = sa.func.substr(column, 32, 1, type_=sa.String)
        # literals, not an expanding list: corrections update cases with executemany
        return last_digit.in_([sa.literal_column(f"'{d}'") for d in digits])

    @property
    def writes_shared(self) -> bool:
        return self.index == 0

    def tracking_name(self, projection: str) -> str:
        """Its own position in `projection_tracking`, beside the version's."""
        return f"{projection}_p{self.index}of{self.count}"


class NoKeys(set[str]):
    """The command keys of an aggregate the projector holds (`Recorded.has_applied`): only
    commands ask for them, never a row, so none is kept; kept, they would grow with every
    event of every cached aggregate, the one part of its memory that grows with events."""

    def add(self, key: str) -> None:
        pass


NO_KEYS = NoKeys()


class ProjectionFailed(RuntimeError):
    """An event could not be projected: the projection stopped at `position`."""

    def __init__(self, name: str, position: int, error: str) -> None:
        super().__init__(f"{name} stopped at notification {position}: {error}")
        self.name, self.position, self.error = name, position, error

    def __reduce__(self) -> tuple[Any, ...]:  # raised again in the process that waits
        return (type(self), (self.name, self.position, self.error))


class PositionTaken(RuntimeError):
    """Another projector advanced the same projection first (a replayed position)."""


class Projector:
    """One version of the read model over one application's notification log."""

    def __init__(
        self,
        app: Dangvien,
        engine: sa.Engine,
        *,
        version: int = 1,
        batch_size: int = 100_000,
        cache_size: int = 200_000,
        until: datetime | None = None,
        unread: Collection[str] = rows.UNREAD,
        partition: Partition | None = None,
        stop_at: int | None = None,
        write_attempts: int = 1,
        hold: int | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.t: Tables = tables(version)
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.until = until  # as-of replays: events recorded up to this moment only
        self.unread = frozenset(unread)
        self.partition = partition
        self.stop_at = stop_at  # a partition's last position (the log may grow meanwhile)
        # A batch also ends once it holds this many aggregates and stage moves: a rebuild
        # reads long batches (each row written once or twice), in bounded memory.
        self.hold = hold
        # A partition's memory cannot be reloaded from tables other partitions write: it
        # writes a batch again when the database refused it for a lock.
        self.write_attempts = write_attempts
        self.decode = Decoder(app.mapper)
        create_tables(engine, control, self.t.metadata)
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        # The last version projected (this run) of what rows read besides their own aggregate.
        self.seen: dict[UUID, int] = {}
        # People are not cached: a case row needs only their breakdown flags (a bitmask).
        self._flags: dict[UUID, int] = {}
        self._registered: dict[UUID, Entry] = {}  # people's registrations not decoded yet
        self._corrected: dict[UUID, int] = {}  # people whose data was corrected in the batch
        self._upserts: dict[tuple[str, str], _Upsert] = {}  # built once per table and dialect
        self._chains: dict[str, tuple[UUID, ...]] = {}  # a path's ids, by path
        self._stages: dict[UUID, str] = {}  # the stage of each open case projected this run
        self._load_memory()

    def _load_memory(self) -> None:
        """What the projector keeps in memory besides the cache, as the tables hold it at the
        tracking position: organizations' paths and kinds, hamlets, stages' start days."""
        self.paths: dict[UUID, str] = {}
        self.kinds: dict[UUID, str] = {}
        self.served_by: dict[UUID, dict[str, list[str]]] = {}
        self.since: dict[UUID, date] = {}
        self.may_admit: set[UUID] = set()
        self.shared: set[UUID] = set()  # organizations and transfers (their Recorded.* events)
        self.parents: dict[UUID, UUID | None] = {}  # the tree, to move a subtree
        self.children: dict[UUID, set[UUID]] = {}
        t = self.t
        with self.engine.connect() as conn:
            orgs = sa.select(
                t.orgs.c.id, t.orgs.c.path, t.orgs.c.kind, t.orgs.c.may_admit, t.orgs.c.parent_id
            )
            for org_id, path, kind, may_admit, parent_id in conn.execute(orgs):
                self.paths[org_id], self.kinds[org_id] = path, kind
                self.shared.add(org_id)
                self.parents[org_id] = parent_id
                if parent_id is not None:
                    self.children.setdefault(parent_id, set()).add(org_id)
                if may_admit:
                    self.may_admit.add(org_id)
            if self.partition is not None:
                self.shared.update(conn.execute(sa.select(t.transfers.c.id)).scalars())
            hamlets = sa.select(t.hamlets.c.commune_id, t.hamlets.c.key, t.hamlets.c.cell_ids)
            for commune_id, key, cells in conn.execute(hamlets):
                self.served_by.setdefault(commune_id, {})[key] = list(cells)
            for case_id, since in conn.execute(sa.select(t.cases.c.id, t.cases.c.stage_since)):
                self.since[case_id] = since

    # --- position ---

    @property
    def name(self) -> str:
        if self.partition is None:
            return self.t.name
        return self.partition.tracking_name(self.t.name)

    def position(self) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(tracking.c.position).where(tracking.c.name == self.name)
            ).scalar()
        return int(found or 0)

    def lag(self) -> int:
        """Events recorded but not yet projected."""
        return int(self.app.recorder.max_notification_id() or 0) - self.position()

    # --- running ---

    def run_once(self, progress: Callable[[int], None] | None = None) -> int:
        """Project the next `batch_size` positions of the log (fewer when caught up, or when
        the batch holds `hold` rows); the number of positions passed, unread events included
        (0 when caught up). `progress` hears of the positions as they are read."""
        start = self.position()
        end = start + self.batch_size
        if self.stop_at is not None:
            end = min(end, self.stop_at)
            if end <= start:
                return 0
        with _collector_paused():
            last = self._project(start, end, progress)
        return last - start

    def _read(self, start: int, end: int) -> Iterator[tuple[list[Entry], int]]:
        """The log after `start` up to `end` (or its end), `READ_SPAN` positions at a time:
        a batch's rows are written together, its stored events are not all held at once."""
        share = self.partition.share if self.partition else None
        while start < end:
            entries, last = read_window(
                self.app.recorder, start, min(READ_SPAN, end - start), self.unread, share
            )
            if last <= start:
                return
            yield entries, last
            start = last

    def run_until_caught_up(self, progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while read := self.run_once(progress):
            total += read
        return total

    def run_forever(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        while not stop.is_set():
            if not self.run_once():
                stop.wait(poll_seconds)

    def _mine(self, notification: Entry) -> bool:
        """Whether this partition projects the event (decided before decoding it)."""
        assert self.partition is not None
        return (
            notification.topic.startswith(SHARED_TOPICS)
            or notification.originator_id in self.shared
            or self.partition.owns(notification.originator_id)
        )

    # --- one batch ---

    def _project(self, start: int, end: int, progress: Callable[[int], None] | None = None) -> int:
        """Apply the events after `start` up to `end` (or the log's end), then write them
        with their position in one transaction; the position reached. An event that cannot
        be projected is recorded and stops the projection, after the good events before it
        have been written; a database error is raised as it is (retry later)."""
        touched: dict[UUID, Any] = {}
        effective: dict[UUID, date] = {}
        stage_moves: list[tuple[UUID, str, date]] = []
        moved_orgs: dict[UUID, str] = {}
        reparented: list[tuple[str, str]] = []
        last, full = start, False
        for entries, read_to in self._read(start, end):
            for notification in entries:
                # A partition decides event by event: an organization or transfer of this
                # very batch makes its `Recorded` events everyone's.
                if self.partition is not None and not self._mine(notification):
                    continue
                try:
                    if notification.topic.startswith(PERSON_TOPIC):
                        self._apply_person(notification)
                        continue
                    self._apply(
                        notification, touched, effective, stage_moves, reparented, moved_orgs
                    )
                except Exception as error:
                    self._forget()
                    if notification.id - 1 > start:  # keep the good events before it
                        self._project(start, notification.id - 1)
                    self._record_failure(notification.id, notification.topic, error)
                    raise ProjectionFailed(self.name, notification.id, repr(error)) from error
                if self.hold is not None and len(touched) + len(stage_moves) >= self.hold:
                    read_to, full = notification.id, True  # the rest is the next batch's
                    break
            if progress:
                progress(read_to - last)
            last = read_to
            if full:
                break
        if last == start:
            return start
        for attempt in range(1, self.write_attempts + 1):
            try:
                with self.engine.begin() as conn:
                    self._advance(conn, start, last)
                    self._write(conn, touched, effective, stage_moves, reparented, moved_orgs)
                break
            except sa.exc.OperationalError:  # a deadlock, a lock held too long: rolled back
                if attempt == self.write_attempts:
                    self._forget()
                    raise
                time.sleep(attempt)  # the same rows again: memory is as the batch left it
            except BaseException:
                self._forget()
                raise
        self._corrected.clear()
        return last

    def _apply(
        self,
        notification: Entry,
        touched: dict[UUID, Any],
        effective: dict[UUID, date],
        stage_moves: list[tuple[UUID, str, date]],
        reparented: list[tuple[str, str]],
        moved_orgs: dict[UUID, str],
    ) -> None:
        event: Any = self.decode(notification)
        if self.until is not None and event.timestamp > self.until:
            return
        agg_id = event.originator_id
        version = event.originator_version
        on: date = event.stamp.effective_on
        before = None  # a case's stage before the event
        if version == 1:
            agg = event.mutate(None)
            self._remember(agg)
        else:
            agg = self._cached(agg_id, version - 1)
            if agg.version < version - 1:  # after events left unread
                agg.version = version - 1
            if type(agg) is AdmissionCase:
                before = self._stages.get(agg_id) or str(agg.stage)
            event.mutate(agg)
        # `type(…) is`, not isinstance: the aggregates' metaclass is an ABCMeta, whose
        # isinstance is a Python call for every class an aggregate is not.
        kind = type(agg)
        if kind is AdmissionCase and (stage := str(agg.stage)) != before:
            stage_moves.append((agg_id, stage, on))
            self._stages[agg_id] = stage
        touched[agg_id] = agg
        effective[agg_id] = on
        if kind is Organization or kind is Transfer:  # PEEKED
            self.seen[agg_id] = version
            self.shared.add(agg_id)
            if kind is Organization:
                self._track_org(agg, event, reparented, moved_orgs)

    def _apply_person(self, notification: Entry) -> None:
        """A person matters to the read model only through the breakdown flags of their
        cases: registered and corrected data change them; other events are not decoded."""
        name = notification.topic.rsplit(".", 1)[-1]
        if name not in ("Registered", "Corrected"):
            return
        if name == "Registered" and self.until is None:
            # Most people are members with no case in this projection (or its partition):
            # their registration is checked now and decoded only when a case row needs it.
            self.decode.verify(notification)
            self._registered[notification.originator_id] = notification
            return
        event: Any = self.decode(notification)
        if self.until is not None and event.timestamp > self.until:
            return
        flags = _pack(rows.person_flags(event.data))  # both events carry all the data
        if name == "Corrected":
            self._corrected[event.originator_id] = flags
            self._registered.pop(event.originator_id, None)
        self._flags[event.originator_id] = flags

    def _person_flags(self, person_id: UUID) -> dict[str, bool]:
        flags = self._flags.get(person_id)
        if flags is None:
            registered = self._registered.pop(person_id, None)
            data: PersonalData = (
                self.decode(registered).data
                if registered is not None
                else self.app.repository.get(person_id).data  # registered before this run
            )
            flags = self._flags[person_id] = _pack(rows.person_flags(data))
        return _unpack(flags)

    def _track_org(
        self,
        org: Organization,
        event: Any,
        reparented: list[tuple[str, str]],
        moved_orgs: dict[UUID, str],
    ) -> None:
        name = type(event).__name__
        parent_path = self.paths.get(org.parent_id, "/") if org.parent_id else "/"
        new_path = f"{parent_path}{org.id}/"
        old_path = self.paths.get(org.id)
        if old_path is not None and old_path != new_path:
            reparented.append((old_path, new_path))
            for other in self._subtree(org.id):
                path = self.paths[other]
                if path.startswith(old_path):
                    self.paths[other] = new_path + path[len(old_path) :]
                    moved_orgs[other] = self.paths[other]
        self.paths[org.id] = new_path
        old_parent = self.parents.get(org.id)
        if old_parent != org.parent_id:
            if old_parent is not None:
                self.children[old_parent].discard(org.id)
            if org.parent_id is not None:
                self.children.setdefault(org.parent_id, set()).add(org.id)
            self.parents[org.id] = org.parent_id
        self.kinds[org.id] = str(org.kind)
        if org.may_admit:
            self.may_admit.add(org.id)
        if name == "HamletsServed" and org.serves:
            commune, keys = org.serves
            for served in self.served_by.setdefault(commune, {}).values():
                if str(org.id) in served:
                    served.remove(str(org.id))
            for key in keys:
                self.served_by[commune].setdefault(key, []).append(str(org.id))

    def _subtree(self, org_id: UUID) -> Iterator[UUID]:
        """The organization and everything under it."""
        stack = [org_id]
        while stack:
            found = stack.pop()
            yield found
            stack.extend(self.children.get(found, ()))

    # --- the cache of aggregates ---

    def _cached(self, agg_id: UUID, version: int | None) -> Any:
        agg = self._cache.get(agg_id)
        if agg is not None:
            self._cache.move_to_end(agg_id)
            return agg
        agg = self.app.repository.get(agg_id, version=version)
        self._remember(agg)
        return agg

    def _forget(self) -> None:
        """After a failed batch the cached aggregates are ahead of the position: drop them,
        and the memory of stages and paths, which the tables hold as of the position."""
        self._cache.clear()
        self._stages.clear()
        self.seen.clear()
        self._flags.clear()
        self._registered.clear()
        self._corrected.clear()
        self._load_memory()

    def _peek(self, agg_id: UUID) -> Any:
        """Read another aggregate (a person's flags, a transfer's host cell) without caching
        it: a copy from the store may be ahead of the projection."""
        return self._cache.get(agg_id) or self.app.repository.get(
            agg_id, version=self.seen.get(agg_id)
        )

    def _remember(self, agg: Any) -> None:
        agg.__dict__["applied_keys"] = NO_KEYS  # see NoKeys
        self._cache[agg.id] = agg
        self._cache.move_to_end(agg.id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    # --- writing ---

    def _advance(self, conn: sa.Connection, start: int, position: int) -> None:
        now = datetime.now(UTC)
        if (
            start == 0
            and not conn.execute(
                sa.select(tracking.c.name).where(tracking.c.name == self.name)
            ).first()
        ):
            try:
                conn.execute(
                    sa.insert(tracking).values(name=self.name, position=position, updated_at=now)
                )
            except sa.exc.IntegrityError:  # the whole batch rolls back with it
                raise PositionTaken(f"{self.name}: another projector started it first") from None
            return
        moved = conn.execute(
            sa.update(tracking)
            .where(tracking.c.name == self.name, tracking.c.position == start)
            .values(position=position, updated_at=now)
        )
        if moved.rowcount != 1:
            raise PositionTaken(f"{self.name}: position {start} was already projected")

    def _write(
        self,
        conn: sa.Connection,
        touched: dict[UUID, Any],
        effective: dict[UUID, date],
        stage_moves: list[tuple[UUID, str, date]],
        reparented: list[tuple[str, str]],
        moved_orgs: dict[UUID, str],
    ) -> None:
        t = self.t
        shared = self.partition is None or self.partition.writes_shared
        if moved_orgs:  # the subtree of a moved organization
            if shared:
                conn.execute(
                    sa.update(t.orgs)
                    .where(t.orgs.c.id == sa.bindparam("org"))
                    .values(path=sa.bindparam("new_path"), grassroots_id=sa.bindparam("top")),
                    [
                        {"org": org_id, "new_path": path, "top": self._grassroots(org_id)}
                        for org_id, path in moved_orgs.items()
                    ],
                )
            self._rehold(conn, list(moved_orgs))
        paths = [
            (t.cases, t.cases.c.path, self._owned(t.cases.c.id, conn)),
            (t.members, t.members.c.path, self._owned(t.members.c.id, conn)),
        ]
        if shared:  # transfers are everybody's: the first partition writes them all
            paths += [
                (t.transfers, t.transfers.c.from_path, []),
                (t.transfers, t.transfers.c.to_path, []),
            ]
        if reparented:  # in the order they moved: one statement per column, run for each
            old, end = sa.bindparam("old", type_=sa.String), sa.bindparam("end", type_=sa.String)
            new = sa.bindparam("new", type_=sa.String)
            moves = [{"old": o, "end": subtree_end(o), "new": n} for o, n in reparented]
            for table, column, owned in paths:
                conn.execute(
                    sa.update(table)
                    .where(column >= old, column < end, *owned)  # `under`, a move at a time
                    .values({column.key: new + sa.func.substr(column, sa.func.length(old) + 1)}),
                    moves,
                )
        for case_id, _, on in stage_moves:
            self.since[case_id] = on
        communes: set[UUID] = set()
        aggregates = list(touched.items())
        for first in range(0, len(aggregates), WRITE_SLICE):  # rows built a slice at a time
            by_table: dict[sa.Table, list[dict[str, Any]]] = {}
            for agg_id, agg in aggregates[first : first + WRITE_SLICE]:
                on = effective.get(agg_id, date.today())
                kind = type(agg)  # not isinstance: see _apply
                if kind in PEEKED and not shared:
                    continue
                if kind is Organization:
                    by_table.setdefault(t.orgs, []).append(
                        rows.org_row(agg, self.paths[agg_id], self._grassroots(agg_id))
                    )
                    by_table.setdefault(t.targets, []).extend(rows.target_rows(agg))
                    if agg.hamlets:
                        communes.add(agg_id)
                    if agg.serves:
                        communes.add(agg.serves[0])
                elif kind is AdmissionCase:
                    row = rows.case_row(
                        agg,
                        self._path(agg.cell_id),
                        self._person_flags(agg.person_id),
                        self.since[agg_id],
                        on,
                        self._holder(agg),
                    )
                    by_table.setdefault(t.cases, []).append(row)
                    if agg.stage.is_closed:  # nothing more happens to it, as a rule
                        self._cache.pop(agg_id, None)
                        self._stages.pop(agg_id, None)
                elif kind is Member:
                    host = None
                    if agg.away_transfer_id is not None:
                        host = self._peek(agg.away_transfer_id).to_cell_id
                    by_table.setdefault(t.members, []).append(
                        rows.member_row(agg, self._path(agg.cell_id), host)
                    )
                elif kind is Transfer:
                    to_path = self._path(agg.to_cell_id) if agg.to_cell_id else None
                    by_table.setdefault(t.transfers, []).append(
                        rows.transfer_row(agg, self._path(agg.from_cell_id), to_path)
                    )
            for table, values in by_table.items():
                if values:
                    self._upsert(conn, table, values)
        hamlets: list[dict[str, Any]] = []
        for commune in communes:
            org = self._peek(commune)
            if isinstance(org, Organization) and org.hamlets:
                hamlets.extend(rows.hamlet_rows(org, self.served_by.get(commune, {})))
        if hamlets:
            self._upsert(conn, t.hamlets, hamlets)
        if self._corrected:  # flags follow corrections
            conn.execute(
                sa.update(t.cases)
                .where(
                    t.cases.c.person_id == sa.bindparam("person"), *self._owned(t.cases.c.id, conn)
                )
                .values({name: sa.bindparam(f"new_{name}") for name in FLAGS}),
                [
                    {"person": k, **{f"new_{n}": v for n, v in _unpack(bits).items()}}
                    for k, bits in self._corrected.items()
                ],
            )
        self._write_stages(conn, touched, stage_moves)

    def _write_stages(
        self,
        conn: sa.Connection,
        touched: dict[UUID, Any],
        stage_moves: list[tuple[UUID, str, date]],
    ) -> None:
        """Each case's stages with the days it entered and left them; when a case closes,
        its stages join the forecast's history (`stage_outcomes`)."""
        t = self.t
        entered: dict[UUID, list[tuple[str, date]]] = {}
        for case_id, stage, on in stage_moves:
            entered.setdefault(case_id, []).append((stage, on))
        outcomes: dict[tuple[str, int], int] = {}
        cases = list(entered.items())
        for first in range(0, len(cases), WRITE_SLICE):
            self._write_case_stages(
                conn, touched, dict(cases[first : first + WRITE_SLICE]), outcomes
            )
        if not outcomes:
            return
        statement = _dialect(conn).insert(t.stage_outcomes)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["stage", "days_to_ceremony"],
                set_={"cases": t.stage_outcomes.c.cases + statement.excluded.cases},
            ),
            # in key order: partitions of a rebuild add to the same rows (no deadlock)
            [
                {"stage": s, "days_to_ceremony": d, "cases": n}
                for (s, d), n in sorted(outcomes.items())
            ],
        )

    def _write_case_stages(
        self,
        conn: sa.Connection,
        touched: dict[UUID, Any],
        entered: dict[UUID, list[tuple[str, date]]],
        outcomes: dict[tuple[str, int], int],
    ) -> None:
        """The stages of some cases; `outcomes` gains those of the cases that closed."""
        t = self.t
        conn.execute(  # the stage each case was in before this batch: left now
            sa.update(t.case_stages)
            .where(
                t.case_stages.c.case_id == sa.bindparam("k"),
                t.case_stages.c.left_on.is_(None),
                t.case_stages.c.stage != sa.bindparam("s"),
            )
            .values(left_on=sa.bindparam("on")),
            [{"k": k, "s": moves[0][0], "on": moves[0][1]} for k, moves in entered.items()],
        )
        stage_rows = [
            {
                "case_id": case_id,
                "stage": stage,
                "entered_on": on,
                "left_on": moves[i + 1][1] if i + 1 < len(moves) else None,
            }
            for case_id, moves in entered.items()
            for i, (stage, on) in enumerate(moves)
        ]
        self._upsert(conn, t.case_stages, stage_rows)
        closing = [k for k, moves in entered.items() if moves[-1][0] in CLOSED_STAGES]
        if not closing:
            return
        history = conn.execute(
            sa.select(
                t.case_stages.c.case_id, t.case_stages.c.stage, t.case_stages.c.entered_on
            ).where(t.case_stages.c.case_id.in_(closing))
        ).all()
        for case_id, stage, entered_on in history:
            ceremony = touched[case_id].ceremony_on
            days = (ceremony - entered_on).days if ceremony is not None else -1
            outcomes[stage, days] = outcomes.get((stage, days), 0) + 1

    def _upsert(self, conn: sa.Connection, table: sa.Table, values: list[dict[str, Any]]) -> None:
        keys = [c.name for c in table.primary_key.columns]
        upsert = self._upserts.get((table.name, conn.dialect.name))
        if upsert is None:
            insert = _dialect(conn).insert(table)
            statement = insert.on_conflict_do_update(
                index_elements=keys,
                set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys},
            )
            upsert = self._upserts[table.name, conn.dialect.name] = _Upsert(statement, conn)
        unique = {tuple(v[k] for k in keys): v for v in values}  # the last row wins
        upsert(conn, unique.values())

    def _path(self, org_id: UUID) -> str:
        path = self.paths.get(org_id)
        return f"/{org_id}/" if path is None else path

    def _rehold(self, conn: sa.Connection, moved: list[UUID]) -> None:
        """After a move, who holds the cases the moved tree decides on or appraises."""
        t = self.t
        deciding, appraising = [], []
        for org_id in moved:
            chain = self._chain(org_id)
            parent = chain[-2] if len(chain) > 1 else None
            kind = self.kinds.get(org_id, "")
            if kind in ("grassroots_committee", "grassroots_cell"):
                competent = org_id if org_id in self.may_admit else parent
                deciding.append({"org": org_id, "holder": competent})
            if kind in ("cell", "grassroots_cell"):
                appraising.append({"org": org_id, "holder": parent})
        for changes, column, stage in (
            (deciding, t.cases.c.grassroots_id, "decision"),
            (appraising, t.cases.c.cell_id, "intermediate_appraisal"),
        ):
            if changes:
                conn.execute(
                    sa.update(t.cases)
                    .where(
                        column == sa.bindparam("org"),
                        t.cases.c.stage == stage,
                        *self._owned(t.cases.c.id, conn),
                    )
                    .values(responsible_id=sa.bindparam("holder")),
                    changes,
                )

    def _owned(self, column: sa.Column[Any], conn: sa.Connection) -> list[sa.ColumnElement[bool]]:
        """The condition for a statement over many rows to touch only this partition's."""
        if self.partition is None:
            return []
        return [self.partition.owned(column, conn.dialect.name)]

    def _holder(self, case: AdmissionCase) -> UUID | None:
        """The organization holding the case (domain.admission.HOLDERS), from the tree as
        the read model knows it."""
        if case.stage.is_closed:
            return None
        role = HOLDERS.get(case.stage, "cell")
        chain = self._chain(case.cell_id)
        if role == "intermediate":
            return chain[-2]
        if role == "grassroots":
            return case.grassroots_id
        if role == "competent":
            grassroots = case.grassroots_id
            if grassroots in self.may_admit or grassroots not in chain:
                return grassroots
            return chain[chain.index(grassroots) - 1]
        return case.cell_id

    def _chain(self, org_id: UUID) -> tuple[UUID, ...]:
        """The organization's ancestors and itself, from the root (its path, as ids)."""
        path = self._path(org_id)
        chain = self._chains.get(path)
        if chain is None:
            chain = self._chains[path] = tuple(UUID(i) for i in path.strip("/").split("/"))
        return chain

    def _grassroots(self, org_id: UUID) -> UUID | None:
        if org_id not in self.paths:
            return None
        for ancestor in reversed(self._chain(org_id)):
            if self.kinds.get(ancestor) in ("grassroots_committee", "grassroots_cell"):
                return ancestor
        return None

    def _record_failure(self, position: int, topic: str, error: BaseException) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(failures).values(
                    name=self.name,
                    position=position,
                    topic=topic,
                    error="".join(traceback.format_exception_only(error)).strip()[:4000],
                    at=datetime.now(UTC),
                )
            )


class _Upsert:
    """A statement compiled once for a dialect and run with `executemany` at the driver,
    each value through SQLAlchemy's own bind processor for its column: the same SQL and
    values as `conn.execute(statement, rows)`, without its per-row machinery (which was
    most of the time of a rebuild's writes)."""

    def __init__(self, statement: sa.Insert, conn: sa.Connection) -> None:
        dialect = conn.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = list(compiled.positiontup or compiled.binds)
        self.positional = bool(compiled.positional)
        self.process = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in self.names
        ]

    def __call__(self, conn: sa.Connection, rows: Iterable[dict[str, Any]]) -> None:
        process = self.process
        if self.positional:
            params: list[Any] = [
                tuple(row[n] if p is None else p(row[n]) for n, p in process) for row in rows
            ]
        else:
            params = [{n: row[n] if p is None else p(row[n]) for n, p in process} for row in rows]
        if params:
            conn.exec_driver_sql(self.sql, params)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch makes millions of short-lived objects beside a cache of long-lived aggregates:
    the cyclic collector would walk the cache again and again (a third of a rebuild's time).
    Reference counting frees the batch's garbage; the collector runs again after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def create_tables(engine: sa.Engine, *metadata: sa.MetaData) -> None:
    """Create what is missing; another process creating the same tables at the same moment
    (projector and API starting together on a fresh database) is not an error."""
    for md in metadata:
        for attempt in range(3):
            try:
                md.create_all(engine)
                break
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
                if attempt == 2:
                    raise


def live_version(engine: sa.Engine, projection: str = "readmodel") -> int:
    """The version the queries read (1 until a rebuild switches)."""
    if not sa.inspect(engine).has_table(live.name):
        return 1
    with engine.connect() as conn:
        found = conn.execute(sa.select(live.c.version).where(live.c.projection == projection))
        return int(found.scalar() or 1)


def switch_live(engine: sa.Engine, version: int, projection: str = "readmodel") -> None:
    create_tables(engine, control)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    with engine.begin() as conn:
        statement = dialect.insert(live).values(projection=projection, version=version)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["projection"], set_={"version": statement.excluded.version}
            )
        )
