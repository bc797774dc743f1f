"""Logging in: the session cookie of the web, bearer tokens of the API, logging out, accounts."""

from __future__ import annotations

from http.cookies import SimpleCookie
from uuid import uuid4

from infra.api.auth import SESSION_COOKIE
from tests.api.conftest import PASSWORD, Stack


async def test_the_health_page_answers_without_credentials_once_everything_is_reachable(
    stack: Stack,
) -> None:
    response = await stack.http.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "event_store": "ok",
        "readmodel": "ok",
        "temporal": "ok",
    }


async def test_a_login_sets_an_httponly_lax_session_cookie_that_logging_out_revokes(
    stack: Stack,
) -> None:
    async with stack.fresh() as browser:
        response = await browser.post(
            "/api/auth/login", json={"username": "secretary", "password": PASSWORD}
        )
        assert response.status_code == 200
        assert response.json()["username"] == "secretary"
        assert response.json()["role"] == "cell_secretary"
        cookie = SimpleCookie(response.headers["set-cookie"])[SESSION_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"].lower() == "lax"
        assert cookie["path"] == "/"
        session = cookie.value

        me = await browser.get("/api/me")
        assert me.status_code == 200
        assert me.json()["org_id"] == str(stack.world.cell)

        assert (await browser.post("/api/auth/logout")).status_code == 204
        assert (await browser.get("/api/me")).status_code == 401

    # The cookie copied before the logout opens nothing: its session was revoked.
    async with stack.fresh() as thief:
        thief.cookies.set(SESSION_COOKIE, session)
        refused = await thief.get("/api/me")
        assert refused.status_code == 401
        assert refused.json()["rule_id"] == "AUTH-REQUIRED"


async def test_a_forged_or_tampered_session_cookie_is_refused(stack: Stack) -> None:
    async with stack.fresh() as browser:
        await browser.post("/api/auth/login", json={"username": "auditor", "password": PASSWORD})
        genuine = browser.cookies[SESSION_COOKIE]
        token, _, signature = genuine.rpartition(".")
        for forged in (f"{token}x.{signature}", f"{token}.{signature[::-1]}", token, "x.y"):
            browser.cookies.set(SESSION_COOKIE, forged)
            assert (await browser.get("/api/me")).status_code == 401, forged


async def test_wrong_credentials_are_refused_alike_for_known_and_unknown_users(
    stack: Stack,
) -> None:
    async with stack.fresh() as browser:
        for username, password in (("secretary", "not-the-password"), ("nobody", PASSWORD)):
            response = await browser.post(
                "/api/auth/login", json={"username": username, "password": password}
            )
            assert response.status_code == 401
            assert response.json() == {
                "rule_id": "AUTH-LOGIN",
                "message": "Sai tên đăng nhập hoặc mật khẩu",
                "lang": "vi",
                "details": {},
            }
            assert SESSION_COOKIE not in browser.cookies


async def test_a_bearer_token_opens_the_api_and_a_made_up_one_does_not(stack: Stack) -> None:
    issued = await stack.http.post(
        "/api/auth/token", json={"username": "department", "password": PASSWORD}
    )
    assert issued.status_code == 200
    token = issued.json()["token"]

    me = await stack.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "department_officer"

    made_up = await stack.http.get("/api/me", headers={"Authorization": "Bearer made-up"})
    assert made_up.status_code == 401
    assert made_up.headers["www-authenticate"] == "Bearer"
    nothing = await stack.http.get("/api/me")
    assert (nothing.status_code, nothing.json()["rule_id"]) == (401, "AUTH-REQUIRED")
    wrong = await stack.http.post(
        "/api/auth/token", json={"username": "department", "password": "x"}
    )
    assert wrong.status_code == 401


async def test_an_administrator_creates_accounts_and_a_password_reset_ends_their_tokens(
    stack: Stack,
) -> None:
    admin = stack.as_("admin")
    created = await stack.http.post(
        "/api/users",
        json={
            "username": "bi.thu.tay",
            "role": "cell_secretary",
            "org_id": str(stack.world.residence_cell),
        },
        headers=admin,
    )
    assert created.status_code == 201
    generated = created.json()["password"]
    assert len(generated) >= 10
    assert created.json()["user"]["org_id"] == str(stack.world.residence_cell)
    token = (
        await stack.http.post(
            "/api/auth/token", json={"username": "bi.thu.tay", "password": generated}
        )
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await stack.http.get("/api/me", headers=bearer)).status_code == 200

    reset = await stack.http.post(
        "/api/users/bi.thu.tay/password", json={"password": "mật-khẩu-mới-dài"}, headers=admin
    )
    assert reset.json() == {"password": "mật-khẩu-mới-dài"}
    assert (await stack.http.get("/api/me", headers=bearer)).status_code == 401
    again = await stack.http.post(
        "/api/auth/token", json={"username": "bi.thu.tay", "password": "mật-khẩu-mới-dài"}
    )
    assert again.status_code == 200

    listed = await stack.http.get("/api/users", headers=admin)
    assert "bi.thu.tay" in [u["username"] for u in listed.json()]
    assert all("password" not in u for u in listed.json())


async def test_accounts_are_refused_when_taken_weak_or_without_an_organization(
    stack: Stack,
) -> None:
    admin = stack.as_("admin")
    cell = str(stack.world.cell)
    cases = [
        (
            {"username": "secretary", "role": "cell_secretary", "org_id": cell},
            409,
            "USER-DUPLICATE",
        ),
        (
            {"username": "ngan", "role": "auditor", "org_id": cell, "password": "ngắn"},
            422,
            "USER-PASSWORD",
        ),
        ({"username": "khong.to.chuc", "role": "auditor"}, 422, "USER-ORG"),
        ({"username": "có dấu cách", "role": "auditor", "org_id": cell}, 422, "USER-NAME"),
        (
            {"username": "lac.loi", "role": "auditor", "org_id": str(uuid4())},
            403,  # an organization of no subtree the administrator reaches
            "ACCESS-SCOPE",
        ),
    ]
    before = [u.username for u in stack.services.users.list_users()]
    for body, status, rule_id in cases:
        response = await stack.http.post("/api/users", json=body, headers=admin)
        assert (response.status_code, response.json()["rule_id"]) == (status, rule_id), body
    assert [u.username for u in stack.services.users.list_users()] == before


async def test_a_write_on_the_strength_of_the_session_cookie_needs_the_csrf_header(
    stack: Stack,
) -> None:
    # A page of another site can make a browser send the cookie, not a custom header.
    ack = "/api/notifications/acknowledge"
    async with stack.fresh() as browser:
        await browser.post("/api/auth/login", json={"username": "secretary", "password": PASSWORD})
        forged = await browser.post(ack, json={"keys": ["k"]})
        assert (forged.status_code, forged.json()["rule_id"]) == (403, "AUTH-CSRF")
        assert (await browser.get("/api/me")).status_code == 200  # reads need nothing more
        sent = await browser.post(ack, json={"keys": ["k"]}, headers={"X-Requested-With": "x"})
        assert (sent.status_code, sent.json()) == (200, {"acknowledged": 0})
    # A bearer token is never sent by a browser on its own: no header needed.
    bearer = await stack.http.post(ack, json={"keys": ["k"]}, headers=stack.as_("secretary"))
    assert bearer.status_code == 200
