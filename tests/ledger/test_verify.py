"""Receipts and exports: every kind of tampering is caught and named, offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.ledger.entries import entry_bytes, parse_entry
from deconfliction.engine.ledger.heads import (
    Keyring,
    TreeHead,
    key_id_of,
    public_key_text,
    sign_head,
)
from deconfliction.engine.ledger.merkle import MerkleTree, leaf_hash
from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from deconfliction.engine.ledger.verify import KEY_ADDED, ExportHeader, sign_header, verify_export

T0 = datetime(2026, 11, 24, 9, 59, 10, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()


def make_entries(n: int) -> list[bytes]:
    return [
        entry_bytes(i, T0 + timedelta(seconds=i), "notice.filed", f"n-{i}", f'{{"i":{i}}}')
        for i in range(n)
    ]


def heads_for(entries: list[bytes], sizes, key=KEY) -> list[TreeHead]:
    tree = MerkleTree(leaf_hash(e) for e in entries)
    return [sign_head(key, s, tree.root(s), T0) for s in sizes]


def export_lines(entries, heads, hidden=(), listed=None, key=KEY) -> list[bytes]:
    header = sign_header(ExportHeader("idf", len(entries), tuple(heads)).to_dict([]), key)
    lines = [json.dumps(header).encode()]
    for i, entry in enumerate(entries):
        digest = (listed[i] if listed else leaf_hash(entry)).hex().encode()
        lines.append(b"%d\t%s\t%s" % (i, digest, b"" if i in hidden else entry))
    return lines


RING = Keyring([KEY.public_key()])
N = 60
ENTRIES = make_entries(N)
HEADS = heads_for(ENTRIES, [*range(1, N, 7), N])


def test_a_clean_export_verifies_even_with_hidden_entries():
    check = verify_export(export_lines(ENTRIES, HEADS, hidden={2, 30, 31}), RING)
    assert check.ok, check.problems
    assert check.facts["entries"] == N
    assert check.facts["readable_entries"] == N - 3


@given(st.integers(min_value=0, max_value=N - 1), st.data())
@settings(max_examples=60, deadline=None)
def test_changing_any_byte_of_any_entry_names_it(index, draw):
    entry = bytearray(ENTRIES[index])
    position = draw.draw(st.integers(min_value=0, max_value=len(entry) - 1))
    entry[position] = (entry[position] + 1) % 256 or 1
    tampered = [*ENTRIES]
    tampered[index] = bytes(entry)
    listed = [leaf_hash(e) for e in ENTRIES]
    check = verify_export(export_lines(tampered, HEADS, listed=listed), RING)
    assert not check.ok
    assert check.problems[0].startswith(f"entry {index}:")


@given(st.integers(min_value=0, max_value=N - 1))
@settings(max_examples=30, deadline=None)
def test_a_consistent_rewrite_is_caught_by_the_next_signed_head(index):
    tampered = [*ENTRIES]
    tampered[index] = tampered[index].replace(b'"i":', b'"i":-')
    check = verify_export(export_lines(tampered, HEADS), RING)
    assert not check.ok
    covering = min(h.tree_size for h in HEADS if h.tree_size > index)
    assert check.problems[0].startswith(f"tree head of size {covering}:")
    first_doubt = max((h.tree_size for h in HEADS if h.tree_size <= index), default=0)
    assert f"entry {first_doubt}" in check.problems[0]


@given(st.integers(min_value=0, max_value=N - 1))
@settings(max_examples=30, deadline=None)
def test_deleting_an_entry_names_it(index):
    lines = export_lines(ENTRIES, HEADS)
    del lines[index + 1]
    check = verify_export(lines, RING)
    assert not check.ok
    assert check.problems[0].startswith(f"entry {index}:")


@given(st.integers(min_value=0, max_value=N - 2))
@settings(max_examples=30, deadline=None)
def test_reordering_two_entries_names_the_first(index):
    lines = export_lines(ENTRIES, HEADS)
    lines[index + 1], lines[index + 2] = lines[index + 2], lines[index + 1]
    check = verify_export(lines, RING)
    assert not check.ok
    assert check.problems[0].startswith(f"entry {index}:")


def test_entries_beyond_the_last_signed_head_are_reported():
    check = verify_export(export_lines(ENTRIES, HEADS[:-1]), RING)
    last = HEADS[-2].tree_size
    assert check.problems == (
        f"entry {last}: not covered by any signed tree head (entries {last} to {N - 1} cannot be checked)",
    )


def test_a_renumbered_entry_is_caught():
    """Entries swapped with their index and hash rewritten to match the new place."""
    tampered = [*ENTRIES]
    tampered[5], tampered[6] = ENTRIES[6], ENTRIES[5]
    check = verify_export(export_lines(tampered, HEADS), RING)
    assert check.problems[0].startswith("entry 5:")


def test_a_swapped_signing_key_is_caught():
    forged = heads_for(ENTRIES, [*range(1, N, 7), N], key=OTHER)
    check = verify_export(export_lines(ENTRIES, forged), RING)
    assert check.problems[0].startswith("tree head of size 1:")
    assert "swapped" in check.problems[0]


def test_a_forged_signature_is_caught():
    head = HEADS[-1]
    forged = TreeHead(head.tree_size, head.root_hash, head.timestamp, head.key_id, bytes(64))
    check = verify_export(export_lines(ENTRIES, [*HEADS[:-1], forged]), RING)
    assert check.problems[0] == f"tree head of size {head.tree_size}: the signature does not verify"


def test_a_key_rotation_recorded_in_the_log_is_followed():
    rotation = entry_bytes(
        N,
        T0 + timedelta(seconds=N),
        KEY_ADDED,
        "ledger",
        json.dumps({"public_key": public_key_text(OTHER.public_key())}, separators=(",", ":")),
    )
    entries = [*ENTRIES, rotation, *make_entries(N + 10)[N + 1 :]]
    tree = MerkleTree(leaf_hash(e) for e in entries)
    heads = [sign_head(KEY, s, tree.root(s), T0) for s in (10, N + 1)]
    heads += [sign_head(OTHER, s, tree.root(s), T0) for s in (N + 5, N + 10)]
    check = verify_export(export_lines(entries, heads), RING)
    assert check.ok, check.problems
    # Without the rotation entry covered by an old-key head, the new key is not trusted.
    early = [sign_head(KEY, 10, tree.root(10), T0), sign_head(OTHER, N + 5, tree.root(N + 5), T0)]
    assert not verify_export(export_lines(entries, early), RING).ok


def test_a_receipt_proves_the_fifty_seconds_to_a_third_party():
    """The Il-20 case: the notice was filed 50 s before its start, and a party holding only
    the public key can check it."""
    filed = T0
    event = json.dumps(
        {
            "kind": "notice",
            "item": {
                "id": "n-idf-001",
                "volumes": [{"window": {"start": "2026-11-24T10:00:00.000000Z"}}],
            },
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    entries = [*ENTRIES[:10], entry_bytes(10, filed, "notice.filed", "n-idf-001", event)]
    tree = MerkleTree(leaf_hash(e) for e in entries)
    head = sign_head(KEY, len(entries), tree.root(), filed + timedelta(milliseconds=3))
    receipt = Receipt(
        10, leaf_hash(entries[10]), entries[10], head, tuple(tree.inclusion_proof(10, 11))
    )
    kept = json.loads(json.dumps(receipt.to_dict()))  # what the party stores
    check = verify_receipt(Receipt.from_dict(kept), Keyring([KEY.public_key()]))
    assert check.ok, check.problems
    entry = parse_entry(Receipt.from_dict(kept).entry)
    start = datetime.fromisoformat(entry.event["item"]["volumes"][0]["window"]["start"])
    assert (start - entry.recorded_at).total_seconds() == 50.0
    altered = dict(kept, entry=kept["entry"].replace("09:59:10", "09:29:10"))
    assert not verify_receipt(Receipt.from_dict(altered), Keyring([KEY.public_key()])).ok
    assert not verify_receipt(Receipt.from_dict(kept), Keyring([OTHER.public_key()])).ok


@pytest.mark.parametrize(
    ("header", "expected"),
    [(b"", "the header is not valid"), (b'{"format": "other"}', "not a ledger export")],
)
def test_unreadable_exports(header, expected):
    check = verify_export([header], RING)
    assert expected in check.problems[0]


def _with_header(lines: list[bytes], change) -> list[bytes]:
    header = json.loads(lines[0])
    change(header)
    return [json.dumps(header).encode(), *lines[1:]]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda h: h.__setitem__("party", "rus"), "its signature does not verify"),
        (lambda h: h.__setitem__("party", None), "its signature does not verify"),
        (
            lambda h: h.__setitem__("keys", [{"key_id": "x", "public_key": "y"}]),
            "its signature does not verify",
        ),
        (lambda h: h.__setitem__("note", "extra"), "its signature does not verify"),
        (lambda h: h["tree_heads"].pop(0), "its signature does not verify"),
        (lambda h: h.pop("signature"), "the header: not signed"),
        (lambda h: h["signature"].__setitem__("signature", "!!"), "not base64"),
    ],
    ids=["party", "party-removed", "keys", "field-added", "head-removed", "unsigned", "garbled"],
)
def test_every_field_of_the_header_is_covered(change, problem):
    check = verify_export(_with_header(export_lines(ENTRIES, HEADS), change), RING)
    assert not check.ok
    assert check.problems[-1].startswith("the header:"), check.problems
    assert problem in check.problems[-1]


def test_a_header_signed_by_an_unknown_key_is_refused():
    check = verify_export(export_lines(ENTRIES, HEADS, key=OTHER), RING)
    assert check.problems == (
        f"the header: signed by key {key_id_of(OTHER.public_key())}, which is neither trusted "
        "nor introduced by the log",
    )
