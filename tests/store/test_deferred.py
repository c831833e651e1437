"""Held rows written as multi-row inserts (SQLite): the same rows, in the same order, as one
``executemany`` writes, for any number of rows."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.store.deferred import Deferred

_INSERT = "INSERT INTO t (n, text, blob) VALUES (?, ?, ?)"

_rows = st.lists(
    st.tuples(st.integers(-(2**62), 2**62), st.text(max_size=5) | st.none(), st.binary(max_size=3)),
    max_size=700,
)


def _table() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER, text TEXT, blob BLOB)")
    return connection


@settings(max_examples=60, deadline=None)
@given(_rows, _rows)
def test_multirow_inserts_write_what_executemany_writes(first, second) -> None:
    plain, multirow = _table(), _table()
    plain.executemany(_INSERT, first + second)
    held = Deferred(multirow, multirow=True)
    held.add(_INSERT, first)
    held.add(_INSERT, second)
    held.flush()
    query = "SELECT k, n, text, blob FROM t ORDER BY k"
    assert multirow.execute(query).fetchall() == plain.execute(query).fetchall()
    held.flush()  # nothing held twice
    assert multirow.execute("SELECT count(*) FROM t").fetchone() == (len(first + second),)
