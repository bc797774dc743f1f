"""The seed's state in the data directory: whether the demo is to be seeded (and from which
anchor date), and the demo users' passwords."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from infra.demo.seed import DemoUser

STATE = "demo.json"
USERS_FILE = "demo-users.txt"


def demo_to_seed(data_dir: Path, *, empty: bool, wanted: bool, today: date) -> date | None:
    """The anchor date to seed the demo from, or None. The first run decides: an empty
    record and no `--no-demo` start a seed (its anchor is kept, so an interrupted seed resumes
    with the same dates); otherwise the demo is never seeded in this data directory."""
    path = data_dir / STATE
    if not path.exists():
        seeding = wanted and empty
        first: dict[str, object] = (
            {"anchor": today.isoformat(), "seeded": False} if seeding else {"skipped": True}
        )
        _write_state(path, first)
        return today if seeding else None
    state = json.loads(path.read_text())
    if state.get("seeded") or state.get("skipped") or not wanted:
        return None
    return date.fromisoformat(state["anchor"])


def mark_seeded(data_dir: Path) -> None:
    path = data_dir / STATE
    state = json.loads(path.read_text())
    _write_state(path, state | {"seeded": True})


def _write_state(path: Path, state: dict[str, object]) -> None:
    """Whole or not at all: a crash mid-write must not leave a file no start can read."""
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state) + "\n")
    os.replace(partial, path)


def write_demo_users(data_dir: Path, users: list[DemoUser]) -> Path:
    """The demo users' passwords, readable by the owner only (they are stored only hashed)."""
    path = data_dir / USERS_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# dangvien demo users (fictional data): username, password, role, organization\n")
        for u in users:
            f.write(f"{u.username}\t{u.password}\t{u.role}\t{u.org_name}\n")
    return path
