"""Receipts: what a party keeps to prove, later and to anyone, what it was told and when.

A receipt carries the entry itself (its canonical bytes), the entry's index and leaf hash, a
tree head signed by the log's key, and the proof that the entry is in that tree.  With the
log's public key alone, anyone can check it; no server is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deconfliction.engine.ledger.entries import entry_stamp, format_time, parse_entry
from deconfliction.engine.ledger.heads import Keyring, TreeHead
from deconfliction.engine.ledger.merkle import leaf_hash, verify_inclusion

__all__ = ["RECEIPT_FORMAT", "Check", "Receipt", "verify_receipt"]

RECEIPT_FORMAT = "deconfliction-receipt/1"


@dataclass(frozen=True, slots=True)
class Receipt:
    index: int
    leaf_hash: bytes
    entry: bytes
    tree_head: TreeHead
    inclusion_proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        recorded_at, type, subject = entry_stamp(self.entry)
        return {
            "format": RECEIPT_FORMAT,
            "index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "recorded_at": recorded_at,
            "type": type,
            "subject": subject,
            "entry": self.entry.decode("utf-8"),
            "tree_head": self.tree_head.to_dict(),
            "inclusion_proof": [p.hex() for p in self.inclusion_proof],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Receipt:
        if data.get("format") != RECEIPT_FORMAT:
            raise ValueError(f"not a receipt (format must be {RECEIPT_FORMAT})")
        return cls(
            index=int(data["index"]),
            leaf_hash=bytes.fromhex(data["leaf_hash"]),
            entry=str(data["entry"]).encode("utf-8"),
            tree_head=TreeHead.from_dict(data["tree_head"]),
            inclusion_proof=tuple(bytes.fromhex(p) for p in data["inclusion_proof"]),
        )


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of a verification: ``problems`` in the order found (empty when it holds),
    ``facts`` what was established."""

    problems: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_receipt(receipt: Receipt, keyring: Keyring) -> Check:
    """Check a receipt against the log's public keys, offline."""
    problems: list[str] = []
    recomputed = leaf_hash(receipt.entry)
    if recomputed != receipt.leaf_hash:
        problems.append(
            f"entry {receipt.index}: its content does not match its leaf hash (the entry was altered)"
        )
    try:
        entry = parse_entry(receipt.entry)
    except (ValueError, KeyError, TypeError) as exc:
        return Check((*problems, f"entry {receipt.index}: not a valid entry ({exc})"))
    if entry.index != receipt.index:
        problems.append(f"entry {receipt.index}: the entry says it is entry {entry.index}")
    head = receipt.tree_head
    if head.key_id not in keyring:
        problems.append(f"tree head of size {head.tree_size}: signed by unknown key {head.key_id}")
    elif not keyring.verify(head):
        problems.append(f"tree head of size {head.tree_size}: the signature does not verify")
    if not verify_inclusion(
        recomputed, receipt.index, head.tree_size, receipt.inclusion_proof, head.root_hash
    ):
        problems.append(
            f"entry {receipt.index}: not included in the signed tree of size {head.tree_size} "
            "(the inclusion proof fails)"
        )
    facts = {
        "index": receipt.index,
        "type": entry.type,
        "subject": entry.subject,
        "recorded_at": format_time(entry.recorded_at),
        "tree_size": head.tree_size,
        "signed_at": format_time(head.timestamp),
        "key_id": head.key_id,
    }
    return Check(tuple(problems), facts)
