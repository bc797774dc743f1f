"""How domain values are stored: dates as ISO text, value dataclasses as their fields."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen value dataclass as a dict of its fields; enum fields come back as enums."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__qualname__
        hints = typing.get_type_hints(cls)
        self._enums = {
            f.name: hints[f.name]
            for f in dataclasses.fields(cls)
            if isinstance(hints[f.name], type) and issubclass(hints[f.name], Enum)
        }
        # Every stored event has a stamp with an actor: their enums are looked up directly,
        # and a plain frozen dataclass is filled in one step, not field by field.
        self._members = {name: {m.value: m for m in enum} for name, enum in self._enums.items()}
        self._fields = frozenset(f.name for f in dataclasses.fields(cls) if f.init)
        self._plain = (
            not hasattr(cls, "__post_init__")
            and "__slots__" not in cls.__dict__
            and all(f.init for f in dataclasses.fields(cls))
        )

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        """`data` is the transcoder's own fresh dict: its values are replaced in place."""
        for name, members in self._members.items():
            if name in data:
                value = data[name]
                member = members.get(value)
                data[name] = self._enums[name](value) if member is None else member
        for name, value in data.items():
            if type(value) is list:  # JSON has no tuples; value objects hold tuples
                data[name] = tuple(value)
        if self._plain and data.keys() == self._fields:
            obj: Any = object.__new__(self.type)
            obj.__dict__.update(data)
            return obj
        return self.type(**data)


def register_values(transcoder: JSONTranscoder, *value_types: type[Any]) -> None:
    transcoder.register(DateAsISO())
    for cls in value_types:
        transcoder.register(DataclassAsDict(cls))
