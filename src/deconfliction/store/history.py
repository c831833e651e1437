"""Queries for replay: when each version of a notice was filed, and every alert change.

The rules that turn these into spans live in ``service/instants.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import AlertChange
from deconfliction.store.codec import change_from_payload
from deconfliction.store.schema import alert_changes, events, notices

__all__ = ["alert_history", "filed_times"]


def filed_times(connection: Connection, ids: Iterable[str]) -> dict[str, datetime]:
    """When each of the notice versions ``ids`` was filed (its ``filed_at``)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(
        sa.select(notices.c.id, notices.c.filed_at).where(notices.c.id.in_(wanted))
    )
    return {r.id: r.filed_at for r in rows}


def alert_history(connection: Connection, ids: Iterable[str] | None = None) -> list[AlertChange]:
    """Every change of every alert (of ``ids`` when given), in record order."""
    query = sa.select(events.c.body).join(alert_changes, alert_changes.c.seq == events.c.seq)
    if ids is not None:
        query = query.where(alert_changes.c.alert_id.in_(sorted(set(ids))))
    rows = connection.execute(query.order_by(alert_changes.c.seq))
    return [change_from_payload(json.loads(body)) for body in rows.scalars()]
