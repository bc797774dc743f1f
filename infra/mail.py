"""E-mail of notices (docs/notices.md): a delivery row per notice and recipient, a sender that
claims a row, sends it over SMTP and marks it sent.

Deliveries are derived from the notifications table (`plan`), so the activities that write
notices are unchanged and a notice written before a crash is still mailed. The primary key
(notice key, user id) makes each pair one row; the row's state makes it one message:
pending → sending (claimed) → sent | failed. The only window for a second message is a crash
after the SMTP server accepted the message and before the row is marked sent: the row's claim
expires (`LEASE`) and the message goes again with the same Message-ID, so a mail client or a
reader sees it is the same message. Addresses never reach a log line: only keys and user ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain import labels, policy
from infra.notifications import notifications
from infra.users import users

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
LEASE = timedelta(minutes=10)  # a claim older than this is a crashed sender's (the default)
MAX_ATTEMPTS = 8  # temporary failures before a delivery is given up (then shown as failed)
RECENT = timedelta(days=7)  # notices older than this when mail is first set up are not mailed
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

metadata = sa.MetaData()

deliveries = sa.Table(
    "mail_deliveries",
    metadata,
    sa.Column("notice_key", sa.String(200), primary_key=True),
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("digest", sa.Boolean, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),  # due, or claimed until
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("reason", sa.String(200), nullable=False),  # the server's answer on a failure
)

log = structlog.get_logger("dangvien.mail")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    tls_context: ssl.SSLContext | None = None  # None: the system's trusted CAs


@dataclass(frozen=True)
class Claimed:
    user_id: str
    email: str
    keys: list[str]
    attempts: int
    digest: bool


class Mailer:
    """Plans, claims and sends the deliveries of notices; `now` is injectable for tests."""

    def __init__(
        self,
        engine: sa.Engine,
        smtp: SmtpSettings | None,
        public_url: str,
        *,
        digest_at: Any = None,
        now: Any = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.engine = engine
        self.lease = lease
        self.smtp = smtp
        self.public_url = public_url.rstrip("/")
        self.digest_at = digest_at or datetime.min.time().replace(hour=7)
        self.now = now or (lambda: datetime.now(UTC))
        metadata.create_all(engine)

    # --- planning ---

    def plan(self) -> int:
        """A pending delivery for each recent notice and each user with an address in the
        organization it was sent to (the users whose home page shows it)."""
        now = self.now()
        n, u = notifications, users
        query = (
            sa.select(n.c.key, u.c.id, u.c.digest)
            .join(u, u.c.org_id == n.c.org_id)
            .outerjoin(
                deliveries,
                sa.and_(deliveries.c.notice_key == n.c.key, deliveries.c.user_id == u.c.id),
            )
            .where(
                u.c.email.is_not(None),
                n.c.created_at >= now - RECENT,
                deliveries.c.notice_key.is_(None),
            )
        )
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            rows = [
                {
                    "notice_key": key,
                    "user_id": user_id,
                    "state": PENDING,
                    "digest": bool(digest),
                    "attempts": 0,
                    "next_at": self.next_digest(now) if digest else now,
                    "reason": "",
                }
                for key, user_id, digest in conn.execute(query)
            ]
            if rows:
                conn.execute(insert(deliveries).values(rows).on_conflict_do_nothing())
        return len(rows)

    def next_digest(self, now: datetime) -> datetime:
        local = now.astimezone(VIETNAM)
        at = datetime.combine(local.date(), self.digest_at, VIETNAM)
        return (at if at > local else at + timedelta(days=1)).astimezone(UTC)

    # --- claiming ---

    def claim(self) -> Claimed | None:
        """Take one due delivery (or all of a digest user's due ones) for this sender: the
        state moves from pending (or an expired claim) to sending only if nobody moved it first,
        so two senders never send the same row."""
        now = self.now()
        d = deliveries
        due = sa.and_(d.c.state.in_([PENDING, SENDING]), d.c.next_at <= now)
        with self.engine.begin() as conn:
            for row in conn.execute(sa.select(d).where(due).order_by(d.c.next_at).limit(20)):
                email = conn.execute(sa.select(users.c.email).where(users.c.id == row.user_id))
                address = email.scalar()
                if not address:  # the user removed the address meanwhile
                    conn.execute(_mark(row.notice_key, row.user_id, FAILED, "no address"))
                    continue
                keys = [row.notice_key]
                if row.digest:
                    keys = list(
                        conn.execute(
                            sa.select(d.c.notice_key).where(due, d.c.user_id == row.user_id)
                        ).scalars()
                    )
                taken = conn.execute(
                    sa.update(d)
                    .where(d.c.user_id == row.user_id, d.c.notice_key.in_(keys), due)
                    .values(state=SENDING, attempts=d.c.attempts + 1, next_at=now + self.lease)
                ).rowcount
                if taken:
                    return Claimed(row.user_id, address, keys, row.attempts + 1, row.digest)
        return None

    # --- sending ---

    def send_one(self, *, plan: bool = True) -> bool:
        """Plan (unless told not to), claim one delivery, send it, mark it; False when nothing
        was due."""
        if self.smtp is None:
            return False
        if plan:
            self.plan()
        claimed = self.claim()
        if claimed is None:
            return False
        self.deliver(claimed)
        return True

    def deliver(self, claimed: Claimed) -> None:
        assert self.smtp is not None
        message = self.compose(claimed)
        try:
            _send(self.smtp, message, claimed.email)
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            self._answered(claimed, code, f"{code} {_text(text)}")
        except smtplib.SMTPResponseException as error:
            self._answered(claimed, error.smtp_code, f"{error.smtp_code} {_text(error.smtp_error)}")
        except (OSError, smtplib.SMTPException, ValueError) as error:  # ValueError: encoding
            reason = type(error).__name__
            if claimed.attempts >= MAX_ATTEMPTS:
                self._finish(claimed, FAILED, reason)
            else:
                self._retry(claimed, reason)
        else:
            self._finish(claimed, SENT, "")

    def _answered(self, claimed: Claimed, code: int, reason: str) -> None:
        """5xx: the address is undeliverable; 4xx: try again later (up to MAX_ATTEMPTS)."""
        if code >= 500 or claimed.attempts >= MAX_ATTEMPTS:
            self._finish(claimed, FAILED, reason)
        else:
            self._retry(claimed, reason)

    def _finish(self, claimed: Claimed, state: str, reason: str) -> None:
        with self.engine.begin() as conn:
            for key in claimed.keys:
                conn.execute(_mark(key, claimed.user_id, state, reason, self.now()))
        log.info("mail.delivered", state=state, user_id=claimed.user_id, notices=claimed.keys)

    def _retry(self, claimed: Claimed, reason: str) -> None:
        backoff = timedelta(minutes=min(2**claimed.attempts, 60))
        d = deliveries
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(d)
                .where(d.c.user_id == claimed.user_id, d.c.notice_key.in_(claimed.keys))
                .values(state=PENDING, next_at=self.now() + backoff, reason=reason[:200])
            )
        log.info("mail.retry", user_id=claimed.user_id, attempts=claimed.attempts, reason=reason)

    # --- the message ---

    def compose(self, claimed: Claimed) -> EmailMessage:
        """Vietnamese first, English below; the record's id, stage, rule and deadline and its
        link, worded by the notice's kind: no names (the message leaves the system)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(notifications)
                .where(notifications.c.key.in_(claimed.keys))
                .order_by(notifications.c.created_at)
            ).all()
            stages = {r.subject_id: _stage(conn, r.subject_id) for r in rows}
        vi, en = [], []
        for r in rows:
            kind, stage = stages[r.subject_id]
            link = f"{self.public_url}{HREF.get(kind, '/inbox')}".format(r.subject_id)
            text_vi, text_en = _lines(r, stage)
            vi.append(f"{text_vi}\nXem: {link}\n")
            en.append(f"{text_en}\nOpen: {link}\n")
        message = EmailMessage()
        if claimed.digest:
            message["Subject"] = f"[Đảng viên] Thông báo trong ngày: {len(rows)} thông báo"
            ident = f"digest-{claimed.user_id}-{':'.join(sorted(claimed.keys))}"
        else:
            message["Subject"] = _subject(rows[0]) if rows else "[Đảng viên] Thông báo"
            ident = f"{claimed.keys[0]}-{claimed.user_id}"
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<{digest}@dangvien>"
        message["From"] = self.smtp.sender if self.smtp else "dangvien@localhost"
        message["To"] = claimed.email
        message["Date"] = formatdate(localtime=False)
        message.set_content(
            "\n".join(vi) + "\n-- English --\n\n" + "\n".join(en) + "\n"
            "Thư tự động từ hệ thống, không trả lời thư này. / "
            "An automatic message: do not reply.\n"
        )
        return message

    # --- the inbox's report ---

    def undeliverable(self, user_ids: list[str]) -> list[dict[str, Any]]:
        """The failed deliveries of these users (for the inbox): notice key, reason, when."""
        d = deliveries
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(d.c.notice_key, d.c.user_id, d.c.reason, d.c.attempts)
                .where(d.c.user_id.in_(user_ids), d.c.state == FAILED)
                .order_by(d.c.notice_key)
            ).all()
        return [dict(r._mapping) for r in rows]

    def states(self) -> dict[tuple[str, str], str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(deliveries.c.notice_key, deliveries.c.user_id, deliveries.c.state)
            )
            return {(k, u): s for k, u, s in rows}

    async def run(self, stop: asyncio.Event, *, idle: float = 30.0) -> None:
        """The worker's sender loop: send while something is due, then wait `idle` seconds."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.plan)
                while await asyncio.to_thread(self.send_one, plan=False):
                    pass
            except sa.exc.SQLAlchemyError as error:
                log.warning("mail.database", error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), idle)


HREF = {"admission": "/cases/{}", "member": "/members/{}", "transfer": "/transfers/{}"}


def _lines(r: Any, stage: str | None) -> tuple[str, str]:
    """A notice's lines in a message (Vietnamese, English), by its kind: an escalation names
    the record's stage now, the rule, the deadline and the level; a due-soon notice and an
    assignment say what they told the unit (their own words, written with no personal data)."""
    rule = policy.RULES.get(r.rule_id)
    title_vi, title_en = (rule.title_vi, rule.title_en) if rule else ("", "")
    if r.kind == "assignment":
        return (
            f"Hồ sơ {r.subject_id}\nViệc mới của đơn vị — {r.message_vi}",
            f"Record {r.subject_id}\nNew for your unit — {r.message_en}",
        )
    stage_vi = labels.vi("stage", stage) if stage else "—"
    stage_en = labels.en("stage", stage) if stage else "—"
    if r.kind == "due_soon":
        return (
            f"Hồ sơ {r.subject_id}\nSắp đến hạn — {r.message_vi}\nBước: {stage_vi}",
            f"Record {r.subject_id}\nDue soon — {r.message_en}\nStep: {stage_en}",
        )
    return (
        f"Hồ sơ {r.subject_id}\nBước: {stage_vi}\nQuy định: [{r.rule_id}] {title_vi}\n"
        f"Hạn: {r.due:%d/%m/%Y} (mức nhắc {r.level})",
        f"Record {r.subject_id}\nStep: {stage_en}\nRule: [{r.rule_id}] {title_en}\n"
        f"Deadline: {r.due:%d/%m/%Y} (level {r.level})",
    )


def _subject(r: Any) -> str:
    """A single message's subject line (Vietnamese: the users' language)."""
    if r.kind == "assignment":
        return "[Đảng viên] Việc mới của đơn vị" + (
            f": {r.rule_id}, hạn {r.due:%d/%m/%Y}" if r.rule_id else ""
        )
    if r.kind == "due_soon":
        return f"[Đảng viên] Sắp đến hạn {r.rule_id}: hạn {r.due:%d/%m/%Y}"
    return f"[Đảng viên] Quá hạn {r.rule_id}: hạn {r.due:%d/%m/%Y}"


def _stage(conn: sa.Connection, subject_id: UUID) -> tuple[str, str | None]:
    """The record's kind and stage from the live read model (none when not projected yet)."""
    from projections.queries import ReadModel  # the read model's versioned tables

    t = ReadModel(conn.engine).t
    have = sa.inspect(conn)
    for kind, table, column in (
        ("admission", t.cases, t.cases.c.stage),
        ("member", t.members, t.members.c.status),
        ("transfer", t.transfers, t.transfers.c.stage),
    ):
        if not have.has_table(table.name):  # no read model here (yet)
            continue
        found = conn.execute(sa.select(column).where(table.c.id == subject_id)).scalar()
        if found is not None:
            return kind, str(found)
    return "", None


