"""Users, their roles scoped to a node of the org tree, passwords and tokens.

Kept in SQL beside the read models (`settings.readmodel_database`): accounts are not facts of
the record. Passwords are hashed with argon2 (argon2-cffi); tokens — API bearer tokens and web
sessions — are random and stored only as a SHA-256 hash, so a copy of the table opens nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import NotFound, RuleViolation

MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
# One address, no display name: local@domain.tld, ASCII or IDN letters, no spaces or brackets.
_ATOM = r"[^@\s<>(),;:\"\[\]\x00-\x1f\x7f]"  # no spaces, brackets, separators, control codes
EMAIL = re.compile(rf"^{_ATOM}{{1,64}}@{_ATOM}+\.[^@\s<>(),;:\"\[\]\x00-\x1f\x7f.]{{2,}}$")
API_TOKEN_TTL = timedelta(hours=12)  # DANGVIEN_API_TOKEN_HOURS
SESSION_TTL = timedelta(hours=12)


class Role(StrEnum):
    """Roles scoped to a node of the org tree (infra/api/access.py says what each may do)."""

    cell_secretary = "cell_secretary"  # bí thư chi bộ
    grassroots_officer = "grassroots_officer"  # cán bộ đảng ủy cơ sở
    department_officer = "department_officer"  # cán bộ Ban Tổ chức
    auditor = "auditor"  # read-only below its node
    administrator = "administrator"


@dataclass(frozen=True)
class User:
    """An account; `org_id` None means the whole tree (administrators only)."""

    id: str
    username: str
    role: Role
    org_id: UUID | None
    display_name: str = ""


@dataclass(frozen=True)
class Contact:
    """Where a user's notices go: an address, and whether as one digest a day."""

    email: str | None
    digest: bool


metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("org_id", sa.Uuid),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Personal data: never in a log line or a URL (docs/notices.md).
    sa.Column("email", sa.String(254)),
    sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
)
# Columns added after the table first shipped: `_migrate` adds them to an older table.
ADDED = {"email": "VARCHAR(254)", "digest": "BOOLEAN NOT NULL DEFAULT FALSE"}

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # "api" | "session"
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)


# Who did what to an account: lockouts, lifts, password changes, revoked tokens. Accounts are
# not facts of the record, so their trail lives beside them.
account_events = sa.Table(
    "account_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(100), nullable=False, index=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("detail", sa.String(200), nullable=False),
)
TOKEN_ID = 16  # hex digits of the stored hash that name a token (the token itself is never kept)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    kind: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AccountEvent:
    at: datetime
    username: str
    action: str
    actor: str
    detail: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(row.id, row.username, Role(row.role), row.org_id, row.display_name)


