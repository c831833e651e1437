"""The rows a batch holds back (store/deferred.py), on both stores: written with one statement
per table, yet every read of the batch sees the rows of the commands before it and of its own,
a command that fails leaves none of its rows, and a held row the database refuses fails the
whole batch, nothing written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import Filed, file
from deconfliction.service.writer import Writer
from deconfliction.store import events
from deconfliction.store.driver import driver_insert
from deconfliction.store.schema import deliveries as deliveries_table
from deconfliction.store.schema import events as events_table
from deconfliction.store.schema import feed
from deconfliction.store.schema import notices as notices_table
from tests.support.filing import notice, prepare, run_one_batch


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url) as c:
        prepare(c)
        yield c


class Boom(Exception):
    pass


def _subjects(coordinator: Coordinator) -> list[str]:
    with coordinator.db.reading() as connection:
        return list(
            connection.execute(
                sa.select(events_table.c.subject).order_by(events_table.c.seq)
            ).scalars()
        )


def _count(connection, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    return int(
        connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
    )


def test_a_command_reads_the_rows_held_by_the_commands_before_it_and_by_itself(coordinator):
    idf = notice("idf", 0)
    seen: dict[str, int] = {}

    def read(tx: Tx) -> None:
        # The filing before this command only appended: its rows were held, not written.
        seen["notice rows"] = _count(tx.connection, notices_table, notices_table.c.id == idf.id)
        seen["deliveries"] = _count(
            tx.connection, deliveries_table, deliveries_table.c.item_id == idf.id
        )
        seq = tx.append("probe", "mine", {"n": 1}, ["idf"])
        seen["own event"] = _count(tx.connection, events_table, events_table.c.seq == seq)
        seen["own feed"] = _count(tx.connection, feed, feed.c.seq == seq)
        seen["last"] = events.last_seq(tx.connection) - seq

    futures, commits = run_one_batch(coordinator, [lambda tx: file(tx, idf), read])
    filed = futures[0].result()
    futures[1].result()
    assert seen == {
        "notice rows": 1,
        "deliveries": len(filed.deliveries),
        "own event": 1,
        "own feed": 1,
        "last": 0,
    }
    assert len(filed.deliveries) > 0
    assert len(commits) == 1


@pytest.mark.parametrize("reads", [False, True])
def test_a_failing_command_leaves_none_of_its_rows_held_or_written(coordinator, reads):
    """Held only (no statement of its own: no savepoint was taken in the database), or held,
    written by a read of its own, and held again: none of its rows stays, and the rows the
    commands before it held are kept."""
    idf, rus = notice("idf", 0), notice("rus", 0)

    def append_then_fail(tx: Tx) -> None:
        tx.append("probe", "doomed-1", {"n": 1}, ["idf"])
        if reads:
            assert _count(tx.connection, events_table, events_table.c.subject == "doomed-1") == 1
        tx.append("probe", "doomed-2", {"n": 2}, ["idf", "rus"])
        raise Boom("after appending")

    before = _subjects(coordinator)
    futures, commits = run_one_batch(
        coordinator, [lambda tx: file(tx, idf), append_then_fail, lambda tx: file(tx, rus)]
    )
    assert isinstance(futures[0].result(), Filed)
    with pytest.raises(Boom):
        futures[1].result()
    filed = futures[2].result()
    new = _subjects(coordinator)[len(before) :]
    assert not {"doomed-1", "doomed-2"} & set(new)
    assert {idf.id, rus.id} <= set(new)
    assert len(commits) == 1
    assert len(commits[0]) == len(new)
    with coordinator.db.reading() as connection:
        # Every feed row of the batch is one of an event it committed.
        fed = set(
            connection.execute(
                sa.select(feed.c.seq).where(feed.c.seq > commits[0][0] - 1)
            ).scalars()
        )
        assert fed == set(commits[0])
        assert _count(connection, deliveries_table, deliveries_table.c.item_id == rus.id) == len(
            [d for d in filed.deliveries if d.item_id == rus.id]
        )
    with Coordinator.open(coordinator.db.url) as fresh:
        assert fresh.situation().alerts == coordinator.situation().alerts


def test_a_held_row_the_database_refuses_fails_the_whole_batch(coordinator):
    """Held rows are written after their command returned: one the database refuses (here a
    feed row for an entry that does not exist) undoes the whole batch, and every caller is
    told; nothing is half-written, and the writer goes on with the next batch."""
    idf, rus = notice("idf", 0), notice("rus", 0)

    def bad_row(tx: Tx) -> None:
        driver_insert(tx.connection, feed, [{"party_id": "idf", "seq": 10**9}])

    before = _subjects(coordinator)
    futures, commits = run_one_batch(
        coordinator, [lambda tx: file(tx, idf), bad_row, lambda tx: file(tx, rus)]
    )
    assert all(f.exception() is not None for f in futures)
    assert _subjects(coordinator) == before
    assert commits == []
    situation = coordinator.situation()
    assert idf.id not in situation.notices
    assert rus.id not in situation.notices

    writer = Writer(coordinator)
    writer.start()
    try:
        assert isinstance(writer.execute(lambda tx: file(tx, idf)), Filed)
    finally:
        writer.stop()
    assert idf.id in coordinator.situation().notices
