"""Verifying the whole store, sealing it, and chaining a store made before the chain existed.

`verify` recomputes every event's digest, link and leaf from the rows as stored, checks each
aggregate's versions follow one another, and every seal against the Merkle root of the log up
to its size. It stops at the first problem: a position, an aggregate, what is wrong there."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from infra.chain.ledger import ChainRow, Ledger, pages
from infra.chain.proofs import ZERO, AuditKeys, Seal, Tree, digest, leaf, link

NOT_CHAINED = (
    "not chained: a row stored behind the application's back "
    "(or before the chain existed: run `dangvien audit seal` once)"
)


@dataclass(frozen=True)
class Problem:
    position: int
    aggregate: UUID | None
    what: str

    def __str__(self) -> str:
        where = f"position {self.position}"
        if self.aggregate is not None:
            where += f", aggregate {self.aggregate}"
        return f"{where}: {self.what}"


@dataclass
class Report:
    events: int = 0
    last_position: int = 0
    root: bytes = field(default_factory=Tree().root)
    seals: int = 0  # seals checked
    head: Seal | None = None  # the last seal
    problem: Problem | None = None
    seconds: float = 0.0

    @property
    def unsealed(self) -> int:
        return self.events - (self.head.tree_size if self.head else 0)


def _uuid(oid: bytes | None) -> UUID | None:
    return None if oid is None else UUID(bytes=oid)


def verify(ledger: Ledger, keys: AuditKeys) -> Report:
    started = time.perf_counter()
    report = Report()
    report.problem = _walk(ledger, keys, report)
    report.seconds = time.perf_counter() - started
    return report


def _walk(ledger: Ledger, keys: AuditKeys, report: Report) -> Problem | None:
    seals = ledger.seals()
    report.head = seals[-1] if seals else None
    for each in seals:
        if not each.signed_by(keys.public):
            return Problem(each.last_position, None, f"seal {each.tree_size} is not signed")
    awaited = iter(seals)
    seal: Seal | None = next(awaited, None)
    chained = pages(ledger.chain)
    pending: ChainRow | None = next(chained, None)
    latest: dict[bytes, tuple[int, bytes]] = {}
    tree, key, size = Tree(), keys.chain, 0
    position = 0
    for position, oid, version, topic, state in pages(ledger.events):
        if pending is not None and pending[0] < position:
            return Problem(pending[0], _uuid(pending[1]), "the event chained here is missing")
        if pending is None or pending[0] != position:
            return Problem(position, _uuid(oid), NOT_CHAINED)
        _, chain_oid, chain_version, mac, stored_leaf = pending
        pending = next(chained, None)
        if chain_oid != oid or chain_version != version:
            return Problem(
                position,
                _uuid(chain_oid),
                f"the chain has its version {chain_version} here, the store version {version} "
                f"of {_uuid(oid)}: rows moved, renumbered or replaced",
            )
        last_version, previous = latest.get(oid, (0, ZERO))
        if version != last_version + 1:
            return Problem(
                position, _uuid(oid), f"version {version} follows {last_version}: rows missing"
            )
        d = digest(position, oid, version, topic, state)
        if link(key, previous, d) != mac:
            return Problem(position, _uuid(oid), "the stored event or its link was altered")
        event_leaf = leaf(d, mac)
        if event_leaf != bytes(stored_leaf):
            return Problem(position, _uuid(oid), "the stored leaf was altered")
        latest[oid] = (version, mac)
        tree.add(event_leaf)
        size += 1
        if seal is not None and size == seal.tree_size:
            if seal.last_position != position or tree.root() != seal.root:
                return Problem(
                    position, _uuid(oid), f"the seal of {seal.sealed_at} does not match the log"
                )
            report.seals += 1
            seal = next(awaited, None)
        report.events, report.last_position = size, position
    report.root = tree.root()
    if pending is not None:
        return Problem(pending[0], _uuid(pending[1]), "the event chained here is missing")
    if seal is not None:
        return Problem(
            seal.last_position,
            None,
            f"the log ends at {size} events, but the seal of {seal.sealed_at} holds "
            f"{seal.tree_size}: events were removed",
        )
    return None


def chain_existing(ledger: Ledger, keys: AuditKeys, batch: int = 10_000) -> int:
    """The one-off for a store made before the chain: chains every event that has no link,
    in position order, holding the writers' lock (application writes wait). Only a store
    never sealed: after its first seal an unchained event is tampering, never chained."""
    with ledger.locked():
        if ledger.seals():
            return 0
        chained = pages(ledger.chain)
        pending = next(chained, None)
        latest: dict[bytes, bytes] = {}
        rows: list[ChainRow] = []
        added = 0
        for position, oid, version, topic, state in pages(ledger.events):
            while pending is not None and pending[0] < position:
                pending = next(chained, None)
            d = digest(position, oid, version, topic, state)
            if pending is not None and pending[0] == position:
                mac = bytes(pending[3])
            else:
                mac = link(keys.chain, latest.get(oid, ZERO), d)
                rows.append((position, oid, version, mac, leaf(d, mac)))
            latest[oid] = mac
            if len(rows) >= batch:
                ledger.add_chain(rows)
                added, rows = added + len(rows), []
        ledger.add_chain(rows)
        return added + len(rows)


@dataclass(frozen=True)
class Sealing:
    chained: int  # events chained by the one-off
    report: Report
    seal: Seal | None  # None: a problem, or nothing new since the last seal


def seal(ledger: Ledger, keys: AuditKeys, now: datetime | None = None) -> Sealing:
    """Chain a store made before the chain (first time only), verify it all, then sign a
    seal over the log as verified; a store that does not verify is never sealed."""
    chained = chain_existing(ledger, keys)
    report = verify(ledger, keys)
    if report.problem or report.events == 0 or report.unsealed == 0:
        return Sealing(chained, report, None)
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    made = keys.sign(report.events, report.last_position, report.root, at)
    ledger.add_seal(made)
    return Sealing(chained, report, made)
