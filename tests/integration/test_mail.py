"""E-mail of notices through a real SMTP server (aiosmtpd) in the test process, on SQLite and
on PostgreSQL: one message per notice and recipient, across a sender's crash; refusals and
temporary failures; the digest; STARTTLS; nothing without SMTP settings."""

from __future__ import annotations

import asyncio
import secrets
import ssl
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from psycopg import sql

from domain.errors import RuleViolation
from infra import mail
from infra.mail import LEASE, Mailer, SmtpSettings
from infra.notifications import Notifications, notifications
from infra.users import Role, UserStore
from projections.tables import tables
from tests.integration.conftest import PostgresDatabase
from tests.mail_support import Inbox, body, smtp_server
from workflows.messages import Notification

PUBLIC = "https://dangvien.example.vn"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOON = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        found = sa.create_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
        yield found
        found.dispose()
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    schema = f"m_{secrets.token_hex(6)}"
    with database.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    found = sa.create_engine(
        f"postgresql+psycopg://{database.user}@{database.host}:{database.port}/{database.dbname}",
        connect_args={"options": f"-csearch_path={schema}"},
    )
    try:
        yield found
    finally:
        found.dispose()
        with database.connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


class World:
    """Two units, their users (with and without an address), notices sent to them."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.users = UserStore(engine, FAST)
        self.notices = Notifications(engine)
        self.clock = [NOON]
        self.unit, self.other = uuid4(), uuid4()
        for name, org in (("bithu", self.unit), ("phobithu", self.unit), ("khac", self.other)):
            self.users.create(name, "mat-khau-dai-du", Role.cell_secretary, org, "Nguyễn Văn Tư")
            self.users.set_contact(name, f"{name}@donvi.vn", actor="admin")
        self.users.create("khongthu", "mat-khau-dai-du", Role.cell_secretary, self.unit)

    def notice(self, subject: UUID | None = None, level: int = 1) -> Notification:
        subject = subject or uuid4()
        due = date(2026, 11, 20)
        n = Notification(
            key=f"{subject}/ADM-DECISION-DEADLINE/{level}/{due.isoformat()}",
            org_id=self.unit,
            subject_id=subject,
            rule_id="ADM-DECISION-DEADLINE",
            level=level,
            due=due,
            created_at=self.clock[0] - timedelta(minutes=5),
            message_vi="[ADM-DECISION-DEADLINE] quá hạn",
            message_en="[ADM-DECISION-DEADLINE] overdue",
        )
        self.notices.notify(n)
        return n

    def mailer(self, port: int | None, *, tls: ssl.SSLContext | None = None) -> Mailer:
        smtp = None
        if port is not None:
            smtp = SmtpSettings(
                "127.0.0.1", port, "dangvien@donvi.vn", starttls=tls is not None, tls_context=tls
            )
        return Mailer(self.engine, smtp, PUBLIC, now=lambda: self.clock[0])

    def drain(self, mailer: Mailer) -> int:
        sent = 0
        while mailer.send_one():
            sent += 1
        return sent


def test_a_notice_reaches_each_user_of_its_unit_with_an_address_once_in_vietnamese_with_its_link(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    world = World(engine)
    case = uuid4()
    t = tables(1)
    t.metadata.create_all(engine, tables=[t.cases])
    with engine.begin() as conn:
        conn.execute(
            sa.insert(t.cases).values(
                id=case, person_id=uuid4(), cell_id=world.unit, grassroots_id=uuid4(),
                path="x", opened_on=date(2026, 1, 5), stage="decision",
                stage_since=date(2026, 10, 1), closed=False, escalation_level=1,
            )
        )  # fmt: skip
    world.notice(case)
    mailer = world.mailer(port)

    assert world.drain(mailer) == 2
    assert world.drain(world.mailer(port)) == 0  # a second sender finds nothing to do

    assert sorted(r[0][0] for r in handler.received) == ["bithu@donvi.vn", "phobithu@donvi.vn"]
    (message,) = handler.to("bithu@donvi.vn")
    text = body(message)
    assert "Quá hạn" in str(message["Subject"]) and "20/11/2026" in str(message["Subject"])
    assert f"Hồ sơ {case}" in text and "Hạn: 20/11/2026" in text
    assert "Bước: Chờ quyết định kết nạp" in text and "Step: Awaiting the decision" in text
    assert f"{PUBLIC}/cases/{case}" in text
    assert text.index("Hồ sơ") < text.index("Record")  # Vietnamese first, English below
    assert "Nguyễn" not in text and "phobithu@" not in text  # no names, no other address
    assert not handler.to("khac@donvi.vn")  # another unit's user gets nothing


def test_a_sender_killed_after_its_claim_leaves_one_message_for_the_next_sender(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    world = World(engine)
    world.notice()
    crashed = world.mailer(port)
    crashed.plan()
    assert crashed.claim() is not None  # claimed, then the process dies before sending

    restarted = world.mailer(port)
    assert world.drain(restarted) == 1  # the other recipient; the claimed row waits its lease
    world.clock[0] += LEASE + timedelta(seconds=1)
    assert world.drain(restarted) == 1
    assert world.drain(restarted) == 0
    assert len(handler.received) == 2
    assert {r[0][0] for r in handler.received} == {"bithu@donvi.vn", "phobithu@donvi.vn"}
    assert set(world.mailer(port).states().values()) == {"sent"}


def test_a_sender_killed_between_sending_and_marking_resends_once_with_the_same_message_id(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    """The documented window (docs/notices.md): the SMTP server took the message, the row was
    not marked sent. The resend carries the same Message-ID, so it is recognisable."""
    handler, port = inbox
    world = World(engine)
    world.notice()
    crashed = world.mailer(port)
    crashed.plan()
    claimed = crashed.claim()
    assert claimed is not None and crashed.smtp is not None
    mail._send(crashed.smtp, crashed.compose(claimed), claimed.email)  # then the crash

    world.clock[0] += LEASE + timedelta(seconds=1)
    assert world.drain(world.mailer(port)) == 2
    twice = handler.to(claimed.email)
    assert len(twice) == 2 and twice[0]["Message-ID"] == twice[1]["Message-ID"]
    assert world.drain(world.mailer(port)) == 0


def test_without_smtp_settings_nothing_is_sent_and_the_notice_stays_in_the_inbox(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, _ = inbox
    world = World(engine)
    world.notice()
    assert world.drain(world.mailer(None)) == 0
    assert handler.received == []
    assert world.mailer(None).states() == {}
    assert len(world.notices.for_org(world.unit)) == 1


def test_a_refused_address_is_reported_undeliverable_and_the_others_still_get_the_notice(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    handler.refused.add("phobithu@donvi.vn")
    world = World(engine)
    notice = world.notice()
    mailer = world.mailer(port)
    world.drain(mailer)
    world.clock[0] += timedelta(days=1)
    world.drain(mailer)

    assert [r[0] for r in handler.received] == [["bithu@donvi.vn"]]
    users = {u.username: u.id for u in world.users.list_users()}
    (failed,) = mailer.undeliverable(list(users.values()))
    assert failed["notice_key"] == notice.key and failed["user_id"] == users["phobithu"]
    assert failed["reason"].startswith("550") and failed["attempts"] == 1


def test_a_busy_server_is_tried_again_after_a_backoff_and_the_message_goes_once(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    handler.busy.add("bithu@donvi.vn")
    world = World(engine)
    world.notice()
    mailer = world.mailer(port)
    world.drain(mailer)
    assert handler.to("bithu@donvi.vn") == []
    assert "pending" in mailer.states().values()

    handler.busy.clear()
    assert world.drain(mailer) == 0  # not before the backoff
    world.clock[0] += timedelta(minutes=3)
    assert world.drain(mailer) == 1
    assert len(handler.to("bithu@donvi.vn")) == 1


def test_a_user_who_chose_the_digest_gets_one_message_a_day_listing_the_notices(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    world = World(engine)
    world.users.set_contact("bithu", "bithu@donvi.vn", digest=True, actor="bithu")
    first, second = world.notice(), world.notice()
    mailer = world.mailer(port)
    world.drain(mailer)
    assert handler.to("bithu@donvi.vn") == []  # noon: the digest goes at 07:00 tomorrow
    assert len(handler.to("phobithu@donvi.vn")) == 2  # single messages for the other user

    world.clock[0] = datetime(2026, 12, 4, 0, 1, tzinfo=UTC)  # 07:01 in Vietnam
    world.drain(mailer)
    (digest,) = handler.to("bithu@donvi.vn")
    assert "Thông báo trong ngày: 2" in str(digest["Subject"])
    text = body(digest)
    assert str(first.subject_id) in text and str(second.subject_id) in text
    assert world.drain(mailer) == 0


def test_a_digest_lists_notices_of_every_kind_each_worded_by_its_kind(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    """Issue 16: the due-soon and assignment notices (as the activities write them) go in the
    digest beside an escalation, each with its own words and link, Vietnamese first."""
    handler, port = inbox
    world = World(engine)
    world.users.set_contact("bithu", "bithu@donvi.vn", digest=True, actor="bithu")
    overdue = world.notice()
    soon, turn = uuid4(), uuid4()
    due, at = date(2026, 12, 8), world.clock[0] - timedelta(minutes=5)
    for subject, kind, key, vi, en in (
        (
            soon,
            "due_soon",
            f"{soon}/ADM-CEREMONY/due-soon/{due}",
            "[ADM-CEREMONY] Tổ chức lễ kết nạp: sắp đến hạn 08/12/2026, còn 3 ngày làm việc",
            "[ADM-CEREMONY] Hold the ceremony: due soon, on 2026-12-08, 3 working days left",
        ),
        (
            turn,
            "assignment",
            f"{turn}/turn/committee_vote/{world.unit}",
            "Đến lượt đơn vị: hồ sơ kết nạp đảng viên, bước “Đảng ủy cơ sở biểu quyết”",
            "Your unit's turn: an admission case, at the stage “Grassroots committee vote”",
        ),
    ):
        world.notices.notify(
            Notification(key, world.unit, subject, "ADM-CEREMONY" if kind == "due_soon" else "",
                         -1, due, at, vi, en, kind=kind)
        )  # fmt: skip
    mailer = world.mailer(port)
    world.drain(mailer)
    singles = {str(m["Subject"]) for m in handler.to("phobithu@donvi.vn")}
    assert singles == {
        "[Đảng viên] Quá hạn ADM-DECISION-DEADLINE: hạn 20/11/2026",
        "[Đảng viên] Sắp đến hạn ADM-CEREMONY: hạn 08/12/2026",
        "[Đảng viên] Việc mới của đơn vị",
    }

    world.clock[0] = datetime(2026, 12, 4, 0, 1, tzinfo=UTC)  # 07:01 in Vietnam
    world.drain(mailer)
    (digest,) = handler.to("bithu@donvi.vn")
    assert str(digest["Subject"]) == "[Đảng viên] Thông báo trong ngày: 3 thông báo"
    vi, en = body(digest).split("-- English --")
    assert f"Hồ sơ {overdue.subject_id}" in vi and "(mức nhắc 1)" in vi
    assert f"Hồ sơ {soon}\nSắp đến hạn — [ADM-CEREMONY]" in vi and "còn 3 ngày làm việc" in vi
    assert f"Hồ sơ {turn}\nViệc mới của đơn vị — Đến lượt đơn vị" in vi
    assert f"Record {soon}\nDue soon — " in en and f"Record {turn}\nNew for your unit — " in en
    assert vi.count(f"Xem: {PUBLIC}/inbox") == 3  # no read model here: the inbox's link


def test_notices_of_an_older_table_read_as_escalations_once_the_kind_column_is_added(
    engine: sa.Engine,
) -> None:
    """A notifications table made before issue 16 (no `kind`) is migrated where it stands."""
    old = sa.MetaData()
    before = sa.Table(
        "notifications", old,
        *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
          for c in notifications.columns if c.name != "kind"),
    )  # fmt: skip
    old.create_all(engine)
    org = uuid4()
    row = {
        "key": "k", "org_id": org, "subject_id": uuid4(), "rule_id": "ADM-DECIDE",
        "level": 1, "due": date(2026, 11, 20), "created_at": NOON, "message_vi": "vi",
        "message_en": "en",
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(before).values(row))
    # Processes starting together (the API, the worker, the projector) migrate it together.
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Notifications(engine), range(4)))
    (found,) = stores[0].for_org(org)
    assert (found.key, found.kind, found.level) == ("k", "escalation", 1)


def test_starttls_carries_the_message_when_the_server_requires_it(
    engine: sa.Engine, tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    with smtp_server(tls_context=server_tls, require_starttls=True) as (handler, port):
        world = World(engine)
        world.notice()
        client_tls = ssl.create_default_context(cafile=str(cert))
        assert world.drain(world.mailer(port, tls=client_tls)) == 2
        assert len(handler.received) == 2


def test_a_malformed_address_is_refused_with_its_rule_and_nothing_changes(
    engine: sa.Engine,
) -> None:
    world = World(engine)
    bad_ones = ("khong-co-a-cong", "a@b", "a b@donvi.vn", "<a@donvi.vn>", "a@donvi.vn, b@x.vn")
    for bad in (*bad_ones, "a\ud800@donvi.vn", "a@" + "d" * 250 + ".vn", "a\u200b\n@donvi.vn"):
        with pytest.raises(RuleViolation) as refused:
            world.users.set_contact("bithu", bad, actor="admin")
        assert refused.value.rule_id == "USER-EMAIL"
    assert world.users.contact("bithu").email == "bithu@donvi.vn"
    assert world.users.set_contact("bithu", "", actor="bithu").email is None
    trail = [e.action for e in world.users.events("bithu")]
    assert trail == ["email_set", "email_cleared"]
    assert all("@" not in e.detail for e in world.users.events("bithu"))


def test_a_users_table_from_an_older_release_gains_the_address_columns(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE users (id VARCHAR(36) PRIMARY KEY, username VARCHAR(100) NOT NULL "
                "UNIQUE, password_hash VARCHAR(200) NOT NULL, role VARCHAR(30) NOT NULL, "
                "org_id UUID, display_name VARCHAR(200) NOT NULL, "
                "created_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        )
    store = UserStore(engine, FAST)
    store.create("cu", "mat-khau-dai-du", Role.administrator, None)
    assert store.contact("cu").email is None and store.contact("cu").digest is False
    assert store.set_contact("cu", "cu@donvi.vn", digest=True, actor="admin").digest is True


async def test_the_workers_sender_loop_mails_what_is_due_and_stops_when_told(
    engine: sa.Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    world = World(engine)
    world.notice()
    stop = asyncio.Event()
    sender = asyncio.create_task(world.mailer(port).run(stop, idle=0.05))
    for _ in range(200):
        if len(handler.received) == 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(sender, 5)
    assert sorted(r[0][0] for r in handler.received) == ["bithu@donvi.vn", "phobithu@donvi.vn"]


SENDER = """
import sys, time
import sqlalchemy as sa
from infra import mail
url, options, port, until = sys.argv[1:5]
engine = sa.create_engine(url, connect_args={"options": options} if options else {})
smtp = mail.SmtpSettings("127.0.0.1", int(port), "dv@donvi.vn", starttls=False)
sender = mail.Mailer(engine, smtp, "https://x.vn")
sender.plan()
claimed = sender.claim()
if until == "sent":
    mail._send(sender.smtp, sender.compose(claimed), claimed.email)
