"""Checking a whole ledger export, offline.

An export is UTF-8 text: a first line of JSON (the header: format, the signed tree heads, the
log's keys) and then one line per entry, ``<index>\\t<leaf hash hex>\\t<entry>``, where the
entry is empty when the exporting party may not read it (only its hash is given, which is
enough to rebuild the tree).

The header is signed by the log's key at export time (``signature``: the key's id and an Ed25519
signature over the RFC 8785 form of every other field of the header), so the party it was made
for, its size, its heads and the keys it lists are covered by verification like the entries:
any change to any of them is reported.

The check recomputes every readable entry's hash, requires the indexes to run 0, 1, 2, ...
with none missing or out of place, rebuilds the tree, and compares its root with every signed
tree head, each checked against the log's keys.  Any alteration, removal or reordering is
reported with the first entry that is wrong.  New keys the log introduced (``ledger.key_added``
entries) are trusted from the first head that covers their introduction.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deconfliction.engine.ledger.heads import Keyring, TreeHead, key_id_of, public_key_from_text
from deconfliction.engine.ledger.merkle import HASH_SIZE, MerkleTree, leaf_hash
from deconfliction.engine.ledger.receipts import Check

__all__ = [
    "EXPORT_FORMAT",
    "ExportHeader",
    "compare_exports",
    "read_header",
    "sign_header",
    "verify_export",
]

EXPORT_FORMAT = "deconfliction-ledger-export/1"
KEY_ADDED = "ledger.key_added"
_INDEX_MARK = b',"index":'


@dataclass(frozen=True, slots=True)
class ExportHeader:
    party: str | None
    tree_size: int
    heads: tuple[TreeHead, ...]

    def to_dict(self, keys: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "party": self.party,
            "tree_size": self.tree_size,
            "tree_heads": [h.to_dict() for h in self.heads],
            "keys": keys,
        }


def _header_payload(data: dict[str, Any]) -> bytes:
    return bytes(rfc8785.dumps({k: v for k, v in data.items() if k != "signature"}))


def sign_header(data: dict[str, Any], private: Ed25519PrivateKey) -> dict[str, Any]:
    """``data`` (an export header, :meth:`ExportHeader.to_dict`) with its signature."""
    signature = private.sign(_header_payload(data))
    return data | {
        "signature": {
            "key_id": key_id_of(private.public_key()),
            "signature": base64.b64encode(signature).decode("ascii"),
        }
    }


def _header_problem(data: dict[str, Any], keyring: Keyring) -> str | None:
    """Why the header's signature does not vouch for it (None when it does)."""
    signed = data.get("signature")
    if not isinstance(signed, dict) or not {"key_id", "signature"} <= set(signed):
        return "the header: not signed, so its party, heads and keys cannot be checked"
    try:
        signature = base64.b64decode(str(signed["signature"]), validate=True)
    except (binascii.Error, ValueError):
        return "the header: its signature is not base64"
    key_id = str(signed["key_id"])
    if key_id not in keyring:
        return (
            f"the header: signed by key {key_id}, which is neither trusted nor introduced by "
            "the log"
        )
    if not keyring.verify_bytes(key_id, signature, _header_payload(data)):
        return (
            "the header: its signature does not verify (its party, size, tree heads or keys "
            "were altered)"
        )
    return None


def _header_data(line: bytes | str) -> dict[str, Any]:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("the header is a JSON object")
    return data


def read_header(line: bytes | str) -> ExportHeader:
    return _header_from(_header_data(line))


def _header_from(data: dict[str, Any]) -> ExportHeader:
    if data.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not a ledger export (format must be {EXPORT_FORMAT})")
    heads = tuple(
        sorted((TreeHead.from_dict(h) for h in data["tree_heads"]), key=lambda h: h.tree_size)
    )
    return ExportHeader(data.get("party"), int(data["tree_size"]), heads)


