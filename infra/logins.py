"""Password checks that hold under attack: per-account and per-address throttling with growing
delays, an account lockout an administrator lifts, and a bound on concurrent argon2 hashes.

Every attempt is counted as a failure *before* its password is checked (a success gives it
back), so a burst of concurrent guesses cannot all slip in while the first ones are being
hashed. The counters live in SQL beside the accounts (`login_attempts`): they survive a restart
and are shared by the API's replicas. A throttled attempt costs no hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from anyio import to_thread

from domain.errors import RuleViolation
from infra.users import User, UserStore, metadata

log = structlog.get_logger("dangvien.logins")

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),  # "account:<name>" or "address:<ip>"
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_at", sa.DateTime(timezone=True)),
)

FREE_FAILURES = 3  # an account's mistypes before any delay
ACCOUNT_DELAY_CAP = timedelta(minutes=15)
ACCOUNT_FORGET = timedelta(days=1)  # an idle account's failures are forgotten (not a lock)
ADDRESS_DELAY_CAP = timedelta(minutes=1)
ADDRESS_FORGET = timedelta(minutes=15)
WAIT_FOR_HASH = 5.0  # seconds a login waits for a free password check
MAX_WAITING = 64  # logins waiting for a check at most; the next are refused at once


@dataclass(frozen=True)
class Policy:
    free: int
    lockout: int  # 0: never
    cap: timedelta
    forget: timedelta

    def delay(self, failures: int) -> timedelta:
        """Doubling from one second after the free failures, up to the cap."""
        if failures <= self.free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures - self.free - 1, 20)), self.cap)


def wrong_login() -> RuleViolation:
    return RuleViolation(
        "AUTH-LOGIN", "Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"
    )


def throttled(seconds: int) -> RuleViolation:
    return RuleViolation(
        "AUTH-THROTTLED",
        f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {seconds} giây",
        f"Too many failed logins; try again in {seconds} seconds",
        retry_after=seconds,
    )


def locked() -> RuleViolation:
    return RuleViolation(
        "AUTH-LOCKED",
        "Tài khoản bị khóa do đăng nhập sai nhiều lần; hãy nhờ quản trị viên mở khóa",
        "The account is locked after too many failed logins; ask an administrator to unlock it",
    )


def busy() -> RuleViolation:
    return RuleViolation(
        "AUTH-BUSY",
        "Máy chủ đang bận kiểm tra mật khẩu; hãy thử lại sau giây lát",
        "The server is busy checking passwords; try again in a moment",
        retry_after=1,
    )


class LoginGuard:
    """Checks passwords for the API and the web (one per process)."""

    def __init__(
        self,
        users: UserStore,
        *,
        lockout: int = 10,
        address_failures: int = 30,
        hashes: int = 2,
    ) -> None:
        self.users = users
        self.engine = users.engine
        metadata.create_all(self.engine, tables=[login_attempts])
        self.account = Policy(
            min(FREE_FAILURES, max(lockout - 1, 0)) if lockout else FREE_FAILURES,
            lockout,
            ACCOUNT_DELAY_CAP,
            ACCOUNT_FORGET,
        )
        self.address = Policy(address_failures, 0, ADDRESS_DELAY_CAP, ADDRESS_FORGET)
        self._slots = asyncio.Semaphore(hashes)
        self._waiting = 0
        self._lock = threading.Lock()  # one reservation at a time in this process

    async def check(self, username: str, password: str, address: str) -> User:
        """The user whose password this is; refused when wrong (AUTH-LOGIN), throttled
        (AUTH-THROTTLED), locked (AUTH-LOCKED) or when too many checks wait (AUTH-BUSY)."""
        address = address[:200]  # a forwarded "address" is whatever the proxy passed on
        keys = (account_key(username), f"address:{address}")
        await to_thread.run_sync(self._admit, keys)
        try:
            async with self._slot():
                user = await to_thread.run_sync(self.users.authenticate, username, password)
        except RuleViolation:  # busy: nothing was checked
            await to_thread.run_sync(self._give_back, keys, False)
            raise
        if user is None:
            await to_thread.run_sync(self._failed, username, address)
            raise wrong_login()
        await to_thread.run_sync(self._give_back, keys, True)
        return user

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """At most `hashes` argon2 checks at once (64 MiB each); the rest wait a little,
        then are refused, never queued without end."""
        if self._waiting >= MAX_WAITING:
            raise busy()
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), WAIT_FOR_HASH)
        except TimeoutError:
            raise busy() from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    # --- the counters ---

    def _policy(self, key: str) -> Policy:
        return self.account if key.startswith("account:") else self.address

    def _rows(self, conn: sa.Connection, keys: tuple[str, ...]) -> dict[str, Any]:
        rows = conn.execute(sa.select(login_attempts).where(login_attempts.c.key.in_(keys)))
        return {r.key: r for r in rows}

    def _admit(self, keys: tuple[str, str]) -> None:
        """Refuse a locked account or an attempt before its delay; else count it (as a
        failure until its password proves right)."""
        now = datetime.now(UTC)
        with self._lock, self.engine.begin() as conn:
            rows = self._rows(conn, keys)
            counts = {}
            for key in keys:
                row, policy = rows.get(key), self._policy(key)
                if row is not None and row.locked_at is not None:
                    raise locked()
                fresh = row is None or _utc(row.last_at) + policy.forget < now
                if row is not None and not fresh and _utc(row.not_before) > now:
                    wait = math.ceil((_utc(row.not_before) - now).total_seconds())
                    raise throttled(max(wait, 1))
                counts[key] = 1 if fresh or row is None else row.failures + 1
            for key, failures in counts.items():
                values = {
                    "failures": failures,
                    "last_at": now,
                    "not_before": now + self._policy(key).delay(failures),
                }
                if key in rows:
                    conn.execute(
                        sa.update(login_attempts).where(login_attempts.c.key == key).values(values)
                    )
                else:
                    conn.execute(sa.insert(login_attempts).values(key=key, **values))

    def _give_back(self, keys: tuple[str, str], succeeded: bool) -> None:
        """A success clears the account's failures and gives the address its attempt back;
        an attempt refused before any check gives back both."""
        now = datetime.now(UTC)
        with self._lock, self.engine.begin() as conn:
            rows = self._rows(conn, keys)
            for key, row in rows.items():
                if row.locked_at is not None:
                    continue
                if succeeded and key.startswith("account:"):
                    conn.execute(sa.delete(login_attempts).where(login_attempts.c.key == key))
                    continue
                failures = max(row.failures - 1, 0)
                conn.execute(
                    sa.update(login_attempts)
                    .where(login_attempts.c.key == key)
                    .values(
                        failures=failures,
                        not_before=min(
                            _utc(row.not_before), now + self._policy(key).delay(failures)
                        ),
                    )
                )

    def _failed(self, username: str, address: str) -> None:
        """A wrong password: the account locks once its failures reach the lockout."""
        lockout = self.account.lockout
        key = account_key(username)
        with self._lock, self.engine.begin() as conn:
            row = self._rows(conn, (key,)).get(key)
            if not lockout or row is None or row.failures < lockout or row.locked_at:
                return
            conn.execute(
                sa.update(login_attempts)
                .where(login_attempts.c.key == key)
                .values(locked_at=datetime.now(UTC))
            )
        if self.users.get(username) is not None:  # a name typed at random is nobody's event
            self.users.record(username, "locked", "system", f"{row.failures} failures")
            log.warning("login.locked", username=username, failures=row.failures)
        raise locked()

    # --- administration ---

    def state(self, username: str) -> tuple[int, datetime | None]:
        """The account's counted failures and when it was locked (None: not locked)."""
        key = account_key(username)
        with self.engine.connect() as conn:
            row = self._rows(conn, (key,)).get(key)
        if row is None:
            return 0, None
        return row.failures, _utc(row.locked_at) if row.locked_at else None

    def unlock(self, username: str, actor: str) -> bool:
        """Lift the account's lockout and delays; recorded with who lifted it. False when
        there was nothing to lift."""
        key = account_key(username)
        with self._lock, self.engine.begin() as conn:
            row = self._rows(conn, (key,)).get(key)
            conn.execute(sa.delete(login_attempts).where(login_attempts.c.key == key))
        if row is None:
            return False
        detail = "locked" if row.locked_at else f"{row.failures} failures"
        self.users.record(username, "unlocked", actor, detail)
        log.info("login.unlocked", username=username, actor=actor)
        return True


def account_key(username: str) -> str:
    """The counter of an account, by a hash of the name typed: a name that is no account may
    be anything a visitor typed (a citizen ID), and is never stored."""
    return "account:" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:40]


def unlock(users: UserStore, username: str, actor: str) -> bool:
    """Lift a lockout from outside the API's process (the command line)."""
    return LoginGuard(users).unlock(username, actor)


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
