"""The store, on SQLite and on PostgreSQL: migrations, one writer, exact timestamps, atomic
writes.  Every test runs on both stores (the ``store_url`` fixture) unless it is about one
store's own mechanism (SQLite's WAL, PostgreSQL's advisory lock)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.store import events
from deconfliction.store.codec import canonical
from deconfliction.store.database import _WRITER_LOCK_KEY, Database, database_url
from deconfliction.store.schema import events as events_table
from deconfliction.store.schema import metadata, notices
from tests.support.stores import migrated


@pytest.fixture
def sqlite_db(tmp_path):
    yield from migrated(tmp_path / "store.sqlite3")


@pytest.fixture
def postgres_db(postgres_url):
    yield from migrated(postgres_url)


def append_event(
    connection: sa.Connection,
    *,
    type: str = "t",
    subject: str = "s",
    payload: dict[str, object] | None = None,
    recorded_at: datetime | None = None,
) -> int:
    """Append an event as the coordinator does: the next ledger index and its leaf hash."""
    at = recorded_at or datetime.now(UTC)
    body = canonical(payload or {})
    index = connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(events_table.c.idx) + 1, 0))
    ).scalar_one()
    leaf = leaf_hash(entry_bytes(index, at, type, subject, body))
    return events.append(
        connection, events.NewEvent(type, subject, body, index, leaf), recorded_at=at
    )


def _append(connection: sa.Connection, subject: str = "s", **payload: object) -> int:
    return append_event(connection, subject=subject, payload=dict(payload))


# -- both stores ------------------------------------------------------------------------------


def test_migrates_to_head_and_is_idempotent(db):
    assert db.revision() == db.head()
    db.migrate()
    assert db.revision() == db.head()


def test_migrations_build_the_schema_the_code_declares(db):
    """Alembic's migrations and ``schema.py`` agree, table by table and type by type."""
    with db.reading() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_timestamps_round_trip_exactly_in_utc(db):
    instant = datetime(2026, 11, 24, 9, 59, 10, 123456, tzinfo=timezone(timedelta(hours=2)))
    with db.writing() as connection:
        seq = append_event(connection, subject="s", payload={"a": 1}, recorded_at=instant)
    with db.reading() as connection:
        (stored,) = list(events.since(connection, seq - 1))
    assert stored.recorded_at == instant
    assert stored.recorded_at.tzinfo is UTC


def test_timestamps_compare_as_instants(db):
    """Ordering and comparison in queries follow time on both stores (SQLite compares the
    fixed-width text, PostgreSQL the timestamptz)."""
    base = datetime(2026, 11, 24, 23, 59, 59, 999999, tzinfo=UTC)
    instants = [base + timedelta(microseconds=k) for k in (3, -5, 0, 1, 86_400_000_000)]
    with db.writing() as connection:
        for i, instant in enumerate(instants):
            append_event(connection, subject=f"{i}", payload={}, recorded_at=instant)
    with db.reading() as connection:
        ordered = connection.execute(
            sa.select(events_table.c.recorded_at).order_by(events_table.c.recorded_at)
        ).scalars()
        assert list(ordered) == sorted(instants)
        later = connection.execute(
            sa.select(sa.func.count()).where(events_table.c.recorded_at > base)
        ).scalar_one()
    assert later == 3


def test_naive_timestamps_are_refused(db):
    with (
        pytest.raises((sa.exc.StatementError, ValueError), match="naive datetime refused"),
        db.writing() as connection,
    ):
        events.append(
            connection,
            events.NewEvent("t", "s", "{}", 0, bytes(32)),
            recorded_at=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )
    with db.reading() as connection:
        assert events.last_seq(connection) == 0


def test_payload_is_stored_as_canonical_json(db):
    with db.writing() as connection:
        _append(connection, b=1.0, a=[2.50, "x"])
    with db.reading() as connection:
        body = connection.execute(sa.select(events_table.c.body)).scalar_one()
    assert body == '{"a":[2.5,"x"],"b":1}'


def _append_then_fail(db: Database) -> None:
    with db.writing() as connection:
        _append(connection)
        raise RuntimeError("boom")


def test_a_failed_write_leaves_nothing(db):
    with pytest.raises(RuntimeError, match="boom"):
        _append_then_fail(db)
    with db.reading() as connection:
        assert events.last_seq(connection) == 0


def test_sequence_numbers_only_grow(db):
    """After a rolled-back append the next event still comes after every committed one
    (PostgreSQL's sequence skips the lost number, SQLite reuses it): reading ``since`` the
    last committed number never misses an event."""
    with db.writing() as connection:
        first = _append(connection)
    with pytest.raises(RuntimeError, match="boom"):
        _append_then_fail(db)
    with db.writing() as connection:
        second = _append(connection)
    assert second > first
    with db.reading() as connection:
        assert [e.seq for e in events.since(connection, first)] == [second]


