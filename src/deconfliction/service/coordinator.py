"""The coordinator: the database, the in-memory situation, and atomic recording.

Every change happens inside a :class:`Tx`, one write transaction that holds the single
writer's place: it first brings the in-memory situation up to date with events other writers
appended, then lets use cases assess and record items.  Because the transaction holds the
writer's place from the catch-up to the commit, no other filing can slip between a check and
its insert, so no conflict is ever lost.

The situation moves as each item is recorded, inside the transaction, so that the next item of
the same transaction is assessed against it.  The transaction owns its undo: every change to
the situation and to the ledger's tree is journaled, and a command or a transaction that fails
is undone from the journal (see docs/design/record.md for the order of the steps).

:class:`~deconfliction.service.writer.Writer` runs commands from many callers (the HTTP
server's requests) on one thread, a batch of them per transaction, each command inside a
savepoint and at its own instant: one commit (one fsync) serves the whole batch, and a command
that fails is rolled back alone.

Reads do not go through the writer: they read the store in a read transaction of their own
(:meth:`Coordinator.reading`), which sees the record as of the last commit.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import AlertChange
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.items import Item, commitment, kind_of
from deconfliction.engine.journal import Journal
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.engine.model import Limits, check_limits
from deconfliction.engine.situation import Assessment, Situation
from deconfliction.service.clock import Clock, SystemClock
from deconfliction.service.keys import LedgerKeys, keys_directory_for
from deconfliction.service.ledger import Appended, Ledger
from deconfliction.store import alerts as alert_store
from deconfliction.store import events as event_log
from deconfliction.store import items as item_store
from deconfliction.store.codec import (
    Canonical,
    canonical,
    change_from_payload,
    item_from_payload,
    payload,
    record_body,
)
from deconfliction.store.database import Database
from deconfliction.store.driver import Savepoint
from deconfliction.store.events import NewEvent, StoredEvent
from deconfliction.store.feeds import add_to_feeds
from deconfliction.store.items import ItemCache
from deconfliction.store.private import PrivateValue, private_values_of, write_private

__all__ = ["OPERATOR", "Commit", "Coordinator", "Recorded", "Tx"]

OPERATOR = "operator"
"""Who recorded an item loaded by whoever runs the server (a scenario file, the command line):
the one way configuration is recorded without the consent of the parties it binds."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Recorded:
    """An item as recorded: its assessment and the log sequence of its event (None when it
    was already recorded identically and nothing was written)."""

    assessment: Assessment
    seq: int | None


@dataclass(frozen=True, slots=True)
class Commit:
    """What one committed transaction appended, as the live streams hand it out."""

    after: int
    """The newest event in the log before this transaction (its first event follows it)."""
    events: tuple[StoredEvent, ...]
    audiences: tuple[tuple[str, ...], ...]
    """The feeds each event was put on (``*``: every party)."""
    held_s: float = 0.0
    """How long the transaction held the writer's place (the critical section), seconds."""
    held_cpu_s: float = 0.0
    """The writing thread's CPU time over the same span: the rest of ``held_s`` is waiting
    (for the GIL, the disk, the database)."""
    ledger_size: int = 0
    """Entries in the ledger after the commit."""

    @property
    def seqs(self) -> list[int]:
        return [e.seq for e in self.events]

    @property
    def last(self) -> int:
        return self.events[-1].seq if self.events else self.after


