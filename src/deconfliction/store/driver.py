"""Statements given to the driver directly: the hot inserts, the rows held to a write
transaction's end, and queries compiled once.

Through SQLAlchemy each statement costs some tens of microseconds of Python (its parameters
built, its result wrapped); the few that every write makes go to the DBAPI connection
underneath instead, in the same transaction."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.deferred import Deferred, array_insert
from deconfliction.store.schema import metadata

__all__ = [
    "DEFERRED",
    "Savepoint",
    "array_form",
    "driver_executemany",
    "driver_insert",
    "driver_of",
    "driver_query",
    "flush_deferred",
]


def driver_of(connection: Connection) -> Any:
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
    deferred: Deferred | None = connection.info.get(DEFERRED)
    if deferred is not None:
        deferred.add(statement, list(rows), first=first)
        return
    cursor = driver_of(connection).cursor()
    try:
        cursor.executemany(statement, rows)
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


@functools.cache
def array_form(statement: str, dialect: sa.Dialect) -> str | None:
    """A held insert's form with one array per column, on PostgreSQL (see ``array_insert``):
    the columns' types are the schema's."""

    def column_type(table: str, column: str) -> str:
        kind = metadata.tables[table].c[column].type
        return str(kind.compile(dialect=dialect))

    return array_insert(statement, column_type)


def driver_query(
    connection: Connection, query: sa.Select[Any] | None, params: Mapping[str, Any]
) -> tuple[str | None, Any]:
    """``query`` as the driver's SQL and arguments (compiled once per query and dialect)."""
    if query is None:
        return None, None
    sql, names = _compiled(query, connection.dialect)
    if names is None:
        return sql, dict(params)
    return sql, tuple(params[name] for name in names)


@functools.cache
def _compiled(query: sa.Select[Any], dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None]:
    compiled = query.compile(dialect=dialect)
    names = compiled.positiontup
    return str(compiled), None if names is None else tuple(names)


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
        self._deferred: Deferred = connection.info[DEFERRED]  # only in a write transaction
        self._deferred.savepoint()

    def release(self) -> None:
        """Keep what was done since the savepoint."""
        self._deferred.release()

    def rollback(self) -> None:
        """Undo what was done since the savepoint (the transaction goes on)."""
        self._deferred.rollback()


DEFERRED = "deconfliction.deferred"
"""Where a write transaction's :class:`Deferred` is kept on its connection (``Connection.info``,
the pooled connection's own: removed when the transaction ends)."""


def flush_deferred(connection: Connection, *_: Any) -> None:
    """Before any statement through SQLAlchemy on the writing connection: the held rows first,
    so that it sees them (and the command's savepoint, if it is not taken yet)."""
    deferred: Deferred | None = connection.info.get(DEFERRED)
    if deferred is not None:
        deferred.flush()
