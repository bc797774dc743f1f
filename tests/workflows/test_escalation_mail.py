"""Escalations mailed: the ceremony ladder fires on the Temporal test server (the real
workflow and its `escalate` activity write the notices), and the sender mails each rung to the
users of the organization it went to, through a real SMTP server — once per notice and user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import Message
from typing import Any
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from infra.mail import Mailer, SmtpSettings
from infra.notifications import Notifications
from infra.users import Role, UserStore
from tests.builders import World
from tests.mail_support import Inbox, body, smtp_server
from tests.workflows.conftest import eventually, instant, travel_to
from tests.workflows.steps import open_case


def escalated(notifications: Notifications, subject_id: UUID) -> list[Any]:
    """The rungs of the ladder told about a record (not its due-soon or assignment notices)."""
    return [r for r in notifications.for_subject(subject_id) if r.kind == "escalation"]


def overdue(messages: list[Message]) -> list[Message]:
    """The messages of escalation rungs (their subject says "Quá hạn")."""
    return [m for m in messages if "Quá hạn" in str(m["Subject"])]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


async def test_each_rung_of_the_ceremony_ladder_is_mailed_once_to_the_units_it_reaches(
    env: WorkflowEnvironment,
    client: Client,
    world: World,
    notifications: Notifications,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    users = UserStore(
        notifications.engine, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    for name, org in (("chibo", world.cell), ("coso", world.grassroots)):
        users.create(name, "mat-khau-dai-du", Role.cell_secretary, org, "Lê Thị Hoa")
        users.set_contact(name, f"{name}@donvi.vn", actor="admin")
    smtp = SmtpSettings("127.0.0.1", port, "dangvien@donvi.vn", starttls=False)
    # The notices carry the wall clock's moment (the activity's), the sender reads it too.
    mailer = Mailer(
        notifications.engine, smtp, "https://dv.example.vn", now=lambda: datetime.now(UTC)
    )

    def drain() -> None:
        while mailer.send_one():
            pass

    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    await case.step("receive_decision", date(2030, 1, 2))
    drain()  # what the steps told (whose turn it became): test_notice_mail.py
    handler.received.clear()

    await travel_to(env, instant(date(2030, 2, 13), time(1)))  # the reminder, to the cell
    await eventually(lambda: escalated(notifications, case.case_id))
    drain()
    assert [r[0] for r in handler.received] == [["chibo@donvi.vn"]]
    (first,) = handler.to("chibo@donvi.vn")
    assert "ADM-CEREMONY" in str(first["Subject"]) and "20/02/2030" in str(first["Subject"])
    assert f"Hồ sơ {case.case_id}" in body(first) and "Lê Thị Hoa" not in body(first)

    await travel_to(env, instant(date(2030, 2, 21), time(1)))  # overdue: the unit above
    await eventually(lambda: escalated(notifications, case.case_id)[1:])
    drain()
    drain()  # a second pass finds nothing more
    assert len(overdue(handler.to("chibo@donvi.vn"))) == 1  # (and the due-soon notice)
    (above,) = overdue(handler.to("coso@donvi.vn"))
    assert "mức nhắc 1" in body(above) and "https://dv.example.vn/" in body(above)
