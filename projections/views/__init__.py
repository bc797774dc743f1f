"""The read model's rows, one module per family (organizations, cases, members, transfers,
people): each builds its rows from the aggregates the domain's own code left, and writes
them. The runner (projections.projector) reads the log and calls the views inside the
transaction that moves its tracking position, so rows and position commit together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.admission import Stage
from projections.orgtree import Moves
from projections.partition import Partition
from projections.tables import Tables
from projections.upsert import Upserts

PathColumn = tuple[sa.Table, sa.Column[Any], list[sa.ColumnElement[bool]]]


@dataclass
class Batch:
    """What a batch of events changed, for the views to write."""

    touched: dict[UUID, Any] = field(default_factory=dict)  # every aggregate, by id
    effective: dict[UUID, date] = field(default_factory=dict)  # the day of its last event
    stage_moves: list[tuple[UUID, Stage, date]] = field(default_factory=list)
    moves: Moves = field(default_factory=Moves)


@dataclass(frozen=True)
class Scope:
    """Where a projector writes: its version's tables, its partition's share of the rows."""

    t: Tables
    partition: Partition | None
    upsert: Upserts

    @property
    def writes_shared(self) -> bool:
        """Organizations and transfers are every partition's: the first one writes them."""
        return self.partition is None or self.partition.writes_shared

    def owned(self, column: sa.Column[Any], conn: sa.Connection) -> list[sa.ColumnElement[bool]]:
        """The condition for a statement over many rows to touch only this partition's."""
        if self.partition is None:
            return []
        return [self.partition.owned(column, conn.dialect.name)]


class View:
    """A family of rows; every step is optional."""

    kind: type[Any] | None = None  # the aggregates whose rows it writes
    shared = False  # written by the first partition only (see Scope.writes_shared)

    def load(self, conn: sa.Connection) -> None:
        """What it keeps in memory, as its tables hold it at the tracking position."""

    def forget(self) -> None:
        """After a failed batch: what it kept of the batch is dropped."""

    def moved(self, conn: sa.Connection, moves: Moves) -> None:
        """After organizations moved in the tree (their paths already moved in memory)."""

    def path_columns(self, conn: sa.Connection) -> Sequence[PathColumn]:
        """Its columns holding organizations' paths, which follow a moved subtree."""
        return ()

    def write(
        self, conn: sa.Connection, aggregates: list[tuple[UUID, Any]], batch: Batch
    ) -> list[UUID]:
        """The rows of some of the batch's aggregates of its kind, with their ids (an
        aggregate's `id` is a Python property: read once, by the runner); the ids of those
        that nothing more happens to, as a rule (the runner's cache lets them go)."""
        return []

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        """After every aggregate's rows: what reads more than one of them."""
