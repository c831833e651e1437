"""Several nodes on one record: hearing the other nodes' commits.

Every node (a ``deconflict serve`` process, or one worker of ``--workers N``) keeps its own
situation and ledger tree, caught up from the log at the start of each of its write
transactions (see docs/design/nodes.md).  What it must also hear, for its live streams, is
that another node committed: :class:`LogWatch` runs a thread that tells the
:class:`~deconfliction.service.broadcast.Broadcaster` the log's newest sequence number, from
PostgreSQL ``NOTIFY`` (at once) or from a SQLite file's change counter (within 20 ms).  The
feed hub then reads the new events from the log; the numbers are the log's own, so a stream
resumes on any node with the same ``Last-Event-ID``.

When PostgreSQL goes away the thread reconnects by itself (backing off from 0.2 s to 5 s) and,
once listening again, reads the log's newest number, so nothing committed meanwhile is missed.
"""

from __future__ import annotations

import logging
import threading

from deconfliction.service.broadcast import Broadcaster
from deconfliction.store import events as event_log
from deconfliction.store.database import Database
from deconfliction.store.notifications import listen_postgres, watch_sqlite

__all__ = ["LogWatch"]

log = logging.getLogger("deconfliction.nodes")


class LogWatch:
    """A thread that wakes this node's streams when other nodes commit."""

    def __init__(self, db: Database, broadcaster: Broadcaster, *, sqlite: bool = False) -> None:
        """``sqlite``: also watch a SQLite file (only worth it when other processes write to
        it: every commit, this process's own too, costs the watch a read)."""
        self.db = db
        self.broadcaster = broadcaster
        self.sqlite = sqlite
        self.listening = False
        """Whether notifications are being received now (PostgreSQL)."""
        self.reconnects = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="deconfliction-log-watch", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _newest(self) -> None:
        with self.db.reading() as connection:
            self.broadcaster.notify(event_log.last_seq(connection))

    def _connected(self) -> None:
        self.listening = True
        self._newest()  # whatever was committed while nobody listened

    def _run(self) -> None:
        if self.db.dialect == "sqlite":
            if not self.sqlite:
                return
            try:
                watch_sqlite(self.db, self._newest, self._stop)
            except Exception:  # the streams still poll: see FeedHub
                log.exception("watching the SQLite file failed")
            return
        delay = 0.2
        while not self._stop.is_set():
            try:
                listen_postgres(self.db, self.broadcaster.notify, self._connected, self._stop)
                delay = 0.2
            except Exception as exc:
                self.listening = False
                self.reconnects += 1
                log.warning("listening for other nodes' commits failed (%s); retrying", exc)
                self._stop.wait(delay)
                delay = min(5.0, delay * 2)
        self.listening = False
