"""The hashes of the tamper-evident record, with no database: event digests, the keyed
per-aggregate chain, the Merkle tree of the whole log (RFC 6962/9162 hashing), inclusion
proofs, and the signed seal. `dangvien audit verify-export` uses only this module.

    d      = SHA-256(position ‖ originator id ‖ version ‖ len(topic) ‖ topic ‖ state)
    c_v    = HMAC-SHA-256(chain key, c_{v-1} ‖ d)            c_0 = 32 zero bytes
    leaf   = SHA-256(0x00 ‖ d ‖ c_v)                         (the log's leaf, in position order)
    node   = SHA-256(0x01 ‖ left ‖ right)
    seal   = Ed25519 signature of (tree size, last position, root, time)

See docs/security.md, "Tamper evidence"."""

from __future__ import annotations

import hashlib
import hmac
import struct
from base64 import b64decode
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ZERO = bytes(32)
EMPTY_ROOT = hashlib.sha256(b"").digest()
_HEADER = struct.Struct(">Q16sQI")
_SEAL = struct.Struct(">QQ")
_sha256 = hashlib.sha256
_hmac = hmac.digest


def digest(position: int, originator: bytes, version: int, topic: str, state: bytes) -> bytes:
    """One stored row as it lies in the store (the state is ciphertext: no key needed)."""
    text = topic.encode()
    return _sha256(_HEADER.pack(position, originator, version, len(text)) + text + state).digest()


def link(key: bytes, previous: bytes, event_digest: bytes) -> bytes:
    return _hmac(key, previous + event_digest, "sha256")


def leaf(event_digest: bytes, chained: bytes) -> bytes:
    return _sha256(b"\x00" + event_digest + chained).digest()


def node(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


class Tree:
    """The root of the log's Merkle tree as leaves stream in: a stack of the perfect subtrees
    (O(log n) memory), folded right to left as RFC 6962's MTH would split it."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def add(self, leaf_hash: bytes) -> None:
        stack, height, value = self._stack, 0, leaf_hash
        while stack and stack[-1][0] == height:
            value = node(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = node(left, value)
        return value


class Levels:
    """Every level of the tree over `leaves` (each level one bytes object, 32 bytes a hash),
    from which inclusion proofs are read: about 64 bytes a leaf in memory."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self.levels = [b"".join(leaves)]
        while len(self.levels[-1]) >= 64:
            below = self.levels[-1]
            self.levels.append(
                b"".join(
                    node(below[i : i + 32], below[i + 32 : i + 64])
                    for i in range(0, len(below) - 63, 64)
                )
            )

    def _perfect(self, start: int, height: int) -> bytes:
        at = (start >> height) * 32
        return self.levels[height][at : at + 32]

    def hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end): a perfect aligned subtree is read, others split."""
        width = end - start
        if width & (width - 1) == 0:
            return self._perfect(start, width.bit_length() - 1)
        split = 1 << (width - 1).bit_length() - 1
        return node(self.hash(start, start + split), self.hash(start + split, end))

    def root(self) -> bytes:
        return self.hash(0, self.size) if self.size else EMPTY_ROOT

    def path(self, index: int, start: int = 0, end: int | None = None) -> list[bytes]:
        """RFC 6962 PATH(m, D[start:end]), leaf first."""
        end = self.size if end is None else end
        if end - start == 1:
            return []
        split = 1 << (end - start - 1).bit_length() - 1
        if index < start + split:
            return [*self.path(index, start, start + split), self.hash(start + split, end)]
        return [*self.path(index, start + split, end), self.hash(start, start + split)]


def root_from_path(index: int, size: int, leaf_hash: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or None if malformed."""
    if index >= size:
        return None
    fn, sn, value = index, size - 1, leaf_hash
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            value = node(sibling, value)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = node(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return value if sn == 0 else None


@dataclass(frozen=True)
class Seal:
    """A signed head of the log: its first `tree_size` events, up to `last_position`."""

    tree_size: int
    last_position: int
    root: bytes
    sealed_at: str  # ISO 8601, UTC
    signature: bytes

    def message(self) -> bytes:
        return (
            b"dangvien-seal\x00"
            + _SEAL.pack(self.tree_size, self.last_position)
            + self.root
            + self.sealed_at.encode()
        )

    def signed_by(self, public_key: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(self.signature, self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


class AuditKeys:
    """Both keys come from one secret kept apart from the database (like the cipher key): the
    chain's HMAC key, and the Ed25519 key that signs seals (its public half may be published)."""

    def __init__(self, secret: str) -> None:
        raw = b64decode(secret)
        if len(raw) < 16:
            raise ValueError("the audit key must be at least 16 bytes (base64)")
        self.chain = _hmac(raw, b"dangvien chain", "sha256")
        self._signer = Ed25519PrivateKey.from_private_bytes(_hmac(raw, b"dangvien seal", "sha256"))
        self.public = self._signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, tree_size: int, last_position: int, root: bytes, sealed_at: str) -> Seal:
        unsigned = Seal(tree_size, last_position, root, sealed_at, b"")
        return Seal(
            tree_size, last_position, root, sealed_at, self._signer.sign(unsigned.message())
        )

    def sign_export(self, body: bytes) -> bytes:
        return self._signer.sign(EXPORT + body)


EXPORT = b"dangvien-export\x00"


def export_signed_by(public_key: bytes, body: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, EXPORT + body)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_key: bytes) -> str:
    """What a department compares: the first 16 hex digits of the key's SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]
