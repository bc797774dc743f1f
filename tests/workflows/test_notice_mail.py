"""The notices besides the ladder (issue 16, item 5), on the Temporal test server with a real
SMTP server: a step that makes a case another unit's to do mails each user of that unit once;
the unit holding a deadline hears 3 working days before it, once, Tết skipped; a step done
before that day tells nobody. Retried activities (the same step, the same rung) write nothing
twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import Message
from typing import Any
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from infra.api.schemas import parse_step
from infra.mail import Mailer, SmtpSettings
from infra.notifications import Notifications
from infra.users import Role, UserStore
from tests.builders import World
from tests.mail_support import Inbox, body, smtp_server
from tests.workflows.conftest import TEST_AUTHORITY, eventually, instant, travel_to, until
from tests.workflows.steps import CaseDriver, open_case, signed_act
from workflows.activities import Activities
from workflows.messages import DUE_SOON, EscalateRequest, Rung, StepRequest, View

PERSONAL = ("Nguyễn Thị Hoa", "Nguyễn Văn Ba", "Lê Thị Tư", "Thôn Đông")  # tests/builders.py


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


class Post:
    """The users of the world's units with their addresses, and the worker's sender."""

    def __init__(self, notifications: Notifications, port: int, world: World) -> None:
        self.users = UserStore(
            notifications.engine, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        smtp = SmtpSettings("127.0.0.1", port, "dangvien@donvi.vn", starttls=False)
        # The notices carry the wall clock's moment (the activity's): the sender reads it too.
        self.mailer = Mailer(
            notifications.engine, smtp, "https://dv.example.vn", now=lambda: datetime.now(UTC)
        )

    def user(self, name: str, org: UUID, *, mailed: bool = True) -> None:
        self.users.create(name, "mat-khau-dai-du", Role.cell_secretary, org, "Lê Thị Hoa")
        if mailed:
            self.users.set_contact(name, f"{name}@donvi.vn", actor="admin")

    def drain(self) -> None:
        while self.mailer.send_one():
            pass


def of_kind(notifications: Notifications, subject_id: UUID, kind: str) -> list[Any]:
    return [r for r in notifications.for_subject(subject_id) if r.kind == kind]


def titled(messages: list[Message], words: str) -> list[Message]:
    return [m for m in messages if words in str(m["Subject"])]


def activities(world: World, notifications: Notifications) -> Activities:
    """The worker's activities, run again by hand as a retry would run them."""
    return Activities(world.app, notifications.notify, TEST_AUTHORITY)


