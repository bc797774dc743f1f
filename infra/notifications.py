"""In-app notifications: one row per escalation rung, deadline due soon, or record passed to a
unit (its `kind`), written once (the key is unique)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workflows.messages import NOTICE_KINDS, Notification

metadata = sa.MetaData()

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("org_id", sa.Uuid, nullable=False, index=True),
    sa.Column("subject_id", sa.Uuid, nullable=False, index=True),
    sa.Column("rule_id", sa.String(40), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("due", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("message_vi", sa.Text, nullable=False),
    sa.Column("message_en", sa.Text, nullable=False),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    # escalation | due_soon | assignment (workflows.messages.NOTICE_KINDS); added by issue 16
    sa.Column("kind", sa.String(20), nullable=False, server_default="escalation"),
)
# Columns added after the table first shipped: `_migrate` adds them to an older table.
ADDED = {"kind": "VARCHAR(20) NOT NULL DEFAULT 'escalation'"}


class Notifications:
    """The notification store over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        _migrate(engine)

    def notify(self, n: Notification) -> None:
        if n.kind not in NOTICE_KINDS:
            raise ValueError(f"unknown kind of notice: {n.kind!r}")
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        row = {
            "key": n.key,
            "org_id": n.org_id,
            "subject_id": n.subject_id,
            "rule_id": n.rule_id,
            "level": n.level,
            "due": n.due,
            "created_at": n.created_at,
            "message_vi": n.message_vi,
            "message_en": n.message_en,
            "kind": n.kind,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(notifications).values(row).on_conflict_do_nothing())

    def for_org(self, org_id: UUID) -> list[sa.Row[tuple[object, ...]]]:
        with self.engine.connect() as conn:
            query = (
                sa.select(notifications)
                .where(notifications.c.org_id == org_id)
                .order_by(notifications.c.created_at)
            )
            return list(conn.execute(query))

    def recipients(self, keys: list[str]) -> dict[str, UUID]:
        """The organization each notice was sent to."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(notifications.c.key, notifications.c.org_id).where(
                    notifications.c.key.in_(keys)
                )
            )
            return {str(key): org_id for key, org_id in found}

    def acknowledge(self, keys: list[str]) -> int:
        """Mark notices as seen (once: a later acknowledgement keeps the first time). Who
        acknowledged is not kept: a notice is not a fact of the record."""
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(notifications)
                .where(notifications.c.key.in_(keys), notifications.c.acknowledged_at.is_(None))
                .values(acknowledged_at=datetime.now(UTC))
            )
            return int(done.rowcount)

    def for_subject(self, subject_id: UUID) -> list[sa.Row[tuple[object, ...]]]:
        with self.engine.connect() as conn:
            query = (
                sa.select(notifications)
                .where(notifications.c.subject_id == subject_id)
                .order_by(notifications.c.level)
            )
            return list(conn.execute(query))


def _migrate(engine: sa.Engine) -> None:
    """Add the columns a table made by an older release lacks (create_all never alters); the
    notices already written keep their meaning: escalations. Two processes starting together
    may both try: the one that finds the column added meanwhile goes on."""
    for name, ddl in ADDED.items():
        if name in _columns(engine):
            continue
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"ALTER TABLE notifications ADD COLUMN {name} {ddl}"))
        except sa.exc.DBAPIError:
            if name not in _columns(engine):
                raise


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("notifications")}
