"""`dangvien up` as a new user runs it: the installed command as a subprocess, on a fresh data
directory and free ports, with the real Temporal dev server, worker, projector and API.

It is ready within a bounded time with the demo, serves /docs and the demo through the API,
stops on Ctrl-C (SIGINT) leaving no process behind, and a restart on the same data directory
finds the same cases with the same deadlines, in the read model and in Temporal, and prints no
administrator password again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.calendar import VIETNAM
from infra.bootstrap import authority, build_app, build_notifications, payload_key
from infra.demo import DemoSeed
from infra.settings import Settings, local_key
from infra.temporal import codec_from_key, connect, dev_server_flags
from tests.e2e.processes import free_port, proc_stat, wait_until_up
from tests.workflows.conftest import venv_binary
from workflows import search
from workflows.converter import data_converter
from workflows.worker import build_worker

READY_SECONDS = 120  # the first start seeds the demo through the workflows
STOP_SECONDS = 30


def identity(pid: int) -> tuple[int, int] | None:
    """A live process as (pid, start time): this machine's pid_max is 32768, so a pid alone
    may already name another process."""
    fields = proc_stat(pid)
    return (pid, int(fields[19])) if len(fields) > 19 and fields[0] != "Z" else None


def processes_in_groups(pgids: set[int]) -> list[int]:
    """Live processes in the given process groups."""
    found = []
    for p in Path("/proc").iterdir():
        fields = proc_stat(int(p.name)) if p.name.isdigit() else []
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) in pgids:
            found.append(int(p.name))
    return found


@dataclass
class Up:
    """One `dangvien up` process; its output goes to a file."""

    process: subprocess.Popen[bytes]
    out_path: Path
    out: IO[bytes]

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def wait_ready(self) -> float:
        return wait_until_up(self.process, self.output, READY_SECONDS)

    def children(self) -> list[tuple[int, int]]:
        """The processes it started, with their process groups."""
        found = []
        for p in Path("/proc").iterdir():
            fields = proc_stat(int(p.name)) if p.name.isdigit() else []
            if len(fields) > 19 and int(fields[1]) == self.process.pid:
                found.append((int(p.name), int(fields[19])))
        return found

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)

    def close(self) -> None:
        """Whatever happened: it is not left running (its children get SIGTERM when it dies,
        and the `started` fixture kills what is left of them)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.out.close()


PRIVATE_FILES = (
    "events.sqlite",
    "readmodels.sqlite",
    "temporal.db",
    "cipher.key",
    "id.key",
    "payload.key",
    "secret.key",
    "demo-users.txt",
)
LOGS = ("temporal", "worker", "projector", "api")


def modes(data_dir: Path, every: bool = False) -> dict[str, int]:
    """The permission bits of the data directory's files (the known ones, or every one)."""
    paths = [data_dir, *data_dir.rglob("*")]
    known = {
        "",
        "logs",
        *PRIVATE_FILES,
        *(f"logs/{n}.log" for n in ("temporal", "worker", "projector", "api")),
    }
    found = {}
    for path in paths:
        name = "" if path == data_dir else str(path.relative_to(data_dir))
        if every or name in known:
            found[name] = stat.S_IMODE(path.lstat().st_mode)
    return found


@dataclass(frozen=True)
class Ports:
    api: int
    temporal: int
    ui: int


