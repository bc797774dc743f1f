"""`GET /api/audit/seal`: the head of the sealed log, for the department to see and keep (a
rewrite of the whole store would change it). See docs/security.md, "Tamper evidence"."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.chain.proofs import Seal, fingerprint
from infra.chain.recorders import Chaining

router = APIRouter(prefix="/api", tags=["audit"], responses=REFUSALS)


class SealOut(BaseModel):
    sealed: bool  # false until the first seal (the daily schedule, or `dangvien audit seal`)
    tree_size: int = 0  # events the seal covers
    last_position: int = 0
    root: str = ""  # hex SHA-256 Merkle root
    sealed_at: str = ""  # ISO 8601, UTC: when the last seal was made
    key: str = ""  # fingerprint of the key that signs seals
    unsealed: int = 0  # events recorded since the last seal (all of them before the first)


@dataclass(frozen=True)
class Head:
    """The last seal as the department is shown it, and what was recorded since."""

    seal: Seal | None
    key: str  # the fingerprint of the signing key
    unsealed: int


def seal_head(recorder: object) -> Head | None:
    """The store's last seal, its key and the events not yet sealed (a store without the
    chain, as in tests on memory: none)."""
    if not isinstance(recorder, Chaining) or recorder.keys is None:
        return None
    seal = recorder.latest_seal()
    after = seal.last_position if seal is not None else 0
    return Head(seal, fingerprint(recorder.keys.public), recorder.events_after(after))


@router.get("/audit/seal", response_model=SealOut)
async def seal(_: CurrentUser, s: Svc) -> SealOut:
    """The last seal of the record (its size, Merkle root, time and signing key) and how many
    events were recorded since (the next daily seal covers them)."""
    head = await run_in_threadpool(seal_head, s.app.recorder)
    if head is None:
        return SealOut(sealed=False)
    if head.seal is None:
        return SealOut(sealed=False, key=head.key, unsealed=head.unsealed)
    return SealOut(
        sealed=True,
        tree_size=head.seal.tree_size,
        last_position=head.seal.last_position,
        root=head.seal.root.hex(),
        sealed_at=head.seal.sealed_at,
        key=head.key,
        unsealed=head.unsealed,
    )
