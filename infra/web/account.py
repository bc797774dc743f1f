"""Tài khoản (my account): the user changes their own password (the current one required, as
the API's `POST /api/me/password`), sees and revokes their sessions and API tokens, and sets
the e-mail address their notices go to (as `POST /api/me/email`, docs/notices.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.errors import DomainError
from infra.api.auth import SESSION_COOKIE
from infra.api.errors import STATUS
from infra.users import MIN_PASSWORD
from infra.web.session import Web, WebContext, WebRoute, redirect

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# What the page says after a POST (PRG): a key of the catalog, never free text in the address.
DONE = {"changed": "account.changed", "revoked": "account.revoked", "email": "account.email_set"}


def _current(w: Web) -> str | None:
    token = w.s.session_token(w.request.cookies.get(SESSION_COOKIE) or "")
    return w.s.users.token_id(token) if token else None


def _page(
    w: Web,
    status: int = 200,
    error: str | None = None,
    done: str | None = None,
    email_error: str | None = None,
    typed: str | None = None,
    typed_digest: bool | None = None,
) -> Response:
    contact = w.s.users.contact(w.user.username)
    return w.render(
        "account.html",
        status,
        tokens=w.s.users.tokens(w.user.username),
        current=_current(w),
        error=error,
        done=w.t(DONE[done]) if done in DONE else None,
        min_password=MIN_PASSWORD,
        contact=contact,
        email_value=contact.email or "" if typed is None else typed,
        email_error=email_error,
        digest_value=contact.digest if typed_digest is None else typed_digest,
    )


@router.get("/account")
def account(w: WebContext, done: str | None = None) -> Response:
    return _page(w, done=done)


@router.post("/account/password")
async def change_password(request: Request, w: WebContext) -> Response:
    form = await request.form()
    w.check_csrf(form)
    old, new, again = (str(form.get(k, ""))[:200] for k in ("old", "new", "again"))
    if new != again:
        return _page(w, 422, w.t("account.mismatch"))
    if len(new) < MIN_PASSWORD:
        return _page(w, 422, w.t("account.too_short", min=MIN_PASSWORD))
    address = request.client.host if request.client else "unknown"
    try:
        await w.s.logins.check(w.user.username, old, address)
    except DomainError as error:
        if error.rule_id == "AUTH-LOGIN":
            return _page(w, 403, w.t("account.wrong_old"))
        seconds = error.details.get("retry_after", 1)
        key = {"AUTH-THROTTLED": "login.throttled", "AUTH-LOCKED": "login.locked"}
        message = w.t(key.get(error.rule_id, "login.busy"), seconds=seconds)
        return _page(w, STATUS.get(error.rule_id, 429), message)
    keep = w.s.session_token(request.cookies.get(SESSION_COOKIE) or "")
    w.s.users.change_password(w.user, new, keep=keep)
    return redirect("/account?done=changed")


@router.post("/account/tokens/{token_id}/revoke")
async def revoke(token_id: str, request: Request, w: WebContext) -> Response:
    w.check_csrf(await request.form())
    w.s.users.revoke_token_id(w.user.username, token_id, actor=w.user.username)
    if token_id == _current(w):  # this very session: back to the login page
        return redirect("/login")
    return redirect("/account?done=revoked")


@router.post("/account/email")
async def set_email(request: Request, w: WebContext) -> Response:
    """The user's own address and digest choice; a malformed address shows its rule beside
    the field and changes nothing."""
    form = await request.form()
    w.check_csrf(form)
    typed, digest = str(form.get("email", ""))[:254], form.get("digest") == "on"
    try:
        w.s.users.set_contact(w.user.username, typed, digest, actor=w.user.username)
    except DomainError as error:
        message = error.en if w.lang == "en" else error.vi
        refusal = f"[{error.rule_id}] {message}"
        return _page(w, 422, email_error=refusal, typed=typed, typed_digest=digest)
    return redirect("/account?done=email")
