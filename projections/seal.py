"""A person's breakdown groups, sealed (issue 18 item 5, docs/privacy.md): the read model
holds them only as AES-SIV ciphertext bound to the person's id, never as a flag in clear.

AES-SIV is deterministic: the same groups of the same person seal to the same bytes, so a
rebuild writes exactly the rows of the incremental projection (`projections verify` compares
them), and a person's row changes only when their groups do. Across people nothing repeats:
the person's id is the associated data, so equal groups of two people seal differently and a
row copied onto another person does not open. A row says nothing without the key, which the
read model never holds (`Dangvien.read_model_key`, derived from the name key)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

PURPOSE = "breakdown-groups"


class KeyedApplication(Protocol):
    def read_model_key(self, purpose: str) -> bytes: ...


class SealBroken(ValueError):
    """A sealed row that does not open: another key, another person's row, or damaged."""


class GroupSeal:
    """Seals and opens a person's groups (the bitmask of projections.views.people)."""

    def __init__(self, key: bytes) -> None:
        self._siv = AESSIV(key)

    @classmethod
    def of(cls, app: KeyedApplication) -> GroupSeal:
        return cls(app.read_model_key(PURPOSE))

    def seal(self, person_id: UUID, groups: int) -> bytes:
        return self._siv.encrypt(groups.to_bytes(1, "big"), [person_id.bytes])

    def open(self, person_id: UUID, sealed: bytes) -> int:
        try:
            return int.from_bytes(self._siv.decrypt(bytes(sealed), [person_id.bytes]), "big")
        except InvalidTag:
            raise SealBroken(f"the groups of person {person_id} do not open") from None
