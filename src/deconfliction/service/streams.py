"""Live feeds for the streams: one reader per process, fanning each party's new events out.

A stream (``GET /v1/stream``) replays its party's feed from the database, then takes what the
:class:`FeedHub` hands it.  The hub is the only code that polls: on every wake-up (the
:class:`~deconfliction.service.broadcast.Broadcaster` after a local commit, or every ``poll_s``
seconds for commits made by other processes on the same database) it reads the new feed rows of
*every* connected party in one read and hands each subscription its own.  However many streams
are open, a wake-up costs one read.  The database stays the only source: the hub hands out what
it read from it, and a subscription that falls too far behind is dropped and reads the database
again.

Why nothing is missed and nothing comes twice:

* Writers are serialised (one at a time, across processes: see
  :mod:`deconfliction.store.database`), so transactions commit in sequence order: a reader that
  sees event ``n`` sees every committed event before it.
* The hub reads contiguous ranges ``(cursor, upto]``, ``upto`` being the newest event in the
  same snapshot, and hands out every row of the range for the subscribed parties.
* A subscription *joins* at a read boundary: ``live_from`` is the hub's cursor at a moment when
  no read is in flight.  Every event up to ``live_from`` was committed before the subscription
  joined, and the hub hands it every event after ``live_from``.  The stream replays its feed
  from the database only after joining, so the replay sees every event up to ``live_from``;
  events that come both ways are dropped by sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import anyio
import anyio.to_thread

from deconfliction.service.broadcast import Broadcaster
from deconfliction.store import events as event_log
from deconfliction.store.database import Database
from deconfliction.store.events import StoredEvent
from deconfliction.store.feeds import feed_between, feed_since

__all__ = ["FeedHub", "Subscription", "replay"]

log = logging.getLogger("deconfliction.streams")


def replay(db: Database, party: str, after: int, limit: int = 1000) -> Sequence[StoredEvent]:
    """Up to ``limit`` events of ``party``'s feed after ``after``, oldest first (blocking)."""
    with db.reading() as connection:
        return feed_since(connection, party, after, limit)


class Subscription:
    """One stream's place at the hub.  Use it from the hub's event loop only."""

    def __init__(self, party: str) -> None:
        self.party = party
        self.live_from: int | None = None
        """The hub hands out every event after this sequence number (None until joined)."""
        self.overflowed = False
        """The stream fell behind and was dropped: replay from the database and join again."""
        self.closed = False
        """The hub closed (server shutdown): end the stream."""
        self._joined = asyncio.Event()
        self._wake = asyncio.Event()
        self._pending: list[StoredEvent] = []

    def _join(self, cursor: int) -> None:
        self.live_from = cursor
        self._joined.set()

    def _end(self, *, overflowed: bool = False) -> None:
        self.overflowed = self.overflowed or overflowed
        self.closed = self.closed or not overflowed
        self._pending.clear()
        self._joined.set()
        self._wake.set()

    async def joined(self) -> int | None:
        """Wait until joined; ``live_from`` (None when the hub closed first)."""
        await self._joined.wait()
        return self.live_from

    async def take(self, timeout: float) -> list[StoredEvent]:
        """The events handed out since the last call, oldest first; waits up to ``timeout``
        seconds for some (an empty list when none came, or when closed or overflowed)."""
        if not self._pending and not self.closed and not self.overflowed:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
        taken, self._pending = self._pending, []
        return taken


