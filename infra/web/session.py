"""The frame of every page: who is logged in (the API's own session cookie), the language, the
CSRF token of forms, templates, and what a refusal looks like in a browser.

The web logs in with the API's session (`dangvien_session`, infra/api/auth.py): one login
serves both. Every POST form carries a token derived from the session (HMAC with the secret
key), so another site cannot submit a form for the user; the login form, before any session,
uses a random cookie and the same value in the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from infra.api.access import DISSOLVE, may, may_see_personal_data
from infra.api.auth import SESSION_COOKIE, close_session, open_session, user_of
from infra.api.errors import STATUS, ApiError, not_found
from infra.api.services import Services, services
from infra.users import User
from infra.web.i18n import (
    DEFAULT_LANG,
    LANGS,
    dmy,
    label,
    number,
    rule_flag,
    rule_title,
    t,
    whole,
)
from infra.web.orgs import OrgRow, Orgs

HERE = Path(__file__).parent
LANG_COOKIE = "lang"
LOGIN_CSRF_COOKIE = "dangvien_login_csrf"

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["dmy"] = dmy
templates.env.globals["rule_title"] = rule_title
templates.env.globals["whole"] = whole
templates.env.globals["rule_flag"] = rule_flag


class LoginRequired(Exception):
    """No valid session: the browser goes to the login page (and comes back after)."""


class CsrfRefused(Exception):
    """A form without the token of the session."""


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGS else DEFAULT_LANG


def csrf_token(key: bytes, seed: str) -> str:
    return hmac.new(key, f"csrf/{seed}".encode(), hashlib.sha256).hexdigest()


def safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def redirect(url: str) -> RedirectResponse:
    """After a POST, a GET (the PRG pattern)."""
    return RedirectResponse(url, status_code=303)


@dataclass
class Web:
    """One request of a logged-in user: the services, the language, the organizations."""

    request: Request
    s: Services
    user: User
    lang: str
    csrf: str  # the forms' token, by the current key
    csrf_accepted: list[str] = field(default_factory=list)  # by every key still accepted
    _orgs: Orgs | None = field(default=None, repr=False)

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def label(self, prefix: str, value: object) -> str:
        return label(self.lang, prefix, value)

    @property
    def today(self) -> date:
        return self.s.today()

    @property
    def orgs(self) -> Orgs:
        """Every organization of the read model, and the user's subtree (one query)."""
        if self._orgs is None:
            self._orgs = Orgs.load(self.s.engine, self.s.scope.root_of(self.user))
        return self._orgs

    @property
    def sees_people(self) -> bool:
        return may_see_personal_data(self.user)

    def org(self, org_id: UUID | str | None = None) -> OrgRow:
        """The organization a page is about: the one asked (inside the subtree, else
        NOT-FOUND like the API), or the user's own (the top of the tree for an
        administrator)."""
        orgs = self.orgs
        if org_id is None:
            home = orgs.home(self.user.org_id)
            if home is None:
                raise not_found("organization")
            return home
        found = orgs.get(org_id)
        if found is None or not orgs.inside(found.id):
            raise not_found("organization")
        return found

    def check_csrf(self, form: Mapping[str, Any]) -> None:
        """The form's token, made by the current key or one it replaced (a form shown just
        before a rotation is still sent)."""
        sent = str(form.get("csrf", ""))
        if not any(hmac.compare_digest(sent, token) for token in self.csrf_accepted or [self.csrf]):
            raise CsrfRefused

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        user = self.user
        org = context.get("org")
        picker = (
            [o for o in self.orgs.subtree() if not o.is_cell or o.id == org.id]
            if isinstance(org, OrgRow)
            else []
        )
        return templates.TemplateResponse(
            self.request,
            name,
            {
                "t": self.t,
                "label": self.label,
                "num": lambda value, digits=1: number(self.lang, value, digits),
                "lang": self.lang,
                "csrf": self.csrf,
                "user": user,
                "user_org": self.orgs.name(user.org_id) if user.org_id else self.t("whole_tree"),
                "may_dissolve": may(user, DISSOLVE),
                "path": self.request.url.path,
                "here": _here(self.request),
                "picker": picker,
                **context,
            },
            status_code=status,
        )


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def web(request: Request, s: Annotated[Services, Depends(services)]) -> Web:
    """The logged-in user of the request (its session cookie), or the login page."""
    session = request.cookies.get(SESSION_COOKIE)
    try:
        user = user_of(s, None, session)
    except ApiError:
        raise LoginRequired from None
    token = s.session_token(session or "") or ""
    accepted = [csrf_token(key, token) for key in s.cookie_keys]
    return Web(request, s, user, language(request), csrf_token(s.cookie_key, token), accepted)


