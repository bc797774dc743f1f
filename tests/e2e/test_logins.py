"""Logins under attack, against a real `dangvien api` process (uvicorn, its thread pool, argon2
at 64 MiB a check), behind a trusted proxy that forwards each client's address.

A burst of concurrent logins keeps the process's memory bounded (a few password checks at
once, the rest wait or are refused with AUTH-BUSY); 250 wrong passwords for the administrator
in a row are throttled and leave the right password refused for a while; an address that
keeps failing is slowed while another is not.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings
from infra.users import Role, UserStore
from projections.database import open_engine
from tests.e2e.processes import free_port

PASSWORD = "mật-khẩu-đủ-dài-để-thử"
BURST = 24  # concurrent logins; unbounded, 24 × 64 MiB ≈ 1.5 GiB
HASHES = 2  # DANGVIEN_LOGIN_HASHES of the process
MiB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


class PeakMemory:
    """Samples a process's resident memory every few milliseconds; keeps the highest."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, rss(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss(self.pid))
            time.sleep(0.003)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`dangvien api` on a fresh data directory with an administrator and BURST users,
    trusting 127.0.0.1 as its proxy; (base URL, pid)."""
    data_dir = tmp_path_factory.mktemp("logins") / "data"
    store = UserStore(open_engine(Settings(data_dir=data_dir).readmodel_database))
    store.create("admin", PASSWORD, Role.administrator, None)
    for n in range(BURST):
        store.create(f"quan.tri.{n}", PASSWORD, Role.administrator, None)
    store.engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env |= {
        "DANGVIEN_DATA_DIR": str(data_dir),
        "DANGVIEN_API_PORT": str(port),
        "DANGVIEN_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # none: logins need none
        "DANGVIEN_TRUSTED_PROXIES": "127.0.0.1",
        "DANGVIEN_LOGIN_HASHES": str(HASHES),
        "DANGVIEN_LOGIN_ADDRESS_FAILURES": "5",
        "DANGVIEN_LOG_LEVEL": "WARNING",
    }
    log = (data_dir.parent / "api.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dangvien"), "api"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (data_dir.parent / "api.log").read_text()
            try:
                httpx.get(f"{base}/api/health", timeout=10)  # 503 without Temporal: it answers
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "dangvien api did not answer in 60 s"
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def logins(
    base: str, attempts: list[tuple[str, str, str]], width: int
) -> list[httpx.Response]:
    """POST /api/auth/login for each (username, password, client address), `width` at once."""
    limits = httpx.Limits(max_connections=width)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        gate = asyncio.Semaphore(width)

        async def one(username: str, password: str, address: str) -> httpx.Response:
            async with gate:
                return await client.post(
                    "/api/auth/login",
                    json={"username": username, "password": password},
                    headers={"X-Forwarded-For": address},
                )

        return list(await asyncio.gather(*(one(*a) for a in attempts)))


def rules(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter(
        (r.status_code, "" if r.status_code == 200 else r.json()["rule_id"]) for r in responses
    )


async def test_a_burst_of_concurrent_logins_keeps_the_memory_of_the_process_bounded(
    api: tuple[str, int],
) -> None:
    base, pid = api
    attempts = [(f"quan.tri.{n}", PASSWORD, f"203.0.113.{n + 1}") for n in range(BURST)]
    before = rss(pid)
    with PeakMemory(pid) as memory:
        answers = await logins(base, attempts, BURST)

    found = rules(answers)
    assert set(found) <= {(200, ""), (503, "AUTH-BUSY")}, found
    assert found[(200, "")] >= HASHES  # the checks that got a slot went through
    for refused in (r for r in answers if r.status_code == 503):
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["lang"] == "vi" and refused.json()["message"]
    # At most HASHES checks of 64 MiB at once, and some slack; unbounded, 24 of them.
    assert memory.peak - before < (HASHES + 2) * 64 * MiB, (before // MiB, memory.peak // MiB)


async def test_250_wrong_passwords_in_a_row_are_throttled_and_the_right_one_waits(
    api: tuple[str, int],
) -> None:
    base, _ = api
    # Each guess from an address of its own: only the account's own throttle stands.
    guesses = [("admin", f"doan-{n}", f"198.51.{n // 200}.{n % 200 + 1}") for n in range(250)]
    started = time.monotonic()
    answers = await logins(base, guesses, 16)
    took = time.monotonic() - started

    found = rules(answers)
    assert set(found) <= {(401, "AUTH-LOGIN"), (429, "AUTH-THROTTLED"), (423, "AUTH-LOCKED")}
    # Three free mistakes, then one check per delay (1 s, 2 s, 4 s…) while the burst lasts.
    checked = found[(401, "AUTH-LOGIN")] + found[(423, "AUTH-LOCKED")]
    assert 3 <= checked <= 4 + math.ceil(took).bit_length(), (found, took)
    assert found[(429, "AUTH-THROTTLED")] >= 240

    # However long the burst took on a loaded machine, a guess checked once its delay is over
    # starts a longer one (or, the tenth, locks): the right password sent at once after it
    # does not get in. (A guess refused at the very end of a delay would prove nothing.)
    for n in range(10):  # each from an address of its own: only the account's throttle stands
        last = (await logins(base, [("admin", "doan-cuoi", f"192.0.2.{180 + n}")], 1))[0]
        if last.status_code != 429:
            break
        await asyncio.sleep(int(last.headers["retry-after"]))
    assert (last.status_code, last.json()["rule_id"]) in {(401, "AUTH-LOGIN"), (423, "AUTH-LOCKED")}
    right = (await logins(base, [("admin", PASSWORD, "192.0.2.200")], 1))[0]
    refusal = (right.status_code, right.json().get("rule_id"))
    assert refusal in {(429, "AUTH-THROTTLED"), (423, "AUTH-LOCKED")}, right.text
    if refusal[0] == 429:
        assert int(right.headers["retry-after"]) >= 1


async def test_an_address_that_keeps_failing_is_slowed_and_another_is_not(
    api: tuple[str, int],
) -> None:
    base, _ = api
    # Unknown usernames, each once: only the address's throttle (five free failures) stands.
    answers = [
        (await logins(base, [(f"khong.co.{n}", "sai-mat-khau", "192.0.2.77")], 1))[0]
        for n in range(10)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses[:6] == [401] * 6, statuses
    assert 429 in statuses[6:], statuses
    elsewhere = (await logins(base, [("khong.co.khac", "sai-mat-khau", "192.0.2.78")], 1))[0]
    assert (elsewhere.status_code, elsewhere.json()["rule_id"]) == (401, "AUTH-LOGIN")
