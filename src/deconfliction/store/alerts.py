"""The projection of alerts: each alert's current state, who it names, and every change.

The row keeps the columns queries filter and sort on, derived from the alert's own fields
(:func:`~deconfliction.store.rows.row_of`); the alert itself is read back from the log entry
of its latest change, the one canonical text.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus
from deconfliction.store import schema
from deconfliction.store.codec import change_from_payload
from deconfliction.store.rows import row_of

__all__ = ["alerts_as_of", "current_alerts", "write_change"]

_alerts = schema.alerts
_changes = schema.alert_changes
_events = schema.events


def write_change(connection: Connection, change: AlertChange, seq: int) -> None:
    """Project one alert change: the alert's current row, its parties, and its history."""
    alert = change.alert
    values = row_of(alert, _alerts, seq=seq)
    values.pop("id")
    updated = connection.execute(
        sa.update(_alerts).where(_alerts.c.id == sa.bindparam("_key")), {"_key": alert.id, **values}
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(_alerts), {"id": alert.id, **values})
    connection.execute(
        sa.delete(schema.alert_parties).where(schema.alert_parties.c.alert_id == alert.id)
    )
    if alert.parties:
        connection.execute(
            sa.insert(schema.alert_parties),
            [{"alert_id": alert.id, "party_id": p} for p in alert.parties],
        )
    connection.execute(
        sa.insert(_changes).values(
            seq=seq,
            alert_id=alert.id,
            action=change.action.value,
            status=alert.status.value,
            at=change.at,
        )
    )


def _alerts_of(rows: sa.CursorResult[str]) -> list[Alert]:
    return [change_from_payload(json.loads(body)).alert for body in rows.scalars()]


def _naming(party: str) -> sa.ColumnElement[bool]:
    return _alerts.c.id.in_(
        sa.select(schema.alert_parties.c.alert_id).where(schema.alert_parties.c.party_id == party)
    )


def current_alerts(
    connection: Connection,
    party: str | None = None,
    *,
    ids: list[str] | None = None,
    status: AlertStatus | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[Alert]:
    """Alerts in their current state, oldest raised first (only those naming ``party`` when
    given; only ``ids``, ``status``, ``kind`` when given)."""
    query = sa.select(_events.c.body).join(_alerts, _alerts.c.seq == _events.c.seq)
    if party is not None:
        query = query.where(_naming(party))
    if ids is not None:
        query = query.where(_alerts.c.id.in_(ids))
    if status is not None:
        query = query.where(_alerts.c.status == status.value)
    if kind is not None:
        query = query.where(_alerts.c.kind == kind)
    query = query.order_by(_alerts.c.raised_at, _alerts.c.id)
    if limit is not None:
        query = query.limit(limit)
    return _alerts_of(connection.execute(query))


def alerts_as_of(
    connection: Connection, instant: datetime, party: str | None = None
) -> list[Alert]:
    """Alerts open at ``instant``: those whose last change at or before it left them open.

    The explanation and figures are those of that last change.
    """
    latest = (
        sa.select(_changes.c.alert_id, sa.func.max(_changes.c.seq).label("seq"))
        .where(_changes.c.at <= instant)
        .group_by(_changes.c.alert_id)
        .subquery()
    )
    query = (
        sa.select(_events.c.body)
        .join(latest, latest.c.seq == _events.c.seq)
        .join(_changes, _changes.c.seq == latest.c.seq)
        .where(_changes.c.status == AlertStatus.open.value)
    )
    alerts = _alerts_of(connection.execute(query))
    if party is not None:
        alerts = [a for a in alerts if party in a.parties]
    return sorted(alerts, key=lambda a: (a.raised_at, a.id))
