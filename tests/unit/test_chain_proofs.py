"""The log's Merkle tree: the streamed root is RFC 6962's, and every inclusion proof leads to
it; a proof of another leaf, size or position does not."""

from __future__ import annotations

import hashlib

from infra.chain.proofs import EMPTY_ROOT, AuditKeys, Levels, Tree, node, root_from_path


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + bytes([i])).digest() for i in range(n)]


def test_the_streamed_root_is_rfc_6962s_and_every_proof_leads_to_it() -> None:
    for n in range(1, 40):
        tree, levels = Tree(), Levels(leaves(n))
        for leaf_hash in leaves(n):
            tree.add(leaf_hash)
        assert tree.root() == levels.root()
        for index, leaf_hash in enumerate(leaves(n)):
            assert root_from_path(index, n, leaf_hash, levels.path(index)) == tree.root()


def test_three_leaves_hash_as_the_rfc_splits_them() -> None:
    a, b, c = leaves(3)
    assert Levels([a, b, c]).root() == node(node(a, b), c)
    assert Tree().root() == EMPTY_ROOT


def test_a_proof_does_not_hold_for_another_leaf_index_or_tree_shape() -> None:
    hashes = leaves(11)
    levels = Levels(hashes)
    root, path = levels.root(), levels.path(6)
    assert root_from_path(6, 11, hashes[5], path) != root
    assert root_from_path(5, 11, hashes[6], path) != root
    assert root_from_path(6, 7, hashes[6], path) != root
    assert root_from_path(11, 11, hashes[6], path) is None


def test_a_seal_is_signed_by_the_audit_key_only() -> None:
    keys, other = (
        AuditKeys("a2V5IG9mIHRoZSBhdWRpdCAxMjM0NTY="),
        AuditKeys("b3RoZXIga2V5IDEyMzQ1Njc4OTA="),
    )
    seal = keys.sign(3, 3, EMPTY_ROOT, "2026-12-01T00:00:00+00:00")
    assert seal.signed_by(keys.public)
    assert not seal.signed_by(other.public)
    assert keys.chain != other.chain
