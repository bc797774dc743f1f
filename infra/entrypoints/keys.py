"""`dangvien keys …`: the keys that can be replaced while the system runs (docs/deploy.md,
"Rotating keys"; infra/keysets.py).

status   each keyset: its current key's id, the keys it replaced and until when they are accepted
rotate   a new current key for the payload codec, the command signatures, the session cookies
         and the master key of the people's keys (re-wrapped under it at once), or `--only`
         one; the keys replaced are accepted for `--grace-hours`
retire   forget the replaced keys whose grace has ended; a payload key is kept while a running
         process started before its grace ended (its history holds payloads under that key), a
         master key while a person's key is still wrapped by it"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from infra.bootstrap import open_keyring, temporal_tls
from infra.keysets import KEYSETS, Keyset, LiveKeyset, keyset_file, now_utc
from infra.settings import Settings
from infra.temporal import connect

console = Console()
keys_app = typer.Typer(help="Rotate the keys of payloads, commands and sessions.")
Only = Annotated[str | None, typer.Option(help="payload, command, secret or master")]


def _names(settings: Settings, only: str | None) -> list[str]:
    """The keysets kept in the data directory (those set by environment are the secret
    store's to rotate: refused, with what to do)."""
    if only is not None and only not in KEYSETS:
        raise typer.BadParameter(f"one of {', '.join(KEYSETS)}", param_hint="--only")
    chosen = [only] if only else list(KEYSETS)
    by_env = [n for n in chosen if getattr(settings, f"{n}_key")]
    if by_env:
        console.print(
            "[red]Set by environment (the secret store rotates them: docs/deploy.md): "
            + ", ".join(f"DANGVIEN_{n.upper()}_KEY" for n in by_env)
            + "[/red]"
        )
        raise typer.Exit(2)
    return chosen


def _table(keysets: dict[str, Keyset]) -> Table:
    table = Table("keyset", "current key", "replaced keys (accepted until)")
    for name, keyset in keysets.items():
        replaced = ", ".join(
            f"{key_id} ({until:%Y-%m-%d %H:%M} UTC)"
            for key_id, until in keyset.retire_after.items()
        )
        table.add_row(name, keyset.current, replaced or "—")
    return table


@keys_app.command()
def status(only: Only = None) -> None:
    """Each keyset's current key and the keys it replaced."""
    settings = Settings.from_env()
    names = _names(settings, only)
    console.print(_table({n: keyset_file(settings.data_dir, n).load() for n in names}))


@keys_app.command()
def rotate(
    only: Only = None,
    grace_hours: Annotated[
        int, typer.Option(min=1, help="how long the replaced keys are still accepted")
    ] = 24,
) -> None:
    """A new current key; running processes take it up within a second, and what the
    replaced key signed or encrypted is still read."""
    settings = Settings.from_env()
    now = now_utc()
    done = {}
    for name in _names(settings, only):
        file = keyset_file(settings.data_dir, name)
        done[name] = file.load().rotated(now, timedelta(hours=grace_hours))
        file.save(done[name])
        if name == "master":
            count = open_keyring(settings).rewrap()
            console.print(f"master: {count} people's keys re-wrapped under {done[name].current}")
    console.print(_table(done))


@keys_app.command()
def retire(
    only: Only = None,
) -> None:
    """Forget the replaced keys whose grace has ended."""
    settings = Settings.from_env()
    now = now_utc()
    done = {}
    for name in _names(settings, only):
        file = keyset_file(settings.data_dir, name)
        keyset = file.load()
        keep = set()
        if name == "payload":
            keep = asyncio.run(_payload_keys_in_use(settings, keyset))
        elif name == "master":  # a re-wrapping cut short: its keys are still under the old one
            keep = open_keyring(settings).masters_in_use() - {keyset.current}
        for key_id in sorted(keep):
            console.print(f"{name}: {key_id} kept, still in use")
        done[name] = keyset.retired(now, keep)
        file.save(done[name])
    console.print(_table(done))


async def _payload_keys_in_use(settings: Settings, keyset: Keyset) -> set[str]:
    """The replaced payload keys a running process may hold in its history: it started
    before the key's grace ended."""
    client = await connect(
        settings.temporal_address,
        settings.temporal_namespace,
        LiveKeyset(file=keyset_file(settings.data_dir, "payload")),
        temporal_tls(settings),
    )
    kept = set()
    for key_id, until in keyset.retire_after.items():
        query = f"ExecutionStatus = 'Running' AND StartTime < '{until.isoformat()}'"
        async for _ in client.list_workflows(query, limit=1):
            kept.add(key_id)
    return kept
