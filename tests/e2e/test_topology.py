"""The production topology of docker-compose.yml, as plain processes on the real PostgreSQL
(Docker does not run here): a throwaway database for events, read models and accounts, the
Temporal dev server as a separate process, two `dangvien worker`, one `dangvien projector` and
one `dangvien api`, each configured by environment only. An admission case goes through its
steps over HTTP while the worker holding it is killed (SIGKILL): nothing is lost, nothing is
done twice.

The compose file itself is checked to stay in step: every setting reaches the dangvien
services, every secret is required and templated, images are pinned, the worker scales.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import re
import secrets
import signal
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
import yaml  # type: ignore[import-untyped]  # PyYAML comes with schemathesis
from temporalio.client import Client

from domain.application import Dangvien
from domain.calendar import VIETNAM
from infra.bootstrap import build_app
from infra.settings import Settings
from infra.temporal import connect
from infra.users import Role, UserStore
from tests.builders import World, build_world
from tests.e2e.processes import free_port
from tests.e2e.topology import Service, Topology
from tests.integration.conftest import PostgresDatabase, throwaway_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu-" + secrets.token_hex(8)
APPLICANT = "Đặng Thị Thu Trang"
RELATIVES = ("Đặng Văn Hải", "Lưu Thị Nga")
SECONDS = 30.0  # the longest any one wait may take


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


# --- the topology ---------------------------------------------------------------------------------


@pytest.fixture
def database() -> Iterator[PostgresDatabase]:
    """A database of its own, as production has (the event tables in `public`)."""
    with throwaway_database("dangvien_topology") as database:
        yield database


def production_settings(database: PostgresDatabase, data_dir: Path) -> Settings:
    """What docker-compose.yml sets: PostgreSQL for everything, every key given, JSON logs."""
    return Settings(
        data_dir=data_dir,
        store="postgres",
        postgres_host=database.host,
        postgres_port=database.port,
        postgres_dbname=database.dbname,
        postgres_user=database.user,
        cipher_key=new_key(),
        id_key=new_key(),
        name_key=new_key(),
        audit_key=new_key(),
        payload_key=new_key(),
        secret_key=new_key(),
        command_key=new_key(),
        log_format="json",
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_namespace="dangvien",
        api_host="127.0.0.1",
        api_port=free_port(),
    )


async def connected(settings: Settings, temporal: Service) -> Client:
    """A client of the dev server, once it answers."""
    assert settings.payload_key is not None
    deadline = asyncio.get_running_loop().time() + SECONDS
    while True:
        try:
            return await connect(
                settings.temporal_address, settings.temporal_namespace, settings.payload_key
            )
        except RuntimeError as error:  # not listening yet
            if not temporal.alive() or asyncio.get_running_loop().time() > deadline:
                output = temporal.output()[-3000:]
                raise AssertionError(f"Temporal did not start:\n{output}") from error
            await asyncio.sleep(0.2)


async def eventually(check: Any, what: str, seconds: float = SECONDS) -> Any:
    """Poll an async check until it returns something truthy (real time, bounded)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.2)


# --- the case, as its users take it through the API -----------------------------------------------


def steps(world: World, on: date) -> list[tuple[str, dict[str, Any]]]:
    """Every step from the certificate to the decision (tests/workflows/steps.py's dossier)."""
    introducers = world.members[world.cell][:2]
    return [
        ("record_certificate", {"number": "45/GCN"}),
        ("submit_application", {}),
        (
            "declare_background",
            {
                "relatives": [
                    {
                        "key": "r1",
                        "relationship": "father",
                        "full_name": RELATIVES[0],
                        "is_party_member": True,
                    },
                    {"key": "r2", "relationship": "mother", "full_name": RELATIVES[1]},
                ]
            },
        ),
        *(
            (
                "assign_introducer",
                {
                    "slot": slot,
                    "kind": "full_member",
                    "letter_on": on.isoformat(),
                    "member_id": str(member),
                    "together_since": "2015-01-01",
                },
            )
            for slot, member in enumerate(introducers, start=1)
        ),
        ("exempt_family_side", {"member_relative_key": "r1"}),
        ("request_verification", {"subject": "applicant", "sent_to": "Đảng ủy xã"}),
        ("record_verification_result", {"subject": "applicant", "satisfactory": True}),
        ("request_verification", {"subject": "r2", "sent_to": "Đảng ủy xã"}),
        ("record_verification_result", {"subject": "r2", "satisfactory": True}),
        ("certify_background", {}),
        ("record_comment", {"source": "workplace_organizations"}),
        ("record_comment", {"source": "residence_cell"}),
        ("summarize_comments", {}),
        ("record_cell_vote", {"votes_for": 7, "votes_against": 2}),
        ("record_committee_vote", {"committee_size": 9, "votes_for": 8, "votes_against": 1}),
        ("decide", {"number": "12-QĐ/ĐU", "decided_by": str(world.commune)}),
    ]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


