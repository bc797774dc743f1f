"""Authority travels with the command: the API signs what it sends a process (who acts, the
step or the opening, its command key, the record it is for) with a key Temporal never holds,
and the activities check the signature before they write anything. A message made by anyone
else — a forged update through Temporal's own tools, a signed payload copied onto another
record — is refused (AUTH-PROOF) and nothing is written."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from domain.errors import RuleViolation
from workflows.converter import Encoder
from workflows.messages import DissolutionStart, DissolveRequest, Move, MoveRequest

M = TypeVar("M")


def _claim(message: Any) -> bytes:
    """The message as signed: its JSON with every proof emptied, keys sorted."""
    return json.dumps(_unproved(message), cls=Encoder, sort_keys=True).encode()


def _unproved(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _unproved(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if "proof" in changes:
            changes["proof"] = ""
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [_unproved(v) for v in value]
    return value


Keys = Callable[[], tuple[bytes, Iterable[bytes]]]  # the signing key, the keys checked


class Authority:
    """Signs and checks messages with the command key (a setting of the API and the worker).
    After a rotation (infra/keysets.py) it signs with the new key and still accepts the keys
    it replaced until their grace ends: a command signed just before is not refused."""

    def __init__(self, keys: bytes | Keys, refresh: Callable[[], object] | None = None) -> None:
        self._keys: Keys = keys if callable(keys) else (lambda: (keys, (keys,)))
        self._refresh = refresh  # reads the keys again: another process may have rotated them

    def proof_of(self, message: Any, key: bytes | None = None) -> str:
        signing = self._keys()[0] if key is None else key
        return hmac.new(signing, _claim(message), hashlib.sha256).hexdigest()

    def signed(self, message: M) -> M:
        """The message with its `proof` (an opening, a step)."""
        return dataclasses.replace(message, proof=self.proof_of(message))  # type: ignore[type-var]

    def signed_dissolution(self, start: DissolutionStart) -> DissolutionStart:
        """A dissolution as its children will ask for it: each move signed as the request its
        child sends, and the final dissolution of the cell."""
        moves = [Move(m.member_id, m.to_cell_id) for m in start.moves]
        proofs = [
            self.proof_of(MoveRequest(start.cell_id, m, start.on, start.actor)) for m in moves
        ]
        dissolve = DissolveRequest(start.cell_id, start.on, start.actor, start.merged_into)
        return dataclasses.replace(
            start,
            moves=[dataclasses.replace(m, proof=p) for m, p in zip(moves, proofs, strict=True)],
            dissolve_proof=self.proof_of(dissolve),
        )

    def check(self, message: Any, proof: str) -> None:
        """AUTH-PROOF: `proof` is the API's signature of exactly this message, by a key still
        accepted (read again once before refusing: the API may have rotated it just now)."""
        claim = _claim(message)

        def signed() -> bool:
            return any(
                hmac.compare_digest(proof, hmac.new(key, claim, hashlib.sha256).hexdigest())
                for key in self._keys()[1]
            )

        if signed():
            return
        if self._refresh is not None:
            self._refresh()
            if signed():
                return
        raise RuleViolation(
            "AUTH-PROOF",
            "Lệnh không do hệ thống gửi (không có chữ ký hợp lệ): không ghi gì",
            "The command was not sent by the system (no valid signature): nothing written",
        )
