"""Verification codes of papers (docs/documents.md): 12 characters of Crockford base32 (60 bits),
grouped by four for reading, "7KQ2-M9XD-4TRB".

A paper's code is the keyed hash of its id (HMAC-SHA-256 under a key the store never holds):
as unpredictable as a random code to whoever lacks the key, printed again identically on every
download, and stored nowhere. The record finds a code through a second keyed hash of it (the id
of the `PaperCode` aggregate), so neither the code nor a way back to it is in the store."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID, uuid5

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 12  # 12 × 5 = 60 bits
_READ_AS = {"O": "0", "I": "1", "L": "1"}  # what a reader may type for a digit


def code_for(key: bytes, paper_id: UUID) -> str:
    """The paper's code, grouped: "XXXX-XXXX-XXXX"."""
    digest = hmac.new(key, b"paper-code/" + paper_id.bytes, hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return "-".join(chars[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(text: str) -> str | None:
    """The code as typed (any case, with or without dashes and spaces) in canonical form,
    or None when it cannot be a code."""
    raw = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in "- ")
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def lookup_id(namespace: UUID, key: bytes, code: str) -> UUID:
    """The id under which the record finds a (normalized) code."""
    digest = hmac.new(key, b"paper-lookup/" + code.encode(), hashlib.sha256).hexdigest()
    return uuid5(namespace, f"paper-code/{digest}")
