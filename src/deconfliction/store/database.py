"""The one object that owns the database.

Writes are serialised through one writer: inside a process by a lock, across processes by the
database itself: SQLite's ``BEGIN IMMEDIATE`` (with WAL, readers never wait for it), or a
PostgreSQL transaction-scoped advisory lock.  A write transaction therefore sees every earlier
write, which is what makes "check a notice and store it" one atomic step.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from deconfliction.engine.errors import InvalidInput, Unavailable
from deconfliction.store.checkpoints import RESTART_BYTES, WalCheckpointer
from deconfliction.store.deferred import Deferred
from deconfliction.store.driver import (
    DEFERRED,
    array_form,
    driver_executemany,
    driver_of,
    driver_query,
    flush_deferred,
)

__all__ = [
    "LOG_CHANNEL",
    "Database",
    "connection_lost",
    "database_url",
]

_WRITER_LOCK_KEY = 0x6465636F
"""PostgreSQL advisory lock key that serialises writers ("deco")."""
_TAKE_LOCK = "SELECT pg_advisory_xact_lock(%s)"


def database_url(location: str | Path) -> str:
    """A SQLAlchemy URL from a file path or a URL.

    Examples
    --------
    >>> database_url("/tmp/x.sqlite3")
    'sqlite:////tmp/x.sqlite3'
    >>> database_url("postgresql://u@127.0.0.1/db")
    'postgresql+psycopg://u@127.0.0.1/db'
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


_MIGRATION_ATTEMPTS = 6
"""Attempts at migrating a SQLite store that another process is creating (see ``migrate``)."""


