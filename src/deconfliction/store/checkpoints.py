"""SQLite's WAL checkpoints, taken off the commit path while a server writes.

In WAL mode SQLite copies the log back into the database file (a *checkpoint*) from inside the
commit that pushes the log past ``wal_autocheckpoint`` pages (1,000 by default).  That commit
then also writes and syncs the database file: on this product's disks a commit with a
checkpoint took 20–25 ms more than one without (``bench/RESULTS.md``, DSS section), and the
request whose write it was waited for all of it.  While a server runs, its writer connection
therefore checkpoints never by itself, and a thread of its own takes a *passive* checkpoint
every ``interval_s`` seconds on a separate connection: it copies what no reader still needs,
never waits for a reader or a writer, and writers keep appending to the log meanwhile.

A process that does not run the thread (a command-line tool, a test) keeps SQLite's own
checkpoints; so does a writer connection made again after a failure (the pragma is set on the
connection the thread was started with).  If the thread stops, the log grows until the next
checkpoint, and SQLite checkpoints it when the last connection closes: nothing is lost either
way, the log only stays longer.

A passive checkpoint never *restarts* the log: SQLite writes from the log's start again only
when a write begins while every frame has been copied and no reader holds an older snapshot,
which never happens while filings keep coming (each commit appends while the checkpoint copies).
Measured at 200 filings a second (``bench/server_push.py``, ~40 frames of 4 KiB a filing): the
log grew by ~30 MB a second, 913 MB after 35 s for a 90 MB database, and would fill the disk in
hours.  So when a passive checkpoint finds the log longer than ``restart_bytes``, the thread asks
at once for a ``RESTART`` checkpoint: it holds new writers while it copies what the passive one
could not (the few commits made meanwhile) and until the readers of older snapshots finish, then
the next write starts the log over, and ``journal_size_limit`` (set on every connection,
``database.py``) cuts the file back.  It waits for readers at most ``restart_wait_ms``: a long
reader (an export) makes it give up, writers go on, and it tries again a tenth of a second
later.  The writers' wait is bounded by that and by copying a few commits' pages.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["RESTART_BYTES", "RESTART_WAIT_MS", "WalCheckpointer"]

log = logging.getLogger(__name__)

RESTART_BYTES = 64 * 1024 * 1024
"""A log longer than this after a passive checkpoint is restarted (and cut back to it)."""
RESTART_WAIT_MS = 20
"""How long a restart waits for readers of older snapshots, holding writers meanwhile."""
_BUSY_TIMEOUT_MS = 30_000
_RETRY_S = 0.1


class WalCheckpointer:
    """A daemon thread taking a passive checkpoint of the SQLite file at ``path`` every
    ``interval_s`` seconds until :meth:`stop`."""

    def __init__(
        self,
        path: str,
        interval_s: float,
        *,
        restart_bytes: int = RESTART_BYTES,
        restart_wait_ms: int = RESTART_WAIT_MS,
    ) -> None:
        self.path = path
        self.interval_s = interval_s
        self.restart_bytes = restart_bytes
        self.restart_wait_ms = restart_wait_ms
        self.restarts = 0
        """``RESTART`` checkpoints that completed (the log then starts over)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="deconfliction-checkpoints", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        connection = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        try:
            wait = self.interval_s
            while not self._stop.wait(wait):
                # A restart refused (a reader, a long write) is asked again soon: the log
                # grows by tens of MB a second at full load.
                wait = self.interval_s if self.take(connection) else _RETRY_S
            self.take(connection)  # the log as short as it can be at stop
        finally:
            connection.close()

    def take(self, connection: sqlite3.Connection) -> bool:
        """One tick: a passive checkpoint, and a restart of the log if it is too long.
        False when the log is still too long (the restart was refused, or failed)."""
        try:
            _, frames, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            frames = int(frames)
            page = int(connection.execute("PRAGMA page_size").fetchone()[0])
            return frames * page <= self.restart_bytes or self._restart(connection)
        except sqlite3.Error:
            # A checkpoint that cannot run now is taken at the next tick.
            log.warning("a WAL checkpoint failed; trying again", exc_info=True)
            return True

    def _restart(self, connection: sqlite3.Connection) -> bool:
        connection.execute(f"PRAGMA busy_timeout={int(self.restart_wait_ms)}")
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        finally:
            connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        if busy == 0:
            self.restarts += 1
        return bool(busy == 0)
