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
from contextlib import contextmanager
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
from deconfliction.store.checkpoints import WalCheckpointer
from deconfliction.store.deferred import Deferred

__all__ = [
    "LOG_CHANNEL",
    "Database",
    "Savepoint",
    "connection_lost",
    "database_url",
    "driver_executemany",
    "driver_insert",
    "driver_query",
]

_WRITER_LOCK_KEY = 0x6465636F
"""PostgreSQL advisory lock key that serialises writers ("deco")."""


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
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # On the driver's connection: through SQLAlchemy's statement machinery this one
        # statement was a tenth of a lone filing's transaction frame (nothing is held yet to
        # flush before it, and the driver's errors are told apart as SQLAlchemy's are:
        # ``connection_lost``).
        _driver(connection).execute(begin)

    return engine


def _driver(connection: Connection) -> Any:
    """The DBAPI connection under ``connection`` (in its current transaction)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def driver_executemany(
    connection: Connection,
    statement: str,
    rows: Sequence[tuple[object, ...]],
    *,
    first: bool = False,
) -> None:
    """Run ``statement`` once per row on the driver's connection, in the current transaction.

    For the few inserts every write makes (the log and the live feeds): through SQLAlchemy each
    costs some 40 µs of Python, about a fifth of a small receipted write on SQLite.  The
    statement is plain SQL with ``?`` placeholders (sqlite3's; psycopg is given ``%s``) and
    the values must be what the column types would bind.

    In a write transaction (:meth:`Database.writing`) the rows are held and written with those
    of the other commands of the batch, before the next statement that could read them
    (:mod:`deconfliction.store.deferred`); ``first`` marks rows that others refer to.
    """
    if connection.dialect.name != "sqlite":
        statement = _pyformat(statement)
    deferred: Deferred | None = connection.info.get(_DEFERRED)
    if deferred is not None:
        deferred.add(statement, list(rows), first=first)
        return
    cursor = _driver(connection).cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


def driver_query(
    connection: Connection, statement: str, parameters: tuple[object, ...]
) -> list[tuple[Any, ...]]:
    """The rows of a query run on the driver's connection, in the current transaction (the rows
    held for it are written first: ``_flush_deferred``).  For the one query every write
    transaction makes (the catch-up); plain SQL with ``?`` placeholders, whose columns need no
    conversion from what the driver returns (integers and text)."""
    if connection.dialect.name != "sqlite":
        statement = _pyformat(statement)
    _flush_deferred(connection)
    cursor = _driver(connection).cursor()
    try:
        cursor.execute(statement, parameters)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


@functools.cache
def _pyformat(statement: str) -> str:
    """``statement`` with psycopg's placeholders (the statements given hold no other ``?``)."""
    return statement.replace("?", "%s")


_INSERT_PLANS: dict[tuple[str, tuple[str, ...], str], tuple[str, list[Any]]] = {}


