"""First answers of commands sent with an `Idempotency-Key`: the same key again answers what
the command answered the first time (docs/api.md), whatever happened since — the dissolution
it started has ended, the case it stepped on has moved further. Underneath, the key is already
the command key, so a repeat writes nothing; this keeps the answer too.

Kept per user, command and key, the key hashed (as the logs show it). Only answers of
commands that went through are kept: a refusal wrote nothing, and the same request may go
through once its cause is fixed. An answer holds ids, stages and counts, never personal data.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData()
answers = sa.Table(
    "api_first_answers",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("command", sa.String(200), primary_key=True),
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class FirstAnswers:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def _where(self, user_id: str, command: str, key: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            answers.c.user_id == user_id,
            answers.c.command == command,
            answers.c.key_hash == key_hash(key),
        )

    def first(self, user_id: str, command: str, key: str) -> str | None:
        """The answer kept for this key, if the command went through before."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(answers.c.answer).where(self._where(user_id, command, key))
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def keep(self, user_id: str, command: str, key: str, answer: str) -> str:
        """Keep the answer; two requests with one key at once keep the first, and both
        answer it."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    answers.insert().values(
                        user_id=user_id,
                        command=command,
                        key_hash=key_hash(key),
                        at=datetime.now(UTC),
                        answer=answer,
                    )
                )
        except sa.exc.IntegrityError:
            kept = self.first(user_id, command, key)
            assert kept is not None
            return kept
        return answer
