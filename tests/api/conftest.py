"""The API in-process (httpx over ASGI) on the real stack: the Temporal time-skipping test
server from the venv with a worker in this process, the event store on a SQLite file, the read
model and the users on SQLite, filled by the real projector.

One stack serves the whole package (a server start and a world cost seconds); every test opens
cases of its own, with people of its own, so tests do not depend on each other.
"""

from __future__ import annotations

import itertools
import socket
from base64 import b64encode
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, time
from http.cookiejar import Cookie, CookieJar
from typing import Any
from uuid import UUID

import httpx
import pytest_asyncio
import sqlalchemy as sa
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from infra.api.app import create_api
from infra.api.services import Services
from infra.bootstrap import build_app
from infra.notifications import Notifications
from infra.settings import Settings
from infra.temporal import EncryptionCodec, register_search_attributes
from infra.users import Role, User
from projections.projector import Projector
from tests.builders import World, build_world
from tests.workflows.conftest import TEST_PAYLOAD_KEY, instant, test_server, travel_to
from tests.workflows.dissolution_stack import sqlite_settings
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE
from workflows.worker import build_worker

TODAY = date(2030, 3, 4)  # a Monday: the test server's clock is set to it
PASSWORD = "mật-khẩu-thử-nghiệm"
_citizens = itertools.count(1)


@dataclass
class Stack:
    settings: Settings
    app: Dangvien  # the worker's application (the API builds its own on the same files)
    world: World
    services: Services
    env: WorkflowEnvironment
    api: FastAPI
    http: httpx.AsyncClient  # keeps no cookies: pass `headers=stack.as_(name)`
    users: dict[str, User]
    tokens: dict[str, str]

    def fresh(self, address: str = "127.0.0.1", api: FastAPI | None = None) -> httpx.AsyncClient:
        """A client of its own (its cookie jar is its own: for sessions), calling from
        `address`."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api or self.api, client=(address, 40000)),
            base_url="http://testserver",
        )

    def as_(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def written(self) -> int:
        """The position of the last event recorded: unchanged means nothing was written."""
        return int(self.app.recorder.max_notification_id() or 0)

    def project(self) -> None:
        Projector(self.app, self.services.engine).run_until_caught_up()

    async def open_case(self, name: str, cell: UUID, **person: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/api/cases",
            json={"cell_id": str(cell), "on": TODAY.isoformat(), "person": applicant(**person)},
            headers=self.as_(name),
        )
        assert response.status_code == 201, response.text
        view: dict[str, Any] = response.json()
        return view

    async def step(
        self, name: str, record_id: str, step: str, subject: str = "cases", /, **args: Any
    ) -> httpx.Response:
        """POST a step (of a case; `subject` "members" or "transfers" for the others)."""
        return await self.http.post(
            f"/api/{subject}/{record_id}/steps",
            json={"kind": step, "on": TODAY.isoformat(), "args": args},
            headers=self.as_(name),
        )


class NoCookies(CookieJar):
    """The shared client never keeps a session cookie (a test of sessions uses `fresh()`)."""

    def set_cookie(self, cookie: Cookie) -> None:
        pass


def applicant(**overrides: Any) -> dict[str, Any]:
    """A fictional applicant with a citizen ID of its own."""
    return {
        "full_name": "Trần Thị Mai",
        "birth_date": "1998-07-12",
        "citizen_id": f"0791{next(_citizens):08d}",
        "gender": "female",
        "ethnicity": "Kinh",
        "religion": None,
        "address": "Thôn Đông, xã An Bình",
        "education": "upper_secondary",
        "occupation": "student",
        **overrides,
    }


def accounts(world: World) -> dict[str, tuple[Role, UUID | None]]:
    """One user per role on its own node, and some on the other side of the tree."""
    return {
        "secretary": (Role.cell_secretary, world.cell),
        "far_secretary": (Role.cell_secretary, world.far_cell),
        "grassroots": (Role.grassroots_officer, world.grassroots),
        "far_grassroots": (Role.grassroots_officer, world.other_grassroots),
        "department": (Role.department_officer, world.commune),
        # an organization department on the receiving side of a transfer to `far_cell`
        "far_department": (Role.department_officer, world.other_grassroots),
        "auditor": (Role.auditor, world.grassroots),
        "far_auditor": (Role.auditor, world.other_grassroots),
        "admin": (Role.administrator, None),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def api_settings(data_dir: Any) -> Settings:
    """SQLite stores in the directory; the payload key of the test server's codec."""
    return replace(
        sqlite_settings(data_dir),
        payload_key=b64encode(TEST_PAYLOAD_KEY).decode(),
        secret_key="clé-de-test-des-sessions",
        # Every test of the package calls from 127.0.0.1 (schemathesis with random passwords
        # too): the address throttle is tested on a real process (tests/e2e/test_logins.py).
        login_address_failures=100_000,
        login_lockout=4,  # the fourth wrong password in a row locks: no minute-long delays
    )


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def stack(tmp_path_factory: Any) -> AsyncIterator[Stack]:
    settings = api_settings(tmp_path_factory.mktemp("api"))
    app = build_app(settings)
    world = build_world(app)
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server(),
        data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
    ) as env:
        await register_search_attributes(env.client)
        await travel_to(env, instant(TODAY, time(9)))
        services = Services.from_settings(settings, client=env.client, today=lambda: TODAY)
        Projector(app, services.engine).run_until_caught_up()
        users, tokens = {}, {}
        for name, (role, org) in accounts(world).items():
            users[name] = services.users.create(name, PASSWORD, role, org)
            tokens[name] = services.users.issue_token(name)
        notifications = Notifications(sa.create_engine(settings.readmodel_database))
        api = create_api(settings, services)
        async with (
            build_worker(
                env.client, app, notifications.notify, services.authority, task_queue=TASK_QUEUE
            ),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=api),
                base_url="http://testserver",
                cookies=NoCookies(),
            ) as http,
        ):
            yield Stack(settings, app, world, services, env, api, http, users, tokens)
        services.app.close()
        app.close()
