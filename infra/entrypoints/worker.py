"""`dangvien worker`: every workflow and activity of dangvien on one task queue."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

import structlog

from infra.bootstrap import (
    authority,
    build_app,
    build_notifications,
    payload_key,
    sealer,
    temporal_tls,
)
from infra.logging import configure_logging
from infra.mail import Mailer, smtp_settings
from infra.settings import Settings
from infra.temporal import (
    connect,
    ensure_residence_schedule,
    ensure_seal_schedule,
    register_search_attributes,
)
from workflows.messages import TASK_QUEUE
from workflows.worker import build_worker


async def run_worker(settings: Settings, *, task_queue: str = TASK_QUEUE) -> None:
    log = structlog.get_logger("dangvien.worker")
    app = build_app(settings)
    notifications = build_notifications(settings)
    client = await connect(
        settings.temporal_address,
        settings.temporal_namespace,
        payload_key(settings),
        temporal_tls(settings),
    )
    await register_search_attributes(client, settings.temporal_namespace)
    await ensure_residence_schedule(client)
    await ensure_seal_schedule(client, settings.seal_at)
    worker = build_worker(
        client,
        app,
        notifications.notify,
        authority(settings),
        task_queue=task_queue,
        sealer=sealer(settings),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker.started", task_queue=task_queue, temporal=settings.temporal_address)
    # The sender of notices by e-mail (docs/notices.md): only with SMTP settings.
    smtp = smtp_settings(settings)
    mailer = Mailer(
        notifications.engine,
        smtp,
        settings.public_url,
        digest_at=settings.digest_at,
        lease=timedelta(seconds=settings.smtp_lease_seconds),
    )
    sender = asyncio.create_task(mailer.run(stop)) if smtp else None
    async with worker:
        await stop.wait()
    if sender is not None:
        await sender
    log.info("worker.stopped")
    app.close()


def main(task_queue: str = TASK_QUEUE) -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run_worker(settings, task_queue=task_queue))
