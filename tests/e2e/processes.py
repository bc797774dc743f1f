"""What the end-to-end tests read of processes: free ports, and /proc (Linux)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

READY_LINE = "Press Ctrl-C to stop."  # what `dangvien up` prints once everything answers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, … starttime (index 19)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def wait_until_up(
    process: subprocess.Popen[bytes], output: Callable[[], str], seconds: float
) -> float:
    """Wait until `dangvien up` says it is ready; the seconds it took. Fails with its output
    when it exits first or takes longer than `seconds`."""
    started = time.monotonic()
    while READY_LINE not in output():
        if process.poll() is not None:
            raise AssertionError(f"dangvien up exited early:\n{output()}")
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not ready in {seconds} s:\n{output()}")
        time.sleep(0.2)
    return time.monotonic() - started