async def test_a_step_that_makes_a_case_the_committees_to_do_mails_each_of_its_users_once(
    env: WorkflowEnvironment,
    client: Client,
    world: World,
    notifications: Notifications,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    post = Post(notifications, port, world)
    post.user("coso1", world.grassroots)
    post.user("coso2", world.grassroots)
    post.user("coso3", world.grassroots, mailed=False)  # sees it on the home page only
    post.user("chibo", world.cell)

    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.dossier(date(2029, 12, 3))
    post.drain()
    assert handler.received == []  # the dossier's stages are all the cell's: nobody to tell

    # The cell's vote hands the case to the grassroots committee (ADM-DECIDE starts).
    act = signed_act(
        parse_step("record_cell_vote", date(2029, 12, 20), {"votes_for": 7, "votes_against": 2}),
        case.case_id,
    )
    view = await case.handle.execute_update("act", act, result_type=View)
    assert view.stage == "committee_vote"
    # The same step again, as Temporal retries an activity (same command key): nothing new.
    again = ActivityEnvironment().run(
        activities(world, notifications).apply_step, StepRequest(case.case_id, act)
    )
    assert again.stage == "committee_vote"

    post.drain()
    post.drain()  # a second pass finds nothing more
    assert sorted(rcpt for rcpt, _ in handler.received) == [["coso1@donvi.vn"], ["coso2@donvi.vn"]]
    (told,) = of_kind(notifications, case.case_id, "assignment")
    assert (told.org_id, told.level, told.rule_id) == (world.grassroots, -1, "ADM-DECIDE")
    assert view.deadline is not None and told.due == view.deadline.due
    (message,) = handler.to("coso1@donvi.vn")
    due = f"{told.due:%d/%m/%Y}"
    assert str(message["Subject"]) == f"[Đảng viên] Việc mới của đơn vị: ADM-DECIDE, hạn {due}"
    text = body(message)
    assert text.index("Việc mới của đơn vị") < text.index("-- English --")
    assert text.index("-- English --") < text.index("New for your unit")
    assert "bước “Đảng ủy cơ sở biểu quyết”" in text and f"hạn {due}" in text
    assert f"Hồ sơ {case.case_id}" in text and "Xem: https://dv.example.vn/" in text
    assert not any(name in text for name in PERSONAL) and "Lê Thị Hoa" not in text

    # The committee's vote: the competent committee's turn (no user of it has an address);
    # the decision: the cell's again, for the ceremony (its own message to the cell).
    await case.step(
        "record_committee_vote",
        date(2029, 12, 27),
        committee_size=9,
        votes_for=8,
        votes_against=1,
    )
    await case.step("decide", date(2029, 12, 28), number="12-QĐ/ĐU", decided_by=str(world.commune))
    post.drain()
    assert [r.org_id for r in of_kind(notifications, case.case_id, "assignment")] == [
        world.grassroots,
        world.commune,
        world.cell,
    ]
    (ceremony,) = handler.to("chibo@donvi.vn")
    assert str(ceremony["Subject"]) == "[Đảng viên] Việc mới của đơn vị"  # no deadline yet
    assert "bước “Chờ lễ kết nạp”" in body(ceremony)
    assert len(handler.to("coso1@donvi.vn")) == 1


async def to_ceremony_due_on_8_february_2030(client: Client, world: World) -> CaseDriver:
    """A case whose ADM-CEREMONY runs 30 WD from the decision's receipt on Thursday
    2029-12-20 (not counted), across New Year and Tết 2030 → due Friday 2030-02-08."""
    case = await open_case(client, world, date(2029, 12, 3))
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    view = await case.step("receive_decision", date(2029, 12, 20))
    assert view.deadline is not None and view.deadline.due == date(2030, 2, 8)
    return case


# Three working days before Friday 2030-02-08: Feb 7 (1); Tết Feb 4–6, the weekend Feb 2–3,
# the eves Jan 31 and Feb 1 off; Jan 30 (2), Tuesday Jan 29 (3).
TOLD_ON = date(2030, 1, 29)
SOON = Rung("ADM-CEREMONY", DUE_SOON, TOLD_ON, instant(TOLD_ON), UUID(int=0), date(2030, 2, 8))


async def test_the_cell_hears_three_working_days_before_its_ceremony_deadline_once_tet_skipped(
    env: WorkflowEnvironment,
    client: Client,
    world: World,
    notifications: Notifications,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    post = Post(notifications, port, world)
    post.user("chibo", world.cell)
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await to_ceremony_due_on_8_february_2030(client, world)

    # The ladder's own reminder (5 WD before: Friday Jan 25) is no due-soon notice.
    await travel_to(env, instant(date(2030, 1, 28), time(23)))
    await until(lambda: _level_is(case, 0))
    assert of_kind(notifications, case.case_id, "due_soon") == []

    await travel_to(env, instant(TOLD_ON, time(1)))
    (told,) = await eventually(lambda: of_kind(notifications, case.case_id, "due_soon"))
    assert (told.org_id, told.level, told.due) == (world.cell, -1, date(2030, 2, 8))
    assert "còn 3 ngày làm việc" in told.message_vi and "3 working days left" in told.message_en
    assert (await case.status()).escalation_level == 0  # no level of the ladder

    # The rung fired again, as a retried activity would: it still stands, and is told once.
    retried = EscalateRequest(case.case_id, SOON, TOLD_ON, "retry")
    assert ActivityEnvironment().run(activities(world, notifications).escalate, retried)
    post.drain()
    post.drain()
    (message,) = titled(handler.to("chibo@donvi.vn"), "Sắp đến hạn")
    assert str(message["Subject"]) == "[Đảng viên] Sắp đến hạn ADM-CEREMONY: hạn 08/02/2030"
    text = body(message)
    assert text.index("Sắp đến hạn — [ADM-CEREMONY]") < text.index("Due soon — [ADM-CEREMONY]")
    assert "còn 3 ngày làm việc" in text and f"Hồ sơ {case.case_id}" in text
    assert not any(name in text for name in PERSONAL)

    # Overdue: the unit above hears (the ladder); the cell is not told again that it is near.
    await travel_to(env, instant(date(2030, 2, 11), time(1)))
    await until(lambda: _level_is(case, 1))
    post.drain()
    assert len(of_kind(notifications, case.case_id, "due_soon")) == 1
    assert len(titled(handler.to("chibo@donvi.vn"), "Sắp đến hạn")) == 1


async def test_a_ceremony_held_before_the_day_tells_nobody_it_is_due_soon(
    env: WorkflowEnvironment,
    client: Client,
    world: World,
    notifications: Notifications,
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    post = Post(notifications, port, world)
    post.user("chibo", world.cell)
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await to_ceremony_due_on_8_february_2030(client, world)

    await travel_to(env, instant(date(2030, 1, 10), time(9)))
    await case.step("hold_ceremony", date(2030, 1, 10))
    member = await case.wait_for("member")  # probation: its deadline is a year away
    await travel_to(env, instant(date(2030, 2, 12), time(1)))  # past the day and the due date
    post.drain()

    assert of_kind(notifications, case.case_id, "due_soon") == []
    assert of_kind(notifications, member.subject_id, "due_soon") == []
    assert titled(handler.to("chibo@donvi.vn"), "Sắp đến hạn") == []
    # A rung planned before the ceremony and fired after it finds nothing standing.
    late = EscalateRequest(case.case_id, SOON, TOLD_ON, "late")
    assert not ActivityEnvironment().run(activities(world, notifications).escalate, late)
    assert of_kind(notifications, case.case_id, "due_soon") == []


async def _level_is(case: CaseDriver, level: int) -> bool:
    return (await case.status()).escalation_level == level
