"""The ledger on the server: the Merkle tree over the log, signing, receipts, exports.

Every event the coordinator appends gets the next index and its leaf hash
(:meth:`Ledger.add`), inside the write transaction.  Before the transaction commits, the
coordinator signs a tree head over everything it appended (:meth:`Ledger.sign`), in the same
transaction, so that a head is never stored for entries that were not, and every entry that
was committed is covered by a stored, signed head.  Receipts are built from that head.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Connection

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.ledger.entries import entries_bytes, entry_bytes, entry_header
from deconfliction.engine.ledger.heads import TreeHead, key_id_of, public_key_text, sign_head
from deconfliction.engine.ledger.merkle import MerkleTree, leaf_hash
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.engine.ledger.verify import KEY_ADDED, ExportHeader, sign_header
from deconfliction.service.keys import LedgerKeys
from deconfliction.store import ledger as store

__all__ = ["Appended", "Ledger", "WriteProof"]


@dataclass(frozen=True, slots=True)
class Appended:
    """An entry appended in the current transaction."""

    index: int
    entry: bytes
    leaf: bytes
    type: str
    subject: str
    """The entry's type and subject, as written in it (an answer lists them: reading them
    back from the entry parsed it whole, a notice's volumes included)."""
    audience: frozenset[str] = frozenset()
    """The parties that may read the entry (its feed)."""


@dataclass(frozen=True, slots=True)
class WriteProof:
    """What a write's answer carries: the receipt (with its inclusion proof) of the first entry
    the caller may read, and every entry it may read (index, canonical bytes, leaf hash).

    The answer lists the other entries by index and hash only (the caller fetches their
    receipts when it wants them), so their inclusion proofs are not computed: a notice with
    nine recipients made ten proofs for one shown."""

    receipt: Receipt | None
    entries: tuple[Appended, ...] = ()

    @classmethod
    def of(cls, receipts: list[Receipt]) -> WriteProof:
        """The proof of receipts made already (a replayed answer's)."""
        return cls(
            receipts[0] if receipts else None,
            tuple(
                Appended(r.index, r.entry, r.leaf_hash, *entry_header(r.entry)) for r in receipts
            ),
        )


