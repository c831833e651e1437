"""Live feeds for the streams: one reader per process, fanning each party's new events out.

A stream (``GET /v1/stream``) replays its party's feed from the database, then takes what the
:class:`FeedHub` hands it.  On every wake-up the hub hands each subscription its own new events,
from one of two sources:

* the commits this process made (the
  :class:`~deconfliction.service.broadcast.Broadcaster` holds each committed transaction's
  events and the feeds they were put on), when they follow the hub's cursor without a gap: no
  read at all, and each event is framed once however many streams carry it;
* otherwise (another process or node committed in between: PostgreSQL ``NOTIFY`` says so at
  once, see :mod:`deconfliction.service.nodes`; without it the hub looks every ``poll_s``
  seconds), one read of the new feed rows of *every* connected party.

However many streams are open, a wake-up costs at most one read.  The database stays the only
source: a commit is published only once it is durable, whatever cannot be chained from this
process's commits is read, and a subscription that falls too far behind is dropped and reads
the database again.

Why nothing is missed and nothing comes twice:

* Writers are serialised (one at a time, across processes: see
  :mod:`deconfliction.store.database`), so transactions commit in sequence order: a reader that
  sees event ``n`` sees every committed event before it.
* The hub reads contiguous ranges ``(cursor, upto]``, ``upto`` being the newest event in the
  same snapshot, and hands out every row of the range for the subscribed parties.  A local
  commit is a contiguous range too: it is chained only when the newest event before it (known
  while it held the writer's place) is the cursor.
* A subscription *joins* at a read boundary: ``live_from`` is the hub's cursor at a moment when
  no read is in flight.  Every event up to ``live_from`` was committed before the subscription
  joined, and the hub hands it every event after ``live_from``.  The stream replays its feed
  from the database only after joining, so the replay sees every event up to ``live_from``;
  events that come both ways are dropped by sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence

import anyio
import anyio.to_thread

from deconfliction.engine.times import format_time
from deconfliction.service.broadcast import Broadcaster
from deconfliction.store import events as event_log
from deconfliction.store.database import Database
from deconfliction.store.events import StoredEvent
from deconfliction.store.feeds import EVERYONE, feed_between, feed_since

__all__ = [
    "KEEP_ALIVE_S",
    "REPLAY_PAGE",
    "RETRY_MS",
    "TOKEN_CHECK_S",
    "FeedHub",
    "Subscription",
    "frame",
    "live_feed",
    "replay",
]

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
        self.sink: Callable[[bytes], bool] | None = None
        """Set by a stream in its live phase: the hub writes a chunk through it itself, rather
        than wake the stream (True: taken); what it refuses is handed out as before."""
        self.last = 0
        """The newest event the stream sent (the hub's writes through ``sink`` included)."""
        self.sent_at = time.monotonic()
        """When the stream last sent anything (for the keep-alive after silence)."""
        self._joined = asyncio.Event()
        self._waiter: asyncio.Future[None] | None = None
        self._pending: list[StoredEvent] = []

    def _join(self, cursor: int) -> None:
        self.live_from = cursor
        self._joined.set()

    def _end(self, *, overflowed: bool = False) -> None:
        self.overflowed = self.overflowed or overflowed
        self.closed = self.closed or not overflowed
        self._pending.clear()
        self._joined.set()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def joined(self) -> int | None:
        """Wait until joined; ``live_from`` (None when the hub closed first)."""
        await self._joined.wait()
        return self.live_from

    async def take(self, timeout: float) -> list[StoredEvent]:
        """The events handed out since the last call, oldest first; waits up to ``timeout``
        seconds for some (an empty list when none came, or when closed or overflowed)."""
        if not self._pending and not self.closed and not self.overflowed:
            # A future and a timer rather than ``wait_for`` on an event: ``wait_for`` makes a
            # task of each wait, and every stream waits again after every event it carries.
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(timeout, self._wake)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
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
        """Reads of the database made (for the benchmarks and tests)."""
        self.local_reads = 0
        """Wake-ups served from this process's commits, without a read."""
        self.max_frames = 4096
        self._frames: dict[int, bytes] = {}
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._count = 0
        """Subscriptions in ``_subscriptions`` (asked for after every request: see
        :attr:`subscribers`)."""
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
        self.broadcaster.notify(self._cursor)
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
        self._count = 0
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
        self._count += 1
        if self._reading:
            self._joining.append(subscription)
        else:
            subscription._join(self._cursor)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subs = self._subscriptions.get(subscription.party)
        if subs is not None and subscription in subs:
            subs.remove(subscription)
            self._count -= 1
            if not subs:
                del self._subscriptions[subscription.party]
        if subscription in self._joining:
            self._joining.remove(subscription)

    @property
    def subscribers(self) -> int:
        """Open subscriptions: counted as they come and go, since the metrics ask after every
        request (summing the parties' sets walked every connected party each time)."""
        return self._count

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
            rows = feed_between(connection, [*parties, EVERYONE], after, upto) if parties else []
        return upto, rows, upto < newest

    async def _run(self) -> None:
        more = False
        while not self._closed:
            try:
                woken = True
                if not more:
                    woken = await self.broadcaster.wait(self.poll_s, after=self._cursor)
                more = await self._read(poll=not woken)
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed read is retried; the streams wait meanwhile
                log.exception("reading the live feeds failed")
                more = False
                await asyncio.sleep(self.poll_s)

    async def _read(self, *, poll: bool = False) -> bool:
        """One read of every subscribed party's new events; True when more are waiting.
        ``poll``: nothing woke the hub, look in the database for other processes' commits."""
        assert self._limiter is not None
        after = self._cursor
        subscribed = self._subscriptions  # looked up, not copied: this runs after every commit
        local = self.broadcaster.commits_after(after)
        if local is not None and (local or not poll):
            # Committed here and following the cursor: handed out from memory, no read.
            if not local:
                return False
            rows = [
                (party, event)
                for commit in local
                for event, audience in zip(commit.events, commit.audiences, strict=True)
                for party in audience
                if party in subscribed or party == EVERYONE
            ]
            upto, more = local[-1].last, False
            self.local_reads += 1
        else:
            parties = list(subscribed)
            if not parties:
                # Nobody to hand events to: move on unread.
                self._cursor = max(after, self.broadcaster.last_seq)
                self._join_waiting(self._cursor)
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
        public = by_party.pop(EVERYONE, [])
        # Only the parties with events of their own, unless some are for everyone: a notice
        # concerns ten of a hundred connected parties, and this runs after every commit.
        now = time.monotonic()
        for party in list(self._subscriptions) if public else list(by_party):
            own = by_party.get(party, [])
            events = (
                sorted([*own, *public], key=lambda e: e.seq) if own and public else own or public
            )
            if not events:
                continue
            for subscription in list(self._subscriptions.get(party, ())):
                if subscription.live_from is None or subscription.live_from > after:
                    continue  # joined during this read: its replay covers this range
                sink = subscription.sink
                if sink is not None and not subscription._pending:
                    # Written here, its frames shared with every stream that carries them: no
                    # task and generator resumed per stream and event.
                    last = subscription.last
                    fresh = events if events[0].seq > last else [e for e in events if e.seq > last]
                    if not fresh:
                        continue
                    if sink(self.frames(fresh)):
                        subscription.last, subscription.sent_at = fresh[-1].seq, now
                        continue
                if len(subscription._pending) + len(events) > self.max_pending:
                    self.unsubscribe(subscription)
                    subscription._end(overflowed=True)
                    continue
                subscription._pending.extend(events)
                subscription._wake()
        self._cursor = upto
        self._join_waiting(upto)
        return more

    def _join_waiting(self, cursor: int) -> None:
        joining, self._joining = self._joining, []
        for subscription in joining:
            subscription._join(cursor)

    # -- frames ---------------------------------------------------------------------------------

    def frames(self, events: Sequence[StoredEvent]) -> bytes:
        """The SSE bytes of ``events``, each event framed once however many streams carry it
        (a notice to ten parties is on eleven feeds)."""
        cache = self._frames
        parts = []
        for event in events:
            framed = cache.get(event.seq)
            if framed is None:
                framed = cache[event.seq] = frame(event).encode()
                if len(cache) > self.max_frames:
                    for seq in list(cache)[: len(cache) // 2]:
                        del cache[seq]
            parts.append(framed)
        return b"".join(parts)


# -- one stream's bytes ----------------------------------------------------------------------

KEEP_ALIVE_S = 15.0
"""Seconds of silence after which a comment line keeps proxies and clients from timing out."""
RETRY_MS = 2000
"""How long a client waits before reconnecting (the SSE ``retry:`` field)."""
TOKEN_CHECK_S = 15.0
"""How often an open stream checks that its token is still valid (not revoked, not expired):
a stream whose token lapsed ends, and reconnecting answers 401."""
REPLAY_PAGE = 1000


def _json_text(text: str) -> str:
    """``json.dumps(text, ensure_ascii=False)``, without the encoder for the common case (an
    event's type and subject: printable ASCII with no quote or backslash, left as they are)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def frame(event: StoredEvent) -> str:
    """One event in the SSE format.

    The stored body is canonical JSON (RFC 8785): one line, so it is spliced in as it is.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> e = StoredEvent(7, datetime(2026, 1, 1, tzinfo=UTC), "alert.opened", "a-1", '{"x":1}')
    >>> print(frame(e), end="")
    id: 7
    event: alert.opened
    data: {"seq":7,"type":"alert.opened","subject":"a-1","recorded_at":"2026-01-01T00:00:00.000000Z","payload":{"x":1}}
    <BLANKLINE>
    """
    body = event.body
    if "\n" in body or "\r" in body:  # not canonical JSON: re-encode on one line
        body = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
    data = (
        f'{{"seq":{event.seq},"type":{_json_text(event.type)},'
        f'"subject":{_json_text(event.subject)},'
        f'"recorded_at":"{format_time(event.recorded_at)}","payload":{body}}}'
    )
    return f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n"


async def live_feed(
    hub: FeedHub,
    db: Database,
    party: str,
    last: int | None,
    still_valid: Callable[[], bool],
    sink: Callable[[bytes], bool] | None = None,
) -> AsyncIterator[bytes]:
    """The stream's bytes: replay after ``last`` from the database, then what the hub hands
    out, each event once, in sequence order; ends when the hub closes or the token lapses.

    With ``sink`` (which writes a chunk to the stream at once, or refuses it: see
    :attr:`Subscription.sink`), the hub writes the live events itself, and this yields only
    what the sink refused, the keep-alives and the replays."""
    first = True
    checked = time.monotonic()
    while True:
        subscription = hub.subscribe(party)
        try:
            live_from = await subscription.joined()
            if live_from is None:  # the hub closed
                return
            if last is None:
                last = live_from
            if first:
                yield f"retry: {RETRY_MS}\nid: {last}\n\n".encode()
                first = False
            while True:
                page = await anyio.to_thread.run_sync(replay, db, party, last, REPLAY_PAGE)
                if page:
                    yield hub.frames(page)
                    last = page[-1].seq
                if len(page) < REPLAY_PAGE:
                    break
            subscription.last, subscription.sink = last, sink
            while True:
                quiet = time.monotonic() - subscription.sent_at
                wait = min(KEEP_ALIVE_S - quiet, TOKEN_CHECK_S - (time.monotonic() - checked))
                events = await subscription.take(max(wait, 0.0))
                last = max(last, subscription.last)  # what the hub wrote meanwhile
                if subscription.closed:
                    return
                if time.monotonic() - checked >= TOKEN_CHECK_S:
                    if not await anyio.to_thread.run_sync(still_valid):
                        return
                    checked = time.monotonic()
                if subscription.overflowed:
                    break  # too slow for the hub: replay from the database and join again
                fresh = [e for e in events if e.seq > last]
                if fresh:
                    last = subscription.last = fresh[-1].seq
                    subscription.sent_at = time.monotonic()
                    yield hub.frames(fresh)
                elif time.monotonic() - subscription.sent_at >= KEEP_ALIVE_S:
                    subscription.sent_at = time.monotonic()
                    yield b": keep-alive\n\n"
        finally:
            subscription.sink = None
            hub.unsubscribe(subscription)