def start_up(data_dir: Path, ports: Ports, name: str, settings: dict[str, str] | None = None) -> Up:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env |= {"DANGVIEN_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | (settings or {})
    out_path = data_dir.parent / f"{name}.out"
    out = out_path.open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dangvien"),
            "up",
            "--port",
            str(ports.api),
            "--temporal-port",
            str(ports.temporal),
            "--temporal-ui-port",
            str(ports.ui),
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return Up(process, out_path, out)


def login(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client


def commune_of(api: httpx.Client) -> str:
    orgs = api.get("/api/orgs").json()
    return str(next(o["id"] for o in orgs if o["kind"] == "commune_committee"))


def cases(api: httpx.Client, commune: str) -> set[tuple[Any, ...]]:
    """Every open case and its deadline, as the stage board shows them."""
    board = api.get(f"/api/orgs/{commune}/board")
    assert board.status_code == 200, board.text
    return {
        (c["id"], c["stage"], c["deadline_rule"], c["deadline_due"], c["cell_id"])
        for c in board.json()
    }


async def running_processes(data_dir: Path, temporal_port: int) -> dict[str, Any]:
    """The live workflows in Temporal and the deadline each publishes (its timers' target)."""
    client: Client = await connect(
        f"127.0.0.1:{temporal_port}", "default", local_key(data_dir, "payload.key")
    )

    async def read() -> dict[str, Any]:
        return {
            wf.id: wf.typed_search_attributes.get(search.DEADLINE)
            async for wf in client.list_workflows("ExecutionStatus = 'Running'")
            if wf.id.startswith(("admission-", "transfer-"))
        }

    # Visibility is indexed a moment after the workflows publish: two equal reads in a row.
    found, deadline = await read(), time.monotonic() + 20
    while (again := await read()) != found and time.monotonic() < deadline:
        found = again
        await asyncio.sleep(0.5)
    return again


@pytest.fixture
def ports() -> Ports:
    return Ports(free_port(), free_port(), free_port())


@pytest.fixture
def started() -> Iterator[set[tuple[int, int]]]:
    """The children `dangvien up` started, as (pid, start time): any still running at the end
    (after a failure) is killed."""
    found: set[tuple[int, int]] = set()
    yield found
    for pid, start in found:
        if identity(pid) == (pid, start):
            os.kill(pid, signal.SIGKILL)


async def test_up_runs_the_demo_stops_on_ctrl_c_and_restarts_with_the_same_cases(
    tmp_path: Path, ports: Ports, started: set[tuple[int, int]]
) -> None:
    data_dir = tmp_path / "data"
    base = f"http://127.0.0.1:{ports.api}"

    # First run: a fresh data directory gets the demo and a first administrator.
    first = start_up(data_dir, ports, "first")
    try:
        took = first.wait_ready()
        children = first.children()
        started.update(children)
        groups = {int(proc_stat(pid)[2]) for pid, _ in children}
        output = first.output()
        assert took < READY_SECONDS
        assert len(children) == 4  # Temporal, worker, projector, API
        assert groups == {pid for pid, _ in children}  # each leads its own process group
        assert f"Web and API     {base}" in output
        assert f"Temporal UI     http://127.0.0.1:{ports.ui}" in output
        assert str(data_dir) in output
        password = re.search(r"Administrator\s+admin / (\S+)", output)
        assert password is not None, output

        assert httpx.get(f"{base}/docs", timeout=30).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{ports.ui}/", timeout=30).status_code == 200
        admin = login(base, "admin", password.group(1))
        commune = commune_of(admin)
        before = cases(admin, commune)
        stages = {stage for _, stage, _, _, _ in before}
        assert {"course", "verification", "cell_vote", "decision", "ceremony"} <= stages
        assert len(stages) >= 10
        board = admin.get(f"/api/orgs/{commune}/board").json()
        assert any(c["working_days_left"] is not None and c["working_days_left"] < 0 for c in board)
        stalled = admin.get(f"/api/orgs/{commune}/stalled").json()
        assert {"admission", "member", "transfer"} <= {c["kind"] for c in stalled}
        assert max(c["escalation_level"] for c in stalled) >= 2  # escalated to the department
        quota = admin.get(f"/api/orgs/{commune}/quota").json()
        assert quota["target"] == 10 and quota["admitted"] >= 1

        # The demo users work, scoped to their organizations; their passwords are private.
        users = data_dir / "demo-users.txt"
        assert stat.S_IMODE(users.stat().st_mode) == 0o600
        line = next(x for x in users.read_text().splitlines() if x.startswith("kiemtra.tanan"))
        auditor = login(base, "kiemtra.tanan", line.split("\t")[1])
        assert cases(auditor, commune) == before

        live_before = await running_processes(data_dir, ports.temporal)
        assert len(live_before) >= 25

        # Ctrl-C: everything stops, nothing is left behind.
        assert first.interrupt() == 0
        assert "dangvien stopped." in first.output()
        assert not [pid for pid, start in children if identity(pid) == (pid, start)]
        assert processes_in_groups(groups) == []

        # Everything it made is its owner's only: databases, keys, logs, Temporal's state.
        assert modes(data_dir) == {
            **dict.fromkeys(PRIVATE_FILES, 0o600),
            "": 0o700,
            "logs": 0o700,
            **dict.fromkeys((f"logs/{name}.log" for name in LOGS), 0o600),
        }
        loose = {p: m for p, m in modes(data_dir, every=True).items() if m & 0o077}
        assert loose == {}
    finally:
        first.close()

    # Restart on the same data directory: the same cases and deadlines, no new password.
    second = start_up(data_dir, ports, "second")
    try:
        second.wait_ready()
        children = second.children()
        started.update(children)
        groups = {pid for pid, _ in children}
        output = second.output()
        assert "Administrator" not in output
        assert "seeding the demo" not in output
        assert f"see {data_dir / 'demo-users.txt'}" in output
        admin = login(base, "admin", password.group(1))
        assert cases(admin, commune) == before
        assert await running_processes(data_dir, ports.temporal) == live_before
        assert second.interrupt() == 0
        assert not [pid for pid, start in children if identity(pid) == (pid, start)]
        assert processes_in_groups(groups) == []
    finally:
        second.close()


def topics(app: Dangvien) -> Counter[str]:
    """How many events of each kind the record holds."""
    found: Counter[str] = Counter()
    start = 1
    while batch := app.recorder.select_notifications(start, 1000):
        found.update(n.topic.rsplit(":", 1)[1] for n in batch)
        start = batch[-1].id + 1
    return found


async def test_an_interrupted_demo_seed_resumes_and_duplicates_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, log_level="WARNING")
    app = build_app(settings)
    today = datetime.now(VIETNAM).date()
    async with (
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=venv_binary("temporal"),
            dev_server_extra_args=list(dev_server_flags()),
            data_converter=data_converter(codec_from_key(payload_key(settings))),
        ) as env,
        build_worker(env.client, app, build_notifications(settings).notify, authority(settings)),
    ):
        # Interrupted once some cases are half-way through their steps.
        interrupted = asyncio.ensure_future(
            DemoSeed(app, env.client, today, authority(settings)).run()
        )
        while topics(app)["AdmissionCase.CellVoted"] < 3:
            assert not interrupted.done(), interrupted
            await asyncio.sleep(0.1)
        interrupted.cancel()  # an update in flight reports its cancellation its own way
        with contextlib.suppress(asyncio.CancelledError, WorkflowUpdateRPCTimeoutOrCancelledError):
            await interrupted
        partial = topics(app)
        assert partial["AdmissionCase.CeremonyHeld"] < 8  # far from done

        result = await DemoSeed(app, env.client, today, authority(settings)).run()

    made = topics(app)
    assert result.cases == made["AdmissionCase.Opened"] == 33
    assert result.transfers == made["Transfer.Started"] == 4
    assert made["Organization.Registered"] == 19
    assert made["Person.Registered"] == result.members + result.cases
    # Every planned step is on its record exactly once.
    plan = DemoSeed(app, env.client, today, authority(settings))
    plan.record_facts()
    assert topics(app) == made  # the facts, again: nothing new
    for process in plan.candidates + plan.transfers:
        steps = [s.subject for s in process.steps]
        assert len(events(app, process.subject_id)) == 1 + steps.count("admission") + steps.count(
            "transfer"
        )
        if process.member_id is not None:
            assert len(events(app, process.member_id)) == 1 + steps.count("member")


def events(app: Dangvien, aggregate_id: Any) -> list[str]:
    """An aggregate's events, escalations aside (they fire on the clock)."""
    return [
        type(e).__name__ for e in app.events.get(aggregate_id) if type(e).__name__ != "Escalated"
    ]
