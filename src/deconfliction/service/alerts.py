"""Alerts as a party sees them: only those naming it; every read is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deconfliction.engine.alerts import Alert, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.errors import NotFound
from deconfliction.engine.hotline import Delivery, ItemType
from deconfliction.engine.items import Item, kind_named
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import Filed
from deconfliction.service.geojson import alert_geometry
from deconfliction.service.reading import Reader, read
from deconfliction.store import alerts as alert_store
from deconfliction.store import items as item_store
from deconfliction.store.schema import ITEM_TABLES

__all__ = [
    "AlertView",
    "Outcome",
    "alert_views",
    "alerts_for",
    "list_alerts",
    "outcome",
    "read_alert",
]


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: Alert
    geometry: dict[str, Any] | None


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
    situation = tx.situation

    def subject(ident: str) -> Item | None:
        return situation.sites.get(ident) or situation.observations.get(ident)

    result = Outcome()
    visible: set[str] = set()
    for change in filed.recorded.assessment.changes:
        if principal.party not in change.alert.parties:
            continue
        visible.add(change.alert.id)
        into = result.closed_alerts if change.action is ChangeAction.closed else result.alerts
        into.append(AlertView(change.alert, alert_geometry(change.alert, subject)))
    result.deliveries.extend(
        d
        for d in filed.deliveries
        if principal.party in (d.recipient, d.sender)
        or (d.item_type is ItemType.alert and d.item_id in visible)
    )
    return result


def alert_views(reader: Reader, alerts: list[Alert], *, opened: bool = True) -> list[AlertView]:
    """The alerts with their places, each one shown to the caller (``opened`` False: shown
    among many, its delivery stays unread)."""
    wanted = {s for a in alerts for s in a.subjects}
    found: dict[str, Item] = {}
    for name in ("site", "observation"):
        kind = kind_named(name)
        table = ITEM_TABLES[name]
        query = item_store.select_items(kind, None).where(table.c.id.in_(sorted(wanted)))
        for stored in item_store.load(reader.connection, reader.cache, kind, query):
            found[stored.item.id] = stored.item
    for alert in {a.id: a for a in alerts}.values():
        reader.show("alert", alert.id, None, opened=opened)
    return [AlertView(a, alert_geometry(a, found.get)) for a in alerts]


def read_alert(reader: Reader, alert_id: str) -> AlertView:
    """One alert naming the caller; NotFound otherwise."""
    found = alert_store.current_alerts(reader.connection, reader.party, ids=[alert_id])
    if not found:
        raise NotFound("alert", alert_id)
    return alert_views(reader, found)[0]


def list_alerts(
    reader: Reader,
    *,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    at: datetime | None = None,
    limit: int = 1000,
) -> list[AlertView]:
    """Alerts naming the caller, oldest first: in their current state, or as they stood at
    ``at`` (then only those open at that time)."""
    if at is None:
        found = alert_store.current_alerts(
            reader.connection,
            reader.party,
            status=status,
            kind=None if kind is None else kind.value,
            limit=limit,
        )
    else:
        found = [
            a
            for a in alert_store.alerts_as_of(reader.connection, at, reader.party)
            if (status is None or a.status is status) and (kind is None or a.kind is kind)
        ][:limit]
    return alert_views(reader, found)


def alerts_for(
    coordinator: Coordinator, *, party: str | None = None, at: datetime | None = None
) -> list[Alert]:
    """Every alert in its current state, or those open at ``at``, as ``party`` may see them
    (every alert for ``None``): the operator's view, nothing recorded."""
    views = read(coordinator, None, lambda r: list_alerts(r, at=at, limit=10**9), party=party)
    return [view.alert for view in views]