class Ledger:
    """The tree (in memory, rebuilt from the stored leaf hashes) and the signing keys."""

    def __init__(self, keys: LedgerKeys) -> None:
        self.keys = keys
        self.tree = MerkleTree()
        self.lock = threading.RLock()
        """Held while the tree changes or is read for a proof from another thread."""
        self._memo_key: tuple[int, bytes] | None = None
        self._memo: dict[tuple[int, int], bytes] = {}
        self._signer: tuple[Ed25519PrivateKey, str] | None = None
        """The signing key last used and its id (worked out again when the key rotates)."""

    def catch_up(self, connection: Connection) -> None:
        with self.lock:
            for leaf in store.leaf_hashes_from(connection, len(self.tree)):
                self.tree.append(leaf)

    def follow(self, leaves: Iterable[tuple[int, str]]) -> None:
        """Append the leaves ``(index, leaf hash hex)`` of entries read from the log, in index
        order; the entries the tree holds already (a reader caught it up) are passed over."""
        with self.lock:
            for index, digest in leaves:
                size = len(self.tree)
                if index > size:
                    raise RuntimeError(f"ledger index {size} is missing from the store")
                if index == size:
                    self.tree.append(bytes.fromhex(digest))

    def size(self) -> int:
        return len(self.tree)

    def add(
        self,
        recorded_at: datetime,
        type: str,
        subject: str,
        body: str,
        audience: Iterable[str] = (),
    ) -> Appended:
        """Give an event its index and leaf hash (called inside the write transaction)."""
        with self.lock:
            index = len(self.tree)
            entry = entry_bytes(index, recorded_at, type, subject, body)
            leaf = leaf_hash(entry)
            self.tree.append(leaf)
        return Appended(index, entry, leaf, type, subject, frozenset(audience))

    def add_many(
        self, recorded_at: datetime, entries: Sequence[tuple[str, str, str, Iterable[str]]]
    ) -> list[Appended]:
        """:meth:`add` for several ``(type, subject, body, audience)`` events recorded at
        ``recorded_at``, in order (one write's entries: the time and the lock taken once)."""
        with self.lock:
            first = len(self.tree)
            written = entries_bytes(first, recorded_at, [(t, s, b) for t, s, b, _ in entries])
            out = []
            for n, (entry, (type, subject, _, audience)) in enumerate(
                zip(written, entries, strict=True)
            ):
                leaf = leaf_hash(entry)
                self.tree.append(leaf)
                out.append(Appended(first + n, entry, leaf, type, subject, frozenset(audience)))
        return out

    def truncate(self, size: int) -> None:
        with self.lock:
            if size < len(self.tree):
                self.tree.truncate(size)

    def sign(self, connection: Connection, now: datetime) -> TreeHead:
        """Sign a head over the whole tree and store it (in the caller's transaction)."""
        signer = self.keys.signer
        if self._signer is None or self._signer[0] is not signer:
            self._signer = (signer, key_id_of(signer.public_key()))
        with self.lock:
            head = sign_head(signer, len(self.tree), self.tree.root(), now, key_id=self._signer[1])
        store.insert_head(connection, head)
        return head

    def receipt(self, appended: Appended, head: TreeHead) -> Receipt:
        with self.lock:
            memo = self._proofs_memo(head)
            proof = tuple(self.tree.inclusion_proof(appended.index, head.tree_size, memo))
        return Receipt(appended.index, appended.leaf, appended.entry, head, proof)

    def _proofs_memo(self, head: TreeHead) -> dict[tuple[int, int], bytes]:
        """The subtree hashes shared by every proof under ``head`` (a batch's receipts are
        all under its one head).  Keyed by size and root: a tree truncated after a failed
        commit and grown again to the same size has another root."""
        key = (head.tree_size, head.root_hash)
        if self._memo_key != key:
            self._memo_key, self._memo = key, {}
        return self._memo

    def stored_receipt(self, connection: Connection, index: int, head: TreeHead) -> Receipt:
        """A receipt for an entry already in the store, under ``head`` (a head the
        connection's snapshot holds: the tree first catches up with it, when another thread or
        process committed what this tree has not seen yet)."""
        if len(self.tree) < head.tree_size:
            self.catch_up(connection)
        found = store.entry(connection, index)
        if found is None or index >= head.tree_size:
            raise NotFound("ledger entry", str(index))
        entry = found.canonical()
        appended = Appended(index, entry, bytes.fromhex(found.leaf_hash), found.type, found.subject)
        return self.receipt(appended, head)

    def receipts_for(
        self, entries: Iterable[Appended], head: TreeHead, party: str | None
    ) -> list[Receipt]:
        """Receipts for the entries ``party`` may read (all of them for ``party=None``)."""
        return [self.receipt(a, head) for a in entries if may_see(party, a.audience)]

    def write_proof(
        self, entries: Iterable[Appended], head: TreeHead, party: str | None
    ) -> WriteProof:
        """:meth:`receipts_for`, with the inclusion proof of the first entry only."""
        readable = tuple(a for a in entries if may_see(party, a.audience))
        return WriteProof(self.receipt(readable[0], head) if readable else None, readable)

    def consistency(self, first: int, second: int) -> list[bytes]:
        with self.lock:
            if not 0 < first <= second <= len(self.tree):
                raise InvalidInput.at(
                    ("first",),
                    f"a consistency proof needs 0 < first <= second <= {len(self.tree)} "
                    "(the log's size)",
                )
            return self.tree.consistency_proof(first, second)

    def export_lines(
        self, connection: Connection, party: str | None, head: TreeHead
    ) -> Iterator[bytes]:
        """The export (see :mod:`deconfliction.engine.ledger.verify`) up to ``head``: every
        entry readable by ``party`` in full (every entry for the operator, ``party=None``), the
        others as their hash only, and every stored head up to it."""
        visible = None if party is None else store.visible_indexes(connection, party)
        heads = [h for h in store.heads(connection) if h.tree_size <= head.tree_size]
        header = sign_header(
            ExportHeader(party, head.tree_size, tuple(heads)).to_dict(
                [r.to_dict() for r in self.keys.records()]
            ),
            self.keys.signer,
        )
        yield json.dumps(header, separators=(",", ":")).encode()
        # Entries as stored, even altered ones: the verifier, not the export, names them.
        for index, type, digest, entry in store.exported_entries(connection, head.tree_size):
            # Key rotations are public: every party must be able to follow them.
            readable = visible is None or index in visible or type == KEY_ADDED
            yield b"%d\t%s\t%s" % (index, digest.encode(), entry if readable else b"")


def key_added_payload(new: Ed25519PrivateKey, previous_key_id: str) -> dict[str, str]:
    """The event that introduces a new signing key into the log."""
    public = new.public_key()
    return {
        "key_id": key_id_of(public),
        "public_key": public_key_text(public),
        "previous_key_id": previous_key_id,
    }
