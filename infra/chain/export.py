"""Exports of a history with its proofs, and their offline check (no database, no secret).

An export holds the aggregates' events as stored (ciphertext), each with its link, its place in
the log and its inclusion proof against the last seal, and that seal with the public key that
signed it. `verify_export` recomputes every leaf from the event's bytes, follows each proof to
the seal's root, checks the signature, and that every aggregate's versions run from 1 without a
gap (nothing left out). Like a Certificate Transparency client, the reader trusts the key, not
the file: compare its fingerprint, or the seal's root, with the ones the department shows."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from infra.chain.ledger import Ledger
from infra.chain.proofs import (
    AuditKeys,
    Levels,
    Seal,
    digest,
    export_signed_by,
    fingerprint,
    leaf,
    root_from_path,
)

FORMAT = "dangvien-audit-export/1"


class ExportError(Exception):
    pass


def canonical(document: Any) -> bytes:
    """The bytes the export's own signature covers: everything but that signature."""
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def export(ledger: Ledger, keys: AuditKeys, subject: dict[str, str], ids: Sequence[UUID]) -> Any:
    """The sealed history of these aggregates, with proofs (events after the last seal are
    counted, not included: seal first to include them), signed as a whole so that nothing
    (an aggregate, an event) can be left out of the file unseen."""
    public_key = keys.public
    seals = ledger.seals()
    if not seals:
        raise ExportError("the store has no seal yet: run `dangvien audit seal`")
    head = seals[-1]
    positions, leaves = ledger.leaves(head.last_position)
    levels = Levels(leaves)
    if levels.size != head.tree_size or levels.root() != head.root:
        raise ExportError("the store does not match its last seal: run `dangvien audit verify`")
    events, later = [], 0
    for position, oid, version, topic, state, mac in ledger.history(ids):
        if position > head.last_position:
            later += 1
            continue
        if mac is None:
            raise ExportError(f"position {position} is not chained: run `dangvien audit verify`")
        index = bisect_left(positions, position)
        events.append(
            {
                "position": position,
                "index": index,
                "originator_id": str(UUID(bytes=oid)),
                "version": version,
                "topic": topic,
                "state": b64encode(bytes(state)).decode(),
                "link": bytes(mac).hex(),
                "proof": [h.hex() for h in levels.path(index)],
            }
        )
    document = {
        "format": FORMAT,
        "subject": subject,
        "aggregates": [str(i) for i in ids],
        "seal": {
            "tree_size": head.tree_size,
            "last_position": head.last_position,
            "root": head.root.hex(),
            "sealed_at": head.sealed_at,
            "signature": head.signature.hex(),
        },
        "public_key": public_key.hex(),
        "key_fingerprint": fingerprint(public_key),
        "events": events,
        "events_after_seal": later,
    }
    document["signature"] = keys.sign_export(canonical(document)).hex()
    return document


def verify_export(document: Any, pinned_key: str | None = None) -> list[str]:
    """Problems found in an export (none: every event is proven in the signed seal)."""
    try:
        return _check(document, pinned_key)
    except (KeyError, TypeError, ValueError) as error:
        return [f"not a well-formed export: {type(error).__name__} {error}"]


def _check(document: Any, pinned_key: str | None) -> list[str]:
    if document.get("format") != FORMAT:
        return [f"not a {FORMAT} file"]
    public = bytes.fromhex(document["public_key"])
    if pinned_key and fingerprint(public) != pinned_key and public.hex() != pinned_key:
        return [f"signed by key {fingerprint(public)}, not by {pinned_key}"]
    s = document["seal"]
    head = Seal(
        int(s["tree_size"]),
        int(s["last_position"]),
        bytes.fromhex(s["root"]),
        str(s["sealed_at"]),
        bytes.fromhex(s["signature"]),
    )
    if not head.signed_by(public):
        return ["the seal's signature does not hold: the seal or the key was altered"]
    if not export_signed_by(public, canonical(document), bytes.fromhex(document["signature"])):
        return ["the file's signature does not hold: the file was altered after its export"]
    problems: list[str] = []
    versions: dict[str, list[int]] = {i: [] for i in document["aggregates"]}
    for event in document["events"]:
        position, oid = int(event["position"]), UUID(event["originator_id"])
        d = digest(
            position, oid.bytes, int(event["version"]), event["topic"], b64decode(event["state"])
        )
        reached = root_from_path(
            int(event["index"]),
            head.tree_size,
            leaf(d, bytes.fromhex(event["link"])),
            [bytes.fromhex(h) for h in event["proof"]],
        )
        if position > head.last_position or reached != head.root:
            problems.append(f"position {position} ({oid} v{event['version']}) is not proven")
        versions.setdefault(str(oid), []).append(int(event["version"]))
    for name, found in versions.items():
        if name not in document["aggregates"]:
            problems.append(f"aggregate {name} is not one the export is about")
        if not found or sorted(found) != list(range(1, len(found) + 1)):
            problems.append(f"aggregate {name}: versions {sorted(found)} are not 1…n")
    return problems


def read(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
