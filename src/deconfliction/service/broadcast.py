"""Waking live streams when something is committed, and handing them this process's commits.

The writer calls :meth:`Broadcaster.publish` after each commit (on its own thread) with the
events it appended; a commit made by another process or node arrives as
:meth:`Broadcaster.notify` (PostgreSQL ``NOTIFY``: see :mod:`deconfliction.service.nodes`), with
only its newest sequence number.  The feed hub waits with :meth:`Broadcaster.wait` (in its
event loop), then either hands out the commits published here, when they follow its cursor
without a gap (:meth:`Broadcaster.commits_after`: no read at all), or reads the range from the
database.  The database stays the only source: a commit is published only after it is durable,
and whatever the hub cannot chain from here it reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque

from deconfliction.service.coordinator import Commit

__all__ = ["Broadcaster"]


class Broadcaster:
    def __init__(self, *, keep: int = 1024) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool]]] = set()
        self._commits: deque[Commit] = deque(maxlen=keep)
        self.last_seq = 0
        """The newest event known to be committed (here or elsewhere)."""

    def publish(self, commit: Commit | list[int]) -> None:
        """A local commit (or, for callers that only know them, its sequence numbers): keep it
        for the hub and wake every waiter (thread-safe)."""
        with self._lock:
            if isinstance(commit, Commit):
                self._commits.append(commit)
                seqs = commit.seqs
            else:
                seqs = commit
            if seqs:
                self.last_seq = max(self.last_seq, max(seqs))
        self._wake()

    def notify(self, seq: int) -> None:
        """Another process committed up to ``seq`` (thread-safe)."""
        with self._lock:
            if seq <= self.last_seq:
                return
            self.last_seq = seq
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, waiter in waiters:
            with contextlib.suppress(RuntimeError):  # that loop closed meanwhile
                loop.call_soon_threadsafe(_settle, waiter, True)

    def commits_after(self, cursor: int) -> list[Commit] | None:
        """The local commits that follow ``cursor`` without a gap, oldest first (an empty list
        when none is newer); None when the next committed event was not published here (another
        process wrote it, or it was forgotten): the caller must read the database."""
        with self._lock:
            while self._commits and self._commits[0].last <= cursor:
                self._commits.popleft()
            chain: list[Commit] = []
            at = cursor
            for commit in self._commits:
                if commit.after != at:
                    break
                chain.append(commit)
                at = commit.last
            if not chain and self.last_seq > cursor:
                return None
            return chain

    async def wait(self, timeout: float, after: int | None = None) -> bool:
        """Wait until something is published or ``timeout`` seconds pass; True if woken.

        With ``after``, return at once when events after that sequence number were already
        published: a waiter that was busy when they were published does not miss them.
        """
        loop = asyncio.get_running_loop()
        # A future and a timer, not ``wait_for`` on an event: that makes a task of each wait,
        # and the hub waits again after every commit.
        waiter: asyncio.Future[bool] = loop.create_future()
        entry = (loop, waiter)
        with self._lock:
            if after is not None and self.last_seq > after:
                return True
            self._waiters.add(entry)
        timer = loop.call_later(timeout, _settle, waiter, False)
        try:
            return await waiter
        finally:
            timer.cancel()
            with self._lock:
                self._waiters.discard(entry)


def _settle(waiter: asyncio.Future[bool], woken: bool) -> None:
    """In the waiter's loop: ``woken`` (published) or not (the time ran out), unless settled
    already (by the other, or cancelled with its caller)."""
    if not waiter.done():
        waiter.set_result(woken)
