"""Projections of the log for queries: one row per item, one per alert, and alert history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus
from deconfliction.engine.model import (
    Agreement,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.situation import Item
from deconfliction.store import schema
from deconfliction.store.codec import (
    alert_from_row,
    canonical,
    change_from_json,
    item_from_json,
    item_kind,
    item_to_json,
)

__all__ = [
    "alerts_as_of",
    "all_alerts",
    "items",
    "write_change",
    "write_item",
]

_TABLES: dict[type, sa.Table] = {
    Party: schema.parties,
    Agreement: schema.agreements,
    Line: schema.lines,
    ZoneAgreement: schema.zones,
    ProtectedSite: schema.sites,
    Notice: schema.notices,
    Observation: schema.observations,
}


def _upsert(connection: Connection, table: sa.Table, key: str, values: dict[str, object]) -> None:
    # Values go as parameters, not .values(): the statement's compiled form is then reused.
    updated = connection.execute(
        sa.update(table).where(table.c.id == sa.bindparam("_key")), {"_key": key, **values}
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(table), {"id": key, **values})


def write_item(connection: Connection, item: Item, seq: int, series: str | None = None) -> None:
    """Project one recorded item."""
    table = _TABLES[type(item)]
    values: dict[str, object] = {"body": canonical(item_to_json(item)), "seq": seq}
    if isinstance(item, Party):
        values |= {"name": item.name, "kind": item.kind.value, "status": item.status.value}
    elif isinstance(item, ProtectedSite):
        values |= {
            "owner": item.owner,
            "category": item.category.value,
            "valid_from": item.valid_from,
            "valid_until": item.valid_until,
        }
    elif isinstance(item, Notice):
        values |= {
            "series": series or item.id,
            "author": item.author,
            "kind": item.kind.value,
            "action": item.action.value,
            "replaces": item.replaces,
            "filed_at": item.filed_at,
            "starts_at": item.start,
            "ends_at": item.end,
        }
        if item.replaces is not None:
            connection.execute(
                sa.update(schema.notices)
                .where(schema.notices.c.id == item.replaces)
                .values(superseded_by=item.id)
            )
    elif isinstance(item, Observation):
        values |= {"observed_at": item.observed_at, "reported_by": item.reported_by}
    _upsert(connection, table, item.id, values)


def write_change(connection: Connection, change: AlertChange, seq: int) -> None:
    """Project one alert change: the alert's current row, its parties, and its history."""
    alert = change.alert
    _upsert(
        connection,
        schema.alerts,
        alert.id,
        {
            "kind": alert.kind.value,
            "status": alert.status.value,
            "raised_at": alert.raised_at,
            "updated_at": alert.updated_at,
            "closed_at": alert.closed_at,
            "closed_reason": alert.closed_reason,
            "explanation": alert.explanation,
            "parties": json.dumps(list(alert.parties)),
            "subjects": json.dumps(list(alert.subjects)),
            "figures": canonical(alert.figures),
            "seq": seq,
        },
    )
    connection.execute(
        sa.delete(schema.alert_parties).where(schema.alert_parties.c.alert_id == alert.id)
    )
    if alert.parties:
        connection.execute(
            sa.insert(schema.alert_parties),
            [{"alert_id": alert.id, "party_id": p} for p in alert.parties],
        )
    connection.execute(
        sa.insert(schema.alert_changes).values(
            seq=seq,
            alert_id=alert.id,
            action=change.action.value,
            status=alert.status.value,
            at=change.at,
        )
    )


def all_alerts(connection: Connection, party: str | None = None) -> list[Alert]:
    """Every alert in its current state (only those naming ``party`` when given)."""
    query = sa.select(schema.alerts)
    if party is not None:
        query = query.where(
            schema.alerts.c.id.in_(
                sa.select(schema.alert_parties.c.alert_id).where(
                    schema.alert_parties.c.party_id == party
                )
            )
        )
    rows = connection.execute(query.order_by(schema.alerts.c.raised_at, schema.alerts.c.id))
    return [alert_from_row(row) for row in rows]


def alerts_as_of(
    connection: Connection, instant: datetime, party: str | None = None
) -> list[Alert]:
    """Alerts open at ``instant``: those whose last change at or before it left them open.

    The explanation and figures are those of that last change.
    """
    changes = schema.alert_changes
    latest = (
        sa.select(changes.c.alert_id, sa.func.max(changes.c.seq).label("seq"))
        .where(changes.c.at <= instant)
        .group_by(changes.c.alert_id)
        .subquery()
    )
    query = (
        sa.select(schema.events.c.body)
        .join(latest, latest.c.seq == schema.events.c.seq)
        .join(changes, changes.c.seq == latest.c.seq)
        .where(changes.c.status == AlertStatus.open.value)
    )
    alerts = [
        change_from_json(json.loads(body)["change"]).alert for (body,) in connection.execute(query)
    ]
    if party is not None:
        alerts = [a for a in alerts if party in a.parties]
    return sorted(alerts, key=lambda a: (a.raised_at, a.id))


def items(connection: Connection, kind: type[Item], ids: Sequence[str] | None = None) -> list[Item]:
    """Recorded items of one kind, in the order they were recorded."""
    table = _TABLES[kind]
    query = sa.select(table.c.body).order_by(table.c.seq)
    if ids is not None:
        query = query.where(table.c.id.in_(list(ids)))
    name = item_kind(kind)
    return [item_from_json(name, json.loads(body)) for (body,) in connection.execute(query)]
