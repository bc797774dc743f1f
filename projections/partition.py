"""How the projectors of a rebuild share out the log (projections.maintenance.rebuild)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.organization import Organization
from domain.person import Person
from domain.record import Recorded
from domain.transfer import Transfer
from projections.log import Share

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