def driver_insert(
    connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (values by column name, all with the same columns) into ``table`` with
    one ``executemany`` on the driver, each value bound as its column's type binds it (the
    dialect's own bind processors, looked up once per table and columns).

    For the rows every filing writes by the dozen (a notice's deliveries): through SQLAlchemy's
    ``executemany`` each row costs some 15 µs of Python to build its parameters."""
    if not rows:
        return
    names = tuple(rows[0])
    if any(tuple(row) != names for row in rows):
        connection.execute(sa.insert(table), list(rows))  # mixed shapes: the general path
        return
    dialect = connection.dialect
    key = (table.name, names, dialect.name)
    plan = _INSERT_PLANS.get(key)
    if plan is None:
        sql = (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )
        plan = _INSERT_PLANS[key] = (
            sql,
            [table.c[name].type.bind_processor(dialect) for name in names],
        )
    sql, processors = plan
    # Column by column: rows made together (a notice's deliveries) hold the very same objects
    # in most columns (one instant in three time columns of nine rows), each bound once.
    columns: list[Sequence[Any]] = []
    by_column = zip(*(row.values() for row in rows), strict=True)
    for values, process in zip(by_column, processors, strict=True):
        if process is None:
            columns.append(values)
            continue
        bound: list[Any] = []
        last: Any = None
        done: Any = None
        for value in values:
            if value is not last:
                last, done = value, None if value is None else process(value)
            bound.append(done)
        columns.append(bound)
    driver_executemany(connection, sql, list(zip(*columns, strict=True)))


class Savepoint:
    """A savepoint in the current write transaction, for one command of the writer's batch.

    The writer takes one per command (so that a command that fails is undone alone).  It is
    taken in the database only when the command first runs a statement, and the rows the command
    held are dropped on rollback (:mod:`deconfliction.store.deferred`): a command that only
    appends costs no call into the driver for it.  Savepoints follow one another (each is
    released or rolled back before the next).
    """

    __slots__ = ("_deferred",)

    def __init__(self, connection: Connection) -> None:
        self._deferred: Deferred = connection.info[_DEFERRED]  # only in a write transaction
        self._deferred.savepoint()

    def release(self) -> None:
        """Keep what was done since the savepoint."""
        self._deferred.release()

    def rollback(self) -> None:
        """Undo what was done since the savepoint (the transaction goes on)."""
        self._deferred.rollback()


_DEFERRED = "deconfliction.deferred"
"""Where a write transaction's :class:`Deferred` is kept on its connection (``Connection.info``,
the pooled connection's own: removed when the transaction ends)."""


def _flush_deferred(connection: Connection, *_: Any) -> None:
    """Before any statement through SQLAlchemy on the writing connection: the held rows first,
    so that it sees them (and the command's savepoint, if it is not taken yet)."""
    deferred: Deferred | None = connection.info.get(_DEFERRED)
    if deferred is not None:
        deferred.flush()


_POSTGRES_CONNECT = {"options": "-c plan_cache_mode=force_custom_plan"}
"""psycopg prepares a statement on the server after a few runs, and PostgreSQL then may keep a
generic plan made while the tables were small.  The deliveries' existence check (a primary-key
lookup, 0.08 ms when planned for its values) then took up to 27 ms a run, PostgreSQL half a core,
and filing fell from 110 to 67 notices per second (bench/RESULTS.md).  Custom plans are made for
each run's values."""


LOG_CHANNEL = "deconfliction_log"
"""The PostgreSQL notification channel on which every commit announces the log's newest
sequence number (:meth:`Database.announce`)."""

_NOTIFY = sa.text(f"SELECT pg_notify('{LOG_CHANNEL}', :seq)")

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
            self._writer = sa.create_engine(
                self.url,
                isolation_level="READ COMMITTED",
                pool_size=1,
                max_overflow=0,
                pool_pre_ping=True,
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
        event.listen(self._writer, "before_cursor_execute", _flush_deferred)
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
            _driver(connection).execute("PRAGMA wal_autocheckpoint=0")
        self._checkpoints = WalCheckpointer(path, interval_s)
        self._checkpoints.start()

    def stop_checkpoints(self) -> None:
        """Back to SQLite's own checkpoints in the commit (after a last one of the thread's)."""
        checkpoints, self._checkpoints = self._checkpoints, None
        if checkpoints is not None:
            checkpoints.stop()
            with self._lock, self._writer.connect() as connection:
                _driver(connection).execute("PRAGMA wal_autocheckpoint=1000")

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction holding the single writer's place; committed on success.  Raises
        :class:`Unavailable` when the database cannot be reached (nothing is written then:
        the transaction is rolled back, or was never begun)."""
        with self._lock, _unreachable_is_unavailable(), self._writer.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITER_LOCK_KEY}
                )
            deferred = Deferred(
                _driver(connection),
                multirow=self.dialect == "sqlite",
                copy=self.dialect == "postgresql",
            )
            connection.info[_DEFERRED] = deferred
            try:
                yield connection
                deferred.flush()  # the held rows, before the commit
            finally:
                del connection.info[_DEFERRED]

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
            connection.execute(_NOTIFY, {"seq": str(seq)})

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
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITER_LOCK_KEY}
                )
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
