"""Alerts as a party sees them: only those naming it; every read is recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deconfliction.engine.alerts import Alert, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.errors import NotFound
from deconfliction.engine.hotline import Delivery, ItemType
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import Filed
from deconfliction.service.geojson import alert_geometry
from deconfliction.service.hotline import mark_item_read
from deconfliction.service.visibility import Visibility
from deconfliction.store import projections

__all__ = [
    "AlertView",
    "Outcome",
    "list_alerts",
    "outcome",
    "read_alert",
    "record_alert_reads",
    "view_alert",
]


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: Alert
    geometry: dict[str, Any] | None


def view_alert(tx: Tx, alert: Alert) -> AlertView:
    return AlertView(alert, alert_geometry(tx.situation, alert))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What recording an item did, as the filing party may see it: the alerts it opened or
    updated and those it closed (only alerts naming the caller), and the deliveries it made
    that concern the caller (its own item's, reports of undelivered items, and deliveries of
    alerts it may see)."""

    alerts: list[AlertView] = field(default_factory=list)
    closed_alerts: list[AlertView] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


def outcome(tx: Tx, principal: Principal, filed: Filed) -> Outcome:
    see = Visibility(tx.situation, principal.party)
    result = Outcome()
    visible: set[str] = set()
    for change in filed.recorded.assessment.changes:
        if not see.alert(change.alert):
            continue
        visible.add(change.alert.id)
        into = result.closed_alerts if change.action is ChangeAction.closed else result.alerts
        into.append(view_alert(tx, change.alert))
    result.deliveries.extend(
        d
        for d in filed.deliveries
        if principal.party in (d.recipient, d.sender)
        or (d.item_type is ItemType.alert and d.item_id in visible)
    )
    return result


def record_alert_reads(tx: Tx, principal: Principal, alerts: Iterable[Alert]) -> None:
    """Record that ``principal`` read each alert (and mark its own deliveries read)."""
    for alert in alerts:
        mark_item_read(tx, principal, "alert", alert.id, None)


def read_alert(tx: Tx, principal: Principal, alert_id: str) -> AlertView:
    """One alert naming the caller, its read recorded; NotFound otherwise."""
    alert = tx.situation.alerts.get(alert_id)
    if alert is None or not Visibility(tx.situation, principal.party).alert(alert):
        raise NotFound("alert", alert_id)
    mark_item_read(tx, principal, "alert", alert.id, None)
    return view_alert(tx, alert)


def list_alerts(
    tx: Tx,
    principal: Principal,
    *,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    at: datetime | None = None,
    limit: int = 1000,
) -> list[AlertView]:
    """Alerts naming the caller, oldest first: in their current state, or as they stood at
    ``at`` (then only those open at that time).  Each read is recorded."""
    if at is None:
        found = sorted(
            (a for a in tx.situation.alerts.values() if principal.party in a.parties),
            key=lambda a: (a.raised_at, a.id),
        )
    else:
        found = projections.alerts_as_of(tx.connection, at, principal.party)
    chosen = [
        a
        for a in found
        if (status is None or a.status is status) and (kind is None or a.kind is kind)
    ][:limit]
    record_alert_reads(tx, principal, chosen)
    return [view_alert(tx, a) for a in chosen]
