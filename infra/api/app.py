"""The API application: `create_api(settings)` (FastAPI, OpenAPI at /docs)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
import structlog
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from domain.errors import DomainError
from infra import web
from infra.api import (
    audit,
    auth,
    ballots,
    boards,
    commands,
    docs,
    errors,
    orgpapers,
    papers,
    queries,
    register,
    registration,
)
from infra.api.dissolutions import router as dissolutions_router
from infra.api.mail import router as mail_router
from infra.api.schemas import HealthOut, Lang
from infra.api.services import Services
from infra.settings import Settings

log = structlog.get_logger("dangvien.api")
HEALTH_SECONDS = 5.0

# No inline script or style anywhere (infra/web/static holds them), and no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# /docs (infra/api/docs.py) runs only its own scripts; Swagger UI styles its parts inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"

DESCRIPTION = """\
Admission of new Party members, probation, transfers and dissolutions, as durable processes.

Authenticate with the session cookie of `POST /api/auth/login` or with
`Authorization: Bearer <token>` from `POST /api/auth/token`. A user sees and acts only inside
the subtree of its organization. Refusals answer `{"rule_id", "message", "lang", "details"}`
(Vietnamese by default; `?lang=en` or `Accept-Language: en`). See docs/api.md.
"""


def language_parameter(
    lang: Annotated[
        Lang | None, Query(description="Language of refusals: vi (default) or en")
    ] = None,
) -> None:
    """Documents `?lang=` on every route (errors.language reads it)."""


def create_api(settings: Settings, services: Services | None = None) -> FastAPI:
    """The API over the configured stores; Temporal is connected on first use. Tests pass
    `services` built on their own Temporal server."""
    owned = services is None
    s = services or Services.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            s.app.close()

    api = FastAPI(
        title="dangvien",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by infra/api/docs.py, offline
        redoc_url=None,
    )
    api.state.services = s
    errors.install(api)
    lang = [Depends(language_parameter)]
    for router in (
        auth.router,
        auth.users_router,
        commands.router,
        queries.router,
        register.router,
        audit.router,
        dissolutions_router,  # issue 15: dissolution at scale
        boards.router,
        ballots.router,  # a vote's numbers before it is recorded (issue 15, item 8)
        registration.router,  # issue 15: registration
        mail_router,  # issue 16, item 5: e-mail of notices
    ):
        api.include_router(router, dependencies=lang)
    for router in (papers.router, orgpapers.router):  # issue 16: papers
        api.include_router(router, dependencies=lang)
    docs.install(api)
    web.install(api)  # the web UI's pages (infra/web, docs/web.md)

    @api.get(
        "/api/health",
        tags=["health"],
        response_model=HealthOut,
        responses={503: {"model": HealthOut}},
    )
    async def health() -> HealthOut | JSONResponse:
        """Ready when the event store, the read-model database and Temporal answer."""
        found = HealthOut(
            status="ok",
            event_store=await run_in_threadpool(_probe, s.app.recorder.max_notification_id),
            readmodel=await run_in_threadpool(_probe, lambda: _select_one(s.engine)),
            temporal=await _temporal(s),
        )
        if {found.event_store, found.readmodel, found.temporal} == {"ok"}:
            return found
        found.status = "unavailable"
        return JSONResponse(found.model_dump(), status_code=503)

    @api.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """CSP and no framing everywhere; nothing kept in a cache but the static files (pages
        and answers hold personal data); HSTS when served over TLS (directly, or as a trusted
        proxy says)."""
        response = await call_next(request)
        path, headers = request.url.path, response.headers
        headers["Content-Security-Policy"] = DOCS_CSP if path in DOCS_PATHS else CSP
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if not path.startswith(("/static/", "/docs/assets/")):
            headers["Cache-Control"] = "no-store"
        if request.url.scheme == "https":
            headers["Strict-Transport-Security"] = HSTS
        return response

    @api.middleware("http")
    async def log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Method, route (its template: no value of the path), status and time: never a body,
        never personal data."""
        started = time.perf_counter()
        response = await call_next(request)
        log.info(
            "api.request",
            method=request.method,
            path=errors.route_of(request),
            status=response.status_code,
            ms=round(1000 * (time.perf_counter() - started), 1),
        )
        return response

    # Outermost: the scheme and the client's address are the proxy's word only when the peer
    # is a trusted proxy (DANGVIEN_TRUSTED_PROXIES; none by default).
    api.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return api


DOCS_PATHS = frozenset({"/docs"})


def _select_one(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _probe(check: Callable[[], object]) -> str:
    try:
        check()
    except Exception as error:  # the health page reports, it does not fail
        return f"unavailable: {type(error).__name__}"
    return "ok"


async def _temporal(s: Services) -> str:
    try:
        client = await s.temporal.client()
        await asyncio.wait_for(
            client.workflow_service.get_system_info(GetSystemInfoRequest()), HEALTH_SECONDS
        )
    except DomainError as error:  # not reachable (TEMPORAL-UNAVAILABLE)
        return f"unavailable: {error.rule_id}"
    except Exception as error:  # reachable, not answering
        return f"unavailable: {type(error).__name__}"
    return "ok"
