"""The neutral record at the service level, on both stores: receipts of real filings verify
offline; operator and party exports verify, a party's showing exactly its own feed in full;
a verifier trusting only the first key follows a rotation; consistency proofs between heads
taken at different times hold; and after a rollback the tree and the store still agree.

Every check uses only what a party would hold: receipts, exports and the published public
keys, read back from their JSON text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.ledger.entries import parse_entry
from deconfliction.engine.ledger.heads import Keyring, keyring_from_text
from deconfliction.engine.ledger.merkle import verify_consistency
from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from deconfliction.engine.ledger.verify import KEY_ADDED, compare_exports, verify_export
from deconfliction.engine.model import Party
from deconfliction.service import notices, records
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Coordinator, Tx, Writer
from deconfliction.service.filing import file
from deconfliction.store import ledger as ledger_store
from deconfliction.store.feeds import EVERYONE
from deconfliction.store.schema import events, feed
from tests.support.ledger_world import World, build_world, public_keyring, volume

PARTIES = ("idf", "rus", "sarc", "undof")


@pytest.fixture
def world(store_url: str, tmp_path) -> Iterator[World]:
    built = build_world(store_url, tmp_path / "keys")
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def rotated(store_url: str, tmp_path) -> Iterator[World]:
    built = build_world(store_url, tmp_path / "keys", rotate=True)
    try:
        yield built
    finally:
        built.close()


def kept(receipt: Receipt) -> Receipt:
    """The receipt as a party keeps it (JSON text) and reads it back."""
    return Receipt.from_dict(json.loads(json.dumps(receipt.to_dict())))


def export(world: World, party: str | None) -> list[bytes]:
    return [line.rstrip(b"\n") for line in records.export(world.coordinator, party)]


def split(lines: list[bytes]) -> tuple[dict[str, Any], list[tuple[int, bytes, bytes]]]:
    header = json.loads(lines[0])
    rows = []
    for line in lines[1:]:
        index, digest, entry = line.split(b"\t", 2)
        rows.append((int(index), digest, entry))
    return header, rows


def stored(world: World) -> dict[int, tuple[str, bytes]]:
    """Every stored entry: index -> (leaf hash hex, canonical bytes)."""
    with world.coordinator.db.reading() as connection:
        return {
            e.index: (e.leaf_hash, e.canonical()) for e in ledger_store.entries(connection, 0, None)
        }


def feed_of(world: World, party: str) -> set[int]:
    """The indexes on ``party``'s feed, straight from the tables."""
    with world.coordinator.db.reading() as connection:
        rows = connection.execute(
            sa.select(events.c.idx)
            .select_from(events.join(feed, feed.c.seq == events.c.seq))
            .where(feed.c.party_id.in_([party, EVERYONE]))
        )
        return {int(i) for (i,) in rows}


def log_state(world: World) -> tuple[int, int, int]:
    """(entries stored, highest index + 1, size of the in-memory tree)."""
    with world.coordinator.db.reading() as connection:
        count, top = connection.execute(sa.select(sa.func.count(), sa.func.max(events.c.idx))).one()
    return int(count), int(top) + 1, world.coordinator.ledger.size()


def assert_tree_and_store_agree(world: World) -> None:
    count, size, tree = log_state(world)
    assert count == size == tree, "no gap, and the tree is the store's"
    with world.coordinator.db.reading() as connection:
        head = ledger_store.latest_head(connection)
        leaves = ledger_store.leaf_hashes_from(connection, 0)
    assert head is not None
    assert head.tree_size == size
    assert world.coordinator.ledger.tree.root() == head.root_hash
    assert [bytes.fromhex(d) for d, _ in stored(world).values()] == leaves
    check = verify_export(export(world, None), public_keyring(world.coordinator))
    assert check.ok, check.problems
    assert check.facts["entries"] == size


# -- receipts -----------------------------------------------------------------------------------


