"""A party's inbox and messages over the wire.

Every notice and alert addressed to a party, every message to it, every escalation it must
chase and every report that something it sent could not be delivered is one delivery in its
inbox.  A delivery goes delivered -> read -> acknowledged; acknowledging means "received",
nothing more.  Opening an item shows what it is about and records the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deconfliction.engine.errors import NotFound
from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType
from deconfliction.service.alerts import AlertView, view_alert
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.hotline import mark_item_read, read_delivery
from deconfliction.service.notices import NoticeView, view_notice
from deconfliction.service.visibility import Visibility
from deconfliction.store import hotline as store

__all__ = [
    "InboxEntry",
    "list_inbox",
    "list_messages",
    "open_inbox_item",
    "read_message",
]

Item = NoticeView | AlertView | dict[str, Any] | Delivery | None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A delivery and what it is about: the notice, the alert, the message, or for an
    escalation or an undelivered report the delivery concerned."""

    delivery: Delivery
    item: Item


def list_inbox(
    coordinator: Coordinator,
    principal: Principal,
    *,
    status: DeliveryStatus | None = None,
    limit: int = 500,
) -> list[Delivery]:
    """The caller's deliveries, newest first (reading the list marks nothing read)."""
    with coordinator.db.reading() as connection:
        return store.inbox(
            connection,
            principal.party,
            status=None if status is None else status.value,
            limit=limit,
        )


def _own(tx: Tx, principal: Principal, delivery_id: str) -> Delivery:
    found = store.delivery(tx.connection, delivery_id)
    if found is None or found.recipient != principal.party:
        raise NotFound("inbox item", delivery_id)
    return found


def open_inbox_item(tx: Tx, principal: Principal, delivery_id: str) -> InboxEntry:
    """One of the caller's deliveries with its item; marks it read and records the read."""
    delivery = _own(tx, principal, delivery_id)
    situation = tx.situation
    see = Visibility(situation, principal.party)
    item: Item = None
    kind = delivery.item_type
    if kind is ItemType.notice:
        notice = situation.notices.get(delivery.item_id)
        if notice is not None and see.notice(notice):
            mark_item_read(tx, principal, "notice", notice.id, notice.author)
            item = view_notice(tx, notice)
    elif kind is ItemType.alert:
        alert = situation.alerts.get(delivery.item_id)
        if alert is not None and see.alert(alert):
            mark_item_read(tx, principal, "alert", alert.id, None)
            item = view_alert(tx, alert)
    elif kind is ItemType.message:
        message = store.message(tx.connection, delivery.item_id)
        if message is not None and principal.party in (message["sender"], message["recipient"]):
            sender = message["sender"]
            mark_item_read(tx, principal, "message", delivery.item_id, str(sender))
            item = message
    else:  # an escalation to chase, or a report that a delivery failed: the delivery concerned
        item = store.delivery(tx.connection, delivery.item_id)
    return InboxEntry(read_delivery(tx, principal, delivery.id), item)


def list_messages(
    coordinator: Coordinator, principal: Principal, *, limit: int = 500
) -> list[dict[str, object]]:
    """Messages the caller's party sent or received, newest first."""
    with coordinator.db.reading() as connection:
        return store.messages_of(connection, principal.party, limit=limit)


def read_message(tx: Tx, principal: Principal, message_id: str) -> dict[str, object]:
    """A message the caller's party sent or received; reading a received one records the
    read and marks its delivery read."""
    message = store.message(tx.connection, message_id)
    if message is None or principal.party not in (message["sender"], message["recipient"]):
        raise NotFound("message", message_id)
    mark_item_read(tx, principal, "message", message_id, str(message["sender"]))
    return message
