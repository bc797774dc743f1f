"""The projector, the runner of the read model: it reads the notification log in order,
applies each event to the aggregate it belongs to (with the domain's own code), and has the
views (projections.views) write the rows of every aggregate a batch touched together with
the tracking position, in one transaction (exactly once). A failing event stops the
projection and is recorded with its position; nothing is skipped.

The runner keeps what makes a rebuild fast (docs/readmodels.md): an LRU cache of aggregates
holding no command keys, events no row reads left undecoded, interned ids, batches written
with the cyclic collector paused; partitions of a rebuild share out the log."""

from __future__ import annotations

import gc
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.organization import Organization
from domain.person import Person
from domain.transfer import Transfer
from projections import rows
from projections.log import Decoder, Entry, read_window
from projections.orgtree import OrgTree, move_paths
from projections.partition import SHARED_TOPICS, Partition
from projections.seal import GroupSeal
from projections.tables import Tables, control, failures, tables, tracking
from projections.upsert import Upserts
from projections.versions import create_tables, live_version, record_shape, switch_live
from projections.views import Batch, Scope, View
from projections.views.cases import Cases
from projections.views.member_tokens import MemberTokens
from projections.views.members import Members
from projections.views.organizations import Organizations
from projections.views.people import People
from projections.views.transfers import Transfers

__all__ = [
    "NO_KEYS",
    "Partition",
    "PositionTaken",
    "ProjectionFailed",
    "Projector",
    "create_tables",
    "live_version",
    "switch_live",
]

PERSON_TOPIC = f"{Person.__module__}:Person."
READ_SPAN = 100_000  # positions read from the log at a time
WRITE_SLICE = 10_000  # aggregates whose rows are built and written at once


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
        self.shared: set[UUID] = set()  # organizations and transfers (their Recorded.* events)
        scope = Scope(self.t, partition, Upserts())
        self.tree = OrgTree()
        self.people = People(
            scope, self.decode, app.repository, until, app.name_index, GroupSeal.of(app)
        )
        self.orgs = Organizations(scope, self.tree, self._peek)
        self.cases = Cases(scope, self.tree, self.people)
        self.views: tuple[View, ...] = (
            self.orgs,
            self.cases,
            Members(scope, self.tree, self._peek),
            Transfers(scope, self.tree),
            self.people,
            MemberTokens(scope, lambda: self.people.named),  # after members' and people's rows
        )
        self._load_memory()

    def _load_memory(self) -> None:
        """What the views keep in memory, as the tables hold it at the tracking position:
        the organization tree, hamlets, stages' start days; and which ids are shared."""
        with self.engine.connect() as conn:
            for view in self.views:
                view.load(conn)
            self.shared = set(self.tree.paths)
            if self.partition is not None:
                self.shared.update(conn.execute(sa.select(self.t.transfers.c.id)).scalars())

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
        batch = Batch()
        touched, stage_moves = batch.touched, batch.stage_moves
        last, full = start, False
        for entries, read_to in self._read(start, end):
            for notification in entries:
                # A partition decides event by event: an organization or transfer of this
                # very batch makes its `Recorded` events everyone's.
                if self.partition is not None and not self._mine(notification):
                    continue
                try:
                    if notification.topic.startswith(PERSON_TOPIC):
                        self.people.apply(notification)
                        continue
                    self._apply(notification, batch)
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
                    self._write(conn, batch)
                break
            except sa.exc.OperationalError:  # a deadlock, a lock held too long: rolled back
                if attempt == self.write_attempts:
                    self._forget()
                    raise
                time.sleep(attempt)  # the same rows again: memory is as the batch left it
            except BaseException:
                self._forget()
                raise
        self.people.committed()
        return last

    def _apply(self, notification: Entry, batch: Batch) -> None:
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
                before = self.cases.stage_before(agg_id, agg)
            event.mutate(agg)
        # `type(…) is`, not isinstance: the aggregates' metaclass is an ABCMeta, whose
        # isinstance is a Python call for every class an aggregate is not.
        kind = type(agg)
        if kind is AdmissionCase:
            self.cases.applied(agg_id, agg, before, on, batch)
        batch.touched[agg_id] = agg
        batch.effective[agg_id] = on
        if kind is Organization or kind is Transfer:  # partition.PEEKED
            self.seen[agg_id] = version
            self.shared.add(agg_id)
            if kind is Organization:
                self.orgs.applied(agg, event, batch.moves)

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
        self.seen.clear()
        for view in self.views:
            view.forget()
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
            if self.partition is None:  # started from zero by this code (a rebuild: at once)
                record_shape(conn, self.name)
            return
        moved = conn.execute(
            sa.update(tracking)
            .where(tracking.c.name == self.name, tracking.c.position == start)
            .values(position=position, updated_at=now)
        )
        if moved.rowcount != 1:
            raise PositionTaken(f"{self.name}: position {start} was already projected")

    def _write(self, conn: sa.Connection, batch: Batch) -> None:
        """The batch's rows, view by view: first the subtrees that moved, then every
        touched aggregate's rows a slice at a time, then what reads more than one row."""
        writes_shared = self.partition is None or self.partition.writes_shared
        views = [v for v in self.views if writes_shared or not v.shared]
        if batch.moves.moved:
            for view in self.views:
                view.moved(conn, batch.moves)
            columns = [c for view in self.views for c in view.path_columns(conn)]
            move_paths(conn, batch.moves.reparented, columns)
        writer = {v.kind: v for v in views if v.kind is not None}
        aggregates = list(batch.touched.items())
        for first in range(0, len(aggregates), WRITE_SLICE):  # rows built a slice at a time
            by_kind: dict[type[Any], list[tuple[UUID, Any]]] = {}
            for item in aggregates[first : first + WRITE_SLICE]:
                by_kind.setdefault(type(item[1]), []).append(item)  # not isinstance: see _apply
            for kind, of_kind in by_kind.items():
                if (found := writer.get(kind)) is not None:
                    for settled in found.write(conn, of_kind, batch):
                        self._cache.pop(settled, None)
        for view in views:
            view.finish(conn, batch)

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
