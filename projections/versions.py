"""Which version of the read model the queries read, its tables created, and the shape of
its rows."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import sqlalchemy as sa

from projections.tables import PROJECTION, control, live, shapes, tracking
from projections.upsert import dialect

# The shape of the rows the projection writes: raise it whenever the projection changes what
# it writes (a table, a column, a row derived otherwise). A version built with an older shape
# is rebuilt (`dangvien projector` does it before following the log), never read as if it
# held rows it never wrote. 2: the member register (memberships, the blind index of names).
# 3: the boards (a case's stage deadline apart from its documents' validity; a transfer's
# destination, hops and end).
# 4: the blind index per member (member_tokens), for name searches at province scale.
# 5: no breakdown flag in clear on a case (issue 18 item 5): counts of the admitted by group
# (admitted_groups) and each person's groups sealed (person_groups).
SHAPE = 5


class ReadModelOutdated(LookupError):
    """The live version was built by an older projection: it must be rebuilt."""

    def __init__(self, version: int, shape: int) -> None:
        super().__init__(f"read model v{version} has shape {shape}, this code writes {SHAPE}")
        self.version, self.shape = version, shape


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
    with engine.begin() as conn:
        statement = dialect(conn).insert(live).values(projection=projection, version=version)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["projection"], set_={"version": statement.excluded.version}
            )
        )


def record_shape(conn: sa.Connection, name: str) -> None:
    """A version started from zero by this code has this code's shape (written with its
    first batch, or when a rebuild creates it)."""
    statement = dialect(conn).insert(shapes).values(name=name, shape=SHAPE)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"shape": statement.excluded.shape}
        )
    )


def shape_of(engine: sa.Engine, version: int) -> int:
    """The shape a version was built with: this code's for a version not started yet; 1 for
    one started before shapes were recorded."""
    name = f"{PROJECTION}_v{version}"
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        if inspector.has_table(shapes.name):
            found = conn.execute(sa.select(shapes.c.shape).where(shapes.c.name == name)).scalar()
            if found is not None:
                return int(found)
        if not inspector.has_table(tracking.name):
            return SHAPE
        started = conn.execute(sa.select(tracking.c.name).where(tracking.c.name == name)).first()
    return 1 if started else SHAPE


def check_shape(engine: sa.Engine, version: int) -> None:
    """ReadModelOutdated when the version was built by an older projection (a version found
    current stays so: its shape never changes)."""
    current = _CURRENT.setdefault(engine, set())
    if version in current:
        return
    shape = shape_of(engine, version)
    if shape < SHAPE:
        raise ReadModelOutdated(version, shape)
    if shape_recorded(engine, version):
        current.add(version)


_CURRENT: WeakKeyDictionary[sa.Engine, set[int]] = WeakKeyDictionary()


def shape_recorded(engine: sa.Engine, version: int) -> bool:
    if not sa.inspect(engine).has_table(shapes.name):  # a read model not yet started
        return False
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(shapes.c.shape).where(shapes.c.name == f"{PROJECTION}_v{version}")
        ).scalar()
    return found is not None
