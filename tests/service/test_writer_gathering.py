"""The writer's gathering window: filings arriving together share one transaction (one signed
head, one commit) and each receipt still proves its entries; a quiet line is never held.

The window's clock is the test's own (:class:`~deconfliction.service.writer.Gathering`), so
that what the writer decides depends on the traffic the test describes, not on how fast this
machine runs it; what is asserted is counts, never times."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from deconfliction.engine.ledger.receipts import verify_receipt
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import Filed, file
from deconfliction.service.writer import Gathering, Writer
from tests.support.filing import notice, prepare


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url) as c:
        prepare(c)
        yield c


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _filing(item) -> object:
    def command(tx: Tx) -> Filed:
        return file(tx, item)

    return command


def _gathering(window_s: float, arrivals: list[float]) -> tuple[Gathering, Clock]:
    clock = Clock()
    gathering = Gathering(window_s, clock)
    for t in arrivals:
        clock.now = t
        gathering.arrived()
    return gathering, clock


def test_the_window_opens_only_while_arrivals_come_at_most_one_and_a_half_windows_apart():
    # 200 a second with a 5 ms window: another filing is likely within it.
    busy, clock = _gathering(0.005, [i * 0.005 for i in range(8)])
    assert busy.busy()
    assert busy.deadline(clock.now) == pytest.approx(clock.now + 0.005)
    assert busy.deadline(clock.now - 0.005) is None  # it waited that long already
    # 100 a second: a wait of one window after a filing would never meet the next.
    even, clock = _gathering(0.005, [i * 0.010 for i in range(8)])
    assert not even.busy()
    assert even.deadline(clock.now) is None
    # Just within one and a half windows on average (gaps scattered around one window).
    scattered = [0.0, 0.002, 0.011, 0.018, 0.026, 0.037, 0.044, 0.052]
    assert _gathering(0.005, scattered)[0].busy()
    assert not _gathering(0.005, [t * 1.1 for t in scattered])[0].busy()
    # 5 a second: never.
    quiet, clock = _gathering(0.005, [i * 0.2 for i in range(8)])
    assert not quiet.busy()
    assert quiet.deadline(clock.now) is None
    # A burst long over says nothing about now: the silence since counts.
    burst, clock = _gathering(0.005, [i * 0.001 for i in range(8)])
    clock.now += 1.0
    assert not burst.busy()
    # One arrival is no traffic; a window of 0 never waits.
    assert not _gathering(0.005, [0.0])[0].busy()
    assert not _gathering(0.0, [i * 0.001 for i in range(8)])[0].busy()


def test_filings_arriving_together_share_one_transaction_one_head_and_each_receipt_verifies(
    coordinator,
):
    commits: list[list[int]] = []
    coordinator.on_commit(lambda commit: commits.append(commit.seqs))
    writer = Writer(coordinator, max_batch=3)
    # Traffic just now (the clock stands still: the window never runs out before the batch is
    # full, however slowly this machine runs the callers).
    writer.gathering, _ = _gathering(60.0, [1000.0, 1000.0])
    items = [notice("idf", 0), notice("rus", 0), notice("idf", 1)]
    writer.start()
    try:
        with ThreadPoolExecutor(3) as callers:
            answers = list(
                callers.map(
                    lambda item: writer.execute_receipted(_filing(item), item.author), items
                )
            )
    finally:
        writer.stop()
    assert len(commits) == 1  # one transaction for the three
    heads = {receipt.tree_head for _, receipts in answers for receipt in receipts}
    assert len(heads) == 1  # one signed head
    keys = coordinator.ledger.keys.keyring()
    for (filed, receipts), item in zip(answers, items, strict=True):
        assert isinstance(filed, Filed)
        assert filed.recorded.assessment.item.id == item.id
        assert receipts
        assert all(verify_receipt(r, keys).ok for r in receipts)
    # The three conflict with each other: their alerts are in the same transaction too.
    assert len(commits[0]) > len(items)


def test_a_lone_filing_on_a_quiet_line_is_not_held(coordinator):
    commits: list[list[int]] = []
    coordinator.on_commit(lambda commit: commits.append(commit.seqs))
    writer = Writer(coordinator)
    # A burst, then a long silence; the window is a minute, so a writer that waited would
    # still be waiting when the filings below were answered.
    writer.gathering, clock = _gathering(60.0, [i * 0.001 for i in range(8)])
    clock.now += 3600.0
    writer.start()
    try:
        first = writer.execute(_filing(notice("idf", 0)))
        second = writer.execute(_filing(notice("rus", 0)))
    finally:
        writer.stop()
    assert isinstance(first, Filed)
    assert isinstance(second, Filed)
    assert writer.gathering.waits == 0
    assert len(commits) == 2


def _waits(gathering: Gathering, clock: Clock, outcomes: list[bool]) -> list[bool]:
    """For each batch in turn (busy traffic each time), whether the writer waits; a wait
    gathers as ``outcomes`` says, in order."""
    waited, told = [], iter(outcomes)
    for _ in range(len(outcomes) + 40):
        deadline = gathering.deadline(clock.now)
        waited.append(deadline is not None)
        if deadline is not None:
            gathering.waited(next(told, False))
    return waited


def test_waits_that_gather_nothing_stop_the_waiting_and_a_probe_that_gathers_resumes_it():
    k = Gathering.FRUITLESS
    gathering, clock = _gathering(0.005, [i * 0.005 for i in range(8)])
    # k fruitless waits: then one batch in PROBE waits, the others begin at once.
    waited = _waits(gathering, clock, [False] * k)
    assert waited[:k] == [True] * k
    after = waited[k:]
    assert sum(after) == len(after) // Gathering.PROBE
    assert after[Gathering.PROBE - 1]
    assert not any(after[: Gathering.PROBE - 1])
    assert gathering.waits == k + sum(after)
    assert gathering.gathered == 0
    # A probe that gathers: the next batches wait again...
    gathering, clock = _gathering(0.005, [i * 0.005 for i in range(8)])
    waited = _waits(gathering, clock, [False] * k + [True])
    probe = k + Gathering.PROBE - 1
    assert waited[probe]
    assert not any(waited[k:probe])
    # ...until k more in a row (the outcomes told are over: none gathers) gather nothing.
    assert waited[probe + 1 : probe + 2 + k] == [True] * k + [False]
    assert gathering.gathered == 1
    # Waits that gather now and then (one in k) never stop it.
    gathering, clock = _gathering(0.005, [i * 0.005 for i in range(8)])
    assert all(_waits(gathering, clock, ([False] * (k - 1) + [True]) * 10)[: 10 * k])
