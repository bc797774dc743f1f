"""A backup of the whole running system — `dangvien up` with its Temporal dev server, worker,
projector and API all running — restores into an empty data directory, verifies, and starts
again with the same cases on the board and the same processes running in Temporal (the copy of
temporal.db, taken with SQLite's online backup API while the server wrote it)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from infra.bootstrap import payload_key
from infra.settings import Settings
from infra.temporal import connect
from tests.e2e.web_support import Stack, running_stack

AUDITOR = "kiemtra.tanan"  # a demo user who reads the commune's board


def dangvien(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env |= {"DANGVIEN_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "dangvien"), *args, "--lang", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def temporal_port(stack: Stack) -> int:
    args = [str(arg) for arg in stack.process.args]  # type: ignore[union-attr]
    return int(args[args.index("--temporal-port") + 1])


def running_workflows(stack: Stack) -> set[str]:
    """The ids of the running processes, read twice alike (visibility indexes a moment late)."""

    async def read() -> set[str]:
        client = await connect(
            f"127.0.0.1:{temporal_port(stack)}",
            "default",
            payload_key(Settings(data_dir=stack.data_dir)),  # rotated or not
        )
        return {wf.id async for wf in client.list_workflows("ExecutionStatus = 'Running'")}

    found, deadline = asyncio.run(read()), time.monotonic() + 20
    while (again := asyncio.run(read())) != found and time.monotonic() < deadline:
        found = again
        time.sleep(0.5)
    return again


def board(stack: Stack) -> set[tuple[object, ...]]:
    with httpx.Client(base_url=stack.base, timeout=30) as api:
        logged = api.post(
            "/api/auth/login", json={"username": AUDITOR, "password": stack.users[AUDITOR]}
        )
        assert logged.status_code == 200, logged.text
        orgs = api.get("/api/orgs").json()
        commune = next(o["id"] for o in orgs if o["kind"] == "commune_committee")
        found = api.get(f"/api/orgs/{commune}/board")
        assert found.status_code == 200, found.text
        return {(c["id"], c["stage"], c["deadline_rule"], c["deadline_due"]) for c in found.json()}


def test_a_backup_of_the_running_system_restores_and_runs_the_same_cases_and_processes(
    stack: Stack, tmp_path: Path
) -> None:
    made = dangvien(
        stack.data_dir, "backup", "--out", str(tmp_path / "b"), "--keys-out", str(tmp_path / "k")
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert {p.name for p in (tmp_path / "b").iterdir()} >= {
        "temporal.db",
        "events.sqlite",
        "readmodels.sqlite",
        "manifest.json",
    }
    assert not list((tmp_path / "b").glob("*.key"))
    live_workflows, live_board = running_workflows(stack), board(stack)
    assert live_workflows and live_board

    restored_dir = tmp_path / "again" / "data"
    done = dangvien(
        restored_dir,
        "restore",
        "--from",
        str(tmp_path / "b"),
        "--keys",
        str(tmp_path / "k"),
        "--data-dir",
        str(restored_dir),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit verify: OK" in done.stdout
    assert "projections verify: OK" in done.stdout

    with running_stack(tmp_path / "again") as again:
        assert "seeding the demo" not in again.output()
        assert running_workflows(again) == live_workflows
        deadline = time.monotonic() + 30  # the projector catches up on what the copy lags
        while (restored_board := board(again)) != live_board and time.monotonic() < deadline:
            time.sleep(0.5)
        assert restored_board == live_board
