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
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from infra.api.access import MANAGE_USERS, may
from infra.api.errors import ApiError, auth_required, not_found, role_refused, scope_refused
from infra.api.schemas import (
    ErrorOut,
    LoginIn,
    PasswordIn,
    PasswordOut,
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
    403: {"model": ErrorOut, "description": "The role may not (ACCESS-ROLE, ACCESS-SCOPE)"},
    404: {"model": ErrorOut, "description": "Unknown, or outside the user's subtree"},
}


def sign(key: bytes, token: str) -> str:
    mac = hmac.new(key, token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(key: bytes, value: str) -> str | None:
    token = value.rpartition(".")[0]
    return token if token and hmac.compare_digest(sign(key, token), value) else None


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
        token = unsign(s.cookie_key, session)
        user = s.users.user_for_token(token) if token else None
    if user is None:
        raise auth_required()
    return user


CurrentUser = Annotated[User, Depends(current_user)]

router = APIRouter(prefix="/api", tags=["auth"])


def wrong_login() -> ApiError:
    return ApiError("AUTH-LOGIN", "Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")


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
    token = unsign(s.cookie_key, cookie_value) if cookie_value else None
    if token:
        s.users.revoke_token(token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/auth/login", responses={401: REFUSALS[401]})
def login(body: LoginIn, request: Request, response: Response, s: Svc) -> UserOut:
    """Log in: sets the session cookie (HttpOnly, SameSite=Lax) and returns the user."""
    user = s.users.authenticate(body.username, body.password)
    if user is None:
        raise wrong_login()
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


@router.post("/auth/token", responses={401: REFUSALS[401]})
def token(body: LoginIn, s: Svc) -> TokenOut:
    """A bearer token for `Authorization: Bearer …` (valid 30 days)."""
    user = s.users.authenticate(body.username, body.password)
    if user is None:
        raise wrong_login()
    return TokenOut(token=s.users.issue_token(user.username))


@router.get("/me", responses={401: REFUSALS[401]})
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


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
    if body.org_id is not None and s.scope.path(body.org_id) is None:
        raise not_found("organization")
    if admin.org_id is not None and (body.org_id is None or not s.scope.inside(admin, body.org_id)):
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
    password = s.users.reset_password(username, body.password)
    return PasswordOut(password=password)