def test_receipts_of_real_filings_verify_offline(world: World):
    keys = public_keyring(world.coordinator)
    entries = stored(world)
    for step in world.steps:
        assert step.receipts, f"{step.name}: a write answer always carries a receipt"
        head = step.receipts[0].tree_head
        visible = feed_of(world, step.party)
        for receipt in step.receipts:
            assert receipt.tree_head == head, "one signed head per write"
            check = verify_receipt(kept(receipt), keys)
            assert check.ok, (step.name, check.problems)
            # The receipt is the stored entry, and the caller may read it.
            assert (receipt.leaf_hash.hex(), receipt.entry) == entries[receipt.index]
            assert receipt.index in visible
    filed = world.step("file notice").receipts[0]
    assert (filed.to_dict()["type"], filed.to_dict()["subject"]) == (
        "notice.filed",
        world.notice_id,
    )
    acknowledged = parse_entry(world.step("acknowledge").receipts[0].entry)
    assert acknowledged.type == "delivery.acknowledged"
    assert acknowledged.event["delivery"]["reply"] == "Received, holding west"


def test_a_receipt_is_checked_against_the_keys_and_its_own_content(world: World):
    receipt = world.step("file notice").receipts[0]
    keys = public_keyring(world.coordinator)
    data = receipt.to_dict()
    altered = data | {"entry": data["entry"].replace('"Strike package"', '"Training flight"')}
    assert verify_receipt(Receipt.from_dict(altered), keys).problems[0] == (
        f"entry {receipt.index}: its content does not match its leaf hash (the entry was altered)"
    )
    assert not verify_receipt(receipt, Keyring()).ok


# -- exports and need to know -------------------------------------------------------------------


def test_the_operator_export_verifies_with_every_entry_readable(world: World):
    lines = export(world, None)
    check = verify_export(lines, public_keyring(world.coordinator))
    assert check.ok, check.problems
    header, rows = split(lines)
    entries = stored(world)
    assert header["party"] is None
    assert check.facts["entries"] == check.facts["readable_entries"] == len(entries)
    assert [(i, d.decode(), e) for i, d, e in rows] == [(i, *entries[i]) for i in sorted(entries)]


@pytest.mark.parametrize("party", PARTIES)
def test_a_party_export_verifies_and_shows_exactly_its_feed(world: World, party: str):
    operator = {i: (d, e) for i, d, e in split(export(world, None))[1]}
    lines = export(world, party)
    check = verify_export(lines, public_keyring(world.coordinator))
    assert check.ok, check.problems
    header, rows = split(lines)
    assert header["party"] == party
    assert (
        check.facts["root_hash"]
        == verify_export(export(world, None), public_keyring(world.coordinator)).facts["root_hash"]
    )
    shown = {i for i, _, e in rows if e}
    assert shown == feed_of(world, party), "exactly the entries on its own feed"
    assert check.facts["readable_entries"] == len(shown)
    for index, digest, entry in rows:
        assert digest == operator[index][0], "every hash, readable or not"
        assert entry in (b"", operator[index][1])


def test_need_to_know_in_the_exports(world: World):
    """The notice and its delivery to rus are readable by idf and rus, not by sarc; sarc's
    site by sarc; every party sees only hashes of the others' business."""
    notice = world.step("file notice").receipts[0].index
    acknowledged = world.step("acknowledge").receipts[0].index
    site = world.step("site").receipts[0].index
    shown = {party: {i for i, _, e in split(export(world, party))[1] if e} for party in PARTIES}
    assert {notice, acknowledged} <= shown["idf"] & shown["rus"]
    assert notice not in shown["sarc"]
    assert acknowledged not in shown["sarc"]
    assert site in shown["sarc"]
    subjects = {parse_entry(e).subject for i, _, e in split(export(world, "sarc"))[1] if e}
    assert world.notice_id not in subjects


def test_compare_exports_accepts_a_log_that_only_grew(world: World):
    older = export(world, "rus")
    world.write(
        "later notice",
        "idf",
        lambda tx: notices.file_notice(
            tx, Principal("idf", Role.duty_officer), kind="air_operation", volumes=[volume()]
        ),
    )
    newer = export(world, "rus")
    assert len(newer) > len(older)
    compared = compare_exports(older, newer)
    assert compared.ok, compared.problems


# -- key rotation ---------------------------------------------------------------------------------


