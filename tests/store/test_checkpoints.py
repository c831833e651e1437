"""SQLite's WAL checkpoints off the commit path while a server writes (store/checkpoints.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from deconfliction.store.checkpoints import RESTART_BYTES, WalCheckpointer
from deconfliction.store.database import Database


def _autocheckpoint(db: Database) -> int:
    with db.writing() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_the_writer_leaves_checkpoints_to_the_thread_and_takes_them_back(tmp_path: Path):
    path = tmp_path / "c.sqlite3"
    db = Database(path)
    try:
        with db.writing() as connection:
            connection.execute(sa.text("CREATE TABLE t (x BLOB)"))
        assert _autocheckpoint(db) == 1000  # SQLite's own, in the commit
        db.start_checkpoints(interval_s=3600)  # no tick in this test: only the last one
        assert _autocheckpoint(db) == 0
        for _ in range(40):
            with db.writing() as connection:
                connection.execute(sa.text("INSERT INTO t VALUES (:x)"), [{"x": b"\0" * 4000}] * 50)
        db.stop_checkpoints()  # its last checkpoint copies every page no reader holds
        assert _autocheckpoint(db) == 1000
        with sqlite3.connect(path) as plain:
            busy, in_log, copied = plain.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            assert (busy, in_log) == (0, copied)
            assert in_log > 2000  # the writer took none itself: with 1,000 the log restarts
            assert plain.execute("SELECT count(*) FROM t").fetchone() == (2000,)
    finally:
        db.close()


def test_a_second_start_is_nothing_and_closing_stops_the_thread(tmp_path: Path):
    db = Database(tmp_path / "d.sqlite3")
    try:
        db.start_checkpoints(interval_s=3600)
        db.start_checkpoints(interval_s=3600)  # a second start is a no-op
        assert _autocheckpoint(db) == 0
    finally:
        db.close()  # stops the thread
    assert _autocheckpoint(db) == 1000


def _fill(db: Database, transactions: int) -> None:
    for _ in range(transactions):
        with db.writing() as connection:
            connection.execute(sa.text("INSERT INTO t VALUES (:x)"), [{"x": b"\0" * 4000}] * 50)


def _frames(path: Path) -> int:
    with sqlite3.connect(path) as plain:
        return int(plain.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_a_long_log_is_restarted_unless_an_old_reader_holds_it(tmp_path: Path):
    """A passive checkpoint never starts the log over while writes keep coming; past
    ``restart_bytes`` the thread restarts it, and gives up (writers going on) while a reader
    of an older snapshot holds it."""
    path = tmp_path / "r.sqlite3"
    db = Database(path)
    ticks = WalCheckpointer(str(path), 3600, restart_bytes=1 << 20, restart_wait_ms=10)
    try:
        with db.writing() as connection:
            connection.execute(sa.text("CREATE TABLE t (x BLOB)"))
        db.start_checkpoints(interval_s=3600)  # the writer takes no checkpoint itself
        _fill(db, 20)
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM t").fetchone() == (1000,)  # a snapshot
        _fill(db, 20)  # frames newer than the reader's snapshot
        with sqlite3.connect(path) as plain:
            ticks.take(plain)
        assert ticks.restarts == 0  # the old reader still needs the log
        _fill(db, 1)  # and writers are not held
        assert _frames(path) > 2000  # 41 writes of ~50 pages: the log was not restarted
        reader.execute("COMMIT")
        reader.close()
        with sqlite3.connect(path) as plain:
            ticks.take(plain)
        assert ticks.restarts == 1
        _fill(db, 1)  # this write starts the log over
        assert _frames(path) < 200
        with sqlite3.connect(path) as plain:
            assert plain.execute("SELECT count(*) FROM t").fetchone() == (2100,)
        with db.writing() as connection:  # the writer cuts a restarted log back to this
            limit = connection.exec_driver_sql("PRAGMA journal_size_limit").scalar_one()
            assert limit == RESTART_BYTES
    finally:
        db.close()


def test_a_short_log_is_not_restarted(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    db = Database(path)
    ticks = WalCheckpointer(str(path), 3600)
    try:
        with db.writing() as connection:
            connection.execute(sa.text("CREATE TABLE t (x BLOB)"))
        db.start_checkpoints(interval_s=3600)
        _fill(db, 2)
        with sqlite3.connect(path) as plain:
            ticks.take(plain)
        assert ticks.restarts == 0
    finally:
        db.close()
