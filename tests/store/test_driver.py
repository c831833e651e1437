"""Statements given to the driver: a write transaction's first query, the rows held to its end
(on PostgreSQL one array per column, sent in one pipeline), and the writer's connection replaced
when it was lost.  On both stores unless a test is about PostgreSQL's own mechanism."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.store import events
from deconfliction.store.database import Database
from deconfliction.store.deferred import array_insert

AWKWARD = [
    "",
    "NULL",
    'a "quoted" word',
    "back\\slash",
    "{braces},{and},commas",
    "tab\tnew\nline",
    "Ünïcødé — ✈ 中文",
    "'single'",
    "x" * 5000,
]
"""Texts an array's text form would have to escape (and one long enough to be toasted)."""


def _new_events(first_index: int, subjects: list[str], at: datetime) -> list[events.NewEvent]:
    out = []
    for n, subject in enumerate(subjects):
        body = '{"text":"' + subject.replace("\\", "\\\\").replace('"', '\\"') + '"}'
        index = first_index + n
        out.append(
            events.NewEvent(
                "t",
                subject[:128],
                body,
                index,
                leaf_hash(entry_bytes(index, at, "t", subject[:128], body)),
            )
        )
    return out


def test_array_insert_forms():
    def kind(table: str, column: str) -> str:
        return f"{table}.{column}"

    assert array_insert("INSERT INTO feed (party_id, seq) VALUES (%s, %s)", kind) == (
        "INSERT INTO feed (party_id, seq) SELECT * FROM unnest(%b::feed.party_id[], %b::feed.seq[])"
    )
    assert array_insert("SELECT pg_notify('c', %s)", kind) is None
    assert array_insert("INSERT INTO t SELECT 1", kind) is None


def test_held_rows_land_exactly(db):
    """Every awkward text and a NULL-free row set, held to the end and written in one go, read
    back equal, in order, with the numbers the writer gave them."""
    at = datetime(2026, 12, 7, 12, 0, 0, 123456, tzinfo=UTC)
    new = _new_events(0, AWKWARD, at)
    with db.writing() as connection:
        seqs = events.append_many(connection, new, recorded_at=at, first_seq=1)
    assert seqs == list(range(1, len(AWKWARD) + 1))
    with db.reading() as connection:
        stored = list(events.since(connection, 0))
    assert [(e.seq, e.type, e.subject, e.body, e.recorded_at) for e in stored] == [
        (seq, n.type, n.subject, n.body, at) for seq, n in zip(seqs, new, strict=True)
    ]


def test_the_first_query_runs_with_the_place_held(db):
    """``writing_from`` answers the query's rows as a read would, and they are the events
    after the number asked."""
    at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with db.writing() as connection:
        events.append_many(
            connection, _new_events(0, ["a", "b", "c"], at), recorded_at=at, first_seq=1
        )
    with db.writing_from(*events.following(1)) as (connection, rows):
        assert [tuple(r) for r in rows] == [tuple(r) for r in events.to_follow(connection, 1)]
    assert [(int(seq), int(index)) for seq, index, _, _ in rows] == [(2, 1), (3, 2)]


def test_postgres_first_query_sees_the_previous_writers_commit(postgres_url):
    """The lock and the first query go in one round trip, but the query's snapshot is still
    taken once the lock is granted: a writer that waited for another sees what it committed
    (else a node would check a filing against a situation missing the one just filed)."""
    first, second = Database(postgres_url), Database(postgres_url)
    first.migrate()
    at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    entered, release = threading.Event(), threading.Event()
    seen: list[list[int]] = []

    def hold() -> None:
        with first.writing() as connection:
            events.append_many(
                connection, _new_events(0, ["held"], at), recorded_at=at, first_seq=1
            )
            entered.set()
            release.wait(10)

    def follow() -> None:
        entered.wait(10)
        with second.writing_from(*events.following(0)) as (_, rows):
            seen.append([int(r[0]) for r in rows])

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    try:
        for t in threads:
            t.start()
        assert entered.wait(10)
        assert _someone_waits_for_the_lock(first)
        release.set()
        for t in threads:
            t.join(10)
        assert seen == [[1]]
    finally:
        release.set()
        first.close()
        second.close()


def _someone_waits_for_the_lock(db: Database) -> bool:
    for _ in range(500):
        # A new transaction each time: pg_stat_activity is a per-transaction snapshot.
        with db.reading() as reader:
            waiting = reader.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
            ).scalar_one()
        if waiting:
            return True
        threading.Event().wait(0.02)
    return False


def test_postgres_writer_connection_lost_is_replaced(postgres_url):
    """The writer's connection cut between two transactions (the server restarted, or the
    backend ended): the next write takes a new one and succeeds, nothing written twice."""
    db = Database(postgres_url)
    db.migrate()
    at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    try:
        with db.writing() as connection:
            pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            events.append_many(
                connection, _new_events(0, ["before"], at), recorded_at=at, first_seq=1
            )
        with db.reading() as reader:
            assert reader.execute(
                sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}
            ).scalar_one()
        with db.writing_from(*events.following(0)) as (connection, rows):
            assert [int(r[0]) for r in rows] == [1]
            assert connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != pid
            events.append_many(
                connection, _new_events(1, ["after"], at), recorded_at=at, first_seq=2
            )
        with db.reading() as reader:
            assert [e.subject for e in events.since(reader, 0)] == ["before", "after"]
    finally:
        db.close()


def test_postgres_held_rows_planned_once_reads_planned_each_time(postgres_url):
    """The held inserts, sent at the transaction's end, run with plans made once (the same few
    statements every transaction, planned again at each run they cost PostgreSQL a quarter of
    its CPU under the write lock); the catch-up query and every other read of the writer are
    still planned for each run's values (``force_custom_plan``: a plan made for no value in
    particular once took 27 ms where 0.08 were enough), and the setting does not outlive the
    transaction's end."""
    db = Database(postgres_url)
    db.migrate()
    at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    try:
        for n in range(12):  # prepared at the fifth run, then five custom plans first (auto)
            with db.writing_from(*events.following(max(n - 1, 0))) as (connection, rows):
                assert [int(r[0]) for r in rows] == ([n] if n else [])
                events.append_many(
                    connection, _new_events(n, [f"s{n}"], at), recorded_at=at, first_seq=n + 1
                )
        with db.writing() as connection:
            mode = connection.execute(sa.text("SHOW plan_cache_mode")).scalar_one()
            plans = connection.execute(
                sa.text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
            ).all()
        assert mode == "force_custom_plan"
        inserts = [p for p in plans if p.statement.startswith("INSERT INTO events")]
        reads = [
            p for p in plans if p.statement.startswith("SELECT") and "FROM events" in p.statement
        ]
        assert inserts, plans
        assert all(p.generic_plans > 0 for p in inserts), plans
        assert reads, plans
        assert all(p.generic_plans == 0 and p.custom_plans > 0 for p in reads), plans
    finally:
        db.close()
