"""Access to the ledger under need to know: tree heads, receipts, proofs, exports, keys.

A party may have a receipt for, and read in an export, the entries on its own feed (what was
addressed to it or concerns it); every other entry appears in its export as a hash only, which
is enough to rebuild and check the whole tree.  Whoever runs the server (``party=None``, the
command line) sees every entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deconfliction.engine.errors import NotFound
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.engine.ledger.verify import KEY_ADDED
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.keys import KeyRecord
from deconfliction.service.ledger import Ledger, key_added_payload
from deconfliction.service.reading import Reader
from deconfliction.store import ledger as store

__all__ = [
    "consistency_proof",
    "export",
    "key_records",
    "latest_head",
    "receipt",
    "rotate_key",
    "sign_head_now",
]


def sign_head_now(tx: Tx) -> TreeHead:
    """Sign a fresh head over the whole log now (on demand, or regularly)."""
    return tx.ledger.sign(tx.connection, tx.now)


def latest_head(reader: Reader) -> TreeHead:
    """The newest signed head of the record as read.  Every committed write signs one in its
    own transaction, so it covers every entry the reader can see."""
    head = store.latest_head(reader.connection)
    if head is None:
        raise NotFound("tree head", "latest")
    return head


def receipt(reader: Reader, ledger: Ledger, index: int) -> Receipt:
    """A receipt for entry ``index`` under the newest head, if the reader's party may read
    the entry (missing and hidden answer alike)."""
    party = reader.party
    head = store.latest_head(reader.connection)
    if (
        head is None
        or not 0 <= index < head.tree_size
        or (party is not None and not store.is_visible(reader.connection, party, index))
    ):
        raise NotFound("ledger entry", str(index))
    return ledger.stored_receipt(reader.connection, index, head)


def consistency_proof(ledger: Ledger, first: int, second: int) -> dict[str, Any]:
    """The proof that the tree of size ``second`` extends the tree of size ``first``."""
    proof = ledger.consistency(first, second)
    return {
        "first": first,
        "second": second,
        "first_root": ledger.tree.root(first).hex(),
        "second_root": ledger.tree.root(second).hex(),
        "proof": [p.hex() for p in proof],
    }


def export(coordinator: Coordinator, party: str | None) -> Iterator[bytes]:
    """An export of the log for ``party`` (see :mod:`deconfliction.engine.ledger.verify`),
    under the newest signed head; one line at a time, each ending in a newline.

    Only the store is read when a stored head covers every stored entry (every committed
    write signs one): nothing is replayed, so a store whose rows were altered, removed or
    reordered can still be exported, and the verifier names the place."""
    with coordinator.db.reading() as connection:
        head = store.latest_head(connection)
        size = store.log_size(connection)
    if head is None or head.tree_size < size:
        head = coordinator.run(sign_head_now)
    with coordinator.db.reading() as connection:
        for line in coordinator.ledger.export_lines(connection, party, head):
            yield line + b"\n"


def key_records(coordinator: Coordinator) -> list[KeyRecord]:
    return coordinator.ledger.keys.records()


def rotate_key(coordinator: Coordinator) -> tuple[KeyRecord, KeyRecord]:
    """Introduce a new signing key: the log records it (an entry signed under the old key's
    head), then the new key signs from the next transaction on.  Old heads stay verifiable
    with the old public key, which is kept."""
    keys = coordinator.ledger.keys
    new = Ed25519PrivateKey.generate()
    previous = keys.active_record()

    def record(tx: Tx) -> None:
        tx.append(KEY_ADDED, "ledger", key_added_payload(new, previous.key_id), ())

    coordinator.run(record)
    return keys.install(new, coordinator.clock.now())
