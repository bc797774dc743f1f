"""Temporal's JSON payloads, taught calendar dates (every deadline here is a date)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    PayloadCodec,
)


class _DateEncoder(AdvancedJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, date) and not isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class _DateDecoder(JSONTypeConverter):
    def to_typed_value(self, hint: type, value: Any) -> Any:
        if hint is date and isinstance(value, str):
            return date.fromisoformat(value)
        return JSONTypeConverter.Unhandled


class PayloadConverter(CompositePayloadConverter):
    """The default converters, with a JSON converter that reads and writes `date`."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(
                    encoder=_DateEncoder, custom_type_converters=[_DateDecoder()]
                )
                if isinstance(c, JSONPlainPayloadConverter)
                else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


def data_converter(codec: PayloadCodec | None = None) -> DataConverter:
    """The converter of every client and worker; `codec` encrypts payloads (personal data)."""
    return dataclasses.replace(
        DataConverter.default, payload_converter_class=PayloadConverter, payload_codec=codec
    )
