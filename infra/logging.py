"""structlog configuration. Personal data never reaches a log: known personal fields are
replaced before rendering, whatever a caller binds."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

PERSONAL_FIELDS = frozenset(
    {
        "full_name",
        "name",
        "birth_date",
        "citizen_id",
        "address",
        "ethnicity",
        "religion",
        "relatives",
        "data",
        "personal_data",
    }
)


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in PERSONAL_FIELDS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
