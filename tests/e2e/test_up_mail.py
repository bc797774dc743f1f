"""Notices mailed by the whole system: `dangvien up` with its demo (whose overdue cases have
escalated) and a real SMTP server in the test. The worker is killed (SIGKILL, its whole process
group) right after the first message arrived, while the others are being sent; the supervisor
restarts it, and in the end each notice reached each of its recipients: one message per notice
and recipient, a resend (the documented window) only ever carrying the same Message-ID."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.e2e.processes import free_port, proc_stat
from tests.e2e.test_up import Ports, login, start_up
from tests.mail_support import body, smtp_server

SETTLE_SECONDS = 240  # every message sent, through a worker restart


def expected_pairs(readmodels: Path) -> set[tuple[str, str]]:
    """(notice, address) for every notice and every user of its organization with an
    address and single messages, as the read-model database holds them."""
    with sqlite3.connect(f"file:{readmodels}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT n.key, u.email FROM notifications n JOIN users u ON u.org_id = n.org_id "
            "WHERE u.email IS NOT NULL AND NOT u.digest"
        ).fetchall()
    return {(key, email) for key, email in rows}


def deliveries(readmodels: Path) -> Counter[str]:
    with sqlite3.connect(f"file:{readmodels}?mode=ro", uri=True) as db:
        return Counter(state for (state,) in db.execute("SELECT state FROM mail_deliveries"))


def usernames_with_notices(readmodels: Path) -> list[str]:
    with sqlite3.connect(f"file:{readmodels}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT DISTINCT u.username FROM users u JOIN notifications n ON n.org_id = u.org_id"
        ).fetchall()
    return sorted(name for (name,) in rows)


def worker_group(children: list[tuple[int, int]]) -> int:
    """The process group of the supervisor's child running `dangvien worker` (each child
    leads its own group)."""
    for pid, _ in children:
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
            return int(proc_stat(pid)[2])
    raise AssertionError(f"no worker among {children}")


def test_each_notice_reaches_each_recipient_once_across_a_killed_worker(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ports = Ports(free_port(), free_port(), free_port())
    with smtp_server() as (inbox, smtp_port):
        settings = {
            "DANGVIEN_SMTP_HOST": "127.0.0.1",
            "DANGVIEN_SMTP_PORT": str(smtp_port),
            "DANGVIEN_SMTP_STARTTLS": "false",
            "DANGVIEN_SMTP_FROM": "dangvien@tinhuy.vn",
            "DANGVIEN_SMTP_LEASE_SECONDS": "5",  # a dead sender's claim expires in the test's time
            "DANGVIEN_PUBLIC_URL": f"http://127.0.0.1:{ports.api}",
        }
        up = start_up(data_dir, ports, "mail", settings)
        children: list[tuple[int, int]] = []
        try:
            up.wait_ready()
            children = up.children()
            readmodels = data_dir / "readmodels.sqlite"
            admin = login(f"http://127.0.0.1:{ports.api}", "admin", admin_password(up.output()))
            names = usernames_with_notices(readmodels)
            assert names, "the demo's escalations wrote no notice"
            for name in names:
                set_to = admin.post(
                    f"/api/users/{name}/email",
                    json={"email": f"{name}@donvi.vn", "digest": False},
                    headers={"X-Requested-With": "test"},
                )
                assert set_to.status_code == 200, set_to.text

            wait_for(lambda: inbox.received, "a first message")
            group = worker_group(children)
            os.killpg(group, signal.SIGKILL)
            assert set(deliveries(readmodels)) - {"sent"}  # the kill cut the deliveries short
            wait_for(lambda: "worker restarted" in up.output(), "the worker's restart")

            def all_sent() -> bool:
                states = deliveries(readmodels)
                return bool(states) and set(states) == {"sent"}

            wait_for(all_sent, "every delivery sent")
            expected = expected_pairs(readmodels)
            received = Counter(
                (message["Message-ID"], address)
                for rcpt, message in inbox.received
                for address in rcpt
            )
            ids_per_address = Counter(address for _, address in received)
            expected_per_address = Counter(address for _, address in expected)
            assert ids_per_address == expected_per_address  # one distinct message per notice
            assert max(received.values()) <= 2  # a resend is the same message, at most once
            assert sum(1 for n in received.values() if n == 2) <= 1  # one kill, one window
            for _, message in inbox.received:
                assert f"http://127.0.0.1:{ports.api}/" in body(message)  # the record's link
        finally:
            children += up.children()
            up.close()
            for pid, _ in children:  # whatever outlived the supervisor (each leads its group)
                if proc_stat(pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)


def admin_password(output: str) -> str:
    found = re.search(r"Administrator\s+admin / (\S+)", output)
    assert found is not None, output
    return found.group(1)


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"waited {SETTLE_SECONDS} s for {what}")
