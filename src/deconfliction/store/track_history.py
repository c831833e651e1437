"""Track history in the record (migration 0008): the samples the live tracks keep in memory
(``service/track_replay.py``), written in batches, so that a replay reaches back beyond memory.

One row per aircraft per sample: the position the round used, the altitudes as reported (value,
unit, datum: never converted), track, speed and callsign.  Times and coordinates are IEEE
doubles in both databases (SQLite ``REAL``, PostgreSQL ``double precision``): a sample read
back is the sample written, bit for bit.  These rows are not in the ledger: they are the
server's picture, not a party's statement (the reports an alert used are, in its
``track.evidence`` entry).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import metadata

__all__ = ["COLUMNS", "forget_before", "insert", "track_samples", "window"]

track_samples = sa.Table(
    "track_samples",
    metadata,
    sa.Column("aircraft", sa.String(100), primary_key=True),
    sa.Column("t", sa.Float(), primary_key=True, comment="Unix seconds, UTC"),
    sa.Column("lon", sa.Float(), nullable=False),
    sa.Column("lat", sa.Float(), nullable=False),
    sa.Column("alt_m", sa.Float(), nullable=True),
    sa.Column("track", sa.Float(), nullable=True),
    sa.Column("baro_value", sa.Float(), nullable=True),
    sa.Column("baro_unit", sa.String(8), nullable=True),
    sa.Column("baro_datum", sa.String(16), nullable=True),
    sa.Column("geom_value", sa.Float(), nullable=True),
    sa.Column("geom_unit", sa.String(8), nullable=True),
    sa.Column("geom_datum", sa.String(16), nullable=True),
    sa.Column("speed_value", sa.Float(), nullable=True),
    sa.Column("speed_unit", sa.String(8), nullable=True),
    sa.Column("callsign", sa.String(16), nullable=True),
)
sa.Index("ix_track_samples_t", track_samples.c.t)

COLUMNS = tuple(c.name for c in track_samples.columns)
"""The row shape :func:`insert` takes and :func:`window` gives, in this order."""

_BATCH = 5000
_IN_LIST = 500


def insert(connection: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Add rows (each in :data:`COLUMNS` order); a row already held (same aircraft and time)
    is left as it is, so that a batch written twice (a retried commit) changes nothing.
    Returns how many were given."""
    # The driver's own executemany with tuples: a third of the CPU of SQLAlchemy's insert of
    # the same rows as dictionaries (10,000 rows: 36 ms against 113 ms on SQLite), and the
    # batch holds the one writer that much less.  ON CONFLICT ... DO NOTHING is the same
    # text in SQLite (3.24+) and PostgreSQL; only the parameter mark differs.
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {track_samples.name} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(COLUMNS))}) ON CONFLICT (aircraft, t) DO NOTHING"
    )
    count = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        if len(row) != len(COLUMNS):
            raise ValueError(f"a track sample has {len(COLUMNS)} fields, not {len(row)}")
        batch.append(tuple(row))
        if len(batch) >= _BATCH:
            connection.exec_driver_sql(statement, batch)
            count, batch = count + len(batch), []
    if batch:
        connection.exec_driver_sql(statement, batch)
        count += len(batch)
    return count


def forget_before(connection: Connection, t: float) -> int:
    """Delete every sample older than ``t`` (retention)."""
    result = connection.execute(sa.delete(track_samples).where(track_samples.c.t < t))
    return result.rowcount or 0


def window(
    connection: Connection, start: float, end: float, aircraft: Collection[str] | None = None
) -> Iterator[tuple[Any, ...]]:
    """Every sample with ``start <= t <= end`` (of ``aircraft`` only, if given), by aircraft
    then time, in :data:`COLUMNS` order."""
    query = sa.select(track_samples).where(track_samples.c.t >= start, track_samples.c.t <= end)
    wanted: set[str] | None = None
    if aircraft is not None:
        if len(aircraft) <= _IN_LIST:
            query = query.where(track_samples.c.aircraft.in_(sorted(aircraft)))
        else:  # a long IN list costs more to send and plan than the rows it leaves out
            wanted = set(aircraft)
    rows = connection.execute(query.order_by(track_samples.c.aircraft, track_samples.c.t))
    for row in rows:
        if wanted is None or row.aircraft in wanted:
            yield tuple(row)
