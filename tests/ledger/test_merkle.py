"""RFC 9162 Merkle tree: roots and proofs against a naive transcription of the RFC."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.ledger.heads import sign_head
from deconfliction.engine.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from deconfliction.service.keys import LedgerKeys
from deconfliction.service.ledger import Ledger


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, word for word (independent of the code under test)."""
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    return [*path(m, d[:k]), mth(d[k:])] if m < k else [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], whole: bool) -> list[bytes]:
    if m == len(d):
        return [] if whole else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], whole), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def data(n: int) -> list[bytes]:
    return [f"entry-{i}".encode() for i in range(n)]


sizes = st.integers(min_value=1, max_value=160)


@given(sizes)
@settings(max_examples=120, deadline=None)
def test_root_matches_the_rfc(n):
    d = data(n)
    leaves = [leaf_hash(x) for x in d]
    assert MerkleTree(leaves).root() == mth(d) == root_from_leaves(leaves)


@given(sizes, st.data())
@settings(max_examples=150, deadline=None)
def test_inclusion_proofs_match_and_verify(n, draw):
    d = data(n)
    tree = MerkleTree(leaf_hash(x) for x in d)
    size = draw.draw(st.integers(min_value=1, max_value=n))
    m = draw.draw(st.integers(min_value=0, max_value=size - 1))
    proof = tree.inclusion_proof(m, size)
    assert proof == path(m, d[:size])
    assert verify_inclusion(leaf_hash(d[m]), m, size, proof, tree.root(size))


@given(sizes, st.data())
@settings(max_examples=60, deadline=None)
def test_proofs_sharing_a_memo_under_one_size_match_the_rfc(n, draw):
    """A batch's receipts share the subtree hashes of one head (``memo``): every proof is
    still the RFC's path, in whatever order they are asked."""
    d = data(n)
    tree = MerkleTree(leaf_hash(x) for x in d)
    size = draw.draw(st.integers(min_value=1, max_value=n))
    memo: dict[tuple[int, int], bytes] = {}
    order = draw.draw(st.permutations(range(size)))
    for m in order:
        assert tree.inclusion_proof(m, size, memo) == path(m, d[:size])


@given(sizes, st.data())
@settings(max_examples=150, deadline=None)
def test_consistency_proofs_match_and_verify(n, draw):
    d = data(n)
    tree = MerkleTree(leaf_hash(x) for x in d)
    second = draw.draw(st.integers(min_value=1, max_value=n))
    first = draw.draw(st.integers(min_value=1, max_value=second))
    proof = tree.consistency_proof(first, second)
    assert proof == subproof(first, d[:second], True)
    assert verify_consistency(first, second, tree.root(first), tree.root(second), proof)


@given(sizes, st.data())
@settings(max_examples=150, deadline=None)
def test_any_altered_proof_or_leaf_fails(n, draw):
    d = data(n)
    tree = MerkleTree(leaf_hash(x) for x in d)
    m = draw.draw(st.integers(min_value=0, max_value=n - 1))
    proof = tree.inclusion_proof(m, n)
    root = tree.root(n)
    assert not verify_inclusion(leaf_hash(b"forged"), m, n, proof, root)
    if proof:
        i = draw.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        broken = [*proof]
        broken[i] = _h(broken[i])
        assert not verify_inclusion(leaf_hash(d[m]), m, n, broken, root)
        assert not verify_inclusion(leaf_hash(d[m]), m, n, proof[:-1], root)
    if n > 1:
        other = (m + 1) % n
        assert not verify_inclusion(leaf_hash(d[m]), other, n, proof, root) or d[m] == d[other]


@given(st.integers(min_value=2, max_value=160), st.data())
@settings(max_examples=150, deadline=None)
def test_a_rewritten_history_is_not_consistent(n, draw):
    """A log that changed any earlier entry cannot prove consistency with its old head."""
    d = data(n)
    first = draw.draw(st.integers(min_value=1, max_value=n - 1))
    changed = draw.draw(st.integers(min_value=0, max_value=first - 1))
    old = MerkleTree(leaf_hash(x) for x in d[:first])
    forged = [*d]
    forged[changed] = b"rewritten"
    new = MerkleTree(leaf_hash(x) for x in forged)
    proof = new.consistency_proof(first, n)
    assert not verify_consistency(first, n, old.root(), new.root(), proof)


@given(sizes, st.data())
@settings(max_examples=100, deadline=None)
def test_truncate_is_the_tree_of_the_prefix(n, draw):
    size = draw.draw(st.integers(min_value=0, max_value=n))
    d = data(n)
    tree = MerkleTree(leaf_hash(x) for x in d)
    tree.truncate(size)
    assert len(tree) == size
    assert tree.root() == mth(d[:size])
    tree.append(leaf_hash(b"next"))
    assert tree.root() == mth([*d[:size], b"next"])


def test_edge_cases():
    empty = MerkleTree()
    assert empty.root() == EMPTY_ROOT == mth([])
    assert verify_consistency(0, 5, EMPTY_ROOT, b"x" * 32, [])
    assert verify_consistency(3, 3, b"r" * 32, b"r" * 32, [])
    assert not verify_consistency(3, 3, b"r" * 32, b"s" * 32, [])
    assert not verify_inclusion(leaf_hash(b"a"), 1, 1, [], leaf_hash(b"a"))
    with pytest.raises(ValueError, match="32 bytes"):
        empty.append(b"short")
    with pytest.raises(ValueError, match="no tree of size"):
        empty.root(1)


def test_receipts_after_a_rollback_to_the_same_size_are_proved_under_the_new_root(tmp_path):
    """The ledger keeps the subtree hashes of one head for the receipts of a batch; a tree
    truncated after a failed commit and grown again to the same size has another root, and
    its receipts must not reuse the old hashes."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ledger = Ledger(LedgerKeys.open(tmp_path, now))

    def batch(tag: str) -> list:
        added = [ledger.add(now, "t", f"{tag}-{i}", "{}") for i in range(3)]
        head = sign_head(ledger.keys.signer, ledger.size(), ledger.tree.root(), now)
        for a in added:
            receipt = ledger.receipt(a, head)
            assert verify_inclusion(
                a.leaf, a.index, head.tree_size, receipt.inclusion_proof, head.root_hash
            )
        return added

    for i in range(5):
        ledger.add(now, "t", f"base-{i}", "{}")
    batch("first")
    ledger.truncate(5)  # the batch's commit failed
    batch("second")  # the same size again, other leaves
