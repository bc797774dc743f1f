"""The logging configuration (infra/logging.py): dangvien's loggers and the libraries' go
through one redaction; tracebacks keep their frames, never the exceptions' messages; an
ordinary refusal is one line; command keys are hashed; no text makes logging itself fail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog
from temporalio.exceptions import ApplicationError

from domain.errors import RuleViolation
from infra.logging import configure_logging, hashed_key

SECRET = "Nguyễn Thị Bí Mật 079987654321"


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    """Logging configured to a buffer, then restored as it was."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("INFO", "console", stream=stream, cache_loggers=False)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.configure(**saved)


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_library_s_traceback_keeps_its_frames_but_never_the_messages(
    out: io.StringIO, fmt: str
) -> None:
    stream = io.StringIO()  # this format's own (the fixture restores the configuration)
    configure_logging("INFO", fmt, stream=stream, cache_loggers=False)
    try:
        try:
            raise ValueError(f"invalid body {SECRET}")
        except ValueError as inner:
            raise RuntimeError(SECRET) from inner
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    text = stream.getvalue()
    assert "Exception in ASGI application" in text
    assert "ValueError" in text and "RuntimeError" in text
    assert "test_logging.py" in text  # the frames are kept
    assert "Bí Mật" not in text and "079987654321" not in text
    assert "B\\u00ed" not in text  # nor escaped


def test_a_message_quoting_the_exception_it_reports_loses_the_quotation(out: io.StringIO) -> None:
    error = raised(KeyError(SECRET))
    logging.getLogger("asyncio").error(
        "Task exception was never retrieved: %r", error, exc_info=error
    )
    assert "079987654321" not in out.getvalue()
    assert "Task exception was never retrieved" in out.getvalue()


def test_personal_fields_and_command_keys_are_never_written_as_bound(out: io.StringIO) -> None:
    key = "api/user-1/mo-ho-so-079987654321"
    structlog.get_logger("dangvien.test").info(
        "done", full_name=SECRET, citizen_id="079987654321", command_key=key
    )
    text = out.getvalue()
    assert "079987654321" not in text
    assert hashed_key(key) in text  # the same key always logs as the same hash
    assert hashed_key(key) != hashed_key("api/user-1/mo-ho-so-2")


def test_an_ordinary_refusal_is_one_line_and_the_sdk_s_traceback_of_it_is_dropped(
    out: io.StringIO,
) -> None:
    refusal = raised(
        ApplicationError(
            "refused", {"rule_id": "ADM-COMMENTS"}, type="RuleViolation", non_retryable=True
        )
    )
    structlog.get_logger("dangvien.activities").info("refused", rule_id="ADM-COMMENTS")
    logging.getLogger("temporalio.activity").warning(
        "Completing activity as failed", exc_info=refusal
    )
    bug = raised(ApplicationError("boom", type="ZeroDivisionError"))
    logging.getLogger("temporalio.activity").warning("Completing activity as failed", exc_info=bug)
    lines = out.getvalue().splitlines()
    assert [line for line in lines if "ADM-COMMENTS" in line] == [
        next(line for line in lines if "refused" in line)
    ]
    assert sum("Completing activity as failed" in line for line in lines) == 1  # the bug's
    assert sum(line.startswith("Traceback") for line in lines) == 1


def test_a_domain_refusal_in_a_traceback_shows_its_rule_id(out: io.StringIO) -> None:
    error = raised(RuleViolation("ADM-VOTE-CELL", f"vi {SECRET}", f"en {SECRET}"))
    structlog.get_logger("dangvien.test").error("failed", exc_info=error)
    assert "RuleViolation [ADM-VOTE-CELL]" in out.getvalue()
    assert "079987654321" not in out.getvalue()


def test_a_lone_surrogate_is_written_escaped_and_logging_goes_on(out: io.StringIO) -> None:
    structlog.get_logger("dangvien.test").info("odd", path="/x\ud800")
    # Straight to the configured handler: pytest's own capture could not hold the record.
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "stream", None) is out)
    record = logging.LogRecord("uvicorn.error", logging.WARNING, "", 0, "odd %s", ("\udc80",), None)
    ours.handle(record)
    out.getvalue().encode("utf-8")  # what a UTF-8 file can hold
    assert "\\ud800" in out.getvalue() and "\\udc80" in out.getvalue()
