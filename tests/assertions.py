"""Assertions the domain tests share: a refusal names its rule; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from domain.application import Dangvien
from domain.errors import RuleViolation


@contextmanager
def refused(rule_id: str) -> Iterator[pytest.ExceptionInfo[RuleViolation]]:
    """The block is refused by `rule_id`, with a message in Vietnamese and in English."""
    with pytest.raises(RuleViolation) as refusal:
        yield refusal
    assert refusal.value.rule_id == rule_id, refusal.value.en
    assert refusal.value.vi.strip()
    assert refusal.value.en.strip()


@contextmanager
def writes_nothing(app: Dangvien) -> Iterator[None]:
    """Nothing is recorded inside the block."""
    before = app.recorder.max_notification_id()
    yield
    assert app.recorder.max_notification_id() == before