def test_foreign_keys_are_enforced(db):
    """A projection row must point at a recorded event (PRAGMA foreign_keys on SQLite)."""
    at = datetime.now(UTC)
    with (
        pytest.raises(sa.exc.IntegrityError),
        db.writing() as connection,
    ):
        connection.execute(
            sa.insert(notices).values(
                id="n-1",
                series="n-1",
                author="a",
                kind="exercise",
                action="new",
                filed_at=at,
                body="{}",
                seq=12345,
            )
        )


def test_savepoints_roll_back_alone(db):
    """A nested transaction (the Writer's per-command savepoint) undoes only its own work."""
    with db.writing() as connection:
        kept = _append(connection, subject="kept")
        savepoint = connection.begin_nested()
        _append(connection, subject="undone")
        savepoint.rollback()
        after = connection.begin_nested()
        also_kept = _append(connection, subject="also kept")
        after.commit()
    with db.reading() as connection:
        rows = connection.execute(
            sa.select(events_table.c.seq, events_table.c.subject).order_by(events_table.c.seq)
        ).all()
    assert [tuple(r) for r in rows] == [(kept, "kept"), (also_kept, "also kept")]


def test_a_failed_statement_in_a_savepoint_leaves_the_transaction_usable(db):
    """PostgreSQL aborts a whole transaction on an error unless it is inside a savepoint."""
    with db.writing() as connection:
        _append(connection, subject="before")
        savepoint = connection.begin_nested()
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.insert(events_table).values(
                    seq=1, recorded_at=datetime.now(UTC), type="t", subject="dup", body="{}"
                )
            )
        savepoint.rollback()
        _append(connection, subject="after")
    with db.reading() as connection:
        subjects = connection.execute(
            sa.select(events_table.c.subject).order_by(events_table.c.seq)
        ).scalars()
        assert list(subjects) == ["before", "after"]


def test_a_read_is_one_snapshot(db, store_url):
    """Inside :meth:`Database.reading`, a write committed meanwhile by another writer is not
    seen (SQLite's WAL snapshot; PostgreSQL's REPEATABLE READ)."""
    with db.writing() as connection:
        _append(connection)
    other = Database(store_url)
    try:
        with db.reading() as connection:
            before = events.last_seq(connection)
            with other.writing() as writer:
                _append(writer)
            assert events.last_seq(connection) == before
        with db.reading() as connection:
            assert events.last_seq(connection) == before + 1
    finally:
        other.close()


