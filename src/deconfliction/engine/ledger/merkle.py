"""Merkle tree hashing and proofs exactly as RFC 9162 section 2.1 defines them.

Leaves hash as ``SHA-256(0x00 || entry)``, inner nodes as ``SHA-256(0x01 || left || right)``;
a tree of ``n`` leaves splits at the largest power of two below ``n``.

Written here rather than taken from a library: the algorithms are short and specified to the
bit, the verifier must run offline with only the standard library, and checking a million
entries in seconds needs the hashes kept as packed bytes, not one object per node.

:class:`MerkleTree` keeps every complete (perfect) subtree hash, level by level, in packed
``bytearray``s: appending a leaf is amortised O(1), and any root or proof is O(log n).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "root_from_leaves",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162: the hash of the empty string)."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one leaf.

    >>> leaf_hash(b"").hex()[:16]
    '6e340b9cffb37a98'
    """
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """The root of a tree over ``leaves`` (leaf hashes), level by level.

    Pairing neighbours and promoting an unpaired last node gives the same tree as RFC 9162's
    split at the largest power of two.

    >>> a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    >>> root_from_leaves([a, b, c]) == node_hash(node_hash(a, b), c)
    True
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class MerkleTree:
    """An append-only Merkle tree of leaf hashes.

    Examples
    --------
    >>> tree = MerkleTree()
    >>> for word in (b"filed", b"delivered", b"read", b"acknowledged", b"escalated"):
    ...     _ = tree.append(leaf_hash(word))
    >>> len(tree)
    5
    >>> proof = tree.inclusion_proof(3, 5)
    >>> verify_inclusion(leaf_hash(b"acknowledged"), 3, 5, proof, tree.root(5))
    True
    >>> verify_consistency(2, 5, tree.root(2), tree.root(5), tree.consistency_proof(2, 5))
    True
    """

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        for leaf in leaves:
            self.append(leaf)

    def __len__(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def _node(self, level: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < len(self):
            raise IndexError(f"no leaf {index} in a tree of {len(self)}")
        return self._node(0, index)

    def append(self, leaf: bytes) -> int:
        """Add a leaf hash; returns its index."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        index = len(self)
        self._levels[0] += leaf
        position, level = index, 0
        while position % 2 == 1:
            # This node completes a pair: its parent is now a complete subtree.
            left = self._node(level, position - 1)
            right = self._node(level, position)
            level += 1
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += node_hash(left, right)
            position //= 2
        return index

    def truncate(self, size: int) -> None:
        """Forget every leaf from ``size`` on (used when a transaction rolls back)."""
        if not 0 <= size <= len(self):
            raise ValueError(f"cannot truncate a tree of {len(self)} to {size}")
        for level, nodes in enumerate(self._levels):
            del nodes[(size >> level) * HASH_SIZE :]

    def _mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) with ``start`` aligned as RFC 9162's recursion guarantees."""
        size = end - start
        if size == 0:
            return EMPTY_ROOT
        if size & (size - 1) == 0 and start % size == 0:
            level = size.bit_length() - 1
            if (
                level < len(self._levels)
                and (start >> level) < len(self._levels[level]) // HASH_SIZE
            ):
                return self._node(level, start >> level)
        k = _split(size)
        return node_hash(self._mth(start, start + k), self._mth(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (all of them by default)."""
        n = len(self) if size is None else size
        if not 0 <= n <= len(self):
            raise ValueError(f"no tree of size {n}: the log has {len(self)} entries")
        return self._mth(0, n)

    def inclusion_proof(
        self, index: int, size: int, memo: dict[tuple[int, int], bytes] | None = None
    ) -> list[bytes]:
        """RFC 9162 PATH(index, D[0:size]).

        ``memo`` keeps the subtree hashes computed for proofs under the same ``size`` (and the
        same leaves): the proofs of the newest entries all need the hashes of the tree's
        incomplete right edge, which are otherwise hashed again for each.  Pass one dict per
        tree head, never across a truncation."""
        if not 0 <= index < size <= len(self):
            raise ValueError(f"no entry {index} in a tree of size {size}")
        known: dict[tuple[int, int], bytes] = {} if memo is None else memo

        def mth(start: int, end: int) -> bytes:
            found = known.get((start, end))
            if found is None:
                found = known[(start, end)] = self._mth(start, end)
            return found

        def path(m: int, start: int, end: int) -> list[bytes]:
            n = end - start
            if n == 1:
                return []
            k = _split(n)
            if m < k:
                return [*path(m, start, start + k), mth(start + k, end)]
            return [*path(m - k, start + k, end), mth(start, start + k)]

        return path(index, 0, size)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """RFC 9162 PROOF(first, D[0:second])."""
        if not 0 < first <= second <= len(self):
            raise ValueError(f"no consistency proof from {first} to {second}")

        def subproof(m: int, start: int, end: int, whole: bool) -> list[bytes]:
            n = end - start
            if m == n:
                return [] if whole else [self._mth(start, end)]
            k = _split(n)
            if m <= k:
                return [*subproof(m, start, start + k, whole), self._mth(start + k, end)]
            return [*subproof(m - k, start + k, end, False), self._mth(start, start + k)]

        return subproof(first, 0, second, True)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``proof`` show ``leaf`` at ``index`` under ``root``?"""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: does ``proof`` show that the tree of size ``second``
    extends the tree of size ``first``?"""
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