async def worker_pids(client: Client, workflow_id: str, *, activities: bool = True) -> list[int]:
    """Which worker process did each workflow task (and activity) of the case, in order
    (a worker's identity is `<pid>@<host>`)."""
    pids: list[int] = []
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        done = [event.workflow_task_completed_event_attributes.identity]
        if activities:
            done.append(event.activity_task_started_event_attributes.identity)
        pids.extend(int(identity.split("@")[0]) for identity in done if identity)
    return pids


# --- the test -------------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_a_case_goes_through_the_production_topology_while_a_worker_is_killed(
    database: PostgresDatabase, tmp_path: Path
) -> None:
    settings = production_settings(database, tmp_path / "data")
    today = datetime.now(VIETNAM).date()
    topology = Topology(settings, tmp_path / "logs")
    topology.job("dangvien-tables", sys.executable, str(ROOT / "deploy" / "create-tables.py"))
    # Seeded through the application service on the same PostgreSQL the processes use.
    app: Dangvien = build_app(settings)
    world = build_world(app)
    users = UserStore(sa.create_engine(settings.readmodel_database))
    officer = users.create("ban-to-chuc", PASSWORD, Role.department_officer, world.province)
    try:
        temporal = topology.temporal(int(settings.temporal_address.rsplit(":", 1)[1]))
        client = await connected(settings, temporal)
        # One after another: processes starting at the same instant on PostgreSQL may fail
        # (eventsourcing's CREATE OR REPLACE FUNCTION on every start; compose restarts them).
        projector = topology.dangvien("projector", "projector")
        await asyncio.to_thread(projector.wait_for_log, "projector.started")
        workers: dict[int, Service] = {}
        for i in (1, 2):
            worker = topology.dangvien(f"worker-{i}", "worker")
            await asyncio.to_thread(worker.wait_for_log, "worker.started")
            workers[worker.pid] = worker
        api = topology.dangvien("api", "api")

        base = f"http://{settings.api_host}:{settings.api_port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:

            async def healthy() -> bool:
                if not api.alive():
                    raise AssertionError(f"the API exited:\n{api.output()[-3000:]}")
                try:
                    return (await http.get("/api/health")).status_code == 200
                except httpx.TransportError:  # not listening yet
                    return False

            await eventually(healthy, "GET /api/health answering 200")
            login = {"username": officer.username, "password": PASSWORD}
            token = ok(await http.post("/api/auth/token", json=login))["token"]
            http.headers["Authorization"] = f"Bearer {token}"

            # The API scopes by the read model: the projector has to have the org tree.
            async def projected() -> bool:
                return (await http.get(f"/api/orgs/{world.cell}")).status_code == 200

            await eventually(projected, "the seeded org tree in the read model")

            person = {
                "full_name": APPLICANT,
                "birth_date": "1996-04-12",
                "citizen_id": f"0{secrets.randbelow(10**11):011d}",
                "gender": "female",
                "ethnicity": "Kinh",
                "address": "Thôn Đông, xã An Bình",
                "education": "upper_secondary",
            }
            opening = {"cell_id": str(world.cell), "on": today.isoformat(), "person": person}
            view = ok(
                await http.post("/api/cases", json=opening, headers={"Idempotency-Key": "open"}),
                201,
            )
            case_id = UUID(view["subject_id"])
            workflow_id = f"admission-{case_id}"

            plan = steps(world, today)
            half = len(plan) // 2
            killed: Service | None = None
            for i, (kind, args) in enumerate(plan):
                if i == half:
                    # Kill the worker that holds the case (it ran its last workflow task):
                    # Temporal still routes the case to it when the next step is posted.
                    holder = (await worker_pids(client, workflow_id, activities=False))[-1]
                    killed = workers[holder]
                    assert killed.kill() == -signal.SIGKILL
                    tasks_before_kill = len(await worker_pids(client, workflow_id))
                step = {"kind": kind, "on": today.isoformat(), "args": args}
                view = ok(
                    await http.post(
                        f"/api/cases/{case_id}/steps",
                        json=step,
                        headers={"Idempotency-Key": f"step-{i}"},
                    )
                )
            assert view["stage"] == "ceremony", view
            assert killed is not None
            survivor = next(w for w in workers.values() if w is not killed)
            assert survivor.alive()
            done_by = await worker_pids(client, workflow_id)
            assert killed.pid in done_by[:tasks_before_kill]
            assert set(done_by[tasks_before_kill:]) == {survivor.pid}

            # The record: the opening, then each step exactly once, in order.
            case = ok(await http.get(f"/api/cases/{case_id}"))
            assert case["view"]["stage"] == "ceremony"
            history = ok(await http.get(f"/api/cases/{case_id}/history"))
            keys = [e["command_key"] for e in history]
            prefix = f"api/{officer.id}/"
            blocks = [k for j, k in enumerate(keys) if j == 0 or keys[j - 1] != k]
            expected = [f"{prefix}step-{i}" for i in range(len(plan))]
            assert [k for k in blocks if k in expected] == expected
            assert len(blocks) == len(set(blocks)), "a command was recorded in two places"

            # The read model, once the projector has caught up.
            async def on_the_board() -> list[dict[str, Any]]:
                cards = ok(await http.get(f"/api/orgs/{world.cell}/board"))
                return [c for c in cards if c["id"] == str(case_id) and c["stage"] == "ceremony"]

            cards = await eventually(on_the_board, "the case at 'ceremony' on the stage board")
            assert len(cards) == 1
            quota = ok(await http.get(f"/api/orgs/{world.commune}/quota"))
            assert quota["pipeline"].get("ceremony") == 1, quota
    finally:
        topology.stop_all()
        app.close()

    assert topology.left_behind() == []
    # Every key came from the environment: nothing was generated into the data directory.
    assert not list(settings.data_dir.glob("*.key"))
    # Personal data reached no log.
    logs = "".join(s.output() for s in topology.services)
    for personal in (APPLICANT, *RELATIVES, person["citizen_id"]):
        assert personal not in logs


