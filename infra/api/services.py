"""What the API works with: the record, the read models, the users, Temporal (connected on
first use, so the API starts — and says it is unavailable — before Temporal does)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from fastapi import Request
from temporalio.client import Client

from domain.application import Dangvien
from domain.calendar import VIETNAM
from infra.api.access import Scope
from infra.api.answers import FirstAnswers
from infra.api.errors import ApiError
from infra.bootstrap import authority, build_app, payload_key, temporal_tls
from infra.keysets import LiveKeyset, live_keyset, now_utc
from infra.logins import LoginGuard
from infra.notifications import Notifications
from infra.security_events import SecurityEvents
from infra.settings import Settings
from infra.temporal import connect
from infra.users import UserStore
from projections.database import open_engine
from projections.projector import create_tables, live_version
from projections.seal import GroupSeal
from projections.tables import control, tables
from projections.year_figures import year_figures
from workflows import views
from workflows.authority import Authority
from workflows.messages import View

CONNECT_SECONDS = 5.0


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()


def temporal_unavailable() -> ApiError:
    return ApiError(
        "TEMPORAL-UNAVAILABLE",
        "Máy chủ quy trình (Temporal) chưa sẵn sàng, hãy thử lại",
        "The process server (Temporal) is not available; try again",
    )


class TemporalLink:
    """One Temporal client, connected on first use (and again after a failed attempt)."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                settings = self.settings
                try:
                    self._client = await asyncio.wait_for(
                        connect(
                            settings.temporal_address,
                            settings.temporal_namespace,
                            payload_key(settings),
                            temporal_tls(settings),
                        ),
                        CONNECT_SECONDS,
                    )
                except Exception as error:  # unreachable, refused, timed out: all the same here
                    raise temporal_unavailable() from error
            return self._client


@dataclass
class Services:
    app: Dangvien
    engine: sa.Engine  # read models, users, notifications
    users: UserStore
    temporal: TemporalLink
    cookie_keyset: LiveKeyset  # signs session cookies and CSRF tokens (infra/keysets.py)
    notifications: Notifications
    authority: Authority  # signs what the API sends a process
    security: SecurityEvents
    logins: LoginGuard
    answers: FirstAnswers  # what a command sent with an Idempotency-Key answered first
    today: Callable[[], date] = field(default=vietnam_today)

    @property
    def cookie_key(self) -> bytes:
        """The key that signs what is new."""
        return self.cookie_keyset.get().key

    @property
    def cookie_keys(self) -> list[bytes]:
        """The keys a cookie or a form's token is checked with: the current one, and those it
        replaced until their grace ends (a rotation logs nobody out)."""
        return list(self.cookie_keyset.get().accepted(now_utc()).values())

    def session_token(self, cookie: str) -> str | None:
        """The token a session cookie carries, if signed by a key still accepted (read again
        once before refusing: another API process may have rotated it just now)."""
        from infra.api.auth import unsign  # the cookie's format is the auth module's

        if not cookie:
            return None
        token = unsign(self.cookie_keys, cookie)
        if token is None:
            self.cookie_keyset.get(fresh=True)
            token = unsign(self.cookie_keys, cookie)
        return token

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        client: Client | None = None,
        today: Callable[[], date] = vietnam_today,
    ) -> Services:
        """The production wiring; tests pass the client of their Temporal server."""
        engine = open_engine(settings.readmodel_database)
        # The read model's tables, if the projector has not made them yet (it tolerates this).
        create_tables(engine, control, tables(live_version(engine)).metadata)
        users = UserStore(engine, api_token_ttl=timedelta(hours=settings.api_token_hours))
        app = build_app(settings)
        # a quota report's counts (issue 16), its breakdowns opened with the read model's key
        app.year_figures = year_figures(engine, GroupSeal.of(app))
        return cls(
            app=app,
            engine=engine,
            users=users,
            temporal=TemporalLink(settings, client),
            cookie_keyset=live_keyset(settings, "secret"),
            notifications=Notifications(engine),
            authority=authority(settings),
            security=SecurityEvents(engine),
            logins=LoginGuard(
                users,
                lockout=settings.login_lockout,
                address_failures=settings.login_address_failures,
                hashes=settings.login_hashes,
            ),
            answers=FirstAnswers(engine),
            today=today,
        )

    @property
    def scope(self) -> Scope:
        return Scope(self.engine)

    def view_of(self, subject_id: UUID, today: date) -> View:
        """A case, probation or transfer as its process sees it."""
        return views.view_of(self.app, subject_id, today)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
