"""The coordinator: the database, the in-memory situation, and atomic recording.

Every change happens inside a :class:`Tx`, one write transaction that holds the single
writer's place: it first brings the in-memory situation up to date with events other writers
appended, then lets a use case assess and record items.  Because the transaction holds the
writer's place from the catch-up to the commit, no other filing can slip between a check and
its insert, so no conflict is ever lost.

:class:`Writer` runs commands from many callers (the HTTP server's requests) on one thread, a
batch of them per transaction, each command inside a savepoint: one commit (one fsync) serves
the whole batch, and a command that fails is rolled back alone.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import AlertChange
from deconfliction.engine.errors import DeconflictionError, InvalidInput
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.engine.model import Limits
from deconfliction.engine.situation import Assessment, Item, Situation
from deconfliction.service.clock import Clock, SystemClock
from deconfliction.service.keys import LedgerKeys, keys_directory_for
from deconfliction.service.ledger import Appended, Ledger
from deconfliction.store import events as event_log
from deconfliction.store import projections
from deconfliction.store.codec import (
    Canonical,
    canonical,
    change_from_json,
    change_to_json,
    item_event_type,
    item_from_json,
    item_kind,
    item_to_json,
)
from deconfliction.store.database import Database, Savepoint
from deconfliction.store.events import NewEvent
from deconfliction.store.feeds import add_to_feeds

__all__ = ["Coordinator", "Recorded", "Tx", "Writer"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Recorded:
    """An item as recorded: its assessment and the log sequence of its event (None when it
    was already recorded identically and nothing was written)."""

    assessment: Assessment
    seq: int | None


@dataclass
class Tx:
    """One write transaction: the connection, the situation, and the server's time."""

    coordinator: Coordinator
    connection: Connection
    now: datetime
    appended: list[int] = field(default_factory=list)
    entries: list[Appended] = field(default_factory=list)
    """The ledger entries appended so far, in order."""
    head: TreeHead | None = None
    """The signed tree head over this transaction's entries (set just before it commits)."""

    @property
    def situation(self) -> Situation:
        return self.coordinator._situation

    def append(
        self, type: str, subject: str, payload: dict[str, Any], audience: Sequence[str] = ()
    ) -> int:
        """Append an event to the log (and the ledger), and to the live feed of each party in
        ``audience``."""
        return self.append_many([(type, subject, payload, audience)])[0]

    def append_many(
        self, entries: Sequence[tuple[str, str, dict[str, Any] | Canonical, Sequence[str]]]
    ) -> list[int]:
        """Append several ``(type, subject, payload, audience)`` events, in order, with one
        statement per table; returns their sequence numbers.  A payload may be given as its
        canonical JSON text."""
        ledger = self.coordinator.ledger
        new: list[NewEvent] = []
        for type, subject, payload, audience in entries:
            body = canonical(payload)
            added = ledger.add(self.now, type, subject, body, audience)
            self.entries.append(added)
            new.append(NewEvent(type, subject, body, added.index, added.leaf))
        # Inside the transaction the coordinator's place in the log is the newest event (it
        # caught up first, then counted every append), so the next numbers are known.
        seqs = event_log.append_many(
            self.connection, new, recorded_at=self.now, first_seq=self.coordinator._seq + 1
        )
        add_to_feeds(self.connection, [(seq, e[3]) for seq, e in zip(seqs, entries, strict=True)])
        self.appended.extend(seqs)
        if seqs:
            self.coordinator._seq = seqs[-1]
        return seqs

    def record(
        self, item: Item, location: tuple[str | int, ...] = (), audience: Sequence[str] = ()
    ) -> Recorded:
        """Assess ``item`` against the situation, append it and the alert changes it causes,
        project them, and move the situation.  Raises InvalidInput (located at ``location``)
        when the item cannot be recorded; nothing is written then."""
        try:
            assessment = self.situation.assess(item)
        except InvalidInput as exc:
            raise exc.under(*location) from None
        if assessment.duplicate:
            return Recorded(assessment, None)
        seq = self.append(
            item_event_type(item),
            item.id,
            {"kind": item_kind(item), "item": item_to_json(item)},
            audience,
        )
        projections.write_item(self.connection, item, seq, assessment.series)
        for change in assessment.changes:
            self.record_change(change)
        self.coordinator._touched = True
        self.situation.apply(assessment)
        return Recorded(assessment, seq)

    def record_change(self, change: AlertChange) -> int:
        seq = self.append(
            f"alert.{change.action.value}",
            change.alert.id,
            {"change": change_to_json(change)},
            change.alert.parties,
        )
        projections.write_change(self.connection, change, seq)
        return seq


