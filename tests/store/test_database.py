"""The embedded store: migrations, WAL, one writer, exact timestamps, atomic writes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from deconfliction.store import events
from deconfliction.store.database import Database, database_url
from deconfliction.store.schema import events as events_table


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "store.sqlite3")
    database.migrate()
    yield database
    database.close()


def test_migrates_to_head_and_is_idempotent(db):
    assert db.revision() == db.head()
    db.migrate()
    assert db.revision() == db.head()


def test_wal_and_foreign_keys_are_on(db):
    with db.reading() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_timestamps_round_trip_exactly_in_utc(db):
    instant = datetime(2026, 11, 24, 9, 59, 10, 123456, tzinfo=timezone(timedelta(hours=2)))
    with db.writing() as connection:
        seq = events.append(
            connection, type="t", subject="s", payload={"a": 1}, recorded_at=instant
        )
    with db.reading() as connection:
        (stored,) = list(events.since(connection, seq - 1))
    assert stored.recorded_at == instant
    assert stored.recorded_at.tzinfo is UTC


def test_naive_timestamps_are_refused(db):
    with (
        pytest.raises(sa.exc.StatementError, match="naive datetime refused"),
        db.writing() as connection,
    ):
        events.append(
            connection,
            type="t",
            subject="s",
            payload={},
            recorded_at=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )
    with db.reading() as connection:
        assert events.last_seq(connection) == 0


def test_payload_is_stored_as_canonical_json(db):
    with db.writing() as connection:
        events.append(
            connection,
            type="t",
            subject="s",
            payload={"b": 1.0, "a": [2.50, "x"]},
            recorded_at=datetime.now(UTC),
        )
    with db.reading() as connection:
        body = connection.execute(sa.select(events_table.c.body)).scalar_one()
    assert body == '{"a":[2.5,"x"],"b":1}'


def _append_then_fail(db: Database) -> None:
    with db.writing() as connection:
        events.append(connection, type="t", subject="s", payload={}, recorded_at=datetime.now(UTC))
        raise RuntimeError("boom")


def test_a_failed_write_leaves_nothing(db):
    with pytest.raises(RuntimeError, match="boom"):
        _append_then_fail(db)
    with db.reading() as connection:
        assert events.last_seq(connection) == 0


def test_writers_are_serialised_across_connections(tmp_path):
    """Two Database objects on one file (as two processes would be): every append gets its own
    sequence number and none is lost."""
    first = Database(tmp_path / "shared.sqlite3")
    first.migrate()
    second = Database(tmp_path / "shared.sqlite3")

    def write(database: Database, n: int) -> None:
        for i in range(n):
            with database.writing() as connection:
                last = events.last_seq(connection)
                events.append(
                    connection,
                    type="t",
                    subject=f"{last}",
                    payload={"i": i},
                    recorded_at=datetime.now(UTC),
                )

    threads = [threading.Thread(target=write, args=(d, 40)) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with first.reading() as connection:
        rows = connection.execute(sa.select(events_table.c.seq, events_table.c.subject)).all()
    assert len(rows) == 80
    # Each writer saw the previous append: the subject (last seq seen) is always seq - 1.
    assert all(int(subject) == seq - 1 for seq, subject in rows)
    first.close()
    second.close()


def test_database_url_accepts_paths_and_urls(tmp_path):
    assert database_url(tmp_path / "a.sqlite3").startswith("sqlite:///")
    assert (
        database_url("postgresql://u@127.0.0.1:5432/d") == "postgresql+psycopg://u@127.0.0.1:5432/d"
    )