class FeedHub:
    """Reads new feed events once per wake-up and hands them to the subscriptions."""

    def __init__(
        self,
        db: Database,
        broadcaster: Broadcaster,
        *,
        poll_s: float = 1.0,
        span: int = 5000,
        max_pending: int = 10_000,
    ) -> None:
        self.db = db
        self.broadcaster = broadcaster
        self.poll_s = poll_s
        self.span = span
        """Most sequence numbers covered by one read."""
        self.max_pending = max_pending
        """Most events held for one subscription before it is dropped as too slow."""
        self.reads = 0
        """Reads made (for the benchmarks and tests)."""
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._joining: list[Subscription] = []
        self._cursor = 0
        self._reading = False
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start reading (in the running event loop)."""
        self._loop = asyncio.get_running_loop()
        self._limiter = anyio.CapacityLimiter(1)
        self._cursor = await anyio.to_thread.run_sync(self._newest, limiter=self._limiter)
        self._closed = False
        self._task = asyncio.create_task(self._run(), name="deconfliction-feed-hub")

    def close_now(self) -> None:
        """End every subscription and stop handing out events (in the hub's loop)."""
        self._closed = True
        for subscription in [s for subs in self._subscriptions.values() for s in subs]:
            subscription._end()
        for subscription in self._joining:
            subscription._end()
        self._subscriptions.clear()
        self._joining.clear()

    def request_close(self) -> None:
        """:meth:`close_now` from any thread, e.g. a signal handler: streams end at once, so a
        server shutting down does not wait for them."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self.close_now)

    async def close(self) -> None:
        self.close_now()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def closed(self) -> bool:
        return self._closed

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(self, party: str) -> Subscription:
        """A subscription to ``party``'s new events; wait for :meth:`Subscription.joined`
        before replaying older ones from the database."""
        subscription = Subscription(party)
        if self._closed:
            subscription._end()
            return subscription
        self._subscriptions.setdefault(party, set()).add(subscription)
        if self._reading:
            self._joining.append(subscription)
        else:
            subscription._join(self._cursor)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subs = self._subscriptions.get(subscription.party)
        if subs is not None:
            subs.discard(subscription)
            if not subs:
                del self._subscriptions[subscription.party]
        if subscription in self._joining:
            self._joining.remove(subscription)

    @property
    def subscribers(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    # -- reading --------------------------------------------------------------------------------

    def _newest(self) -> int:
        with self.db.reading() as connection:
            return event_log.last_seq(connection)

    def _fetch(
        self, parties: list[str], after: int
    ) -> tuple[int, list[tuple[str, StoredEvent]], bool]:
        with self.db.reading() as connection:
            newest = event_log.last_seq(connection)
            upto = max(after, min(newest, after + self.span))
            rows = feed_between(connection, parties, after, upto) if parties else []
        return upto, rows, upto < newest

    async def _run(self) -> None:
        more = False
        while not self._closed:
            try:
                if not more:
                    await self.broadcaster.wait(self.poll_s, after=self._cursor)
                more = await self._read()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed read is retried; the streams wait meanwhile
                log.exception("reading the live feeds failed")
                more = False
                await asyncio.sleep(self.poll_s)

    async def _read(self) -> bool:
        """One read of every subscribed party's new events; True when more are waiting."""
        assert self._limiter is not None
        after = self._cursor
        parties = list(self._subscriptions)
        if not parties and self.broadcaster.last_seq > after:
            # Nobody to hand events to, and what is new was committed here: move on unread.
            self._cursor = self.broadcaster.last_seq
            return False
        self._reading = True
        try:
            upto, rows, more = await anyio.to_thread.run_sync(
                self._fetch, parties, after, limiter=self._limiter
            )
        finally:
            self._reading = False
        self.reads += 1
        if self._closed:
            return False
        # From here to the end nothing awaits: joining and handing out see the same state.
        by_party: dict[str, list[StoredEvent]] = {}
        for party, event in rows:
            by_party.setdefault(party, []).append(event)
        for party, events in by_party.items():
            for subscription in list(self._subscriptions.get(party, ())):
                if subscription.live_from is None or subscription.live_from > after:
                    continue  # joined during this read: its replay covers this range
                if len(subscription._pending) + len(events) > self.max_pending:
                    self.unsubscribe(subscription)
                    subscription._end(overflowed=True)
                    continue
                subscription._pending.extend(events)
                subscription._wake.set()
        self._cursor = upto
        joining, self._joining = self._joining, []
        for subscription in joining:
            subscription._join(upto)
        return more
