"""The form of each human step, derived from the API's request models (infra/api/schemas.py:
`ARGS`, themselves derived from the step classes of domain/commands/), so a field added to a
step appears in the web and is validated by the same model. Dates are typed dd/mm/yyyy.

A submitted form becomes the API's `StepIn`, or errors keyed by field: the model's own
(required, a whole number, a bound…) and, after the process refused the step, the rule's
message beside the field the rule judges (`RULE_FIELDS`).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from domain.values import Relationship
from infra.api.schemas import ARGS, FIRST_DAY, LAST_DAY, StepIn
from infra.web.i18n import dmy, label, parse_dmy, t
from workflows.messages import Subject

WHOLE = re.compile(r"[+-]?[0-9]{1,9}")  # the models take numbers only (strict), bounded
RELATIVE_ROWS = 4  # rows of the background declaration's relatives
Widget = Literal["date", "int", "bool", "select", "text", "relatives"]

# The field a rule's refusal is shown beside (the first of them the form has); otherwise the
# message is shown at the top of the form.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "RULES-PERIOD": ("on",),
    "DATE-ORDER": ("on",),
    "ADM-VOTE-CELL": ("votes_for",),
    "ADM-VOTE-COMMITTEE": ("votes_for",),
    "PRB-REVIEW": ("votes_for", "by_upper_committee"),
    "ORG-MIN": ("votes_for", "ends_on"),
    "ADM-AGE": ("provincial_consent_over_60",),
    "ADM-INTRO": ("member_id", "kind"),
    "ADM-INTRO-TIME": ("together_since",),
    "ADM-CERT": ("number", "on"),
    "ADM-DOSSIER-AGE": ("on",),
    "ADM-VERIFY": ("subject", "member_relative_key"),
    "ADM-DECIDE": ("extra_wd", "decided_by"),
    "PRB-DECIDE": ("extra_wd", "decided_by"),
    "ADM-CEREMONY": ("until", "on"),
    "PRB-DISCIPLINE": ("penalty",),
    "PRB-DEADLOCK": ("by_upper_committee", "votes_for"),
    "READMIT": ("on",),
    "TRF-PRESENT": ("on",),
    "TRF-LETTER-CODE": ("letter_code",),  # issue 16: the letter's code at acceptance
}


# Steps that cannot be undone: the form shows the consequence, and the server takes the step
# only with the box "I confirm…" ticked (no script: the box is part of the form).
CONFIRM: dict[str, str] = {
    "cancel_transfer": "confirm.cancel_transfer",
    "accept_transfer": "confirm.accept_transfer",
}


# Steps whose consequence depends on what is entered: reviewed, then confirmed, in two posts
# (infra/web/confirm.py keeps their consequences; this list is its `REVIEWED`).
IRREVERSIBLE = frozenset(
    {
        "record_cell_vote",
        "record_committee_vote",
        "decide",
        "refuse",
        "withdraw",
        "stop",
        "record_review_vote",
        "recognize",
        "strike_off",
        "record_departure",
        "record_expungement",
        "discipline",
    }
)


@dataclass(frozen=True)
class Field:
    name: str
    widget: Widget
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (value, label) of a select


@dataclass
class StepForm:
    """One step's form as the page shows it: its fields, their values and errors."""

    subject: Subject
    kind: str
    fields: list[Field]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field ("" = the form) → message
    primary: bool = False
    review: Any = None  # infra.web.confirm.Review: the consequence shown before confirming

    @property
    def open(self) -> bool:
        return self.primary or bool(self.errors) or self.review is not None

    @property
    def irreversible(self) -> bool:
        """Taken only once its consequence was shown and confirmed (infra/web/confirm.py)."""
        return self.kind in IRREVERSIBLE

    @property
    def confirm(self) -> str | None:
        """The catalog key of the consequence to confirm, for a step that cannot be undone."""
        return CONFIRM.get(self.kind)


def _strip(annotation: Any) -> tuple[Any, bool]:
    """The type under Annotated and Optional, and whether None is allowed."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(inner) < len(get_args(annotation))
            annotation = inner[0]
        else:
            return annotation, optional


def _widget(annotation: Any) -> Widget:
    base, _ = _strip(annotation)
    if base is bool:
        return "bool"
    if base is int:
        return "int"
    if base is date:
        return "date"
    if base is UUID or (isinstance(base, type) and issubclass(base, Enum)):
        return "select"
    if get_origin(base) is list:
        return "relatives"
    return "text"


def fields_of(
    subject: Subject, kind: str, lang: str, choices: Mapping[str, list[tuple[str, str]]]
) -> list[Field]:
    """The fields of a step: one per argument of its request model. A select lists the
    enum's values, or the `choices` the page offers for an id (members, committees…); an id
    without choices is typed."""
    return [
        field_of(name, info, lang, choices)
        for name, info in ARGS[subject][kind].model_fields.items()
    ]


def field_of(
    name: str, info: FieldInfo, lang: str, choices: Mapping[str, Sequence[tuple[str, str]]]
) -> Field:
    """One field of a request model: its widget, and a select's options."""
    widget = _widget(info.annotation)
    options: tuple[tuple[str, str], ...] = ()
    base, _ = _strip(info.annotation)
    if widget == "select" and isinstance(base, type) and issubclass(base, Enum):
        options = tuple(choices.get(name, ())) or tuple(
            (str(v.value), label(lang, "enum", v.value)) for v in base
        )
    elif widget == "select":
        options = tuple(choices.get(name, ()))
        if not options:
            widget = "text"
    elif widget == "text" and choices.get(name):
        widget, options = "select", tuple(choices[name])
    return Field(name, widget, info.is_required(), options)