def test_a_verifier_trusting_only_the_first_key_follows_a_rotation(rotated: World):
    coordinator = rotated.coordinator
    assert rotated.rotation is not None
    old, new = rotated.rotation
    first_only = keyring_from_text(old.public_key)
    assert first_only.ids() == [old.key_id]
    # The whole log, and each party's share of it, verify with the first key alone.
    for party in (None, *PARTIES):
        check = verify_export(export(rotated, party), first_only)
        assert check.ok, (party, check.problems)
        assert check.facts["keys_introduced_by_the_log"] == [new.key_id]
    # The rotation is in the log, public, under a head signed by the old key.
    header, rows = split(export(rotated, "sarc"))
    (rotation,) = [parse_entry(e) for _, _, e in rows if e and parse_entry(e).type == KEY_ADDED]
    assert rotation.event["key_id"] == new.key_id
    assert rotation.event["previous_key_id"] == old.key_id
    covering = min(
        (h for h in header["tree_heads"] if h["tree_size"] > rotation.index),
        key=lambda h: h["tree_size"],
    )
    assert covering["key_id"] == old.key_id
    # Receipts: the old ones verify with the first key; the new ones are signed by the new key,
    # which the published key list carries.
    published = public_keyring(coordinator)
    for step in rotated.steps:
        for receipt in step.receipts:
            signer = receipt.tree_head.key_id
            assert verify_receipt(kept(receipt), published).ok
            assert verify_receipt(kept(receipt), first_only).ok == (signer == old.key_id)
    (after,) = rotated.step("cancel notice").receipts[:1]
    assert after.tree_head.key_id == new.key_id
    # The records: the old key retired, kept; the new one signs, after a restart too.
    listed = {r.key_id: r for r in records.key_records(coordinator)}
    assert listed[old.key_id].retired_at is not None
    assert listed[new.key_id].retired_at is None
    rotated.close()
    with Coordinator.open(
        rotated.store, keys_directory=str(rotated.keys_directory), clock=rotated.clock
    ) as reopened:
        assert reopened.run(records.sign_head_now).key_id == new.key_id
        check = verify_export(
            [line.rstrip(b"\n") for line in records.export(reopened, None)], first_only
        )
        assert check.ok, check.problems


# -- consistency ----------------------------------------------------------------------------------


def test_consistency_proofs_between_heads_taken_at_different_times(world: World):
    early = world.writer.execute(records.sign_head_now)
    world.write(
        "later notice",
        "idf",
        lambda tx: notices.file_notice(
            tx, Principal("idf", Role.duty_officer), kind="air_operation", volumes=[volume()]
        ),
    )
    world.clock.advance(60)
    late = world.writer.execute(records.sign_head_now)
    assert early.tree_size < late.tree_size
    assert early.timestamp < late.timestamp
    with world.coordinator.db.reading() as connection:
        heads = ledger_store.heads(connection)
    held = [early, late, *(r.tree_head for s in world.steps for r in s.receipts), *heads[::5]]
    ledger = world.coordinator.ledger
    keys = public_keyring(world.coordinator)
    for first in held:
        for second in held:
            if first.tree_size > second.tree_size or first.tree_size == 0:
                continue
            assert keys.verify(first)
            assert keys.verify(second)
            proof = records.consistency_proof(ledger, first.tree_size, second.tree_size)
            assert proof["first_root"] == first.root_hash.hex()
            assert proof["second_root"] == second.root_hash.hex()
            path = [bytes.fromhex(p) for p in json.loads(json.dumps(proof))["proof"]]
            assert verify_consistency(
                first.tree_size, second.tree_size, first.root_hash, second.root_hash, path
            )
    # A head of another history (a fork) is not consistent with the log.
    proof = records.consistency_proof(ledger, early.tree_size, late.tree_size)
    path = [bytes.fromhex(p) for p in proof["proof"]]
    forged_root = bytes(32)
    assert not verify_consistency(
        early.tree_size, late.tree_size, forged_root, late.root_hash, path
    )
    for first, second in ((late.tree_size, early.tree_size), (0, 1), (1, late.tree_size + 1)):
        with pytest.raises(InvalidInput):
            records.consistency_proof(ledger, first, second)


# -- rollbacks ------------------------------------------------------------------------------------


class Boom(Exception):
    pass


