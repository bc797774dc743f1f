"""`dangvien api`: the REST API on uvicorn (settings from the environment)."""

from __future__ import annotations


def main() -> None:
    """Run the REST API (FastAPI on uvicorn, OpenAPI at /docs) on DANGVIEN_API_HOST:PORT."""
    import gc

    import structlog
    import uvicorn

    from infra.api.app import create_api
    from infra.logging import configure_logging
    from infra.settings import Settings

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    api = create_api(settings)
    # What is built at start lives as long as the process: keep it out of the garbage
    # collector's full scans, which would otherwise stall a request building thousands of
    # cards (a province's board) by tens of milliseconds.
    gc.freeze()
    structlog.get_logger("dangvien.api").info(
        "api.started", host=settings.api_host, port=settings.api_port
    )
    # uvicorn's access log would repeat, in another format, what the API logs (ids only).
    uvicorn.run(
        api,
        host=settings.api_host,
        port=settings.api_port,
        access_log=False,
        log_config=None,  # uvicorn's loggers go through configure_logging's redaction
        # uvicorn would believe forwarded headers from 127.0.0.1; the API decides whom to
        # believe itself (DANGVIEN_TRUSTED_PROXIES, infra/api/app.py).
        proxy_headers=False,
        log_level=settings.log_level.lower(),
    )
