"""The ledger's answers: keys, signed tree heads, receipts, proofs, timelines."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "ConsistencyProof",
    "KeyPublic",
    "KeysPublic",
    "ReceiptPublic",
    "Timeline",
    "TreeHeadPublic",
]


class TreeHeadPublic(BaseModel):
    """ "The log had ``tree_size`` entries with root ``root_hash`` at ``timestamp``", signed
    (Ed25519, base64) by key ``key_id`` over the RFC 8785 canonical JSON of these fields and
    the log's name."""

    tree_size: int
    root_hash: str = Field(description="hex")
    timestamp: str
    key_id: str
    signature: str = Field(description="base64")


class ReceiptPublic(BaseModel):
    """Proof that an entry is in the log: check it offline with ``deconflict verify
    receipt``."""

    format: str
    index: int
    leaf_hash: str
    recorded_at: str
    type: str
    subject: str
    entry: str = Field(description="The entry's canonical JSON: the bytes its leaf hash covers.")
    tree_head: TreeHeadPublic
    inclusion_proof: list[str] = Field(description="RFC 9162 audit path, hex hashes.")


class ConsistencyProof(BaseModel):
    """Proof that the tree of size ``second`` extends the tree of size ``first``."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class KeyPublic(BaseModel):
    key_id: str
    algorithm: str
    public_key: str = Field(description="base64 of the 32-byte Ed25519 public key")
    created_at: str
    retired_at: str | None


class KeysPublic(BaseModel):
    log: str
    keys: list[KeyPublic]


class Timeline(BaseModel):
    """What happened to a notice, entry by entry, each with its receipt."""

    notice: str
    series: str
    author: str
    versions: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    tree_head: TreeHeadPublic