def test_writers_are_serialised_across_connections(store_url):
    """Two Database objects on one store (as two processes would be): every append gets its
    own sequence number, sees the one before it, and none is lost."""
    first = Database(store_url)
    first.migrate()
    second = Database(store_url)

    def write(database: Database, n: int) -> None:
        for i in range(n):
            with database.writing() as connection:
                last = events.last_seq(connection)
                _append(connection, subject=f"{last}", i=i)

    threads = [threading.Thread(target=write, args=(d, 40)) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with first.reading() as connection:
        rows = connection.execute(sa.select(events_table.c.seq, events_table.c.subject)).all()
    assert len(rows) == 80
    # Each writer saw the previous append: the subject (last seq seen) is always seq - 1.
    assert rows, "nothing to check: the assertion below would pass on nothing"
    assert all(int(subject) == seq - 1 for seq, subject in rows)
    first.close()
    second.close()


def test_a_second_writer_waits_for_the_first(store_url):
    """While one Database holds the writer's place, another one's write does not begin."""
    first = Database(store_url)
    first.migrate()
    second = Database(store_url)
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def hold() -> None:
        with first.writing() as connection:
            _append(connection, subject="first")
            entered.set()
            release.wait(10)
            order.append("first commits")

    def follow() -> None:
        entered.wait(10)
        with second.writing() as connection:
            order.append("second begins")
            _append(connection, subject="second")

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    try:
        for t in threads:
            t.start()
        assert entered.wait(10)
        time.sleep(0.3)
        assert order == []
        release.set()
        for t in threads:
            t.join(10)
        assert order == ["first commits", "second begins"]
    finally:
        release.set()
        first.close()
        second.close()


def test_busy_readers_never_keep_the_writer_waiting(db):
    """The writer has a connection of its own: with more readers than reader connections, all
    of them in use, a write still goes through at once (with the one shared pool PostgreSQL
    had, it waited for a free connection)."""
    in_use = 12  # the reader pool's size plus its overflow, on both stores
    entered: list[int] = []
    release = threading.Event()

    def read() -> None:
        with db.reading() as connection:
            events.last_seq(connection)
            entered.append(1)
            release.wait(20)

    threads = [threading.Thread(target=read) for _ in range(in_use + 4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 10
        while len(entered) < in_use and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(entered) >= in_use
        started = time.monotonic()
        with db.writing() as connection:
            _append(connection)
        assert time.monotonic() - started < 5
    finally:
        release.set()
        for t in threads:
            t.join(30)
    assert len(entered) == in_use + 4


def test_concurrent_migrations_of_an_empty_store(store_url):
    """Two processes starting on the same empty store migrate it once, without errors."""
    databases = [Database(store_url) for _ in range(3)]
    barrier = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def migrate(database: Database) -> None:
        barrier.wait()
        try:
            database.migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert databases, "nothing to check: the assertion below would pass on nothing"
    assert all(d.revision() == d.head() for d in databases)
    for d in databases:
        d.close()


def test_database_url_accepts_paths_and_urls(tmp_path):
    assert database_url(tmp_path / "a.sqlite3").startswith("sqlite:///")
    assert (
        database_url("postgresql://u@127.0.0.1:5432/d") == "postgresql+psycopg://u@127.0.0.1:5432/d"
    )
    assert database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"


# -- SQLite's own mechanism -------------------------------------------------------------------


def test_sqlite_wal_and_foreign_keys_are_on(sqlite_db):
    with sqlite_db.reading() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


# -- PostgreSQL's own mechanism ---------------------------------------------------------------


def _advisory_holders(connection: sa.Connection) -> list[int]:
    """Backends holding the writers' advisory lock (as seen from ``connection``)."""
    return list(
        connection.execute(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = :k"
            ),
            {"k": _WRITER_LOCK_KEY},
        ).scalars()
    )


def test_postgres_writer_holds_the_advisory_lock_until_commit(postgres_db):
    with postgres_db.writing() as connection:
        me = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with postgres_db.reading() as reader:
            assert _advisory_holders(reader) == [me]
    with postgres_db.reading() as reader:
        assert _advisory_holders(reader) == []


def test_postgres_advisory_lock_serialises_two_databases(postgres_url):
    """Two Database objects (two processes) on one PostgreSQL database: the second writer
    waits on the advisory lock, not on a row or a table."""
    first = Database(postgres_url)
    first.migrate()
    second = Database(postgres_url)
    entered = threading.Event()
    release = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with first.writing() as connection:
            _append(connection, subject="first")
            entered.set()
            release.wait(10)

    def follow() -> None:
        entered.wait(10)
        with second.writing() as connection:
            _append(connection, subject="second")
        done.set()

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    try:
        for t in threads:
            t.start()
        assert entered.wait(10)
        waiting: list[str] = []
        for _ in range(250):
            # A new transaction each time: pg_stat_activity is a per-transaction snapshot.
            with first.reading() as reader:
                waiting = list(
                    reader.execute(
                        sa.text(
                            "SELECT wait_event FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                    ).scalars()
                )
            if waiting:
                break
            time.sleep(0.02)
        assert waiting == ["advisory"]
        assert not done.is_set()
        release.set()
        for t in threads:
            t.join(10)
        assert done.is_set()
        with first.reading() as reader:
            subjects = reader.execute(
                sa.select(events_table.c.subject).order_by(events_table.c.seq)
            ).scalars()
            assert list(subjects) == ["first", "second"]
    finally:
        release.set()
        first.close()
        second.close()


def test_postgres_column_types(postgres_db):
    """Instants are ``timestamptz`` and sequence numbers ``bigint`` from a sequence."""
    with postgres_db.reading() as connection:
        columns = {
            (r.table_name, r.column_name): (r.data_type, r.column_default)
            for r in connection.execute(
                sa.text(
                    "SELECT table_name, column_name, data_type, column_default "
                    "FROM information_schema.columns WHERE table_schema = 'public'"
                )
            )
        }
    assert columns["events", "recorded_at"][0] == "timestamp with time zone"
    assert columns["events", "seq"][0] == "bigint"
    assert columns["events", "seq"][1].startswith("nextval(")
    assert columns["notices", "seq"][0] == "bigint"
    assert columns["deliveries", "deadline_at"][0] == "timestamp with time zone"
    assert columns["reads", "id"][1].startswith("nextval(")


def test_postgres_instants_do_not_depend_on_the_session_time_zone(postgres_url):
    """A server or database whose time zone is not UTC stores and returns the same instants."""
    admin = sa.create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(database_url(postgres_url)).database
    with admin.connect() as connection:
        connection.execute(sa.text(f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Jerusalem'"))
    admin.dispose()
    instant = datetime(2026, 3, 27, 0, 30, 0, 1, tzinfo=UTC)  # the night clocks move there
    with Database(postgres_url) as database:
        database.migrate()
        with database.writing() as connection:
            assert connection.execute(sa.text("SHOW timezone")).scalar_one() == "Asia/Jerusalem"
            seq = append_event(connection, subject="s", payload={}, recorded_at=instant)
        with database.reading() as connection:
            (stored,) = list(events.since(connection, seq - 1))
            later = connection.execute(
                sa.select(sa.func.count()).where(
                    events_table.c.recorded_at > instant - timedelta(microseconds=1)
                )
            ).scalar_one()
    assert stored.recorded_at == instant
    assert stored.recorded_at.tzinfo is UTC
    assert later == 1


def test_postgres_reads_are_repeatable_read(postgres_db):
    with postgres_db.reading() as connection:
        level = connection.execute(sa.text("SHOW transaction_isolation")).scalar_one()
    assert level == "repeatable read"