# --- the compose file -----------------------------------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PROCESSES = ("worker", "projector", "api")
DANGVIEN_SERVICES = (*PROCESSES, "dangvien-tables")  # the services of the dangvien image


def required_variables(text: str) -> set[str]:
    """The `${NAME:?…}` of a compose file: compose refuses to start without them."""
    return set(re.findall(r"\$\{(\w+):\?", text))


def test_every_setting_reaches_every_dangvien_service_by_environment() -> None:
    settings = {f"DANGVIEN_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    for name in DANGVIEN_SERVICES:
        service = COMPOSE["services"][name]
        assert set(service["environment"]) == settings, name
        assert service["image"] == COMPOSE["services"]["api"]["image"]
    for name in PROCESSES:
        assert COMPOSE["services"][name]["command"] == ["dangvien", name]


def test_the_keys_are_required_secrets_templated_in_the_env_example() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    required = required_variables(text)
    keys = {
        "DANGVIEN_CIPHER_KEY",
        "DANGVIEN_ID_KEY",
        "DANGVIEN_NAME_KEY",
        "DANGVIEN_AUDIT_KEY",
        "DANGVIEN_PAYLOAD_KEY",
        "DANGVIEN_SECRET_KEY",
        "DANGVIEN_COMMAND_KEY",
    }
    assert keys <= required
    example = (ROOT / "deploy" / ".env.example").read_text()
    templated = dict(re.findall(r"^(\w+)=(.*)$", example, re.MULTILINE))
    mentioned = set(re.findall(r"\$\{(\w+)", text))
    assert mentioned == set(templated)
    assert all(templated[name] == "" for name in required), "no secret value in the template"


def test_images_are_pinned_mounted_files_exist_and_the_worker_scales() -> None:
    for name, service in COMPOSE["services"].items():
        image = service["image"]
        assert re.search(r":\d+\.\d+(\.\d+)?", image) or name in DANGVIEN_SERVICES, image
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert not source.startswith(".") or (ROOT / source).exists(), volume
    worker = COMPOSE["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert COMPOSE["services"]["api"]["ports"] == ["${DANGVIEN_API_PUBLISH:-8000}:8000"]
