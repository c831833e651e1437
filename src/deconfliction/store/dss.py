"""Rows of the DSS facade's entities (tables in :mod:`.interop`).

Rows are plain dictionaries of their columns.  4D searches are the service's (its index of
footprints, :mod:`deconfliction.service.dss.index`): the store reads rows by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
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

__all__ = [
    "TABLES",
    "all_rows",
    "availability",
    "bump_notification_index",
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


def all_rows(connection: Connection, kind: str) -> list[dict[str, Any]]:
    """Every stored entity of ``kind`` (to build the service's index from)."""
    return [dict(r._mapping) for r in connection.execute(sa.select(TABLES[kind]))]


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
