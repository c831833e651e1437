"""Hearing other nodes' commits: PostgreSQL ``LISTEN``, or a SQLite file's change counter.

Every write transaction announces, as it commits, the log's newest sequence number
(:meth:`~deconfliction.store.database.Database.announce`).  A node listens on its own
connection and is told at once; the notification carries only the number, and the node reads
the events themselves from the log (a notification is a hint: one lost while the connection
was down costs nothing, since the reader catches up from its cursor when it reconnects).

A SQLite file has no notifications; several processes on one file (``deconflict serve
--workers N``) watch ``PRAGMA data_version``, which changes when another connection commits,
a read of shared memory that costs microseconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import psycopg
import sqlalchemy as sa

from deconfliction.store.database import LOG_CHANNEL, Database

__all__ = ["listen_postgres", "watch_sqlite"]


def _libpq(url: str) -> str:
    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def listen_postgres(
    db: Database,
    on_seq: Callable[[int], None],
    on_connected: Callable[[], None],
    stop: threading.Event,
    *,
    timeout_s: float = 1.0,
) -> None:
    """``LISTEN`` on the log's channel until ``stop`` is set, calling ``on_seq`` with each
    announced sequence number (on this thread) and ``on_connected`` once listening.  Returns
    when ``stop`` is set; raises when the connection fails (the caller reconnects)."""
    with psycopg.connect(_libpq(db.url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"LISTEN {LOG_CHANNEL}")
        on_connected()
        while not stop.is_set():
            for note in connection.notifies(timeout=timeout_s):
                if note.payload.isdigit():
                    on_seq(int(note.payload))
                if stop.is_set():
                    return


def watch_sqlite(
    db: Database,
    on_change: Callable[[], None],
    stop: threading.Event,
    *,
    every_s: float = 0.02,
) -> None:
    """Call ``on_change`` whenever another connection commits to the SQLite file, until
    ``stop`` is set (``PRAGMA data_version`` every ``every_s`` seconds)."""
    path = sa.engine.make_url(db.url).database
    if not path or path == ":memory:":
        return
    connection = sqlite3.connect(path, timeout=30.0, check_same_thread=False)
    try:
        last = None
        while not stop.wait(every_s):
            (version,) = connection.execute("PRAGMA data_version").fetchone()
            if last is not None and version != last:
                on_change()
            last = version
    finally:
        connection.close()