def _file(party: str, day: int) -> Callable[[Tx], Any]:
    start, end = f"2026-12-{day:02d}T10:00:00Z", f"2026-12-{day:02d}T11:00:00Z"
    return lambda tx: notices.file_notice(
        tx, Principal(party, Role.duty_officer), kind="air_operation", volumes=[volume(start, end)]
    )


def _append_then_fail(tx: Tx) -> None:
    """Entries appended (the tree grew), then a failure that moved no situation."""
    tx.append("probe.doomed", "doomed", {"n": 1}, ["idf"])
    tx.append("probe.doomed", "doomed", {"n": 2}, ["rus"])
    raise Boom("after appending")


def _record_then_fail(tx: Tx) -> None:
    """An item recorded (the situation moved), then a failure: the batch is replayed."""
    file(tx, Party.model_validate({"id": "ghost", "name": "Ghost", "kind": "armed_force"}))
    raise Boom("after recording")


def _run_batch(
    world: World, jobs: list[tuple[str | None, Callable[[Tx], Any]]]
) -> list[Future[Any]]:
    """Run ``jobs`` (party, command) as ONE batch of a fresh writer: every job is queued
    before the writer starts.  Futures of (result, receipts)."""
    world.writer.stop()
    writer = Writer(world.coordinator)
    world.writer = writer
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = []
        for party, command in jobs:
            futures.append(pool.submit(writer.execute_receipted, command, party))
            while writer._queue.qsize() < len(futures):  # wait until it is queued
                time.sleep(0.001)
        writer.start()
    return futures


@pytest.mark.parametrize(
    "failing", [_append_then_fail, _record_then_fail], ids=["appended", "recorded"]
)
def test_after_a_failed_command_in_a_batch_the_tree_and_the_store_agree(world: World, failing):
    size_before = log_state(world)[0]
    futures = _run_batch(
        world, [("idf", _file("idf", 1)), (None, failing), ("rus", _file("rus", 2))]
    )
    with pytest.raises(Boom):
        futures[1].result()
    keys = public_keyring(world.coordinator)
    for future, party in ((futures[0], "idf"), (futures[2], "rus")):
        filing, receipts = future.result()
        assert receipts, f"{party}'s write answer carries a receipt"
        assert parse_entry(receipts[0].entry).subject == filing.notice.notice.id
        for receipt in receipts:
            check = verify_receipt(kept(receipt), keys)
            assert check.ok, check.problems
    assert_tree_and_store_agree(world)
    count = log_state(world)[0]
    assert count >= size_before + 2
    with world.coordinator.db.reading() as connection:
        types = {e.type for e in ledger_store.entries(connection, size_before, None)}
    assert "probe.doomed" not in types
    assert "party.recorded" not in types
    # The next write takes the next index: no gap where the failed command wrote.
    step = world.write("after", "idf", _file("idf", 3))
    assert step.receipts[0].index == count
    assert_tree_and_store_agree(world)


def test_after_a_failed_transaction_the_tree_and_the_store_agree(world: World, monkeypatch):
    size = log_state(world)[0]
    coordinator = world.coordinator
    # A transaction that appended and then failed: nothing stored, the tree rebuilt.
    grew: list[int] = []

    def append_then_fail() -> None:
        with coordinator.transaction() as tx:
            tx.append("probe.doomed", "doomed", {"n": 1}, ["idf"])
            grew.append(coordinator.ledger.size())
            raise Boom("before commit")

    with pytest.raises(Boom):
        append_then_fail()
    assert grew == [size + 1]
    assert log_state(world)[0] == size
    # A batch whose commit fails (the head cannot be signed): every caller gets the failure.
    sign = coordinator.ledger.sign
    calls = []

    def failing_sign(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise Boom("signing failed")
        return sign(*args, **kwargs)

    monkeypatch.setattr(coordinator.ledger, "sign", failing_sign)
    futures = _run_batch(world, [("idf", _file("idf", 4)), ("rus", _file("rus", 5))])
    for future in futures:
        with pytest.raises(Boom):
            future.result()
    assert log_state(world)[0] == size
    step = world.write("after", "idf", _file("idf", 6))
    assert step.receipts[0].index == size
    assert_tree_and_store_agree(world)
