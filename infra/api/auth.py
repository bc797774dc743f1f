"""Who is calling: a session cookie (the web) or a bearer token (the API), and the accounts.

A session is a random token stored hashed (infra/users.py) and sent in a cookie signed with
the secret key (HMAC-SHA256), HttpOnly and SameSite=Lax; logging out revokes it, so a copied
cookie stops working. Bearer tokens come from `POST /api/auth/token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from domain.errors import DomainError
from infra.api.access import MANAGE_USERS, may
from infra.api.errors import ApiError, auth_required, not_found, role_refused, scope_refused
from infra.api.schemas import (
    AccountEventOut,
    ErrorOut,
    LoginIn,
    LoginStateOut,
    PasswordChangeIn,
    PasswordIn,
    PasswordOut,
    TokenInfoOut,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
)
from infra.api.services import Services, services
from infra.users import SESSION_TTL, User

SESSION_COOKIE = "dangvien_session"
bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/token")
cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The session of POST /api/auth/login"
)
Svc = Annotated[Services, Depends(services)]
REFUSALS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Not authenticated (AUTH-REQUIRED)"},
    423: {"model": ErrorOut, "description": "Locked after failed logins (AUTH-LOCKED)"},
    429: {"model": ErrorOut, "description": "Too many failed logins: wait (AUTH-THROTTLED)"},
    503: {"model": ErrorOut, "description": "Every password check is taken (AUTH-BUSY)"},
    403: {"model": ErrorOut, "description": "The role may not (ACCESS-ROLE, ACCESS-SCOPE)"},
    404: {"model": ErrorOut, "description": "Unknown, or outside the user's subtree"},
}


def sign(key: bytes, token: str) -> str:
    mac = hmac.new(key, token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(keys: Iterable[bytes], value: str) -> str | None:
    """The token of a signed value, if one of `keys` signed it."""
    token = value.rpartition(".")[0]
    if token and any(hmac.compare_digest(sign(key, token), value) for key in keys):
        return token
    return None


CSRF_HEADER = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_user(
    request: Request,
    s: Svc,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    session: Annotated[str | None, Security(cookie)],
) -> User:
    """The caller, from its bearer token or its session cookie (401 otherwise). A write to
    the API on the strength of the cookie alone must also carry `X-Requested-With`: a page of
    another site can make a browser send the cookie, not a custom header (CSRF). The web's
    forms carry their own token instead."""
    user = user_of(s, credentials, session)
    if (
        credentials is None
        and request.method not in SAFE_METHODS
        and not request.headers.get(CSRF_HEADER)
    ):
        raise ApiError(
            "AUTH-CSRF",
            f"Yêu cầu ghi bằng cookie phiên phải có tiêu đề {CSRF_HEADER}",
            f"A write authenticated by the session cookie needs the {CSRF_HEADER} header",
        )
    return user


def user_of(
    s: Services, credentials: HTTPAuthorizationCredentials | None, session: str | None
) -> User:
    """The user of a bearer token or of a session cookie (401 otherwise)."""
    user = None
    if credentials is not None:
        user = s.users.user_for_token(credentials.credentials)
    elif session:
        token = s.session_token(session)
        user = s.users.user_for_token(token) if token else None
    if user is None:
        raise auth_required()
    return user


CurrentUser = Annotated[User, Depends(current_user)]

router = APIRouter(prefix="/api", tags=["auth"])


def client_address(request: Request) -> str:
    """The caller's address: the peer's, or the one a trusted proxy forwarded (app.py)."""
    return request.client.host if request.client else "unknown"


def bearer_or_session(
    s: Services,
    credentials: HTTPAuthorizationCredentials | None,
    session: str | None,
) -> str | None:
    """The token this request is authenticated with."""
    if credentials is not None:
        return credentials.credentials
    return s.session_token(session) if session else None


def open_session(s: Services, user: User, request: Request, response: Response) -> None:
    """A new session for the user: a revocable token, in a signed HttpOnly cookie (the web's
    and the API's alike)."""
    token = s.users.issue_token(user.username, kind="session")
    response.set_cookie(
        SESSION_COOKIE,
        sign(s.cookie_key, token),
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def close_session(s: Services, cookie_value: str | None, response: Response) -> None:
    """The session ends: its token is revoked (a copied cookie stops working), the cookie
    cleared."""
    token = s.session_token(cookie_value) if cookie_value else None
    if token:
        s.users.revoke_token(token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


LOGIN_REFUSALS: dict[int | str, dict[str, object]] = {k: REFUSALS[k] for k in (401, 423, 429, 503)}


@router.post("/auth/login", responses=LOGIN_REFUSALS)
async def login(body: LoginIn, request: Request, response: Response, s: Svc) -> UserOut:
    """Log in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over TLS) and returns
    the user. Throttled after failed logins (AUTH-THROTTLED, AUTH-LOCKED)."""
    user = await s.logins.check(body.username, body.password, client_address(request))
    open_session(s, user, request, response)
    return UserOut.model_validate(user)


@router.post("/auth/logout", status_code=204)
def logout(
    response: Response, s: Svc, session: Annotated[str | None, Security(cookie)]
) -> Response:
    """End the session: its token is revoked and the cookie cleared."""
    response.status_code = 204
    close_session(s, session, response)
    return response


@router.post("/auth/token", responses=LOGIN_REFUSALS)
async def token(body: LoginIn, request: Request, s: Svc) -> TokenOut:
    """A bearer token for `Authorization: Bearer …` (12 hours by default:
    DANGVIEN_API_TOKEN_HOURS); listed and revoked at `/api/me/tokens`."""
    user = await s.logins.check(body.username, body.password, client_address(request))
    return TokenOut(token=s.users.issue_token(user.username))


@router.get("/me", responses={401: REFUSALS[401]})
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.post(
    "/me/password",
    status_code=204,
    responses=LOGIN_REFUSALS | {403: {"model": ErrorOut}},
)
async def change_password(
    body: PasswordChangeIn,
    request: Request,
    user: CurrentUser,
    s: Svc,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    session: Annotated[str | None, Security(cookie)],
) -> Response:
    """The user's own new password; the current one is required (a wrong one counts as a
    failed login). Every other session and token of the user ends."""
    try:
        await s.logins.check(user.username, body.old_password, client_address(request))
    except DomainError as error:
        if error.rule_id != "AUTH-LOGIN":
            raise
        raise ApiError(
            "AUTH-OLD-PASSWORD",
            "Mật khẩu hiện tại không đúng",
            "The current password is wrong",
        ) from None
    keep = bearer_or_session(s, credentials, session)
    s.users.change_password(user, body.new_password, keep=keep)
    return Response(status_code=204)


def _tokens(s: Services, username: str, current: str | None) -> list[TokenInfoOut]:
    mine = s.users.token_id(current) if current else None
    return [
        TokenInfoOut(
            id=t.id,
            kind=t.kind,
            created_at=t.created_at,
            expires_at=t.expires_at,
            current=t.id == mine,
        )
        for t in s.users.tokens(username)
    ]


@router.get("/me/tokens", responses={401: REFUSALS[401]})
def my_tokens(
    user: CurrentUser,
    s: Svc,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    session: Annotated[str | None, Security(cookie)],
) -> list[TokenInfoOut]:
    """The user's live sessions and bearer tokens (ids, never the tokens)."""
    return _tokens(s, user.username, bearer_or_session(s, credentials, session))


@router.delete("/me/tokens/{token_id}", status_code=204, responses=REFUSALS)
def revoke_my_token(token_id: str, user: CurrentUser, s: Svc) -> Response:
    """Revoke one of the user's sessions or tokens: it opens nothing afterwards."""
    if not s.users.revoke_token_id(user.username, token_id, actor=user.username):
        raise not_found("token")
    return Response(status_code=204)


# --- accounts (administrators) ----------------------------------------------------------------

users_router = APIRouter(prefix="/api/users", tags=["users"], responses=REFUSALS)


def administrator(user: CurrentUser) -> User:
    if not may(user, MANAGE_USERS):
        raise role_refused(MANAGE_USERS)
    return user


Admin = Annotated[User, Depends(administrator)]


def _manages(s: Services, admin: User, target: User) -> bool:
    return admin.org_id is None or (
        target.org_id is not None and s.scope.inside(admin, target.org_id)
    )


@users_router.get("")
def list_users(admin: Admin, s: Svc) -> list[UserOut]:
    """The accounts of the administrator's subtree."""
    return [UserOut.model_validate(u) for u in s.users.list_users() if _manages(s, admin, u)]


@users_router.post("", status_code=201, responses={409: {"model": ErrorOut}})
def create_user(body: UserIn, admin: Admin, s: Svc) -> UserCreatedOut:
    """A new account in the administrator's subtree; a password is generated when none is
    given (returned once)."""
    # The organization is in the administrator's subtree: outside or unknown, the same
    # ACCESS-SCOPE (an administrator of a subtree learns nothing of the rest of the tree).
    if body.org_id is not None and not s.scope.inside(admin, body.org_id):
        raise scope_refused()
    if admin.org_id is not None and body.org_id is None:
        raise scope_refused()
    generated = body.password is None
    password = secrets.token_urlsafe(12) if body.password is None else body.password
    user = s.users.create(body.username, password, body.role, body.org_id, body.display_name)
    return UserCreatedOut(
        user=UserOut.model_validate(user), password=password if generated else None
    )


@users_router.post("/{username}/password")
def reset_password(username: str, body: PasswordIn, admin: Admin, s: Svc) -> PasswordOut:
    """A new password (generated when none is given); the user's sessions and tokens end."""
    target = s.users.get(username)
    if target is None or not _manages(s, admin, target):
        raise not_found("user")
    password = s.users.reset_password(username, body.password, actor=admin.username)
    s.logins.unlock(username, admin.username)  # a new password lifts a lockout too
    return PasswordOut(password=password)


def _managed(s: Services, admin: User, username: str) -> User:
    target = s.users.get(username)
    if target is None or not _manages(s, admin, target):
        raise not_found("user")
    return target


@users_router.get("/{username}/login")
def login_state(username: str, admin: Admin, s: Svc) -> LoginStateOut:
    """The account's failed logins, its lockout, and what was done to it (who locked, who
    lifted, password changes, revoked tokens)."""
    _managed(s, admin, username)
    failures, locked_at = s.logins.state(username)
    events = [AccountEventOut.model_validate(e) for e in s.users.events(username)]
    return LoginStateOut(username=username, failures=failures, locked_at=locked_at, events=events)


@users_router.post("/{username}/unlock")
def unlock(username: str, admin: Admin, s: Svc) -> LoginStateOut:
    """Lift the account's lockout and login delays; recorded with the administrator's name."""
    _managed(s, admin, username)
    s.logins.unlock(username, admin.username)
    return login_state(username, admin, s)


@users_router.get("/{username}/tokens")
def user_tokens(username: str, admin: Admin, s: Svc) -> list[TokenInfoOut]:
    """The account's live sessions and bearer tokens."""
    _managed(s, admin, username)
    return _tokens(s, username, None)


@users_router.delete("/{username}/tokens/{token_id}", status_code=204)
def revoke_user_token(username: str, token_id: str, admin: Admin, s: Svc) -> Response:
    """Revoke one session or token of the account; recorded with the administrator's name."""
    _managed(s, admin, username)
    if not s.users.revoke_token_id(username, token_id, actor=admin.username):
        raise not_found("token")
    return Response(status_code=204)
