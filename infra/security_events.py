"""Security events: refusals that may be someone probing what lies outside their reach (a
person recorded elsewhere, asked for by citizen ID). Each is recorded (who, when, which rule;
never the citizen ID), and a user who gathers too many in an hour is refused further probes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

metadata = sa.MetaData()
events = sa.Table(
    "security_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user_id", sa.String(64), nullable=False, index=True),
    sa.Column("rule_id", sa.String(40), nullable=False),
)
PROBES_PER_HOUR = 10  # a department officer registering a batch rarely meets one


class SecurityEvents:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def record(self, user_id: str, rule_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                events.insert().values(at=datetime.now(UTC), user_id=user_id, rule_id=rule_id)
            )

    def recent(self, user_id: str, rule_id: str, within: timedelta = timedelta(hours=1)) -> int:
        since = datetime.now(UTC) - within
        query = sa.select(sa.func.count()).where(
            events.c.user_id == user_id, events.c.rule_id == rule_id, events.c.at >= since
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def throttled(self, user_id: str, rule_id: str) -> bool:
        return self.recent(user_id, rule_id) >= PROBES_PER_HOUR

    def throttled_at(self, user_id: str, rule_id: str, per_hour: int) -> bool:
        """Throttled at a bound of its own (a client address guessing paper codes)."""
        return self.recent(user_id, rule_id) >= per_hour
