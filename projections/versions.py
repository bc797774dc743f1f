"""Which version of the read model the queries read, and its tables created."""

from __future__ import annotations

import sqlalchemy as sa

from projections.tables import control, live
from projections.upsert import dialect


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