def _sqlite_engine(url: str, begin: str, pool_size: int) -> Engine:
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30.0},
        pool_size=pool_size,
        max_overflow=0 if pool_size == 1 else 8,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # A log restarted after a long one is cut back to this (store/checkpoints.py).
        cursor.execute(f"PRAGMA journal_size_limit={RESTART_BYTES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # On the driver's connection: through SQLAlchemy's statement machinery this one
        # statement was a tenth of a lone filing's transaction frame (nothing is held yet to
        # flush before it, and the driver's errors are told apart as SQLAlchemy's are:
        # ``connection_lost``).
        driver_of(connection).execute(begin)

    return engine


_POSTGRES_CONNECT = {"options": "-c plan_cache_mode=force_custom_plan"}
"""psycopg prepares a statement on the server after a few runs, and PostgreSQL then may keep a
generic plan made while the tables were small.  The deliveries' existence check (a primary-key
lookup, 0.08 ms when planned for its values) then took up to 27 ms a run, PostgreSQL half a core,
and filing fell from 110 to 67 notices per second (bench/RESULTS.md).  Custom plans are made for
each run's values (but for the writer's held inserts: ``_GENERIC_PLANS``)."""

_GENERIC_PLANS = "SET LOCAL plan_cache_mode = auto"
"""Sent first in the pipeline that writes a transaction's held rows and commits: those are
inserts of one array per column (and the tree head, the notification), the same few statement
texts every transaction, which psycopg prepares after a few runs and which a plan made for no
values in particular serves as well as one made for each run's.  Planned again at every run
(``force_custom_plan``, for the reads) they cost PostgreSQL about a quarter of its CPU in the
writer's transaction, all of it with the write lock held (bench/RESULTS.md, "The PostgreSQL write
lock, part by part").  ``LOCAL``: the reads of the next transaction are custom-planned again."""


LOG_CHANNEL = "deconfliction_log"
"""The PostgreSQL notification channel on which every commit announces the log's newest
sequence number (:meth:`Database.announce`)."""

_NOTIFY = f"SELECT pg_notify('{LOG_CHANNEL}', ?)"

_UNREACHABLE_RETRY_S = 2


_SQLITE_TRANSIENT = ("locked", "busy", "unable to open", "disk i/o")
"""SQLite errors that say "not now" rather than "wrong" (any other is a bug: let it show)."""


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (the server down, restarting,
    refusing connections, the connection cut; a SQLite file locked too long), rather than that
    a statement is wrong.  Savepoints and the hot inserts go to the driver directly: its own
    errors count too."""
    if isinstance(exc, Unavailable | sa.exc.PendingRollbackError):
        return True
    if not isinstance(exc, sa.exc.DBAPIError | psycopg.Error | sqlite3.Error):
        return False
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    if isinstance(orig, sqlite3.OperationalError):
        return any(t in str(orig).lower() for t in _SQLITE_TRANSIENT)
    return False


@contextmanager
def _unreachable_is_unavailable() -> Iterator[None]:
    """Connection failures as :class:`Unavailable` (see :func:`connection_lost`); any other
    database error goes on as it is."""
    try:
        yield
    except Unavailable:
        raise
    except Exception as exc:
        if not connection_lost(exc):
            raise
        raise Unavailable(
            "the database cannot be reached; nothing was written (try again)",
            _UNREACHABLE_RETRY_S,
        ) from exc


class Database:
    """A SQLite file or a PostgreSQL database, migrated to the current schema.

    Use :meth:`writing` for a transaction that may write (one at a time) and :meth:`reading`
    for a consistent read.
    """

    def __init__(self, location: str | Path) -> None:
        self.url = database_url(location)
        self.dialect = sa.engine.make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            path = sa.engine.make_url(self.url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._writer = _sqlite_engine(self.url, "BEGIN IMMEDIATE", pool_size=1)
            self._reader = _sqlite_engine(self.url, "BEGIN", pool_size=4)
        elif self.dialect == "postgresql":
            # The writer reads committed data statement by statement, whatever the server's
            # default isolation: under REPEATABLE READ or SERIALIZABLE its snapshot would be
            # taken before the advisory lock is granted, and it would miss the previous
            # writer's commit (a conflict lost between check and insert).  One connection is
            # enough: writers take turns.  Readers get one snapshot per transaction, and a pool
            # of their own so that they never keep the writer waiting for a connection.
            # No ping before each transaction (a round trip with the write lock about to be
            # taken): a connection found lost when the lock is asked for is replaced and the
            # lock asked again, once (``_take_place``), before anything is written.
            self._writer = sa.create_engine(
                self.url,
                isolation_level="READ COMMITTED",
                pool_size=1,
                max_overflow=0,
                connect_args=_POSTGRES_CONNECT,
            )
            self._reader = sa.create_engine(
                self.url,
                isolation_level="REPEATABLE READ",
                pool_size=4,
                max_overflow=8,
                pool_pre_ping=True,
                connect_args=_POSTGRES_CONNECT,
            )
        else:
            raise InvalidInput.at(
                ("db",),
                f"unsupported database '{self.dialect}': use a SQLite path or postgresql://",
            )
        event.listen(self._writer, "before_cursor_execute", flush_deferred)
        self._lock = threading.Lock()
        self._checkpoints: WalCheckpointer | None = None

    def start_checkpoints(self, interval_s: float = 2.0) -> None:
        """While a server writes: SQLite's WAL checkpoints taken by a thread of their own,
        not inside the commit of whichever write crosses the threshold
        (:mod:`deconfliction.store.checkpoints`).  Nothing to do on PostgreSQL.

        Every 2 s rather than every 0.5 s: a checkpoint copies the newest version of each page
        written since the last one, once however often it was written meanwhile, so fewer
        checkpoints copy fewer pages; at 100 filings a second the thread's CPU fell from 0.13
        to 0.05 ms a filing (``bench/RESULTS.md``, "The event loop's share")."""
        path = sa.engine.make_url(self.url).database
        if (
            self.dialect != "sqlite"
            or self._checkpoints is not None
            or path in (None, "", ":memory:")
        ):
            return
        with self._lock, self._writer.connect() as connection:
            driver_of(connection).execute("PRAGMA wal_autocheckpoint=0")
        self._checkpoints = WalCheckpointer(path, interval_s)
        self._checkpoints.start()

    def stop_checkpoints(self) -> None:
        """Back to SQLite's own checkpoints in the commit (after a last one of the thread's)."""
        checkpoints, self._checkpoints = self._checkpoints, None
        if checkpoints is not None:
            checkpoints.stop()
            with self._lock, self._writer.connect() as connection:
                driver_of(connection).execute("PRAGMA wal_autocheckpoint=1000")

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction holding the single writer's place; committed on success.  Raises
        :class:`Unavailable` when the database cannot be reached (nothing is written then:
        the transaction is rolled back, or was never begun)."""
        with self.writing_from(None) as (connection, _):
            yield connection

    @contextmanager
    def writing_from(
        self, first: sa.Select[Any] | None, params: Mapping[str, Any] | None = None
    ) -> Iterator[tuple[Connection, Sequence[tuple[Any, ...]]]]:
        """:meth:`writing`, whose first step once it holds the writer's place is the query
        ``first`` (with ``params``): the transaction and the query's rows, as the driver gives
        them (no type of SQLAlchemy's applied: ask for plain numbers and text).

        On PostgreSQL the transaction's begin, the advisory lock and the query go in one round
        trip (a pipeline: the query's snapshot is still taken after the lock is granted, so it
        sees the previous writer's commit), and the rows held to the end go with the tree head,
        the notification and the commit in another.  A writer caught up from the log this way
        (the coordinator) makes two round trips a transaction where it made fifteen, each a
        wait with the lock held (``bench/RESULTS.md``, "PostgreSQL: the write lock in two
        round trips")."""
        postgres = self.dialect == "postgresql"
        with self._lock, _unreachable_is_unavailable(), ExitStack() as stack:
            connection, rows = self._take_place(stack, first, params or {})
            driver = driver_of(connection)
            deferred = Deferred(
                driver,
                multirow=not postgres,
                arrays=functools.partial(array_form, dialect=connection.dialect)
                if postgres
                else None,
            )
            connection.info[DEFERRED] = deferred
            try:
                yield connection, rows
                if postgres:
                    # The held rows, the tree head, the notification and the commit, in one
                    # round trip (SQLAlchemy's own commit after it finds nothing left to do).
                    with driver.pipeline():
                        driver.execute(_GENERIC_PLANS)
                        deferred.flush()
                        driver.commit()
                else:
                    deferred.flush()
            finally:
                del connection.info[DEFERRED]

    def _take_place(
        self, stack: ExitStack, first: sa.Select[Any] | None, params: Mapping[str, Any]
    ) -> tuple[Connection, Sequence[tuple[Any, ...]]]:
        """Begin the write transaction (SQLite's ``BEGIN IMMEDIATE``; PostgreSQL's advisory
        lock) and run ``first``.  On PostgreSQL a connection found lost here (the server
        restarted since it was last used) is replaced once: nothing was written yet."""
        for attempt in (1, 2):
            begun = self._writer.begin()
            connection = begun.__enter__()
            try:
                sql, args = driver_query(connection, first, params)
                driver = driver_of(connection)
                if self.dialect != "postgresql":
                    rows = driver.execute(sql, args).fetchall() if sql else []
                else:
                    lock, read = driver.cursor(), driver.cursor()
                    with driver.pipeline():
                        lock.execute(_TAKE_LOCK, (_WRITER_LOCK_KEY,))
                        if sql:
                            read.execute(sql, args)
                    rows = read.fetchall() if sql else []
            except BaseException as exc:
                again = attempt == 1 and self.dialect == "postgresql" and connection_lost(exc)
                if again:
                    connection.invalidate()
                begun.__exit__(type(exc), exc, exc.__traceback__)
                if again:
                    continue
                raise
            stack.push(begun.__exit__)
            return connection, rows
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on both stores); :class:`Unavailable`
        when the database cannot be reached."""
        with _unreachable_is_unavailable(), self._reader.begin() as connection:
            yield connection

    def announce(self, connection: Connection, seq: int) -> None:
        """Tell the other nodes, when this transaction commits, that the log now ends at
        ``seq`` (PostgreSQL ``NOTIFY``, delivered at commit and in commit order; other
        processes on a SQLite file see its change counter move instead)."""
        if self.dialect == "postgresql":
            # Held with the transaction's rows: sent in the same round trip as they are.
            driver_executemany(connection, _NOTIFY, [(str(seq),)])

    def ping(self) -> None:
        """A round trip to the database (:class:`Unavailable` when it does not answer)."""
        with self.reading() as connection:
            connection.execute(sa.text("SELECT 1"))

    def _alembic(self) -> Config:
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("deconfliction.store") / "migrations")
        )
        return config

    def migrate(self) -> None:
        """Bring the schema to the newest revision (creating it in an empty database).

        Several processes may start on one new SQLite file at once.  SQLite can answer "database
        is locked" at once, without waiting, while another connection turns the new file to WAL
        or holds the write lock its snapshot predates; the migration then starts again a few
        times (each attempt is one transaction: nothing half-done stays).  PostgreSQL waits on
        an advisory lock instead.
        """
        for attempt in range(_MIGRATION_ATTEMPTS):
            try:
                self._migrate_once()
                return
            except sa.exc.OperationalError as exc:
                locked = "database is locked" in str(exc) and self.dialect == "sqlite"
                if not locked or attempt == _MIGRATION_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * 2**attempt)

    def _migrate_once(self) -> None:
        config = self._alembic()
        with self._lock, self._writer.begin() as connection:
            if self.dialect == "postgresql":
                driver_of(connection).execute(_TAKE_LOCK, (_WRITER_LOCK_KEY,))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The schema revision the database is at (None when empty)."""
        with self._reader.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic()).get_current_head()

    def close(self) -> None:
        self.stop_checkpoints()
        self._writer.dispose()
        if self._reader is not self._writer:
            self._reader.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