def initial_values(fields: list[Field], today: date, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """What a fresh form shows: the day, the models' defaults, the page's suggestions."""
    values: dict[str, Any] = {"on": dmy(today)}
    for f in fields:
        if f.name in defaults:
            values[f.name] = defaults[f.name]
    return values


def model_defaults(subject: Subject, kind: str) -> dict[str, Any]:
    """The request model's own defaults (a checkbox ticked by default…)."""
    return {
        name: info.default
        for name, info in ARGS[subject][kind].model_fields.items()
        if not info.is_required() and info.default not in (None, "", [])
    }


# --- reading a submitted form ------------------------------------------------------------------


def _relatives(form: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for i in range(RELATIVE_ROWS):
        name = form.get(f"relatives.{i}.full_name", "").strip()
        if not name:
            continue
        rows.append(
            {
                "key": form.get(f"relatives.{i}.key", "").strip() or f"r{i + 1}",
                "relationship": form.get(f"relatives.{i}.relationship", ""),
                "full_name": name,
                "lives_or_works_at": form.get(f"relatives.{i}.lives_or_works_at", "").strip(),
                "is_party_member": f"relatives.{i}.is_party_member" in form,
            }
        )
    return rows


def error_message(lang: str, error: Mapping[str, Any]) -> str:
    """A validation error of the request model, in the user's language."""
    kind, context = str(error["type"]), error.get("ctx") or {}
    if kind == "missing":
        return t(lang, "form.required")
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return t(lang, "form.integer")
    if kind in ("greater_than_equal", "greater_than", "too_short", "string_too_short"):
        limit = context.get("ge", context.get("gt", context.get("min_length", "")))
        if kind in ("too_short", "string_too_short"):
            return t(lang, "form.required")
        return t(lang, "form.too_small", limit=limit)
    if kind in ("less_than_equal", "less_than"):
        return t(lang, "form.too_large", limit=context.get("le", context.get("lt", "")))
    if kind in ("string_too_long", "too_long"):
        return t(lang, "form.too_long")
    return t(lang, "form.invalid")


def read_step(
    subject: Subject, kind: str, fields: list[Field], form: Mapping[str, str], lang: str
) -> tuple[StepIn | None, dict[str, Any], dict[str, str]]:
    """The step the form asks for (validated by the API's model), the values to show again,
    and the errors by field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"on": form.get("on", "")}
    args: dict[str, Any] = {}
    on = parse_dmy(values["on"])
    if on is None:
        errors["on"] = t(lang, "error.date")
    elif not FIRST_DAY <= on <= LAST_DAY:
        errors["on"] = t(lang, "form.date_range")
    for f in fields:
        raw = form.get(f.name, "").strip()
        if f.widget == "bool":
            args[f.name] = values[f.name] = f.name in form
        elif f.widget == "relatives":
            args[f.name] = values[f.name] = _relatives(form)
        elif f.widget == "date":
            values[f.name] = raw
            if raw:
                day = parse_dmy(raw)
                if day is None:
                    errors[f.name] = t(lang, "error.date")
                else:
                    args[f.name] = day.isoformat()
        elif f.widget == "int" and raw:
            values[f.name] = raw
            args[f.name] = int(raw) if WHOLE.fullmatch(raw) else raw  # else: "a whole number"
        elif raw:
            args[f.name] = values[f.name] = raw
    if kind in CONFIRM:
        values["confirm"] = "confirm" in form
        if not values["confirm"]:
            errors["confirm"] = t(lang, "confirm.required")
    try:
        validated = ARGS[subject][kind].model_validate(args)
    except ValidationError as invalid:
        for error in invalid.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            errors.setdefault(name, error_message(lang, error))
        return None, values, errors
    if errors or on is None:
        return None, values, errors
    return StepIn(kind=kind, on=on, args=validated), values, errors


def place_refusal(fields: list[Field], rule_id: str) -> str:
    """The field a rule's refusal is shown beside ("" for the form itself)."""
    names = {"on", *(f.name for f in fields)}
    return next((n for n in RULE_FIELDS.get(rule_id, ()) if n in names), "")


RELATIONSHIPS = tuple(r.value for r in Relationship)
