"""The Writer's group commit, on both stores: a batch is one transaction, each command a
savepoint; a failing command is rolled back alone and the others commit."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.errors import InvalidInput
from deconfliction.service.alerts import alerts_for
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import Filed, file
from deconfliction.service.writer import SWITCH_INTERVAL_S, Writer
from deconfliction.store import events
from deconfliction.store.schema import events as events_table
from deconfliction.store.schema import notices
from tests.support.filing import notice, prepare, run_one_batch


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url) as c:
        prepare(c)
        yield c


class Boom(Exception):
    pass


def _filing(item) -> object:
    def command(tx: Tx) -> Filed:
        return file(tx, item)

    return command


def _append_then_fail(tx: Tx) -> None:
    """Writes an event, then fails without moving the situation."""
    tx.append("probe", "doomed", {"n": 1}, ["idf"])
    raise Boom("after writing")


def _violate_a_constraint(tx: Tx) -> None:
    """A statement the database refuses (on PostgreSQL it would abort the whole transaction
    were it not inside a savepoint)."""
    tx.connection.execute(
        sa.insert(notices).values(
            id="n-orphan",
            series="n-orphan",
            author="idf",
            kind="exercise",
            action="new",
            filed_at=datetime.now(UTC),
            body="{}",
            seq=10**9,
        )
    )


def _committed(coordinator: Coordinator) -> list[tuple[int, str, str]]:
    with coordinator.db.reading() as connection:
        rows = connection.execute(
            sa.select(events_table.c.seq, events_table.c.type, events_table.c.subject).order_by(
                events_table.c.seq
            )
        ).all()
    return [tuple(r) for r in rows]


def test_a_failing_command_is_rolled_back_alone(coordinator):
    before = _committed(coordinator)
    idf, rus = notice("idf", 0), notice("rus", 0)
    bad = notice("nobody", 1)
    futures, commits = run_one_batch(
        coordinator,
        [
            _filing(idf),
            _append_then_fail,
            _violate_a_constraint,
            _filing(bad),
            _filing(rus),
        ],
    )
    assert isinstance(futures[0].result(), Filed)
    with pytest.raises(Boom):
        futures[1].result()
    with pytest.raises(sa.exc.IntegrityError):
        futures[2].result()
    with pytest.raises(InvalidInput, match="no party 'nobody'"):
        futures[3].result()
    filed = futures[4].result()
    assert [c.alert.kind for c in filed.recorded.assessment.changes] == [AlertKind.notice_overlap]
    # One batch, one transaction, one commit: it reports exactly the events it committed.
    after = _committed(coordinator)
    new = after[len(before) :]
    assert len(commits) == 1
    assert commits[0] == [seq for seq, _, _ in new]
    assert "doomed" not in {subject for _, _, subject in new}
    assert {subject for _, type_, subject in new if type_.startswith("notice")} == {
        idf.id,
        rus.id,
    }
    with coordinator.db.reading() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).where(notices.c.id == "n-orphan")
            ).scalar_one()
            == 0
        )
    # The in-memory situation is the record's: a fresh coordinator rebuilds the same alerts.
    with Coordinator.open(coordinator.db.url) as fresh:
        assert fresh.situation().alerts == coordinator.situation().alerts


def test_a_command_that_fails_after_moving_the_situation_is_undone_alone(coordinator):
    """A command that recorded an item and then failed had moved the in-memory situation: the
    transaction's journal puts it back, and the batch commits the other commands, once."""
    idf, rus = notice("idf", 0), notice("rus", 0)
    idf2 = notice("idf", 1)

    def record_then_fail(tx: Tx) -> None:
        file(tx, idf2)
        raise Boom("after recording")

    futures, commits = run_one_batch(coordinator, [_filing(idf), record_then_fail, _filing(rus)])
    assert isinstance(futures[0].result(), Filed)
    with pytest.raises(Boom):
        futures[1].result()
    assert isinstance(futures[2].result(), Filed)
    assert len(commits) == 1  # one transaction for the batch: nothing is rerun
    situation = coordinator.situation()
    assert idf2.id not in situation.notices
    assert {idf.id, rus.id} <= set(situation.notices)
    overlaps = [a for a in alerts_for(coordinator) if a.kind is AlertKind.notice_overlap]
    assert [set(a.subjects) for a in overlaps] == [{idf.id, rus.id}]
    with Coordinator.open(coordinator.db.url) as fresh:
        assert fresh.situation().alerts == coordinator.situation().alerts