def _mark(key: str, user_id: str, state: str, reason: str, at: datetime | None = None) -> sa.Update:
    return (
        sa.update(deliveries)
        .where(deliveries.c.notice_key == key, deliveries.c.user_id == user_id)
        .values(state=state, reason=reason[:200], sent_at=at if state == SENT else None)
    )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _send(smtp: SmtpSettings, message: EmailMessage, to: str) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls(context=smtp.tls_context or ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message, to_addrs=[to])


def smtp_settings(settings: Any) -> SmtpSettings | None:
    """From infra.settings.Settings: None without a host (nothing is sent)."""
    if not settings.smtp_host:
        return None
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


@dataclass(frozen=True)
class Undeliverable:
    username: str
    subject_id: str  # the record the notice is about
    reason: str  # the server's answer (e.g. "550 5.1.1 No such mailbox"), never the address
    attempts: int


def undeliverable(engine: sa.Engine, org_id: UUID) -> list[Undeliverable]:
    """The failed deliveries to the users of an organization (the inbox's report)."""
    if not sa.inspect(engine).has_table(deliveries.name):  # no sender has run here yet
        return []
    d, n = deliveries, notifications
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(users.c.username, n.c.subject_id, d.c.reason, d.c.attempts)
            .join(users, users.c.id == d.c.user_id)
            .join(n, n.c.key == d.c.notice_key)
            .where(users.c.org_id == org_id, d.c.state == FAILED)
            .order_by(users.c.username, n.c.created_at)
        ).all()
    return [Undeliverable(r.username, str(r.subject_id), r.reason, r.attempts) for r in rows]
