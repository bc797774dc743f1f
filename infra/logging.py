"""structlog configuration, for dangvien's own loggers and for every library's (uvicorn,
Temporal, asyncio…) through the standard `logging` module. Personal data never reaches a log:

- known personal fields are replaced before rendering, whatever a caller binds;
- a command key is shown hashed: a client's `Idempotency-Key` is part of it;
- a traceback keeps its frames but not the exceptions' messages, which may quote any input
  (a validation error quotes the whole body); a domain refusal shows its rule id;
- a library's message that quotes the exception it reports has the quotation removed;
- a refusal of the domain is one line with its rule id (`dangvien.activities`), so the
  Temporal SDK's traceback of the same non-retryable failure is dropped.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import traceback
from collections.abc import MutableMapping
from types import TracebackType
from typing import Any, TextIO

import structlog

PERSONAL_FIELDS = frozenset(
    {
        "full_name",
        "applicant_name",  # a paper's facts (domain/services/papers.py)
        "applicant_birth_date",
        "member_name",  # the transfer letter's facts, a dissolution decision's moves (issue 16)
        "member_birth_date",
        "member_moves",
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
KEY_FIELDS = frozenset({"command_key", "idempotency_key"})
REFUSAL_TYPE = "RuleViolation"  # the ApplicationError type of a domain refusal (activities)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in PERSONAL_FIELDS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


def hashed_key(key: str) -> str:
    """A command key as logs show it: enough to match the record's key, never the key."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def hash_command_keys(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in KEY_FIELDS.intersection(event_dict):
        if event_dict[key] is not None:
            event_dict[key] = hashed_key(str(event_dict[key]))
    return event_dict


def described(error: BaseException) -> str:
    """An exception by its type (and rule id), without its message."""
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    rule_id = getattr(error, "rule_id", None)
    return f"{name} [{rule_id}]" if isinstance(rule_id, str) else name


def safe_traceback(error: BaseException) -> str:
    """The chain of exceptions with their frames, each exception named by its type only."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for position, link in enumerate(reversed(chain)):
        if position:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(f"{described(link)}: [message withheld]\n")
    return "".join(parts).rstrip("\n")


def _exc_info(value: Any) -> ExcInfo | None:
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value
    if value is True:
        found = sys.exc_info()
        return found if found[1] is not None else None
    return None


def withhold_exception_messages(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """`exc_info` becomes `exception`, a traceback without messages (never the renderer's,
    which may print local variables)."""
    found = _exc_info(event_dict.pop("exc_info", None))
    event_dict.pop("exception", None)  # a preformatted one may quote anything
    if found is not None:
        event_dict["exception"] = safe_traceback(found[1])
    return event_dict


def printable(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Text that a UTF-8 stream can write (a lone surrogate would make logging itself fail)."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return event_dict


def from_library(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A record of a library's logger: its message without a quotation of the exception it
    reports (asyncio and Temporal write `… {error}`), and no query string of an access log."""
    record = event_dict.get("_record")
    message = str(event_dict.get("event", ""))
    found = _exc_info(event_dict.get("exc_info"))
    if found is not None:
        quoted = {str(found[1]), repr(found[1])} - {""}
        for text in sorted(quoted, key=len, reverse=True):
            message = message.replace(text, described(found[1]))
    if isinstance(record, logging.LogRecord) and record.name == "uvicorn.access":
        message = message.split("?", 1)[0] + ("…" if "?" in message else "")
    event_dict["event"] = message
    return event_dict


def is_ordinary_refusal(record: logging.LogRecord) -> bool:
    """The Temporal SDK's warning, with a traceback, for an activity failed by a domain
    refusal: `dangvien.activities` has logged it already, as one line with the rule id."""
    if not record.name.startswith("temporalio") or record.exc_info is None:
        return False
    error = record.exc_info[1]
    kind = getattr(error, "type", None)
    return kind == REFUSAL_TYPE and bool(getattr(error, "non_retryable", False))


class _Refusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not is_ordinary_refusal(record)


class _Stdout:
    """Standard output as it is when a line is written: a cached logger must not keep a stream
    that was swapped and closed since (the command line's tests swap it per command)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class Stderr:
    """Standard error as it is when a line is written: where a command's log lines go, so
    that its output (a table, a report) is only what it prints."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(
    level: str = "INFO",
    fmt: str = "console",
    *,
    stream: TextIO | Stderr | None = None,
    cache_loggers: bool = False,
) -> None:
    """dangvien's loggers and the standard library's (hence uvicorn's, Temporal's…) through
    the same processors, to `stream` (standard output by default). Loggers are not cached on
    first use, so configuring again (another command in the same process, a test) holds for
    every logger, those made at import included: a few lines a request, the cost is nil."""
    out: Any = stream or _Stdout()
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    safe = [redact_personal_data, hash_command_keys, withhold_exception_messages, printable]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *safe,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=cache_loggers,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                from_library,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *safe,
                renderer,
            ],
        )
    )
    handler.addFilter(_Refusals())
    root = logging.getLogger()
    for old in root.handlers:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries that configure handlers of their own (uvicorn) log through the root instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "temporalio"):
        library = logging.getLogger(name)
        for old in library.handlers:
            library.removeHandler(old)
        library.propagate = True
    logging.captureWarnings(True)