def _key_added(entry: bytes) -> str | None:
    """The public key a ``ledger.key_added`` entry introduces."""
    if b'"type":"' + KEY_ADDED.encode() + b'"' not in entry:
        return None
    try:
        data = json.loads(entry)
        if data.get("type") != KEY_ADDED:
            return None
        return str(data["event"]["public_key"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not what the log hashed: its leaf hash or the next head gives it away


def verify_export(lines: Iterable[bytes], keyring: Keyring) -> Check:
    """Verify an export given as lines of bytes (the first is the header)."""
    stream: Iterator[bytes] = iter(lines)
    try:
        header_data = _header_data(next(stream))
        header = _header_from(header_data)
    except StopIteration:
        return Check(("the export is empty",))
    except (ValueError, KeyError, TypeError) as exc:
        return Check((f"the header is not valid: {exc}",))
    keyring = keyring.copy()  # keys the log introduces are trusted for this check only
    problems: list[str] = []
    tree = MerkleTree()
    heads = list(header.heads)
    next_head = 0
    matched_size = 0
    readable = 0
    introduced: dict[str, int] = {}
    pending_keys: list[tuple[int, str]] = []

    def check_heads_up_to(size: int) -> None:
        nonlocal next_head, matched_size
        while next_head < len(heads) and heads[next_head].tree_size == size:
            head = heads[next_head]
            next_head += 1
            for at, text in list(pending_keys):
                if at < size and matched_size >= at + 1:
                    introduced[keyring.add(public_key_from_text(text))] = at
                    pending_keys.remove((at, text))
            if head.key_id not in keyring:
                problems.append(
                    f"tree head of size {size}: signed by key {head.key_id}, which is neither "
                    "trusted nor introduced by the log before it (the signing key was swapped?)"
                )
            elif not keyring.verify(head):
                problems.append(f"tree head of size {size}: the signature does not verify")
            elif head.root_hash != tree.root(size):
                problems.append(
                    f"tree head of size {size}: the entries do not produce its root; the first "
                    f"entry that may be wrong is entry {matched_size} (every entry before it "
                    "matches an earlier signed head)"
                )
            else:
                matched_size = size
            if head.key_id in introduced and introduced[head.key_id] >= size:
                problems.append(f"tree head of size {size}: signed by a key introduced later")

    check_heads_up_to(0)
    expected = 0
    for raw in stream:
        line = raw.rstrip(b"\r\n")
        if not line:
            continue
        parts = line.split(b"\t", 2)
        if len(parts) != 3:
            problems.append(f"line after entry {expected - 1}: not an entry line")
            break
        index_text, hash_text, entry = parts
        try:
            index = int(index_text)
            listed = bytes.fromhex(hash_text.decode("ascii"))
        except ValueError:
            problems.append(f"entry {expected}: unreadable index or hash")
            break
        if index != expected:
            if index > expected:
                problems.append(f"entry {expected}: missing (the next line is entry {index})")
            else:
                problems.append(
                    f"entry {expected}: out of order (found entry {index} in its place)"
                )
            break
        if len(listed) != HASH_SIZE:
            problems.append(f"entry {index}: its leaf hash is not 32 bytes")
            break
        if entry:
            readable += 1
            if leaf_hash(entry) != listed:
                problems.append(
                    f"entry {index}: its content does not match its leaf hash (altered)"
                )
            mark = entry.rfind(_INDEX_MARK)
            end = entry.find(b",", mark + len(_INDEX_MARK))
            if mark < 0 or entry[mark + len(_INDEX_MARK) : end] != index_text:
                problems.append(f"entry {index}: the entry names another index (moved)")
            key = _key_added(entry)
            if key is not None:
                pending_keys.append((index, key))
        tree.append(listed)
        expected += 1
        if next_head < len(heads) and heads[next_head].tree_size == expected:
            check_heads_up_to(expected)
        if problems:
            break
    if not problems and expected != header.tree_size:
        # The head over the missing entries cannot be checked: those before them that no
        # other head vouches for may be wrong too (renumbered to close a gap, say).
        doubt = (
            f"; the first entry that may be wrong is entry {matched_size} (every entry before "
            "it matches a signed head)"
            if matched_size < expected
            else ""
        )
        problems.append(
            f"entry {expected}: missing (the header says {header.tree_size} entries, the export "
            f"has {expected}){doubt}"
        )
    if not problems and next_head < len(heads):
        problems.append(f"tree head of size {heads[next_head].tree_size}: beyond the entries given")
    if not problems and matched_size < expected:
        problems.append(
            f"entry {matched_size}: not covered by any signed tree head (entries {matched_size} "
            f"to {expected - 1} cannot be checked)"
        )
    # Last: keys the log introduced (and the entries proved) may be the one that signed it.
    header_problem = _header_problem(header_data, keyring)
    if header_problem is not None:
        problems.append(header_problem)
    facts = {
        "entries": expected,
        "readable_entries": readable,
        "tree_heads_checked": next_head,
        "root_hash": tree.root().hex(),
        "party": header.party,
        "keys_introduced_by_the_log": sorted(introduced),
    }
    return Check(tuple(problems), facts)


def _leaves(lines: Iterable[bytes]) -> tuple[ExportHeader, list[bytes]]:
    stream = iter(lines)
    header = read_header(next(stream))
    leaves = []
    for raw in stream:
        line = raw.rstrip(b"\r\n")
        if line:
            leaves.append(bytes.fromhex(line.split(b"\t", 2)[1].decode("ascii")))
    return header, leaves


def compare_exports(older: Iterable[bytes], newer: Iterable[bytes]) -> Check:
    """Compare a party's own older copy of the log with a newer export: the newer must
    extend the older entry for entry (the log only grows) and every tree head the older copy
    holds must still match.  Names the first entry that differs."""
    try:
        old_header, old = _leaves(older)
        _, new = _leaves(newer)
    except (StopIteration, ValueError, KeyError, IndexError) as exc:
        return Check((f"an export is not readable: {exc}",))
    problems: list[str] = []
    for index, leaf in enumerate(old):
        if index >= len(new):
            problems.append(f"entry {index}: in your copy but no longer in the log (removed)")
            break
        if new[index] != leaf:
            problems.append(f"entry {index}: differs from your copy (the log was rewritten)")
            break
    if not problems:
        tree = MerkleTree(new[: len(old)])
        for head in old_header.heads:
            if head.tree_size <= len(old) and tree.root(head.tree_size) != head.root_hash:
                problems.append(
                    f"tree head of size {head.tree_size} in your copy does not match the log"
                )
                break
    facts = {"older_entries": len(old), "newer_entries": len(new)}
    return Check(tuple(problems), facts)
