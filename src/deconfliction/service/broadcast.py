"""Waking live streams when something is committed.

The writer calls :meth:`Broadcaster.publish` after each commit (on its own thread); each
stream waits with :meth:`Broadcaster.wait` (in its event loop) and then reads its feed from the
database, so a stream never depends on having been awake to see an event: the database is the
only source, and the broadcaster only says "look again".
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["Broadcaster"]


class Broadcaster:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.last_seq = 0

    def publish(self, seqs: list[int]) -> None:
        """Wake every waiting stream (thread-safe)."""
        with self._lock:
            if seqs:
                self.last_seq = max(self.last_seq, max(seqs))
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float, after: int | None = None) -> bool:
        """Wait until something is published or ``timeout`` seconds pass; True if woken.

        With ``after``, return at once when events after that sequence number were already
        published: a waiter that was busy when they were published does not miss them.
        """
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        entry = (loop, event)
        with self._lock:
            if after is not None and self.last_seq > after:
                return True
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(entry)
