"""A retry that lands in the same batch as its first write (the writer put both in one
transaction) is answered with receipts that verify, under a head stored with the write."""

from __future__ import annotations

import pytest

from deconfliction.engine.ledger.receipts import verify_receipt
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import file
from deconfliction.service.idempotency import Answer, remember, replay
from deconfliction.store import ledger as ledger_store
from tests.support.filing import notice, prepare
from tests.support.ledger_world import public_keyring

IDF = Principal("idf", Role.duty_officer)


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url) as c:
        prepare(c)
        yield c


def _first_write(tx: Tx) -> None:
    before = len(tx.entries)
    file(tx, notice("idf", 0))
    remember(tx, IDF, "retried", Answer("fingerprint", '{"notice": "n"}'), before)


def test_a_retry_in_the_same_transaction_gets_receipts_that_verify(coordinator):
    with coordinator.transaction() as tx:
        _first_write(tx)
        written = [a.index for a in tx.entries]
        found = replay(tx, IDF, "retried", "fingerprint")
    assert found is not None
    answer, receipts = found
    assert answer.body == '{"notice": "n"}'
    assert [r.index for r in receipts] == written
    keys = public_keyring(coordinator)
    assert all(verify_receipt(r, keys).ok for r in receipts)
    with coordinator.db.reading() as connection:
        newest = ledger_store.latest_head(connection)
    assert newest is not None
    assert newest.tree_size >= max(written) + 1


def test_a_retry_in_a_later_transaction_signs_nothing_more(coordinator):
    with coordinator.transaction() as tx:
        _first_write(tx)
    with coordinator.db.reading() as connection:
        head = ledger_store.latest_head(connection)
    with coordinator.transaction() as tx:
        found = replay(tx, IDF, "retried", "fingerprint")
    assert found is not None
    assert {r.tree_head for r in found[1]} == {head}
