"""Rows held back to the end of a write transaction, and the command savepoints that go with.

The writer runs a batch of commands in one transaction, each in a savepoint.  A filed notice
made some eight calls into the driver (two for its savepoint, one per table for its log entries,
feed rows, projection and deliveries), and each call gives up the GIL: under load the writing
thread then waited for it after every call, and the write lock was held twice as long as the
writer's own CPU (bench/RESULTS.md, "The writer's critical section").  Here the rows of the hot
inserts are held in memory and written with one ``executemany`` per statement when something
else must see them, so a batch of filings makes a handful of calls in all:

* before any other statement on the writing connection (a read of the same transaction sees the
  rows of the commands before it, and of its own command: :class:`~deconfliction.store.database.
  Database` calls :meth:`Deferred.flush` from SQLAlchemy's ``before_cursor_execute``);
* before the transaction commits.

A command's savepoint is taken only when the command first runs a statement of its own, after
the rows held for the commands before it are written: a command that only appends (a filing)
costs no savepoint at all, and a command that fails leaves none of its rows, held or written.

A held row that the database refuses would be refused after its command answered; the buffer is
then broken: every later step raises, and the transaction (the whole batch) is rolled back, so
that nothing is half-written.  The held inserts are those whose rows the writer itself makes
valid (numbers it hands out, ids it checked), so this is a bug, not bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Deferred", "array_insert"]

_SAVEPOINT = "deconfliction_command"


class Deferred:
    """The rows held for one write transaction on the driver connection ``driver``, by
    statement, and the savepoint of the command being run (savepoints follow one another)."""

    __slots__ = (
        "_arrays",
        "_driver",
        "_failed",
        "_first",
        "_issued",
        "_mark",
        "_multirow",
        "_rows",
    )

    def __init__(
        self,
        driver: Any,
        *,
        multirow: bool = False,
        arrays: Callable[[str], str | None] | None = None,
    ) -> None:
        self._driver = driver
        self._multirow = multirow
        """Write a statement's rows as multi-row ``VALUES`` (sqlite3: see :func:`_insert_in_rows`)."""
        self._arrays = arrays
        """A plain insert's form that takes its rows as one array per column (psycopg: see
        :func:`array_insert`), or None for a statement that is not one."""
        self._rows: dict[str, list[tuple[object, ...]]] = {}
        self._first: set[str] = set()
        self._mark: dict[str, int] | None = None
        """Rows held per statement when the open command began (None: no command open)."""
        self._issued = False
        """Whether the open command's savepoint was taken in the database."""
        self._failed: BaseException | None = None

    def add(self, statement: str, rows: list[tuple[object, ...]], *, first: bool = False) -> None:
        """Hold ``rows`` for ``statement`` (the driver's SQL).  ``first``: rows that others
        refer to (the log's events), written before every other statement's."""
        self._check()
        if first:
            self._first.add(statement)
        self._rows.setdefault(statement, []).extend(rows)

    def flush(self) -> None:
        """Write every held row (before a statement that may read them, and before commit),
        taking the open command's savepoint first if it is not taken yet."""
        self._check()
        if self._mark is not None and not self._issued:
            self._write(self._mark)  # the commands before this one: outside its savepoint
            self._execute(f"SAVEPOINT {_SAVEPOINT}")
            self._issued = True
        self._write(None)

    def savepoint(self) -> None:
        """A command begins: what it holds or writes from now on is undone by
        :meth:`rollback`."""
        self._check()
        self._mark = {statement: len(rows) for statement, rows in self._rows.items()}
        self._issued = False

    def release(self) -> None:
        """The command succeeded: keep what it did."""
        self._check()
        if self._issued:
            self._execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        self._mark, self._issued = None, False

    def rollback(self) -> None:
        """The command failed: drop the rows it held, undo what it wrote."""
        self._check()
        mark, issued = self._mark or {}, self._issued
        self._mark, self._issued = None, False
        if issued:
            # Every row held before the command was written before its savepoint.
            self._rows.clear()
            self._execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            self._execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            return
        for statement, rows in self._rows.items():
            del rows[mark.get(statement, 0) :]

    def _write(self, upto: dict[str, int] | None) -> None:
        order = sorted(self._rows, key=lambda statement: statement not in self._first)
        for statement in order:
            rows = self._rows[statement]
            end = len(rows) if upto is None else upto.get(statement, 0)
            if end == 0:
                continue
            cursor = self._driver.cursor()
            try:
                arrays = None if self._arrays is None else self._arrays(statement)
                if arrays is not None:
                    cursor.execute(
                        arrays, [list(column) for column in zip(*rows[:end], strict=True)]
                    )
                elif self._multirow:
                    _insert_in_rows(cursor, statement, rows[:end])
                else:
                    cursor.executemany(statement, rows[:end])
            except BaseException as exc:
                self._failed = exc
                raise
            finally:
                cursor.close()
            del rows[:end]
            if upto is not None:
                upto[statement] = 0

    def _execute(self, statement: str) -> None:
        try:
            self._driver.execute(statement)
        except BaseException as exc:
            self._failed = exc
            raise

    def _check(self) -> None:
        if self._failed is not None:
            raise self._failed  # as it was: a connection lost is still told as one


