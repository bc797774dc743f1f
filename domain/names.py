"""Names as the member register searches them: folded into whole tokens (no case, no accents,
đ as d), and each token blinded by a keyed hash, so the read model can find "nguyen van a"
in "Nguyễn Văn A" without holding either (docs/security.md, the blind index)."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

MAX_TOKENS = 12  # a name has a handful of words; a query of more is refused
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents: "Đặng Thị Ánh" → "dang thi anh" (đ has no decomposition
    in Unicode: it is a letter of its own, folded by hand)."""
    lowered = unicodedata.normalize("NFKC", text).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> tuple[str, ...]:
    """The whole words of a name, folded, each once, in order."""
    return tuple(dict.fromkeys(_WORD.findall(fold(text))))


def blind(key: bytes, token: str) -> int:
    """A token's keyed hash as a signed 64-bit integer (HMAC-SHA-256, first 8 bytes): equal
    tokens give equal numbers, and without the key a number says nothing of its token."""
    digest = hmac.new(key, b"name-token/" + token.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def blind_tokens(key: bytes, text: str) -> frozenset[int]:
    return frozenset(blind(key, t) for t in tokens(text))