class Tx:
    """One write transaction: the connection, the situation, the server's time, and the undo
    of everything it changed in memory.

    ``now`` is the instant of the command being run (each command of a batch has its own);
    ``entries`` the ledger entries appended so far; ``head`` the signed tree head over them
    (set just before the transaction commits).
    """

    def __init__(
        self, coordinator: Coordinator, connection: Connection, now: datetime, last_seq: int
    ) -> None:
        self.coordinator = coordinator
        self.connection = connection
        self.now = now
        self.situation: Situation = coordinator.situation_in_writer
        self.limits: Limits = coordinator.limits
        self.ledger: Ledger = coordinator.ledger
        self.cache: ItemCache = coordinator.cache
        self.journal = Journal()
        self.last_seq = last_seq
        """The newest event in the log, this transaction's own appends included."""
        self.first_seq = last_seq
        """The newest event in the log when the transaction began (after the catch-up)."""
        self.appended: list[int] = []
        self.events: list[tuple[StoredEvent, tuple[str, ...]]] = []
        """The appended events with their feeds (handed to the live streams on commit)."""
        self.entries: list[Appended] = []
        self.head: TreeHead | None = None

    # -- appending --------------------------------------------------------------------------

    def append(
        self, type: str, subject: str, body: Canonical | dict[str, Any], audience: Sequence[str]
    ) -> int:
        """Append an event to the log (and the ledger), and to the feed of each party in
        ``audience``."""
        return self.append_many([(type, subject, body, audience)])[0]

    def append_many(
        self, entries: Sequence[tuple[str, str, Canonical | dict[str, Any], Sequence[str]]]
    ) -> list[int]:
        """Append several ``(type, subject, payload, audience)`` events, in order, with one
        statement per table; returns their sequence numbers.  A payload is given as its
        canonical text (:func:`~deconfliction.store.codec.payload`) or as a mapping."""
        size = self.ledger.size()
        before = len(self.entries)
        texts = [canonical(body) for _, _, body, _ in entries]
        added = self.ledger.add_many(
            self.now,
            [(e[0], e[1], text, e[3]) for e, text in zip(entries, texts, strict=True)],
        )
        self.entries.extend(added)
        new = [
            NewEvent(a.type, a.subject, text, a.index, a.leaf)
            for a, text in zip(added, texts, strict=True)
        ]

        def undo() -> None:
            self.ledger.truncate(size)
            del self.entries[before:]

        self.journal.on_undo(undo)
        # Inside the transaction this log position is the newest event (it caught up first,
        # then counted every append), so the next numbers are known.
        seqs = event_log.append_many(
            self.connection, new, recorded_at=self.now, first_seq=self.last_seq + 1
        )
        add_to_feeds(self.connection, [(seq, e[3]) for seq, e in zip(seqs, entries, strict=True)])
        if seqs:
            last, count = self.last_seq, len(self.appended)

            def forget() -> None:
                # SQLite hands undone sequence numbers out again: forget them too.
                self.last_seq = last
                del self.appended[count:]
                del self.events[count:]

            self.journal.on_undo(forget)
            self.appended.extend(seqs)
            self.events.extend(
                (StoredEvent(seq, self.now, e.type, e.subject, e.body), tuple(entry[3]))
                for seq, e, entry in zip(seqs, new, entries, strict=True)
            )
            self.last_seq = seqs[-1]
        return seqs

    # -- recording items ----------------------------------------------------------------------

    def record(
        self,
        item: Item,
        location: tuple[str | int, ...] = (),
        limits: Limits | None = None,
        *,
        by: str = OPERATOR,
    ) -> Recorded:
        """Assess ``item`` against the situation, append it and the alert changes it causes,
        project them, and move the situation.  Raises InvalidInput (located at ``location``)
        when the item cannot be recorded; nothing is written then.

        ``limits`` holds new input to the server's policy (an item recorded exactly so already
        is not new, and is left alone).  ``by`` says who recorded it (a party, ``operator`` for
        whoever runs the server, ``consent:<proposal>`` for a change the parties agreed to);
        the entry says so.  The item's ledger entry goes to the feeds of its audience as the
        one rule gives it now (:meth:`~deconfliction.engine.detection.roster.Roster.audience`);
        its private fields stay out of the log, which holds a commitment to each."""
        try:
            assessment = self.situation.assess(item)
            if assessment.duplicate:
                return Recorded(assessment, None)
            if limits is not None:
                check_limits(item, limits)
        except InvalidInput as exc:
            raise exc.under(*location) from None
        kind = kind_of(item)
        data = item.model_dump(mode="json", by_alias=True)
        private = [
            PrivateValue(field, canonical(data.pop(field)), secrets.token_hex(16))
            for field in kind.private
        ]
        body = Canonical(canonical(data))
        members: dict[str, Canonical | str] = {"kind": kind.name, "item": body, "by": by}
        if private:
            members["private"] = Canonical(
                canonical({v.field: commitment(v.field, v.value, v.nonce) for v in private})
            )
        audience = sorted(self.situation.audience(item))
        seq = self.append(kind.event, item.id, payload(**members), audience)
        write_private(self.connection, kind.name, item.id, seq, private)
        extra = {"series": assessment.series} if assessment.series is not None else {}
        item_store.write_item(self.connection, item, body, seq, **extra)
        self.situation.apply(assessment, self.journal)
        if not private:  # the store holds the public part only: so does the cache
            self.cache.put(item, seq)
            self.journal.on_undo(lambda: self.cache.discard(item, seq))
        for change in assessment.changes:
            self.record_change(change)
        return Recorded(assessment, seq)

    def record_change(self, change: AlertChange) -> int:
        """Record one alert change: in the log, in the projection, and in the situation's
        alert book (journaled, like every change the transaction makes)."""
        return self.record_changes([change])[0]

    def record_changes(self, changes: Sequence[AlertChange]) -> list[int]:
        """Record alert changes in order, as :meth:`record_change` does one, with one statement
        per table for all of them; returns their sequence numbers."""
        for change in changes:
            self.situation.alerts.record(change, self.journal)
        seqs = self.append_many(
            [
                (
                    f"alert.{change.action.value}",
                    change.alert.id,
                    payload(change=record_body(change)),
                    change.alert.parties,
                )
                for change in changes
            ]
        )
        alert_store.write_changes(self.connection, list(zip(changes, seqs, strict=True)))
        return seqs

    # -- undo ------------------------------------------------------------------------------------

    @contextmanager
    def command(self, now: datetime) -> Iterator[None]:
        """Run one command at ``now`` inside a savepoint: if it raises, what it wrote and
        what it changed in memory are undone, and the transaction goes on."""
        self.now = now
        savepoint = Savepoint(self.connection)
        mark = self.journal.mark()
        try:
            yield
        except BaseException:
            savepoint.rollback()
            self.journal.rollback(mark)
            raise
        savepoint.release()