def test_a_rolled_back_command_does_not_hide_another_process_events(coordinator):
    """After a batch whose last command wrote an event and failed, the events another
    Coordinator (another process) appends next are still caught up, on SQLite too, which
    hands the rolled-back sequence number out again: no conflict is lost."""
    idf = notice("idf", 0)
    futures, _ = run_one_batch(coordinator, [_filing(idf), _append_then_fail])
    futures[0].result()
    with pytest.raises(Boom):
        futures[1].result()

    with Coordinator.open(coordinator.db.url) as other:
        filed = other.run(lambda tx: file(tx, notice("rus", 0)))
        assert len(filed.recorded.assessment.changes) == 1
        with other.db.reading() as connection:
            last = events.last_seq(connection)

    # The first coordinator sees the other's notice, and a third notice conflicting with it
    # (and with its own) raises both alerts.
    assert "n-rus-0" in coordinator.situation().notices
    third = notice("idf", 0, tag="again-")
    filed = coordinator.run(lambda tx: file(tx, third))
    subjects = {frozenset(c.alert.subjects) for c in filed.recorded.assessment.changes}
    assert frozenset((third.id, "n-rus-0")) in subjects
    assert filed.recorded.seq is not None
    assert filed.recorded.seq > last


def test_results_are_handed_back_after_the_commit(coordinator):
    """A caller's result means its command is durable: visible to any other connection."""
    writer = Writer(coordinator)
    writer.start()
    try:
        filed = writer.execute(_filing(notice("idf", 0)))
        assert isinstance(filed, Filed)
        with Coordinator.open(coordinator.db.url) as other:
            assert "n-idf-0" in other.situation().notices
    finally:
        writer.stop()


def test_running_writers_shorten_the_gil_switch_interval_and_the_last_puts_it_back(coordinator):
    """While a writer runs, the process hands the GIL over within SWITCH_INTERVAL_S (the
    writing thread is not kept waiting 5 ms by a busy event loop at each database call)."""
    before = sys.getswitchinterval()
    first, second = Writer(coordinator), Writer(coordinator)
    first.start()
    try:
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL_S)
        second.start()
        first.stop()
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL_S)  # one still runs
    finally:
        first.stop()
        second.stop()
    assert sys.getswitchinterval() == before


def test_callers_in_an_event_loop_get_their_results_and_a_cancelled_one_harms_none(coordinator):
    """Callers waiting in one event loop (the HTTP server's) are woken together when their
    batch commits: each gets its own result, receipt or exception, and a caller that stopped
    waiting (its request gone) leaves the writer and the others' answers as they were."""
    writer = Writer(coordinator)
    idf, rus = notice("idf", 0), notice("rus", 0)

    async def main() -> tuple[list[object], object]:
        gone = asyncio.ensure_future(writer.run_receipted(_filing(notice("idf", 5)), "idf"))
        waits = [
            writer.run_receipted(_filing(idf), "idf"),
            writer.run_receipted(_append_then_fail, "idf"),
            writer.run_receipted(_filing(rus), "rus"),
        ]
        await asyncio.sleep(0)  # the first one queued
        gone.cancel()
        writer.start()  # every command is queued: one batch
        results = await asyncio.gather(*waits, return_exceptions=True)
        later = await writer.run_receipted(_filing(notice("rus", 6)), "rus")
        return results, later

    try:
        # A writer thread that died on the cancelled caller would leave every later caller
        # waiting: a generous bound turns that into a failure, not a hung suite.  The loop runs
        # on a thread of its own: in a whole run, the console tests' Playwright (its sync API)
        # keeps an event loop marked running on this one, where asyncio.run refuses to start.
        with ThreadPoolExecutor(1) as loop_thread:
            (first, failed, second), later = loop_thread.submit(
                asyncio.run, asyncio.wait_for(main(), 120)
            ).result()
    finally:
        writer.stop()
    assert isinstance(failed, Boom)
    for (filed, proof), item, party in ((first, idf, "idf"), (second, rus, "rus")):
        assert isinstance(filed, Filed)
        assert filed.recorded.assessment.item.id == item.id
        assert proof.receipt is not None
        assert proof.entries[0].subject == item.id
        assert all(party in a.audience for a in proof.entries)
    assert isinstance(later[0], Filed)
    subjects = {subject for _, _, subject in _committed(coordinator)}
    assert {idf.id, rus.id, "n-idf-5", "n-rus-6"} <= subjects  # the cancelled one still filed
    assert "doomed" not in subjects
