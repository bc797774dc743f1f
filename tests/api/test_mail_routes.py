"""E-mail of notices in the API and the web's account page (docs/notices.md): a user sets their
own address and digest choice, an administrator sets another's; a malformed address answers
USER-EMAIL (beside the field in the web) and changes nothing; the address never reaches a URL;
the inbox reports the notices the mail server refused."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import uuid4

import httpx
import sqlalchemy as sa

from infra.mail import FAILED, Mailer
from tests.api.conftest import PASSWORD, Stack
from workflows.messages import Notification

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def log_in(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def test_a_user_sets_their_own_address_and_digest_and_a_malformed_one_names_its_rule(
    stack: Stack,
) -> None:
    me = stack.as_("grassroots")
    done = await stack.http.post(
        "/api/me/email", json={"email": "dangUy@donvi.vn", "digest": True}, headers=me
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"email": "dangUy@donvi.vn", "digest": True}

    bad = await stack.http.post(
        "/api/me/email", json={"email": "dang uy@donvi"}, headers={**me, "Accept-Language": "en"}
    )
    assert bad.status_code == 422 and bad.json()["rule_id"] == "USER-EMAIL"
    shown = await stack.http.get("/api/me/email", headers=me)
    assert shown.json() == {"email": "dangUy@donvi.vn", "digest": True}


async def test_an_administrator_sets_an_accounts_address_and_others_may_not(stack: Stack) -> None:
    done = await stack.http.post(
        "/api/users/far_auditor/email", json={"email": "kt@donvi.vn"}, headers=stack.as_("admin")
    )
    assert done.status_code == 200 and done.json()["email"] == "kt@donvi.vn"
    refused = await stack.http.post(
        "/api/users/far_auditor/email", json={"email": "x@donvi.vn"}, headers=stack.as_("auditor")
    )
    assert refused.status_code == 403 and refused.json()["rule_id"] == "ACCESS-ROLE"
    assert stack.services.users.contact("far_auditor").email == "kt@donvi.vn"


async def test_the_account_page_sets_the_address_and_shows_a_refusal_beside_the_field(
    stack: Stack,
) -> None:
    async with stack.fresh() as web:
        await log_in(web, "department")
        page = await web.get("/account")
        token = CSRF.search(page.text)
        assert token and 'id="email"' in page.text
        bad = await web.post(
            "/account/email", data={"csrf": token[1], "email": "ban-to-chuc", "digest": "on"}
        )
        assert bad.status_code == 422
        beside = re.search(r'id="err-email"[^>]*>([^<]*)<', bad.text)
        assert beside and beside[1].startswith("[USER-EMAIL] Địa chỉ thư điện tử không hợp lệ")
        assert 'value="ban-to-chuc"' in bad.text  # what was typed stays in the field
        store = stack.services.users
        assert store.contact("department").email is None

        done = await web.post(
            "/account/email", data={"csrf": token[1], "email": "btc@donvi.vn", "digest": "on"}
        )
        assert done.status_code == 303 and "btc" not in done.headers["location"]
        after = await web.get(done.headers["location"])
        assert "Đã lưu cách nhận thông báo." in after.text
        assert 'value="btc@donvi.vn"' in after.text and "checked" in after.text
        assert store.contact("department").digest is True


async def test_the_inbox_reports_a_notice_the_mail_server_refused(stack: Stack) -> None:
    engine, store = stack.services.engine, stack.services.users
    store.set_contact("secretary", "bt@khong-ton-tai.vn", actor="admin")
    key = "mail-test/ADM-DECISION-DEADLINE/1/2030-01-01"
    stack.services.notifications.notify(
        Notification(
            key, stack.world.cell, uuid4(), "ADM-DECISION-DEADLINE", 1, date(2030, 1, 1),
            datetime.now(UTC), "Thông báo thử", "A test notice",
        )
    )  # fmt: skip
    mailer = Mailer(engine, None, "https://dangvien.example.vn", now=lambda: datetime.now(UTC))
    mailer.plan()
    secretary = store.get("secretary")
    assert secretary is not None
    with engine.begin() as conn:  # as the sender leaves a 550 (tests/integration/test_mail.py)
        conn.execute(
            sa.text(
                "UPDATE mail_deliveries SET state = :s, reason = :r, attempts = 1 "
                "WHERE notice_key = :k AND user_id = :u"
            ),
            {"s": FAILED, "r": "550 5.1.1 No such mailbox", "k": key, "u": secretary.id},
        )
    reported = await stack.http.get(
        f"/api/orgs/{stack.world.cell}/undeliverable", headers=stack.as_("grassroots")
    )
    assert [(u["username"], u["reason"]) for u in reported.json()] == [
        ("secretary", "550 5.1.1 No such mailbox")
    ]
    assert "khong-ton-tai" not in reported.text  # never the address
    async with stack.fresh() as web:
        await log_in(web, "secretary")
        inbox = await web.get(f"/inbox?org={stack.world.cell}")
        assert "Thư không gửi được" in inbox.text and "550 5.1.1 No such mailbox" in inbox.text
        assert "khong-ton-tai" not in inbox.text
