"""`dangvien projector` and `dangvien projections …`: run, rebuild, verify the read model."""

from __future__ import annotations

import signal
import threading
from functools import partial
from typing import Annotated

import sqlalchemy as sa
import structlog
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from infra.bootstrap import build_app
from infra.logging import configure_logging
from infra.settings import Settings
from projections import maintenance
from projections.database import open_engine
from projections.projector import ProjectionFailed, Projector, live_version
from projections.tables import failures, tables, tracking
from projections.versions import ReadModelOutdated, check_shape

projections_app = typer.Typer(help="The read model: status, rebuild, verify.")
console = Console()


def _engine(settings: Settings) -> sa.Engine:
    return open_engine(settings.readmodel_database)


def run_projector(settings: Settings, stop: threading.Event, poll_seconds: float = 0.5) -> None:
    """Follow the log until `stop`; a failing event stops the projection (it is recorded)."""
    log = structlog.get_logger("dangvien.projector")
    app = build_app(settings)
    engine = _engine(settings)
    batch = settings.projector_batch
    try:
        check_shape(engine, live_version(engine))
    except ReadModelOutdated as outdated:  # built by an older projection: rebuilt first
        log.warning("projector.rebuilding", version=outdated.version, shape=outdated.shape)
        version = maintenance.rebuild(
            app,
            engine,
            processes=settings.rebuild_processes,
            open_app=partial(build_app, settings),
        )
        maintenance.switch(engine, version)
        log.info("projector.rebuilt", version=version)
    projector = Projector(app, engine, version=live_version(engine), batch_size=batch)
    log.info("projector.started", projection=projector.name, position=projector.position())
    try:
        while not stop.is_set():
            if live_version(engine) != projector.t.version:  # a rebuild switched: follow it
                projector = Projector(app, engine, version=live_version(engine), batch_size=batch)
                log.info("projector.switched", projection=projector.name)
            if not projector.run_once():
                stop.wait(poll_seconds)
    except ProjectionFailed as failure:
        log.error("projector.stopped", projection=projector.name, position=failure.position)
        raise
    finally:
        log.info("projector.stopping", projection=projector.name, lag=projector.lag())
        app.close()


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_projector(settings, stop)


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@projections_app.command()
def status() -> None:
    """The live version, its position, its lag, and recorded failures."""
    settings = Settings.from_env()
    app, engine = build_app(settings), _engine(settings)
    projector = Projector(app, engine, version=live_version(engine))
    console.print(f"{projector.name}: position {projector.position()}, lag {projector.lag()}")
    with engine.connect() as conn:
        for row in conn.execute(sa.select(failures).order_by(failures.c.id)):
            console.print(f"[red]failed at {row.position} ({row.topic}): {row.error}[/red]")


@projections_app.command()
def rebuild(
    switch: Annotated[bool, typer.Option("--switch/--no-switch")] = True,
) -> None:
    """Rebuild from zero beside the live version, compare with it, then switch to it."""
    settings = Settings.from_env()
    app, engine = build_app(settings), _engine(settings)
    total = int(app.recorder.max_notification_id() or 0)
    live = live_version(engine)
    with _progress(total) as bar:
        task = bar.add_task(f"rebuild v{live + 1}", total=total)
        version = maintenance.rebuild(
            app,
            engine,
            lambda n: bar.advance(task, n),
            processes=settings.rebuild_processes,
            open_app=partial(build_app, settings),
        )
    differences = maintenance.compare(engine, tables(live), engine, tables(version))
    console.print(f"v{version} differs from the live v{live} in {len(differences)} rows")
    if switch:
        maintenance.switch(engine, version)
        console.print(f"[green]v{version} is live[/green]")


@projections_app.command()
def verify() -> None:
    """Rebuild in memory up to the live position and report every differing row."""
    settings = Settings.from_env()
    app, engine = build_app(settings), _engine(settings)
    with engine.connect() as conn:
        name = tables(live_version(engine)).name
        position = conn.execute(
            sa.select(tracking.c.position).where(tracking.c.name == name)
        ).scalar()
    with _progress(int(position or 0)) as bar:
        task = bar.add_task("verify", total=int(position or 0))
        differences = maintenance.verify(app, engine, lambda n: bar.advance(task, n))
    for d in differences[:50]:
        console.print(f"[red]{d.table} {d.key}[/red]: live {d.live} ≠ rebuilt {d.rebuilt}")
    if differences:
        console.print(f"[red]{len(differences)} rows differ[/red]")
        raise typer.Exit(1)
    console.print("[green]the read model matches a rebuild from the record[/green]")