class Coordinator:
    """Owns a :class:`Database` and the :class:`Situation` mirrored from its log."""

    def __init__(
        self,
        database: Database,
        *,
        keys: LedgerKeys,
        limits: Limits | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.db = database
        self.limits = limits or Limits()
        self.clock: Clock = clock or SystemClock()
        self.ledger = Ledger(keys)
        self._situation = Situation(self.limits)
        self._seq = 0
        self._touched = False
        self._last_now: datetime | None = None
        self._after_commit: list[Callable[[list[int]], None]] = []

    @classmethod
    def open(
        cls,
        location: str,
        *,
        limits: Limits | None = None,
        clock: Clock | None = None,
        keys_directory: str | None = None,
    ) -> Coordinator:
        """Open (creating and migrating if needed) the database at ``location``, with the
        ledger's signing keys from ``keys_directory`` (by default beside a SQLite file, or in
        the user's configuration directory; see :func:`keys_directory_for`)."""
        database = Database(location)
        database.migrate()
        clock = clock or SystemClock()
        keys = LedgerKeys.open(keys_directory or keys_directory_for(location), clock.now())
        return cls(database, keys=keys, limits=limits, clock=clock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Coordinator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_commit(self, callback: Callable[[list[int]], None]) -> None:
        """Call ``callback`` with the sequence numbers of every committed transaction's events
        (after the commit, on the writing thread)."""
        self._after_commit.append(callback)

    # -- the mirror ---------------------------------------------------------------------------

    def _catch_up(self, connection: Connection) -> None:
        self.ledger.catch_up(connection)
        for stored in event_log.since(connection, self._seq):
            payload = stored.payload()
            if "change" in payload:
                self._situation.record_change(change_from_json(payload["change"]))
            elif "item" in payload:
                self._situation.restore(item_from_json(payload["kind"], payload["item"]))
            self._seq = stored.seq

    def _reset(self) -> None:
        self._situation = Situation(self.limits)
        self._seq = 0
        self.ledger.reset()

    def situation(self) -> Situation:
        """The situation as of the latest committed event (read-only: do not mutate).

        Only for single-threaded callers (the command line).  The in-memory situation is moved
        by the writing thread, so the server reads it inside commands run by its
        :class:`Writer` (``writer.execute(lambda tx: ... tx.situation ...)``), never from a
        request thread."""
        with self.db.reading() as connection:
            self._catch_up(connection)
        return self._situation

    def _now(self) -> datetime:
        """The clock, never going backwards within this process (the log is in time order)."""
        now = self.clock.now()
        if self._last_now is not None and now < self._last_now:
            now = self._last_now
        self._last_now = now
        return now

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction with the situation caught up; commits on success.  On failure
        nothing is written and the situation is rebuilt from the log on next use."""
        appended: list[int] = []
        try:
            with self.db.writing() as connection:
                self._catch_up(connection)
                tx = Tx(self, connection, self._now())
                yield tx
                if tx.entries:
                    # Signed in the transaction: a stored head never covers an entry that
                    # was not stored, and every stored entry is covered by a stored head.
                    tx.head = self.ledger.sign(connection, tx.now)
                appended = tx.appended
        except BaseException:
            self._reset()
            raise
        if appended:
            for callback in self._after_commit:
                callback(appended)

    def run(self, command: Callable[[Tx], T]) -> T:
        """Run one command in its own transaction (the command line's path)."""
        with self.transaction() as tx:
            return command(tx)

    # -- convenience for tools and tests ------------------------------------------------------

    def record(self, item: Item) -> Recorded:
        """Record one item with its alert changes, atomically (no deliveries: see
        :mod:`deconfliction.service.filing` for the full filing use case)."""
        return self.record_many([item])[0]

    def record_many(
        self,
        items: Sequence[Item],
        *,
        locations: Sequence[tuple[str | int, ...]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Recorded]:
        """Record several items in one transaction: all of them, or none."""
        results: list[Recorded] = []
        with self.transaction() as tx:
            for i, item in enumerate(items):
                results.append(tx.record(item, locations[i] if locations else ()))
                if progress is not None:
                    progress(i + 1)
        return results


@dataclass
class _Command:
    run: Callable[[Tx], Any]
    future: Future[Any] = field(default_factory=Future)
    party: str | None = None
    """Whose receipts to make: the entries this party may read (None: none at all)."""
    receipts: list[Receipt] = field(default_factory=list)


class Writer:
    """Runs commands from many threads on one writing thread, in batches.

    Each batch is one transaction; each command runs in a savepoint, so a command that
    raises is rolled back alone and its caller gets the exception.  A command's result is
    handed back only after its batch has committed.
    """

    def __init__(self, coordinator: Coordinator, *, max_batch: int = 128) -> None:
        self.coordinator = coordinator
        self.max_batch = max_batch
        self._queue: queue.Queue[_Command | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="deconfliction-writer", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def submit(self, command: Callable[[Tx], T]) -> Future[T]:
        job = _Command(command)
        self._queue.put(job)
        return job.future

    def execute(self, command: Callable[[Tx], T]) -> T:
        """Run ``command`` and wait for its batch to commit."""
        return self.submit(command).result()

    def execute_receipted(
        self, command: Callable[[Tx], T], party: str | None
    ) -> tuple[T, list[Receipt]]:
        """Run ``command``, wait for its batch to commit, and return its result with a receipt
        (under the batch's signed tree head) for every ledger entry it appended that ``party``
        may read."""
        job = _Command(command, party=party)
        self._queue.put(job)
        return job.future.result(), job.receipts

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._run_batch(batch)
            if stop:
                return

    def _give_receipts(self, job: _Command, entries: list[Appended], head: TreeHead | None) -> None:
        """The receipts of the entries ``job`` appended that its party may read."""
        if job.party is not None and head is not None:
            job.receipts = self.coordinator.ledger.receipts_for(entries, head, job.party)

    def _run_batch(self, batch: list[_Command]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        spans: list[tuple[int, int]] = []
        coordinator = self.coordinator
        try:
            with coordinator.transaction() as tx:
                for job in batch:
                    savepoint = Savepoint(tx.connection)
                    coordinator._touched = False
                    seq, appended = coordinator._seq, len(tx.appended)
                    entries, size = len(tx.entries), coordinator.ledger.size()
                    try:
                        result = job.run(tx)
                    except BaseException as exc:
                        savepoint.rollback()
                        if coordinator._touched:
                            # The situation moved for a command that did not commit.
                            raise _Rebuild from exc
                        # Forget the events the savepoint took back: SQLite hands their
                        # sequence numbers out again, possibly to another process's events,
                        # which catching up from a number past them would skip.
                        coordinator._seq = seq
                        del tx.appended[appended:]
                        del tx.entries[entries:]
                        coordinator.ledger.truncate(size)
                        outcomes.append((False, exc))
                        spans.append((entries, entries))
                    else:
                        savepoint.release()
                        outcomes.append((True, result))
                        spans.append((entries, len(tx.entries)))
        except _Rebuild:
            # Rare: rerun the batch from a clean situation, one command per transaction.
            for job in batch:
                try:
                    with coordinator.transaction() as alone:
                        result = job.run(alone)
                    self._give_receipts(job, alone.entries, alone.head)
                    job.future.set_result(result)
                except BaseException as exc:
                    job.future.set_exception(exc)
            return
        except BaseException as exc:
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        for job, (ok, value), (start, end) in zip(batch, outcomes, spans, strict=True):
            if ok:
                self._give_receipts(job, tx.entries[start:end], tx.head)
                job.future.set_result(value)
            else:
                job.future.set_exception(value)


class _Rebuild(DeconflictionError):
    """Internal: a failed command had moved the situation; rerun the batch."""
