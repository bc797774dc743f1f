"""`GET /api/audit/seal`: the head of the sealed log, for the department to see and keep (a
rewrite of the whole store would change it). See docs/security.md, "Tamper evidence"."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.chain.proofs import Seal, fingerprint
from infra.chain.recorders import Chaining

router = APIRouter(prefix="/api", tags=["audit"], responses=REFUSALS)


class SealOut(BaseModel):
    sealed: bool  # false until `dangvien audit seal` has run once
    tree_size: int = 0  # events the seal covers
    last_position: int = 0
    root: str = ""  # hex SHA-256 Merkle root
    sealed_at: str = ""  # ISO 8601, UTC
    key: str = ""  # fingerprint of the key that signs seals


def seal_head(recorder: object) -> tuple[Seal | None, str]:
    """The store's last seal and the signing key's fingerprint (a store without the chain,
    as in tests on memory: none)."""
    if not isinstance(recorder, Chaining) or recorder.keys is None:
        return None, ""
    return recorder.latest_seal(), fingerprint(recorder.keys.public)


@router.get("/audit/seal", response_model=SealOut)
async def seal(_: CurrentUser, s: Svc) -> SealOut:
    """The last seal of the record (its size, Merkle root, time and signing key)."""
    head, key = await run_in_threadpool(seal_head, s.app.recorder)
    if head is None:
        return SealOut(sealed=False, key=key)
    return SealOut(
        sealed=True,
        tree_size=head.tree_size,
        last_position=head.last_position,
        root=head.root.hex(),
        sealed_at=head.sealed_at,
        key=key,
    )