WebContext = Annotated[Web, Depends(web)]


def error_page(request: Request, status: int, error: DomainError | None = None) -> Response:
    """A refusal as a page: with the site's frame for a logged-in user, plain otherwise.
    An unknown record reads the same whether it does not exist or is outside the subtree."""
    lang = language(request)
    if error is None:
        rule_id, message = "CSRF", t(lang, "error.csrf")
    elif error.rule_id == "NOT-FOUND":
        rule_id, message = error.rule_id, t(lang, "error.not_found")
    else:
        rule_id, message = error.rule_id, error.en if lang == "en" else error.vi
    try:
        w = web(request, services(request))
    except LoginRequired:
        context = {"t": lambda key, **v: t(lang, key, **v), "lang": lang, "layout": "plain.html"}
        return templates.TemplateResponse(
            request, "error.html", {**context, "rule_id": rule_id, "message": message}, status
        )
    return w.render("error.html", status, layout="base.html", rule_id=rule_id, message=message)


class WebRoute(APIRoute):
    """Refusals as pages: no session → the login page; a domain or access refusal → a page
    with the rule id and its message, with the API's status (404, 403, 422…)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRequired:  # back to the page after logging in (a form: home)
                back = _here(request) if request.method == "GET" else "/"
                return redirect(f"/login?next={quote(back)}")
            except CsrfRefused:
                return await run_in_threadpool(error_page, request, 403)
            except DomainError as error:
                status = STATUS.get(error.rule_id, 422)
                return await run_in_threadpool(error_page, request, status, error)

        return page


router = APIRouter(route_class=WebRoute, include_in_schema=False)


# --- login, logout, language --------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    lang = language(request)
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {
            "t": lambda key, **v: t(lang, key, **v),
            "lang": lang,
            "csrf": token,
            "next": safe_next(next),
            "error": None,
            "here": _here(request),
        },
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/login",
        secure=request.url.scheme == "https",
    )
    return response


LOGIN_REFUSED = {
    "AUTH-LOGIN": "login.failed",
    "AUTH-THROTTLED": "login.throttled",
    "AUTH-LOCKED": "login.locked",
    "AUTH-BUSY": "login.busy",
}


@router.post("/login")
async def login(
    request: Request,
    s: Annotated[Services, Depends(services)],
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    lang = language(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        raise CsrfRefused
    address = request.client.host if request.client else "unknown"
    try:
        user = await s.logins.check(username, password, address)
    except DomainError as error:
        if error.rule_id not in LOGIN_REFUSED:
            raise
        seconds = error.details.get("retry_after", 1)
        headers = {"Retry-After": str(seconds)} if "retry_after" in error.details else None
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "t": lambda key, **v: t(lang, key, **v),
                "lang": lang,
                "csrf": expected,
                "next": safe_next(next),
                "error": t(lang, LOGIN_REFUSED[error.rule_id], seconds=seconds),
                "username": username,
                "here": "/login",
            },
            status_code=STATUS[error.rule_id],
            headers=headers,
        )
    response = redirect(safe_next(next))
    open_session(s, user, request, response)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, w: WebContext) -> Response:
    w.check_csrf(await request.form())
    response = redirect("/login")
    close_session(w.s, request.cookies.get(SESSION_COOKIE), response)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = redirect(safe_next(next))
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    return response
