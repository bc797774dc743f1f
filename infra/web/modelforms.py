"""Forms of the API's request bodies that start a process: opening a case (`CaseStartIn`, with
its `PersonIn`) and starting a transfer (`TransferStartIn`). Their fields are derived from the
models as the step forms are (infra/web/forms.py), so the same model validates what the page
sends; a nested model's fields are named with a dot (`person.full_name`), as the model's
errors are located. Dates are typed dd/mm/yyyy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from infra.web.forms import WHOLE, Field, error_message, field_of
from infra.web.i18n import parse_dmy, t

Options = Sequence[tuple[str, str]]
# (group label, options): a select whose options are grouped (<optgroup>)
Groups = Sequence[tuple[str, Options]]

EARLIEST = date(1900, 1, 1)  # a birth date may be older than the record's first rule set
# A field's own words for a value its pattern refuses (else "not a valid value").
PATTERN_MESSAGES = {"person.citizen_id": "audit.bad_citizen_id"}


@dataclass
class ModelForm:
    """A request model's form as the page shows it: its fields, values and errors."""

    fields: list[Field]
    labels: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field ("" = the form) → message
    groups: dict[str, Groups] = field(default_factory=dict)  # a select's grouped options


def fields_of_model(
    model: type[BaseModel],
    lang: str,
    choices: Mapping[str, Options],
    skip: frozenset[str] = frozenset(),
    prefix: str = "",
) -> list[Field]:
    """One field per field of the model, a nested model's fields in its place."""
    found: list[Field] = []
    for name, info in model.model_fields.items():
        full = prefix + name
        if full in skip:
            continue
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            found += fields_of_model(nested, lang, choices, skip, f"{full}.")
        else:
            found.append(field_of(full, info, lang, choices))
    return found


def labels_of(fields: list[Field], lang: str) -> dict[str, str]:
    """A field's label: a person's field is named as on a record page (`person.*`), the
    others by their request's own words (`start.*`)."""
    return {
        f.name: t(lang, f.name if f.name.startswith("person.") else f"start.{f.name}")
        for f in fields
    }


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def read_model(
    model: type[BaseModel],
    fields: list[Field],
    form: Mapping[str, str],
    lang: str,
    fixed: Mapping[str, Any] | None = None,
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The request the form asks for (validated by the model, with the page's `fixed`
    values), the values to show again, and the errors by field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    body: dict[str, Any] = dict(fixed or {})
    widgets = {f.name: f.widget for f in fields}
    for f in fields:
        raw = form.get(f.name, "").strip()
        if f.widget == "bool":
            values[f.name] = f.name in form
            _set(body, f.name, values[f.name])
            continue
        values[f.name] = raw
        if not raw:
            continue
        if f.widget == "date":
            day = parse_dmy(raw, earliest=EARLIEST)  # the model bounds each date itself
            if day is None:
                errors[f.name] = t(lang, "error.date")
                continue
            _set(body, f.name, day.isoformat())
        elif f.widget == "int":
            _set(body, f.name, int(raw) if WHOLE.fullmatch(raw) else raw)
        else:
            _set(body, f.name, raw)
    try:
        request = model.model_validate(body)
    except ValidationError as invalid:
        for error in invalid.errors():
            name = ".".join(str(part) for part in error["loc"])
            if name not in widgets:
                name = ""
            elif error["type"] == "string_pattern_mismatch" and name in PATTERN_MESSAGES:
                errors.setdefault(name, t(lang, PATTERN_MESSAGES[name]))
                continue
            elif widgets[name] == "date" and error["type"] != "missing":
                errors.setdefault(name, t(lang, "form.date_range"))
                continue
            errors.setdefault(name, error_message(lang, error))
        return None, values, errors
    return (None if errors else request), values, errors


def place(fields: list[Field], rule_fields: Mapping[str, Sequence[str]], rule_id: str) -> str:
    """The field a rule's refusal is shown beside ("" for the form itself)."""
    names = {f.name for f in fields}
    return next((n for n in rule_fields.get(rule_id, ()) if n in names), "")
