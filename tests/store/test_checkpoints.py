"""SQLite's WAL checkpoints off the commit path while a server writes (store/checkpoints.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

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
