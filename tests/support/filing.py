"""Conflicting notices filed at the same moment, by threads or by processes.

Two parties bound by an agreement (``idf`` and ``rus`` of the Golan scenario, which notify
each other of everything) each file one notice per round; the two notices of a round overlap
each other and nothing else (each round has its own day).  Whatever the interleaving, the
second filing of a round must see the first and raise one notice-overlap alert naming both
parties, delivered to both.

The process entry point (:func:`file_rounds_in_process`) lives here, in an importable module,
so that ``multiprocessing``'s "spawn" can start it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from deconfliction.engine.alerts import Alert, AlertStatus
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.hotline import ItemType
from deconfliction.engine.model import Agreement, Notice, Party
from deconfliction.service.alerts import alerts_for
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.filing import Filed, file
from deconfliction.service.writer import Writer
from deconfliction.store import deliveries as inbox_store
from deconfliction.store.feeds import feed_since

__all__ = [
    "PARTIES",
    "check_every_pair",
    "file_rounds",
    "file_rounds_in_process",
    "notice",
    "pair",
    "prepare",
]

PARTIES = ("idf", "rus")
"""The two parties that file against each other."""

_DAY_ZERO = datetime(2027, 1, 1, 10, 0, tzinfo=UTC)


def prepare(coordinator: Coordinator) -> None:
    """Record the Golan parties and agreements (nothing else: no zones, no sites)."""
    scenario = load_scenario_file(demo_path())
    items: list[Party | Agreement] = [*scenario.parties, *scenario.agreements]
    with coordinator.transaction() as tx:
        for item in items:
            file(tx, item)


def notice(party: str, round_: int, *, tag: str = "") -> Notice:
    """``party``'s notice for round ``round_``: an air operation over the same circle as the
    other party's notice of that round, on a day of its own."""
    start = _DAY_ZERO + timedelta(days=2 * round_)
    return Notice.model_validate(
        {
            "id": f"n-{party}-{tag}{round_}",
            "author": party,
            "kind": "air_operation",
            "title": f"Round {round_} air operation of {party}",
            "filed_at": (start - timedelta(hours=2)).isoformat(),
            "volumes": [
                {
                    "outline": {
                        "type": "circle",
                        "center": "33.0000N 36.4000E",
                        "radius": "8 km",
                    },
                    "altitude": {"lower": "FL050", "upper": "FL120"},
                    "window": {
                        "start": start.isoformat(),
                        "end": (start + timedelta(hours=1)).isoformat(),
                    },
                }
            ],
        }
    )


def run_one_batch(
    coordinator: Coordinator, commands: list[Callable[[Tx], Any]]
) -> tuple[list[Any], list[list[int]]]:
    """Queue every command before the writer starts, so they form one batch; return the
    futures and the sequence numbers each commit reported."""
    commits: list[list[int]] = []
    coordinator.on_commit(lambda commit: commits.append(commit.seqs))
    writer = Writer(coordinator)
    futures = [writer.submit(c) for c in commands]
    writer.start()
    try:
        for f in futures:
            f.exception(30)
    finally:
        writer.stop()
    return futures, commits


def pair(round_: int, *, tag: str = "") -> tuple[Notice, Notice]:
    first, second = PARTIES
    return notice(first, round_, tag=tag), notice(second, round_, tag=tag)


def file_rounds(
    coordinator: Coordinator,
    party: str,
    rounds: range,
    wait: Callable[[], object],
    *,
    use_writer: bool = False,
    tag: str = "",
) -> list[Filed]:
    """File ``party``'s notice of each round, calling ``wait`` (a barrier) before each, through
    ``coordinator.transaction()`` or through a :class:`Writer` on the coordinator."""
    writer = Writer(coordinator) if use_writer else None
    if writer is not None:
        writer.start()
    filed: list[Filed] = []
    try:
        for r in rounds:
            item = notice(party, r, tag=tag)

            def command(tx: Tx, item: Notice = item) -> Filed:
                return file(tx, item)

            wait()
            if writer is not None:
                filed.append(writer.execute(command))
            else:
                with coordinator.transaction() as tx:
                    filed.append(command(tx))
    finally:
        if writer is not None:
            writer.stop()
    return filed


def file_rounds_in_process(
    store_url: str, party: str, first: int, count: int, barrier: Any, use_writer: bool
) -> None:
    """A process of its own: open a Coordinator on ``store_url`` and file ``party``'s notices
    of rounds ``first .. first + count - 1``, meeting the other process at ``barrier`` before
    each filing."""
    with Coordinator.open(store_url) as coordinator:
        file_rounds(
            coordinator,
            party,
            range(first, first + count),
            lambda: barrier.wait(60),
            use_writer=use_writer,
        )


def check_every_pair(store_url: str, rounds: range, *, tag: str = "") -> list[Alert]:
    """From a fresh Coordinator: for every round, exactly one open notice-overlap alert whose
    subjects are the round's two notices and which names both parties; it is in both parties'
    inboxes and on both live feeds; and there are no other overlap alerts.  Returns them."""
    with Coordinator.open(store_url) as coordinator:
        overlaps = [a for a in alerts_for(coordinator) if a.kind is AlertKind.notice_overlap]
        by_subjects: dict[frozenset[str], list[Alert]] = {}
        for alert in overlaps:
            by_subjects.setdefault(frozenset(alert.subjects), []).append(alert)
        found: list[Alert] = []
        missing: list[int] = []
        for r in rounds:
            first, second = pair(r, tag=tag)
            alerts = by_subjects.get(frozenset((first.id, second.id)), [])
            if len(alerts) != 1:
                missing.append(r)
                continue
            (alert,) = alerts
            assert alert.status is AlertStatus.open, alert
            assert set(PARTIES) <= set(alert.parties), alert
            found.append(alert)
        assert missing == [], f"rounds without exactly one overlap alert: {missing}"
        assert len(overlaps) == len(rounds), "overlap alerts between different rounds"
        expected = {a.id for a in found}
        with coordinator.db.reading() as connection:
            for party in PARTIES:
                delivered = {
                    d.item_id
                    for d in inbox_store.inbox(connection, party, limit=100_000)
                    if d.item_type is ItemType.alert
                }
                assert expected <= delivered, (party, sorted(expected - delivered))
                streamed = {
                    e.subject
                    for e in feed_since(connection, party, 0, limit=100_000)
                    if e.type == "alert.opened"
                }
                assert expected <= streamed, (party, sorted(expected - streamed))
        return found
