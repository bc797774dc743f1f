"""Temporal's JSON payloads, taught calendar dates (every deadline here is a date) and the typed
steps: a step travels as its fields with its kind under `step`, and comes back as its class."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, get_type_hints

from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    PayloadCodec,
    value_to_type,
)

from domain.commands import STEPS, Step
from domain.values import PersonalData, Relative
from workflows.messages import Act


class Encoder(AdvancedJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, date) and not isinstance(o, datetime):
            return o.isoformat()
        if isinstance(o, Step):
            return {"step": o.step_kind, **_fields(o)}
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return _fields(o)  # one level: a step inside a message still gets its kind
        return super().default(o)


def _fields(o: Any) -> dict[str, Any]:
    return {f.name: getattr(o, f.name) for f in dataclasses.fields(o)}


# The steps' field types, resolved once here: inside the workflow sandbox their modules'
# names (ClassVar, date…) are not where `get_type_hints` looks for them.
_HINTS: dict[type, dict[str, Any]] = {
    cls: get_type_hints(cls) for cls in (*STEPS.values(), Relative, PersonalData)
}


class _Decoder(JSONTypeConverter):
    def to_typed_value(self, hint: type, value: Any) -> Any:
        if hint is date and isinstance(value, str):
            return date.fromisoformat(value)
        if hint is Step and isinstance(value, dict):
            cls = STEPS.get(value.get("step", ""))
            if cls is None:
                raise TypeError(f"Unknown step {value.get('step')!r}")
            return self.to_typed_value(cls, value)
        if hint in _HINTS and isinstance(value, dict):
            hints = _HINTS[hint]
            return hint(
                **{
                    f.name: value_to_type(hints[f.name], value[f.name], [self])
                    for f in dataclasses.fields(hint)
                    if f.init and f.name in value
                }
            )
        if hint is Act and isinstance(value, dict) and "args" in value:
            # An update recorded before steps were typed ({kind, on, actor, args}): the same
            # facts, so the histories of running processes replay.
            step = {**value["args"], "step": value["kind"], "on": value["on"]}
            legacy = {"step": step, "actor": value["actor"], "command_key": value["command_key"]}
            return value_to_type(Act, legacy, [self])
        return JSONTypeConverter.Unhandled


class PayloadConverter(CompositePayloadConverter):
    """The default converters, with a JSON converter that reads and writes dates and steps."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(encoder=Encoder, custom_type_converters=[_Decoder()])
                if isinstance(c, JSONPlainPayloadConverter)
                else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


def data_converter(codec: PayloadCodec | None = None) -> DataConverter:
    """The converter of every client and worker; `codec` encrypts payloads (personal data)."""
    return dataclasses.replace(
        DataConverter.default,
        payload_converter_class=PayloadConverter,
        payload_codec=codec,
        # A failure's message and stack trace go through the codec too (they may quote facts).
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
