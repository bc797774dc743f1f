"""Keys that can be replaced while the system runs (docs/deploy.md, "Rotating keys").

A keyset is one key that signs or encrypts what is new (`current`) and the keys it replaced,
each kept for checking or decrypting until its `retire_after`: a payload written, a cookie or a
command signed just before a rotation is still read after it. In the data directory a keyset is
`<name>.keyset` (JSON, owner-only, replaced atomically); before its first rotation it is the
single key file `<name>.key` the system has always had, under its historical id.

Processes read a keyset when they start and again when its file changes (`LiveKeyset`, a stat
per use at most once a second), so `dangvien keys rotate` in one process reaches every running
process of the machine without a restart; a decrypting process that meets an unknown key id
reads the file again before it gives up. With keys set by environment (production's secret
store), the current key is `DANGVIEN_<NAME>_KEY` and the keys it replaced are listed in
`DANGVIEN_<NAME>_KEYS_RETIRING` (`id:base64,…`): the rotation is the secret store's, and the
processes are restarted one at a time."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.settings import Settings, local_key, private_dir

RECHECK_SECONDS = 1.0  # how stale a process's view of a keyset file may be


@dataclass(frozen=True)
class Keyset:
    current: str  # the id of the key that signs and encrypts what is new
    keys: dict[str, bytes]  # every key still accepted, by id
    retire_after: dict[str, datetime] = field(default_factory=dict)  # replaced keys' ends

    @property
    def key(self) -> bytes:
        return self.keys[self.current]

    def accepted(self, now: datetime) -> dict[str, bytes]:
        """The keys a signature or a ciphertext may be checked with at `now`."""
        return {
            key_id: key
            for key_id, key in self.keys.items()
            if key_id == self.current or self.retire_after.get(key_id, now) >= now
        }

    def rotated(self, now: datetime, grace: timedelta) -> Keyset:
        """A new current key; the one it replaces is accepted until `now + grace`."""
        new_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        return Keyset(
            current=new_id,
            keys={**self.keys, new_id: secrets.token_bytes(32)},
            retire_after={**self.retire_after, self.current: now + grace},
        )

    def retired(self, now: datetime, keep: set[str] | None = None) -> Keyset:
        """Without the replaced keys whose grace has ended (except those in `keep`: a payload
        key still holding running histories)."""
        gone = {
            key_id
            for key_id, until in self.retire_after.items()
            if until < now and key_id not in (keep or set())
        }
        return Keyset(
            current=self.current,
            keys={k: v for k, v in self.keys.items() if k not in gone},
            retire_after={k: v for k, v in self.retire_after.items() if k not in gone},
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keys": {k: b64encode(v).decode() for k, v in self.keys.items()},
                "retire_after": {k: v.isoformat() for k, v in self.retire_after.items()},
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyset:
        data = json.loads(text)
        return cls(
            current=data["current"],
            keys={k: b64decode(v) for k, v in data["keys"].items()},
            retire_after={k: datetime.fromisoformat(v) for k, v in data["retire_after"].items()},
        )

    @classmethod
    def from_env(cls, key: bytes, key_id: str, retiring: str) -> Keyset:
        """The current key and `id:base64,…` of the keys it replaced (accepted until the
        processes are restarted without them)."""
        keys = {key_id: key}
        far = datetime.max.replace(tzinfo=UTC)
        ends: dict[str, datetime] = {}
        for item in filter(None, (part.strip() for part in retiring.split(","))):
            old_id, _, old_key = item.partition(":")
            keys[old_id] = b64decode(old_key)
            ends[old_id] = far
        return cls(key_id, keys, ends)


@dataclass(frozen=True)
class KeysetFile:
    """A keyset in the data directory: `<name>.keyset`, or the legacy `<name>.key`."""

    data_dir: Path
    name: str  # "payload", "secret", "command"
    legacy_id: str  # the id the single key has always had
    legacy_text: bool = False  # the legacy key's text itself is the key (the cookie secret)

    @property
    def path(self) -> Path:
        return self.data_dir / f"{self.name}.keyset"

    @property
    def legacy(self) -> Path:
        return self.data_dir / f"{self.name}.key"

    def load(self) -> Keyset:
        if self.path.exists():
            return Keyset.from_json(self.path.read_text())
        text = local_key(self.data_dir, self.legacy.name)
        key = text.encode() if self.legacy_text else b64decode(text)
        return Keyset(self.legacy_id, {self.legacy_id: key})

    def save(self, keyset: Keyset) -> None:
        """Written beside and renamed over: a reader sees the old keyset or the new one."""
        private_dir(self.data_dir)
        partial = self.path.with_suffix(".keyset.new")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(keyset.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, self.path)

    def mtime(self) -> float:
        try:
            return self.path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            return 0.0


class LiveKeyset:
    """A process's view of a keyset: fixed (set by environment) or read again from its file
    when the file changed."""

    def __init__(self, fixed: Keyset | None = None, file: KeysetFile | None = None) -> None:
        assert (fixed is None) != (file is None)
        self._file = file
        self._lock = threading.Lock()
        self._keyset = fixed if fixed is not None else file.load()  # type: ignore[union-attr]
        self._seen = file.mtime() if file else 0.0
        self._checked = time.monotonic()

    def get(self, *, fresh: bool = False) -> Keyset:
        """The keyset; `fresh` reads the file now (a decryption met an unknown key id)."""
        if self._file is None:
            return self._keyset
        now = time.monotonic()
        if fresh or now - self._checked >= RECHECK_SECONDS:
            with self._lock:
                self._checked = now
                mtime = self._file.mtime()
                if mtime != self._seen:
                    self._keyset, self._seen = self._file.load(), mtime
        return self._keyset


def now_utc() -> datetime:
    return datetime.now(UTC)


# name → (legacy id, the legacy key's text is the key itself)
KEYSETS = {
    "payload": ("dangvien-1", False),  # Temporal payloads (infra/temporal.py)
    "command": (
        "command-1",
        False,
    ),  # what the API signs for the processes (workflows/authority.py)
    "secret": ("secret-1", True),  # session cookies and forms' CSRF tokens (infra/api/auth.py)
    "master": ("master-1", False),  # wraps each person's key (infra/keyring.py)
}


def keyset_file(data_dir: Path, name: str) -> KeysetFile:
    legacy_id, legacy_text = KEYSETS[name]
    return KeysetFile(data_dir, name, legacy_id, legacy_text)


def live_keyset(settings: Settings, name: str) -> LiveKeyset:
    """The keyset a process uses: from the environment when its key is set there (the
    production secret store's), else the data directory's file."""
    legacy_id, legacy_text = KEYSETS[name]
    env_key = {
        "payload": settings.payload_key,
        "command": settings.command_key,
        "secret": settings.secret_key,
        "master": settings.master_key,
    }[name]
    if env_key:
        key = env_key.encode() if legacy_text else b64decode(env_key)
        key_id = getattr(settings, f"{name}_key_id") or legacy_id
        retiring = getattr(settings, f"{name}_keys_retiring")
        return LiveKeyset(fixed=Keyset.from_env(key, key_id, retiring))
    return LiveKeyset(file=keyset_file(settings.data_dir, name))