_MOST_ROWS = 256
"""Rows in one multi-row insert at most (SQLite binds at most 32,766 parameters)."""


def _insert_in_rows(cursor: Any, statement: str, rows: list[tuple[object, ...]]) -> None:
    """``INSERT ... VALUES (?, ...)`` for ``rows`` as a few multi-row inserts.

    sqlite3's ``executemany`` steps the statement once per row and gives up the GIL at each
    step (a filed notice writes some fifty rows); one statement for many rows is one step, and
    a third less of SQLite's CPU.  The rows go in chunks of powers of two, so that a table has
    at most nine statement texts, all kept prepared by the driver's statement cache."""
    head, values, group = statement.rpartition(" VALUES ")
    if not values or not (group.startswith("(") and group.endswith(")")):
        cursor.executemany(statement, rows)  # not a plain one-row insert: as it is
        return
    start = 0
    while start < len(rows):
        size = min(_MOST_ROWS, 1 << ((len(rows) - start).bit_length() - 1))
        part = rows[start : start + size]
        cursor.execute(
            f"{head} VALUES {', '.join([group] * size)}",
            [value for row in part for value in row],
        )
        start += size


def array_insert(statement: str, column_type: Callable[[str, str], str]) -> str | None:
    """``INSERT INTO t (a, b) VALUES (%s, %s)`` as ``INSERT INTO t (a, b) SELECT * FROM
    unnest(%s::A[], %s::B[])``, its rows given as one array per column (``column_type`` names
    a column's SQL type); None when ``statement`` is not such a plain insert.

    For PostgreSQL.  One statement per table whatever the number of rows, with as many
    parameters as the table has columns, so psycopg keeps it prepared; and, unlike ``COPY``,
    it can be sent in a pipeline with the rest of the transaction's end (the other tables,
    the tree head, the notification), one round trip in all.  ``executemany`` would send a
    statement per row; ``COPY`` (the previous way) costs two round trips per table, each
    one a wait for the database with the write lock held and a wait for the GIL after it
    (``bench/RESULTS.md``, "PostgreSQL: the write lock in two round trips")."""
    head, values, group = statement.rpartition(" VALUES ")
    target = head.removeprefix("INSERT INTO ")
    if not values or target == head or not (group.startswith("(") and group.endswith(")")):
        return None
    table, _, names = target.partition(" (")
    columns = [name.strip() for name in names.removesuffix(")").split(",")]
    arrays = ", ".join(f"%b::{column_type(table, name)}[]" for name in columns)
    return f"{head} SELECT * FROM unnest({arrays})"