print("ready", claimed.email, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("until", ["claimed", "sent"])
def test_a_sender_process_killed_mid_delivery_is_followed_by_one_message_or_one_same_resend(
    engine: sa.Engine, inbox: tuple[Inbox, int], until: str
) -> None:
    """A real process, killed with SIGKILL after its claim (nothing sent yet: the next sender
    sends it once) or after the SMTP server took the message (the documented window: one
    resend, with the same Message-ID)."""
    handler, port = inbox
    world = World(engine)
    world.notice()
    search_path = ""  # the test's schema, for the process's own connections
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            search_path = f"-csearch_path={conn.execute(sa.text('SHOW search_path')).scalar()}"
    url = engine.url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-c", SENDER, url, search_path, str(port), until],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        assert ready[0] == "ready", ready
    finally:
        process.kill()
        process.wait()
    claimed_address = ready[1]

    world.clock[0] = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    assert world.drain(world.mailer(port)) == 2  # the other recipient, and the claimed one
    assert world.drain(world.mailer(port)) == 0
    other = ({"bithu@donvi.vn", "phobithu@donvi.vn"} - {claimed_address}).pop()
    assert len(handler.to(other)) == 1
    copies = handler.to(claimed_address)
    assert len(copies) == (1 if until == "claimed" else 2)
    assert len({m["Message-ID"] for m in copies}) == 1
    assert set(world.mailer(port).states().values()) == {"sent"}
