"""Rows of the DSS facade's entities (tables in :mod:`.interop`).

Rows are plain dictionaries of their columns.  ``candidates`` is the SQL pre-filter of a 4D
search: the entities whose box, time span and height span meet the query's; the exact test on
the outlines is the service's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.interop import (
    dss_availability,
    dss_constraints,
    dss_operational_intents,
    dss_reports,
    dss_subscriptions,
)
from deconfliction.store.types import UtcTimestamp

__all__ = [
    "TABLES",
    "Bounds",
    "availability",
    "bump_notification_index",
    "candidates",
    "delete",
    "dependents",
    "down_managers",
    "get",
    "get_many",
    "insert_report",
    "put",
    "set_availability",
]

TABLES: dict[str, sa.Table] = {
    "oir": dss_operational_intents,
    "constraint": dss_constraints,
    "subscription": dss_subscriptions,
}

Bounds = tuple[
    tuple[float, float, float, float] | None,
    datetime | None,
    datetime | None,
    float | None,
    float | None,
]
"""A query's box (None: anywhere), start and end (None: unbounded), lowest and highest."""


def get(connection: Connection, kind: str, entity_id: str) -> dict[str, Any] | None:
    table = TABLES[kind]
    row = connection.execute(sa.select(table).where(table.c.id == entity_id)).first()
    return None if row is None else dict(row._mapping)


def get_many(connection: Connection, kind: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    table = TABLES[kind]
    wanted = list(ids)
    if not wanted:
        return []
    return [
        dict(r._mapping) for r in connection.execute(sa.select(table).where(table.c.id.in_(wanted)))
    ]


_FAR_PAST = datetime(1900, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(2999, 12, 31, tzinfo=UTC)
_INF = float("inf")


@functools.cache
def _search(kind: str, by_manager: bool) -> sa.Select[Any]:
    """The pre-filter statement, built once: every bound is a parameter (an open bound is
    passed as an infinite one), so each search only binds values."""
    table = TABLES[kind]
    where = [
        table.c.east >= sa.bindparam("west"),
        table.c.west <= sa.bindparam("east"),
        table.c.north >= sa.bindparam("south"),
        table.c.south <= sa.bindparam("north"),
        table.c.t1 >= sa.bindparam("t0", type_=UtcTimestamp()),
        table.c.t0 <= sa.bindparam("t1", type_=UtcTimestamp()),
        sa.or_(table.c.alt_hi.is_(None), table.c.alt_hi >= sa.bindparam("lo")),
        sa.or_(table.c.alt_lo.is_(None), table.c.alt_lo <= sa.bindparam("hi")),
    ]
    if by_manager:
        where.append(table.c.manager == sa.bindparam("manager"))
    return sa.select(table).where(*where).order_by(table.c.id)


def candidates(
    connection: Connection, kind: str, bounds: Bounds, *, manager: str | None = None
) -> list[dict[str, Any]]:
    """Entities whose box, time and height spans meet ``bounds`` (and of ``manager``)."""
    box, t0, t1, lo, hi = bounds
    west, south, east, north = box if box is not None else (-_INF, -_INF, _INF, _INF)
    values: dict[str, Any] = {
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "t0": t0 or _FAR_PAST,
        "t1": t1 or _FAR_FUTURE,
        "lo": -_INF if lo is None else lo,
        "hi": _INF if hi is None else hi,
    }
    if manager is not None:
        values["manager"] = manager
    rows = connection.execute(_search(kind, manager is not None), values)
    return [dict(r._mapping) for r in rows]


def put(connection: Connection, kind: str, values: dict[str, Any]) -> None:
    """Insert or replace the row ``values['id']``."""
    table = TABLES[kind]
    connection.execute(sa.delete(table).where(table.c.id == values["id"]))
    connection.execute(sa.insert(table).values(**values))


def delete(connection: Connection, kind: str, entity_id: str) -> None:
    table = TABLES[kind]
    connection.execute(sa.delete(table).where(table.c.id == entity_id))


def bump_notification_index(connection: Connection, ids: Iterable[str], seq: int) -> None:
    wanted = list(ids)
    if wanted:
        t = dss_subscriptions
        connection.execute(
            sa.update(t)
            .where(t.c.id.in_(wanted))
            .values(notification_index=t.c.notification_index + 1, seq=seq)
        )


def dependents(connection: Connection, subscription_id: str) -> list[str]:
    """The operational intents that depend on a subscription."""
    t = dss_operational_intents
    rows = connection.execute(
        sa.select(t.c.id).where(t.c.subscription_id == subscription_id).order_by(t.c.id)
    )
    return [r.id for r in rows]


def availability(connection: Connection, uss: str) -> tuple[str, str]:
    """A USS's availability and its version (``Unknown`` and ``""`` when never set)."""
    t = dss_availability
    row = connection.execute(sa.select(t).where(t.c.uss == uss)).first()
    return ("Unknown", "") if row is None else (row.availability, row.version)


def down_managers(connection: Connection, managers: Iterable[str]) -> set[str]:
    wanted = list(set(managers))
    if not wanted:
        return set()
    t = dss_availability
    rows = connection.execute(
        sa.select(t.c.uss).where(t.c.uss.in_(wanted), t.c.availability == "Down")
    )
    return {r.uss for r in rows}


def set_availability(connection: Connection, uss: str, value: str, version: str, seq: int) -> None:
    t = dss_availability
    connection.execute(sa.delete(t).where(t.c.uss == uss))
    connection.execute(sa.insert(t).values(uss=uss, availability=value, version=version, seq=seq))


def insert_report(
    connection: Connection, report_id: str, reporter: str, body: str, at: datetime, seq: int
) -> None:
    connection.execute(
        sa.insert(dss_reports).values(
            id=report_id, reporter=reporter, body=body, received_at=at, seq=seq
        )
    )
