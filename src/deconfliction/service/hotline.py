"""The hotline's use cases: deliver, read, acknowledge, message, escalate.

Each runs inside a :class:`~deconfliction.service.coordinator.Tx`; every state change is an
entry in the log, on the feeds of the parties concerned (a delivery's recipient and sender; an
escalation to the monitors, also theirs).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.hotline import (
    Delivery,
    DeliveryStatus,
    Escalation,
    Message,
    acknowledge,
    escalate,
    mark_read,
    message_deliveries,
)
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.permissions import Action, require
from deconfliction.store import deliveries as store
from deconfliction.store import messages as message_store
from deconfliction.store.codec import payload, record_bodies, record_body
from deconfliction.store.reads import Read, log_reads

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "ItemRead",
    "acknowledge_delivery",
    "deliver",
    "escalate_due",
    "read_delivery",
    "record_reads",
    "send_message",
]

MAX_MESSAGE_LENGTH = 4000


def _audience(d: Delivery, *extra: str) -> list[str]:
    return sorted({d.recipient, *([d.sender] if d.sender else []), *extra})


def deliver(tx: Tx, deliveries: Iterable[Delivery], *, new: bool = False) -> list[Delivery]:
    """Put each delivery in its recipient's inbox (and on the feeds of its recipient and its
    sender: the sender must be able to prove it); one already made is not made again.  A
    notice to a hundred parties is a hundred deliveries: they are written together, a few
    statements in all.  ``new``: the deliveries are of an item recorded in this very command,
    so none can have been made before (no need to ask the store)."""
    planned = list(deliveries)
    known = set() if new else store.stored_delivery_ids(tx.connection, (d.id for d in planned))
    done: list[Delivery] = []
    for d in planned:
        if d.id not in known:
            known.add(d.id)
            done.append(d)
    bodies = record_bodies(done)  # alike records: one text, each one's strings put in
    seqs = tx.append_many(
        [
            ("delivery.created", d.id, payload(delivery=body), _audience(d))
            for d, body in zip(done, bodies, strict=True)
        ]
    )
    store.insert_deliveries(tx.connection, zip(done, bodies, seqs, strict=True))
    return done


def _update(tx: Tx, event: str, updated: Delivery) -> None:
    body = record_body(updated)
    seq = tx.append(event, updated.id, payload(delivery=body), _audience(updated))
    store.write_delivery(tx.connection, updated, body, seq)


def _own_delivery(tx: Tx, principal: Principal, delivery_id: str) -> Delivery:
    found = store.delivery(tx.connection, delivery_id)
    if found is None or found.recipient != principal.party:
        raise NotFound("inbox item", delivery_id)
    return found


def read_delivery(tx: Tx, principal: Principal, delivery_id: str) -> Delivery:
    """The delivery, marked read on first reading."""
    found = _own_delivery(tx, principal, delivery_id)
    updated = mark_read(found, tx.now)
    if updated is not found:
        _update(tx, "delivery.read", updated)
    return updated


def acknowledge_delivery(
    tx: Tx, principal: Principal, delivery_id: str, reply: str | None = None
) -> Delivery:
    """Acknowledge receipt (it means "received", nothing more); stops escalation."""
    require(principal, Action.acknowledge)
    if reply is not None and len(reply) > MAX_MESSAGE_LENGTH:
        raise InvalidInput.at(("reply",), f"longer than {MAX_MESSAGE_LENGTH} characters")
    updated = acknowledge(_own_delivery(tx, principal, delivery_id), tx.now, reply)
    _update(tx, "delivery.acknowledged", updated)
    return updated


@dataclass(frozen=True, slots=True)
class ItemRead:
    """An item a party was shown: its type, id, and the party that filed it (None for an
    alert, which nobody files)."""

    item_type: str
    item_id: str
    owner: str | None
    opened: bool = True
    """Whether the item was opened, which reads the caller's delivery of it; an item drawn
    among many (the console's map, its replay) was shown, not opened."""


def record_reads(tx: Tx, principal: Principal, shown: Iterable[ItemRead]) -> None:
    """Record that ``principal`` read each item shown to it (another party's items go to the
    read log), and mark read its own deliveries of them."""
    items = list(shown)
    log_reads(
        tx.connection,
        (
            Read(principal.party, i.item_type, i.item_id, tx.now, i.owner, principal.token_id)
            for i in items
            if i.owner != principal.party
        ),
    )
    for i in items:
        if not i.opened:
            continue
        for d in store.deliveries_of_item(tx.connection, i.item_type, i.item_id):
            if d.recipient == principal.party and d.status is DeliveryStatus.delivered:
                _update(tx, "delivery.read", mark_read(d, tx.now))


def send_message(
    tx: Tx, principal: Principal, recipient: str, text: str, notice_id: str | None = None
) -> tuple[Message, list[Delivery]]:
    """A message to another party, free or about a notice both may see."""
    require(principal, Action.send_message)
    roster = tx.situation.roster
    if recipient not in roster.parties:
        raise InvalidInput.at(("to",), f"no party '{recipient}'")
    if recipient == principal.party:
        raise InvalidInput.at(("to",), "a party does not message itself")
    if not text.strip():
        raise InvalidInput.at(("body",), "a message needs some text")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput.at(("body",), f"longer than {MAX_MESSAGE_LENGTH} characters")
    if notice_id is not None:
        notice = tx.situation.notices.get(notice_id)
        audience = set() if notice is None else tx.situation.audience(notice)
        if not all(may_see(p, audience) for p in (principal.party, recipient)):
            raise InvalidInput.at(
                ("notice_id",), f"no notice '{notice_id}' that both parties may see"
            )
    message = Message(
        id=f"m-{secrets.token_hex(8)}",
        sender=principal.party,
        recipient=recipient,
        notice_id=notice_id,
        sent_at=tx.now,
        body=text,
    )
    seq = tx.append(
        "message.sent", message.id, payload(message=record_body(message)), [principal.party]
    )
    message_store.write_message(tx.connection, message, seq)
    deliveries = deliver(
        tx, message_deliveries(message.id, principal.party, recipient, roster, tx.now)
    )
    return message, deliveries


def escalate_due(tx: Tx) -> list[Escalation]:
    """Take every escalation step due by now; each is an entry on the feeds concerned."""
    taken: list[Escalation] = []
    roster = tx.situation.roster
    for due in store.due_deliveries(tx.connection, tx.now):
        updated, steps, to_monitors = escalate(due, roster, tx.now)
        for step in steps:
            audience = _audience(updated, *(updated.monitors if step.to_monitors else ()))
            body = record_body(updated)
            seq = tx.append(
                "delivery.escalated",
                updated.id,
                payload(delivery=body, escalation=record_body(step)),
                audience,
            )
            store.write_delivery(tx.connection, updated, body, seq)
        deliver(tx, to_monitors)
        taken.extend(steps)
    return taken
