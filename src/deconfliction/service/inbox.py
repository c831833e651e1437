"""A party's inbox and messages.

Every notice and alert addressed to a party, every message to it, every escalation it must
chase and every report that something it sent could not be delivered is one delivery in its
inbox.  A delivery goes delivered -> read -> acknowledged; acknowledging means "received",
nothing more.  Opening an item shows what it is about and records the read.
"""

from __future__ import annotations

from dataclasses import dataclass

from deconfliction.engine.errors import NotFound
from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType, Message
from deconfliction.engine.model.incidents import Incident
from deconfliction.service.alerts import AlertView, read_alert
from deconfliction.service.incidents import read_incident
from deconfliction.service.notices import NoticeView, read_notice
from deconfliction.service.reading import Reader
from deconfliction.store import deliveries as store
from deconfliction.store import messages as message_store

__all__ = ["InboxEntry", "list_inbox", "list_messages", "open_inbox_item", "read_message"]

Subject = NoticeView | AlertView | Message | Incident | Delivery | None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A delivery and what it is about: the notice, the alert, the message, or for an
    escalation or an undelivered report the delivery concerned."""

    delivery: Delivery
    item: Subject


def list_inbox(
    reader: Reader, *, status: DeliveryStatus | None = None, limit: int = 500
) -> list[Delivery]:
    """The caller's deliveries, newest first (listing shows no item: nothing is read)."""
    party = reader.party
    assert party is not None, "an inbox is a party's"
    return store.inbox(
        reader.connection, party, status=None if status is None else status.value, limit=limit
    )


def open_inbox_item(reader: Reader, delivery_id: str) -> InboxEntry:
    """One of the caller's deliveries with its item; the read is recorded and the delivery
    marked read (by the caller of :func:`~deconfliction.service.reading.read`)."""
    delivery = store.delivery(reader.connection, delivery_id)
    if delivery is None or delivery.recipient != reader.party:
        raise NotFound("inbox item", delivery_id)
    item: Subject = None
    kind = delivery.item_type
    try:
        if kind is ItemType.notice:
            item = read_notice(reader, delivery.item_id)
        elif kind is ItemType.alert:
            item = read_alert(reader, delivery.item_id)
        elif kind is ItemType.message:
            item = read_message(reader, delivery.item_id)
        elif kind is ItemType.incident:
            item = read_incident(reader, delivery.item_id)
        else:  # an escalation to chase, or a report that a delivery failed
            item = store.delivery(reader.connection, delivery.item_id)
            reader.show(kind.value, delivery.item_id, None)
    except NotFound:
        item = None  # no longer the caller's to see: the delivery alone
    return InboxEntry(delivery, item)


def list_messages(reader: Reader, *, limit: int = 500) -> list[Message]:
    """Messages the caller's party sent or received, newest first."""
    party = reader.party
    assert party is not None, "messages are a party's"
    return message_store.messages_of(reader.connection, party, limit=limit)


def read_message(reader: Reader, message_id: str) -> Message:
    """A message the caller's party sent or received; reading a received one records the
    read and marks its delivery read."""
    message = message_store.message(reader.connection, message_id)
    if message is None or reader.party not in (message.sender, message.recipient):
        raise NotFound("message", message_id)
    reader.show("message", message_id, message.sender)
    return message
