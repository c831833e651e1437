"""Rows of the DSS facade's entities (tables in :mod:`.interop`).

Rows are plain dictionaries of their columns.  4D searches are the service's (its index of
footprints, :mod:`deconfliction.service.dss.index`): the store reads rows by id.
"""

from __future__ import annotations

import functools
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


@functools.cache
def _by_id(kind: str, many: bool) -> sa.Select[Any]:
    """The read of one row (``id``) or several (``ids``, expanded), built once per kind: each
    read only binds values (these run several times in every DSS request)."""
    table = TABLES[kind]
    if many:
        return sa.select(table).where(table.c.id.in_(sa.bindparam("ids", expanding=True)))
    return sa.select(table).where(table.c.id == sa.bindparam("id"))


def get(connection: Connection, kind: str, entity_id: str) -> dict[str, Any] | None:
    row = connection.execute(_by_id(kind, False), {"id": entity_id}).first()
    return None if row is None else dict(row._mapping)


def get_many(connection: Connection, kind: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(ids)
    if not wanted:
        return []
    return [dict(r._mapping) for r in connection.execute(_by_id(kind, True), {"ids": wanted})]


def all_rows(connection: Connection, kind: str) -> list[dict[str, Any]]:
    """Every stored entity of ``kind`` (to build the service's index from)."""
    return [dict(r._mapping) for r in connection.execute(sa.select(TABLES[kind]))]


@functools.cache
def _delete(kind: str) -> sa.Delete:
    table = TABLES[kind]
    return sa.delete(table).where(table.c.id == sa.bindparam("id"))


def put(connection: Connection, kind: str, values: dict[str, Any]) -> None:
    """Insert or replace the row ``values['id']``."""
    connection.execute(_delete(kind), {"id": values["id"]})
    connection.execute(sa.insert(TABLES[kind]), values)


def delete(connection: Connection, kind: str, entity_id: str) -> None:
    connection.execute(_delete(kind), {"id": entity_id})


_BUMP = (
    sa.update(dss_subscriptions)
    .where(dss_subscriptions.c.id.in_(sa.bindparam("ids", expanding=True)))
    .values(notification_index=dss_subscriptions.c.notification_index + 1, seq=sa.bindparam("s"))
)


def bump_notification_index(connection: Connection, ids: Iterable[str], seq: int) -> None:
    wanted = list(ids)
    if wanted:
        connection.execute(_BUMP, {"ids": wanted, "s": seq})


_DEPENDENTS = (
    sa.select(dss_operational_intents.c.id)
    .where(dss_operational_intents.c.subscription_id == sa.bindparam("sub"))
    .order_by(dss_operational_intents.c.id)
)


def dependents(connection: Connection, subscription_id: str) -> list[str]:
    """The operational intents that depend on a subscription."""
    return [r.id for r in connection.execute(_DEPENDENTS, {"sub": subscription_id})]


_AVAILABILITY = sa.select(dss_availability).where(dss_availability.c.uss == sa.bindparam("uss"))


def availability(connection: Connection, uss: str) -> tuple[str, str]:
    """A USS's availability and its version (``Unknown`` and ``""`` when never set)."""
    row = connection.execute(_AVAILABILITY, {"uss": uss}).first()
    return ("Unknown", "") if row is None else (row.availability, row.version)


_DOWN = sa.select(dss_availability.c.uss).where(
    dss_availability.c.uss.in_(sa.bindparam("managers", expanding=True)),
    dss_availability.c.availability == "Down",
)


def down_managers(connection: Connection, managers: Iterable[str]) -> set[str]:
    wanted = list(set(managers))
    if not wanted:
        return set()
    return {r.uss for r in connection.execute(_DOWN, {"managers": wanted})}


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