class UserStore:
    """Accounts over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: sa.Engine,
        hasher: PasswordHasher | None = None,
        *,
        api_token_ttl: timedelta = API_TOKEN_TTL,
    ) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self.api_token_ttl = api_token_ttl
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        metadata.create_all(engine)
        _migrate(engine)

    # --- accounts ---

    def create(
        self,
        username: str,
        password: str,
        role: Role | str,
        org_id: UUID | None,
        display_name: str = "",
    ) -> User:
        """A new account. Refused: a taken or malformed username, a password shorter than
        MIN_PASSWORD, a role other than administrator without an organization."""
        role = Role(role)
        if not USERNAME.match(username):
            raise RuleViolation(
                "USER-NAME",
                "Tên đăng nhập gồm chữ, số và . _ @ - (tối đa 100 ký tự)",
                "A username is letters, digits and . _ @ - (at most 100 characters)",
            )
        self._check_password(password)
        if org_id is None and role is not Role.administrator:
            raise RuleViolation(
                "USER-ORG",
                "Chỉ quản trị viên mới không gắn với một tổ chức",
                "Only an administrator may have no organization",
            )
        user = User(str(uuid4()), username, role, org_id, display_name)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.insert(users).values(
                        id=user.id,
                        username=username,
                        password_hash=self.hasher.hash(password),
                        role=str(role),
                        org_id=org_id,
                        display_name=display_name,
                        created_at=datetime.now(UTC),
                    )
                )
        except sa.exc.IntegrityError:
            raise RuleViolation(
                "USER-DUPLICATE", "Tên đăng nhập đã có", "This username is taken"
            ) from None
        return user

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise RuleViolation(
                "USER-PASSWORD",
                f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự",
                f"A password needs at least {MIN_PASSWORD} characters",
            )

    def get(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        """Every account, by username."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.username)).all()
        return [_user(r) for r in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches (rehashed when the parameters changed)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        try:
            # An unknown user costs one hash too: timing does not tell who exists.
            self.hasher.verify(row.password_hash if row else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            self._set_password(row.id, password)
        return _user(row)

    def reset_password(
        self, username: str, new_password: str | None = None, *, actor: str = "cli"
    ) -> str:
        """Set a new password (generated when None) and end every session and token of the
        user; returns the password."""
        user = self.get(username)
        if user is None:
            raise NotFound("User", username)
        password = new_password if new_password is not None else secrets.token_urlsafe(12)
        self._check_password(password)
        self._set_password(user.id, password)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(api_tokens).where(api_tokens.c.user_id == user.id))
        self.record(username, "password_reset", actor)
        return password

    def change_password(self, user: User, new_password: str, *, keep: str | None = None) -> None:
        """The user's own new password (the old one was checked by the caller); every other
        session and token ends, the one in use (`keep`) goes on."""
        self._check_password(new_password)
        self._set_password(user.id, new_password)
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(api_tokens).where(
                    api_tokens.c.user_id == user.id,
                    api_tokens.c.token_hash != (_digest(keep) if keep else ""),
                )
            )
        self.record(user.username, "password_changed", user.username)

    def _set_password(self, user_id: str, password: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == user_id)
                .values(password_hash=self.hasher.hash(password))
            )

    def ensure_first_admin(self) -> tuple[str, str] | None:
        """The first run: create `admin` with a generated password and return (username,
        password) once; None when an administrator exists."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(users.c.id).where(users.c.role == str(Role.administrator)).limit(1)
            ).first()
        if found is not None:
            return None
        password = secrets.token_urlsafe(12)
        self.create("admin", password, Role.administrator, None, "Quản trị viên")
        return "admin", password

    # --- e-mail ---

    def set_contact(
        self, username: str, email: str | None, digest: bool | None = None, *, actor: str
    ) -> Contact:
        """Set (or clear, with "" or None) the user's e-mail address, and the digest choice when
        given. Refused: a malformed address (USER-EMAIL). The trail says "email_set", never the
        address."""
        user = self.get(username)
        if user is None:
            raise NotFound("User", username)
        address = (email or "").strip() or None
        if address is not None and not _email_like(address):
            raise RuleViolation(
                "USER-EMAIL",
                "Địa chỉ thư điện tử không hợp lệ (dạng ten@donvi.vn)",
                "Not a valid e-mail address (like name@unit.vn)",
            )
        values: dict[str, Any] = {"email": address}
        if digest is not None:
            values["digest"] = digest
        with self.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user.id).values(**values))
        self.record(username, "email_set" if address else "email_cleared", actor)
        return self.contact(username)

    def contact(self, username: str) -> Contact:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users.c.email, users.c.digest).where(users.c.username == username)
            ).first()
        if row is None:
            raise NotFound("User", username)
        return Contact(row.email, bool(row.digest))

    # --- tokens ---

    def issue_token(self, username: str, *, kind: str = "api", ttl: timedelta | None = None) -> str:
        """A random token for `Authorization: Bearer` (kind "api") or a web session; only its
        hash is stored."""
        user = self.get(username)
        if user is None:
            raise NotFound("User", username)
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        lifetime = ttl or (SESSION_TTL if kind == "session" else self.api_token_ttl)
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(api_tokens).values(
                    token_hash=_digest(token),
                    user_id=user.id,
                    kind=kind,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return token

    def user_for_token(self, token: str) -> User | None:
        """The user a live token belongs to (None: unknown, revoked or expired)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users)
                .join(api_tokens, api_tokens.c.user_id == users.c.id)
                .where(
                    api_tokens.c.token_hash == _digest(token),
                    api_tokens.c.expires_at > datetime.now(UTC),
                )
            ).first()
        return _user(row) if row else None

    def revoke_token(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(api_tokens).where(api_tokens.c.token_hash == _digest(token)))

    @staticmethod
    def token_id(token: str) -> str:
        return _digest(token)[:TOKEN_ID]

    def tokens(self, username: str) -> list[TokenInfo]:
        """The live sessions and bearer tokens of a user, newest first (never the tokens)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(api_tokens)
                .join(users, api_tokens.c.user_id == users.c.id)
                .where(users.c.username == username, api_tokens.c.expires_at > datetime.now(UTC))
                .order_by(api_tokens.c.created_at.desc())
            ).all()
        return [
            TokenInfo(r.token_hash[:TOKEN_ID], r.kind, _utc(r.created_at), _utc(r.expires_at))
            for r in rows
        ]

    def revoke_token_id(self, username: str, token_id: str, *, actor: str) -> bool:
        """Revoke one session or token of the user by its id; False when it has none such."""
        if not re.fullmatch(f"[0-9a-f]{{{TOKEN_ID}}}", token_id):
            return False
        with self.engine.begin() as conn:
            owner = sa.select(users.c.id).where(users.c.username == username).scalar_subquery()
            done = conn.execute(
                sa.delete(api_tokens).where(
                    api_tokens.c.user_id == owner,
                    api_tokens.c.token_hash.startswith(token_id, autoescape=True),
                )
            ).rowcount
        if done:
            self.record(username, "token_revoked", actor, token_id)
        return bool(done)

    # --- the accounts' trail ---

    def record(self, username: str, action: str, actor: str, detail: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(account_events).values(
                    at=datetime.now(UTC),
                    username=username,
                    action=action,
                    actor=actor[:120],
                    detail=detail[:200],
                )
            )

    def events(self, username: str) -> list[AccountEvent]:
        """What was done to an account, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(account_events)
                .where(account_events.c.username == username)
                .order_by(account_events.c.id)
            ).all()
        return [AccountEvent(_utc(r.at), r.username, r.action, r.actor, r.detail) for r in rows]


def _email_like(address: str) -> bool:
    """One address: at most 254 characters, printable, valid UTF-8 (no lone surrogates)."""
    if len(address) > 254 or not address.isprintable():
        return False
    try:
        address.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return EMAIL.match(address) is not None


def _migrate(engine: sa.Engine) -> None:
    """Add the columns a table made by an older release lacks (create_all never alters)."""
    have = {c["name"] for c in sa.inspect(engine).get_columns("users")}
    with engine.begin() as conn:
        for name, ddl in ADDED.items():
            if name not in have:
                conn.execute(sa.text(f"ALTER TABLE users ADD COLUMN {name} {ddl}"))


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