class Coordinator:
    """Owns a :class:`Database`, the :class:`Situation` mirrored from its log, the ledger's
    tree, and the cache of items read back."""

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
        self.cache = ItemCache()
        self.situation_in_writer = Situation(self.limits)
        """The situation, moved only by the writing thread (see :meth:`situation`)."""
        self._seq = 0
        self._last_now: datetime | None = None
        self._after_commit: list[Callable[[Commit], None]] = []

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

    def on_commit(self, callback: Callable[[Commit], None]) -> None:
        """Call ``callback`` with the events of every committed transaction that appended any
        (after the commit, on the writing thread)."""
        self._after_commit.append(callback)

    # -- the mirror ---------------------------------------------------------------------------

    def _catch_up(self, connection: Connection) -> None:
        """Bring the situation and the tree up to the log, past what other writers appended
        (the trusted log: nothing is assessed again).  One query, which finds nothing when
        nobody else wrote (the usual case with one process); with several nodes taking turns
        it reads each turn the other nodes' last batches, with the leaf hashes the tree needs
        (the tree and the situation follow the same events: one read for both)."""
        self._follow(connection, event_log.to_follow(connection, self._seq))

    def _follow(self, connection: Connection, followed: Sequence[tuple[Any, ...]]) -> None:
        """Move the tree and the situation past ``followed``: ``(seq, ledger index, leaf hash
        hex, body)`` of the events after this node's last one (:func:`event_log.following`)."""
        if not followed:
            return
        self.ledger.follow((index, leaf) for _, index, leaf, _ in followed)
        situation = self.situation_in_writer
        for seq, _, _, body in followed:
            data = json.loads(body)
            if "change" in data:
                situation.restore_change(change_from_payload(data))
            elif "item" in data:
                if "private" in data:
                    revealed = private_values_of(connection, seq)
                    data["item"] |= {v.field: json.loads(v.value) for v in revealed}
                situation.restore(item_from_payload(data))
            self._seq = seq

    def situation(self) -> Situation:
        """The situation as of the latest committed event (read-only: do not mutate).

        Only for single-threaded callers (the command line).  The server reads the store
        (:meth:`reading`); only its writing thread touches the situation."""
        with self.db.reading() as connection:
            self._catch_up(connection)
        return self.situation_in_writer

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: the record as of the last commit, on the caller's thread."""
        with self.db.reading() as connection:
            yield connection

    def tick(self) -> datetime:
        """The clock, never going back within this process (the log is in time order)."""
        now = self.clock.now()
        if self._last_now is not None and now < self._last_now:
            now = self._last_now
        self._last_now = now
        return now

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction with the situation caught up; commits on success.  On failure
        nothing is written and the situation and tree are put back as they were."""
        tx: Tx | None = None
        held = held_cpu = 0.0
        try:
            with self.db.writing_from(*event_log.following(self._seq)) as (connection, rows):
                held = time.perf_counter()  # the writer's place is ours from here
                held_cpu = time.thread_time()
                self._follow(connection, rows)
                tx = Tx(self, connection, self.tick(), self._seq)
                yield tx
                if tx.entries:
                    # Signed in the transaction: a stored head never covers an entry that
                    # was not stored, and every stored entry is covered by a stored head.
                    tx.head = self.ledger.sign(connection, tx.now)
                if tx.appended:
                    self.db.announce(connection, tx.last_seq)
            held = time.perf_counter() - held
            held_cpu = time.thread_time() - held_cpu
        except BaseException:
            if tx is not None:
                tx.journal.rollback()
            raise
        tx.journal.forget()
        self._seq = tx.last_seq
        if tx.appended:
            commit = Commit(
                tx.first_seq,
                tuple(e for e, _ in tx.events),
                tuple(a for _, a in tx.events),
                held,
                held_cpu,
                len(self.ledger.tree),
            )
            for callback in self._after_commit:
                callback(commit)

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
