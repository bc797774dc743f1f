"""Logins hold: lockout and its lifting, one's own password, sessions and tokens listed and
revoked; and what the transport says: Secure cookies and HSTS behind a trusted proxy only,
CSP, no framing, nothing personal kept in a cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from itertools import count
from typing import Any

from infra.api.app import create_api
from infra.api.auth import SESSION_COOKIE
from tests.api.conftest import PASSWORD, Stack

_names = count(1)


async def new_account(stack: Stack, role: str = "auditor") -> str:
    """An account of its own (the stack's lockout is four wrong passwords in a row)."""
    username = f"tai.khoan.{next(_names)}"
    created = await stack.http.post(
        "/api/users",
        json={
            "username": username,
            "role": role,
            "org_id": str(stack.world.grassroots),
            "password": PASSWORD,
        },
        headers=stack.as_("admin"),
    )
    assert created.status_code == 201, created.text
    return username


def login_body(username: str, password: str = PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


async def test_four_wrong_passwords_lock_the_account_until_an_administrator_lifts_it(
    stack: Stack,
) -> None:
    username = await new_account(stack)
    async with stack.fresh("198.51.100.7") as guesser:
        answers = [
            await guesser.post("/api/auth/login", json=login_body(username, f"sai-{n}"))
            for n in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 423]
        assert answers[-1].json()["rule_id"] == "AUTH-LOCKED"
        assert "quản trị viên" in answers[-1].json()["message"]

        # The right password no longer opens it, from anywhere; in English on request.
        right = await guesser.post("/api/auth/login?lang=en", json=login_body(username))
        assert (right.status_code, right.json()["rule_id"]) == (423, "AUTH-LOCKED")
        assert right.json()["lang"] == "en"
        assert "administrator" in right.json()["message"]
    async with stack.fresh("192.0.2.50") as owner:
        refused = await owner.post("/api/auth/token", json=login_body(username))
        assert refused.status_code == 423

    # Only an administrator lifts it; the lifting is recorded with who lifted it.
    not_admin = await stack.http.post(
        f"/api/users/{username}/unlock", headers=stack.as_("department")
    )
    assert (not_admin.status_code, not_admin.json()["rule_id"]) == (403, "ACCESS-ROLE")
    state = await stack.http.get(f"/api/users/{username}/login", headers=stack.as_("admin"))
    assert state.json()["locked_at"] is not None
    lifted = await stack.http.post(f"/api/users/{username}/unlock", headers=stack.as_("admin"))
    assert lifted.status_code == 200
    assert lifted.json()["locked_at"] is None
    assert [(e["action"], e["actor"]) for e in lifted.json()["events"]] == [
        ("locked", "system"),
        ("unlocked", "admin"),
    ]
    async with stack.fresh("192.0.2.50") as owner:
        assert (await owner.post("/api/auth/login", json=login_body(username))).status_code == 200


async def test_a_right_password_clears_the_failures_before_the_lockout(stack: Stack) -> None:
    username = await new_account(stack)
    async with stack.fresh("198.51.100.8") as browser:
        for _ in range(2):
            wrong = await browser.post("/api/auth/login", json=login_body(username, "sai-sai"))
            assert wrong.status_code == 401
        assert (await browser.post("/api/auth/login", json=login_body(username))).status_code == 200
        for _ in range(3):  # counted from zero again: three more are not yet a lockout
            wrong = await browser.post("/api/auth/login", json=login_body(username, "sai-sai"))
            assert wrong.status_code == 401
        assert (await browser.post("/api/auth/login", json=login_body(username))).status_code == 200


async def test_a_user_changes_their_own_password_with_the_current_one_and_other_sessions_end(
    stack: Stack,
) -> None:
    username = await new_account(stack)
    other = (await stack.http.post("/api/auth/token", json=login_body(username))).json()["token"]
    async with stack.fresh("198.51.100.9") as browser:
        assert (await browser.post("/api/auth/login", json=login_body(username))).status_code == 200
        change = {"X-Requested-With": "x"}
        wrong = await browser.post(
            "/api/me/password",
            json={"old_password": "không-phải", "new_password": "mật-khẩu-mới-của-tôi"},
            headers=change,
        )
        assert (wrong.status_code, wrong.json()["rule_id"]) == (403, "AUTH-OLD-PASSWORD")
        weak = await browser.post(
            "/api/me/password",
            json={"old_password": PASSWORD, "new_password": "ngắn"},
            headers=change,
        )
        assert (weak.status_code, weak.json()["rule_id"]) == (422, "USER-PASSWORD")
        changed = await browser.post(
            "/api/me/password",
            json={"old_password": PASSWORD, "new_password": "mật-khẩu-mới-của-tôi"},
            headers=change,
        )
        assert changed.status_code == 204
        assert (await browser.get("/api/me")).status_code == 200  # this session goes on

    other_bearer = {"Authorization": f"Bearer {other}"}
    assert (await stack.http.get("/api/me", headers=other_bearer)).status_code == 401
    async with stack.fresh("198.51.100.9") as browser:
        old = await browser.post("/api/auth/login", json=login_body(username))
        assert old.status_code == 401
        new = await browser.post(
            "/api/auth/login", json=login_body(username, "mật-khẩu-mới-của-tôi")
        )
        assert new.status_code == 200
    events = await stack.http.get(f"/api/users/{username}/login", headers=stack.as_("admin"))
    assert ("password_changed", username) in [
        (e["action"], e["actor"]) for e in events.json()["events"]
    ]


async def test_tokens_are_listed_without_their_value_and_a_revoked_one_opens_nothing(
    stack: Stack,
) -> None:
    username = await new_account(stack)
    first, second = [
        (await stack.http.post("/api/auth/token", json=login_body(username))).json()["token"]
        for _ in range(2)
    ]
    mine = {"Authorization": f"Bearer {first}"}
    listed = await stack.http.get("/api/me/tokens", headers=mine)
    assert listed.status_code == 200
    tokens: list[dict[str, Any]] = listed.json()
    assert len(tokens) == 2
    assert all(first not in str(t) and second not in str(t) for t in tokens)
    assert [t["current"] for t in tokens].count(True) == 1
    for t in tokens:  # twelve hours by default
        life = datetime.fromisoformat(t["expires_at"]) - datetime.fromisoformat(t["created_at"])
        assert life == timedelta(hours=12)

    other = next(t["id"] for t in tokens if not t["current"])
    revoked = await stack.http.delete(f"/api/me/tokens/{other}", headers=mine)
    assert revoked.status_code == 204
    theirs = {"Authorization": f"Bearer {second}"}
    dead = await stack.http.get("/api/me", headers=theirs)
    assert (dead.status_code, dead.json()["rule_id"]) == (401, "AUTH-REQUIRED")
    assert (await stack.http.get("/api/me", headers=mine)).status_code == 200
    again = await stack.http.delete(f"/api/me/tokens/{other}", headers=mine)
    assert (again.status_code, again.json()["rule_id"]) == (404, "NOT-FOUND")

    # Another user's token is not found through one's own list; an administrator revokes it.
    current = next(t["id"] for t in tokens if t["current"])
    foreign = await stack.http.delete(f"/api/me/tokens/{current}", headers=stack.as_("auditor"))
    assert foreign.status_code == 404
    admin = stack.as_("admin")
    assert [
        t["id"]
        for t in (await stack.http.get(f"/api/users/{username}/tokens", headers=admin)).json()
    ] == [current]
    gone = await stack.http.delete(f"/api/users/{username}/tokens/{current}", headers=admin)
    assert gone.status_code == 204
    assert (await stack.http.get("/api/me", headers=mine)).status_code == 401
    events = (await stack.http.get(f"/api/users/{username}/login", headers=admin)).json()["events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("token_revoked", username),
        ("token_revoked", "admin"),
    ]


async def test_the_cookie_is_secure_and_hsts_sent_when_a_trusted_proxy_says_https(
    stack: Stack,
) -> None:
    behind = create_api(replace(stack.settings, trusted_proxies=("10.0.0.0/24",)), stack.services)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.20"}
    async with stack.fresh("10.0.0.5", behind) as proxied:
        response = await proxied.post(
            "/api/auth/login", json=login_body("auditor"), headers=forwarded
        )
        assert response.status_code == 200
        cookie = SimpleCookie(response.headers["set-cookie"])[SESSION_COOKIE]
        assert cookie["secure"] is True
        assert response.headers["strict-transport-security"].startswith("max-age=")
        page = await proxied.get("/login", headers=forwarded)
        assert "strict-transport-security" in page.headers
        assert "secure" in page.headers["set-cookie"].lower()

    # The same headers from a peer that is not a trusted proxy change nothing.
    async with stack.fresh("10.0.1.5", behind) as stranger:
        response = await stranger.post(
            "/api/auth/login", json=login_body("auditor"), headers=forwarded
        )
        assert response.status_code == 200
        cookie = SimpleCookie(response.headers["set-cookie"])[SESSION_COOKIE]
        assert not cookie["secure"]
        assert "strict-transport-security" not in response.headers
    # Nor from anyone when no proxy is trusted (the default), loopback included.
    async with stack.fresh("127.0.0.1") as local:
        response = await local.post(
            "/api/auth/login", json=login_body("auditor"), headers=forwarded
        )
        assert not SimpleCookie(response.headers["set-cookie"])[SESSION_COOKIE]["secure"]
        assert "strict-transport-security" not in response.headers


async def test_pages_and_answers_forbid_inline_script_framing_and_caching(stack: Stack) -> None:
    async with stack.fresh() as browser:
        login_page = await browser.get("/login")
        await browser.post("/api/auth/login", json=login_body("secretary"))
        home = await browser.get("/")
        me = await browser.get("/api/me")
        style = await browser.get("/static/style.css")
    for response in (login_page, home, me):
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in home.text and " onclick=" not in home.text
    assert " style=" not in home.text
    assert "no-store" not in style.headers.get("cache-control", "")


async def test_a_login_with_a_broken_body_or_from_an_unknown_user_is_never_a_server_error(
    stack: Stack,
) -> None:
    async with stack.fresh("198.51.100.77") as browser:
        for body in ({"username": "ai.do", "password": "x"}, {"username": "", "password": ""}):
            response = await browser.post("/api/auth/login", json=body)
            assert response.status_code in (401, 422), response.text
