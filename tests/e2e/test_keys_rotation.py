"""`dangvien keys rotate` on the running system (the shared `dangvien up`): cases are opened and
steps taken through the API while the payload, command and session keys are replaced, and
nothing is refused or lost; a web session and a form shown before the rotation still work
after it; a case opened before takes its next step after; the processes picked the new keys up
without a restart."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from domain.calendar import VIETNAM
from infra.keysets import keyset_file
from tests.e2e.web_support import Stack

OFFICER = "bantochuc.tanan"
RUN = secrets.randbelow(10**8)  # this run's people: citizen ids nobody else has
CELL = "Chi bộ thôn Trại Mới"


def today() -> str:
    return datetime.now(VIETNAM).date().isoformat()


def person(n: int) -> dict[str, Any]:
    return {
        "full_name": "Lê Văn Khoa",
        "birth_date": "1998-06-01",
        "citizen_id": f"0381{(RUN + n) % 10**8:08d}",
        "gender": "male",
        "ethnicity": "Kinh",
        "address": "Thôn Trại Mới, xã Tân Phú",
        "education": "upper_secondary",
        "occupation": "farmer",
    }


def api_client(stack: Stack) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=stack.base, timeout=60)
    login = {"username": OFFICER, "password": stack.users[OFFICER]}
    token = http.post("/api/auth/token", json=login).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    cell = next(o["id"] for o in http.get("/api/orgs").json() if o["name"] == CELL)
    return http, cell


def open_and_step(http: httpx.Client, cell: str, n: int) -> list[str]:
    """A case opened, then its certificate recorded: what the API answered to each."""
    body = {"cell_id": cell, "on": today(), "person": person(n)}
    opened = http.post("/api/cases", json=body)
    if opened.status_code != 201:
        return [f"{opened.status_code} {opened.text}"]
    case = opened.json()["subject_id"]
    step = {"kind": "record_certificate", "on": today(), "args": {"number": f"{n}/GCN"}}
    taken = http.post(f"/api/cases/{case}/steps", json=step)
    return ["201", str(taken.status_code) if taken.status_code == 200 else taken.text]


async def start_key_id(stack: Stack, workflow_id: str) -> str:
    client = await Client.connect(f"127.0.0.1:{stack.temporal_port}")
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return started.input.payloads[0].metadata["encryption-key-id"].decode()


def rotate(stack: Stack) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env["DANGVIEN_DATA_DIR"] = str(stack.data_dir)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dangvien"), "keys", "rotate", "--grace-hours", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_keys_are_rotated_under_load_and_nothing_is_refused_or_lost(stack: Stack) -> None:
    http, cell = api_client(stack)
    before_ids = {n: keyset_file(stack.data_dir, n).load().current for n in ("payload", "command")}
    web = httpx.Client(base_url=stack.base, timeout=60)
    logged = web.post(
        "/api/auth/login", json={"username": OFFICER, "password": stack.users[OFFICER]}
    )
    assert logged.status_code == 200, logged.text
    board = web.get("/transfers")
    assert board.status_code == 200, board.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', board.text)
    assert csrf is not None
    opened_before = http.post(
        "/api/cases", json={"cell_id": cell, "on": today(), "person": person(0)}
    )
    assert opened_before.status_code == 201, opened_before.text

    statuses: list[str] = []
    stop = threading.Event()

    def load() -> None:
        n = 1
        while not stop.is_set():
            statuses.extend(open_and_step(http, cell, n))
            n += 1

    worker = threading.Thread(target=load)
    worker.start()
    try:
        time.sleep(2)
        rotate(stack)
        time.sleep(4)  # steps signed and encrypted with the new keys, read by every process
    finally:
        stop.set()
        worker.join(timeout=120)
    assert len(statuses) >= 6 and set(statuses) == {"200", "201"}, statuses

    after = {n: keyset_file(stack.data_dir, n).load() for n in ("payload", "command", "secret")}
    for name in ("payload", "command"):
        assert after[name].current != before_ids[name]
        assert before_ids[name] in after[name].retire_after  # replaced, still accepted
    # The session cookie and the form's token made before the rotation still serve.
    assert web.get("/transfers").status_code == 200
    searched = web.post("/transfers", data={"csrf": csrf.group(1), "q": "Khoa"})
    assert searched.status_code == 200, searched.text
    # A case opened before the rotation takes its next step after it.
    case = opened_before.json()["subject_id"]
    step = {"kind": "record_certificate", "on": today(), "args": {"number": "0/GCN"}}
    taken = http.post(f"/api/cases/{case}/steps", json=step)
    assert taken.status_code == 200, taken.text
    assert "payload.refused" not in (stack.data_dir / "logs" / "worker.log").read_text()
    # The API took the new payload key up without a restart: a process started before holds
    # its input under the old key's id, one started now under the new key's (as stored).
    assert asyncio.run(start_key_id(stack, f"admission-{case}")) == before_ids["payload"]
    opened_after = http.post(
        "/api/cases", json={"cell_id": cell, "on": today(), "person": person(10**6)}
    )
    assert opened_after.status_code == 201, opened_after.text
    started = asyncio.run(start_key_id(stack, f"admission-{opened_after.json()['subject_id']}"))
    assert started == after["payload"].current
