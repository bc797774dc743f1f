"""The bounds of what a command may carry, as `Annotated` metadata (the `annotated-types`
vocabulary, which the API's validation reads): a vote count is never negative, a name is never
blank. The API adds only what is about transport (dates within the years it accepts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge, Le, MaxLen, MinLen


@dataclass(frozen=True)
class Pattern:
    """The text matches this regular expression (besides never holding a NUL)."""

    regex: str


Count = Annotated[int, Ge(0), Le(100_000)]
CommitteeSize = Annotated[int, Ge(1), Le(1000)]
WorkingDays = Annotated[int, Ge(1), Le(365)]
Year = Annotated[int, Ge(1930), Le(2100)]
Name = Annotated[str, MinLen(1), MaxLen(200)]  # a name, a number, a subject: never blank
Text = Annotated[str, MaxLen(500)]  # a free note, possibly empty
Key = Annotated[str, MinLen(1), MaxLen(40), Pattern(r"^[A-Za-z0-9_-]+$")]
