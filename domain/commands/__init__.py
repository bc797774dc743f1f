"""Commands: one frozen dataclass per human step, the only declaration of that step.

A step carries its facts (typed and bounded: domain/bounds.py) and, as class attributes, what
the rest of the system needs to know of it: which stages accept it (CASE-STAGE), the least role
that may send it, where the web opens its form, and which organization acts. The API's request
bodies, the Temporal update, the access table and the web's forms are all derived from these
classes; the service layer runs each through one table of handlers (domain/handlers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID

from domain.values import Role

Subject = Literal["admission", "member", "transfer"]
STEPS: dict[str, type[Step]] = {}  # every concrete step, by kind


def _kind(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


@dataclass(frozen=True, kw_only=True)
class Step:
    """A human step on a record, with the date it happened (the meeting, the letter…)."""

    on: date

    # The class name in snake case: the step's `kind` in the API and the web (not a field: the
    # introducer's kind is one).
    step_kind: ClassVar[str]
    applies_to: ClassVar[Subject]  # the kind of record it is taken on
    stages: ClassVar[frozenset[str]]  # the stages that accept it (CASE-STAGE)
    least_role: ClassVar[Role] = Role.cell_secretary  # every role above may too
    opens_at: ClassVar[frozenset[str]] = frozenset()  # stages that mostly await this step
    # Who acts, when not the record's own organizations: the field naming the sender (a hop of
    # a letter), or the receiving cell once the letter names it.
    sender_field: ClassVar[str | None] = None
    by_receiving_cell: ClassVar[bool] = False

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not abstract:
            cls.step_kind = _kind(cls.__name__)
            assert cls.step_kind not in STEPS, f"two steps named {cls.step_kind}"
            assert "step" not in cls.__annotations__, "`step` names the kind on the wire"
            STEPS[cls.step_kind] = cls

    def acting_for(self, own: tuple[UUID, ...], receiving_cell: UUID | None) -> tuple[UUID, ...]:
        """The organizations the step acts for: the sender it names, the receiving cell, or
        the record's own (its cell; for a transfer, the sending cell and the receiving side)."""
        if self.sender_field is not None:
            return (getattr(self, self.sender_field),)
        if self.by_receiving_cell and receiving_cell is not None:
            return (receiving_cell,)
        return own


def steps_of(subject: Subject) -> dict[str, type[Step]]:
    """The steps of one kind of record, by kind."""
    return {kind: cls for kind, cls in STEPS.items() if cls.applies_to == subject}


def accepted(subject: Subject, stage: str) -> list[str]:
    """The steps a record of `subject` at `stage` accepts, sorted."""
    return sorted(kind for kind, cls in steps_of(subject).items() if stage in cls.stages)


# The modules that declare the steps register them on import.
from domain.commands import admission, probation, transfers  # noqa: E402, F401
