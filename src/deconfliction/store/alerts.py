"""The projection of alerts: each alert's current state, who it names, and every change.

The row keeps the columns queries filter and sort on, derived from the alert's own fields
(:func:`~deconfliction.store.rows.row_of`); the alert itself is read back from the log entry
of its latest change, the one canonical text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus
from deconfliction.store import schema
from deconfliction.store.codec import change_from_payload
from deconfliction.store.rows import row_of

__all__ = ["alerts_as_of", "current_alerts", "write_change", "write_changes"]

_alerts = schema.alerts
_changes = schema.alert_changes
_events = schema.events
_CHUNK = 500
"""Ids per ``IN`` list (SQLite allows 32,766 bound parameters, PostgreSQL 65,535)."""


def write_change(connection: Connection, change: AlertChange, seq: int) -> None:
    """Project one alert change: the alert's current row, its parties, and its history."""
    write_changes(connection, [(change, seq)])


def write_changes(connection: Connection, changes: Sequence[tuple[AlertChange, int]]) -> None:
    """Project alert changes in order, with one statement per table for all of them (a tick
    of live tracks records hundreds): each alert's current row (its latest change here), its
    parties, and every change in its history."""
    if not changes:
        return
    latest: dict[str, tuple[AlertChange, int]] = {}
    for change, seq in changes:
        latest[change.alert.id] = (change, seq)
    ids = list(latest)
    rows = [row_of(change.alert, _alerts, seq=seq) for change, seq in latest.values()]
    parties = [
        {"alert_id": alert_id, "party_id": p}
        for alert_id, (change, _) in latest.items()
        for p in change.alert.parties
    ]
    for chunk in range(0, len(ids), _CHUNK):
        some = ids[chunk : chunk + _CHUNK]
        connection.execute(
            sa.delete(schema.alert_parties).where(schema.alert_parties.c.alert_id.in_(some))
        )
        connection.execute(sa.delete(_alerts).where(_alerts.c.id.in_(some)))
    connection.execute(sa.insert(_alerts), rows)
    if parties:
        connection.execute(sa.insert(schema.alert_parties), parties)
    connection.execute(
        sa.insert(_changes),
        [
            {
                "seq": seq,
                "alert_id": change.alert.id,
                "action": change.action.value,
                "status": change.alert.status.value,
                "at": change.at,
            }
            for change, seq in changes
        ],
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
