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
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["WalCheckpointer"]

log = logging.getLogger(__name__)


class WalCheckpointer:
    """A daemon thread taking a passive checkpoint of the SQLite file at ``path`` every
    ``interval_s`` seconds until :meth:`stop`."""

    def __init__(self, path: str, interval_s: float) -> None:
        self.path = path
        self.interval_s = interval_s
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
        connection = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        try:
            while not self._stop.wait(self.interval_s):
                self._take(connection)
            self._take(connection)  # the log as short as it can be at stop
        finally:
            connection.close()

    def _take(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            # A passive checkpoint that cannot run now is taken at the next tick.
            log.warning("a WAL checkpoint failed; trying again", exc_info=True)
