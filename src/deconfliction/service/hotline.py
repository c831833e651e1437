"""The hotline's use cases: deliver, read, acknowledge, message, escalate.

Each runs inside a :class:`~deconfliction.service.coordinator.Tx`; every state change is an
event in the log and goes to the live feed of the parties concerned.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.hotline import (
    Delivery,
    DeliveryStatus,
    Escalation,
    acknowledge,
    escalate,
    mark_read,
    message_deliveries,
)
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.permissions import Action, require
from deconfliction.service.visibility import Visibility
from deconfliction.store import hotline as store
from deconfliction.store.codec import Canonical, canonical

__all__ = [
    "acknowledge_delivery",
    "deliver",
    "escalate_due",
    "mark_item_read",
    "read_delivery",
    "record_read",
    "send_message",
]

MAX_MESSAGE_LENGTH = 4000


def _audience(d: Delivery, *extra: str) -> list[str]:
    return sorted({d.recipient, *([d.sender] if d.sender else []), *extra})


def deliver(tx: Tx, deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Put each delivery in its recipient's inbox (and on the live feeds of its recipient
    and its sender); one already made
    is not made again.  A notice to a hundred parties is a hundred deliveries: they are
    written together, a few statements in all."""
    planned = list(deliveries)
    known = store.stored_delivery_ids(tx.connection, (d.id for d in planned))
    done: list[Delivery] = []
    for d in planned:
        if d.id not in known:
            known.add(d.id)
            done.append(d)
    bodies = [canonical(d.to_dict()) for d in done]
    seqs = tx.append_many(
        [
            # The sender sees its own deliveries too: it must be able to prove them.
            ("delivery.created", d.id, Canonical(f'{{"delivery":{body}}}'), _audience(d))
            for d, body in zip(done, bodies, strict=True)
        ]
    )
    store.insert_deliveries(tx.connection, zip(done, seqs, bodies, strict=True))
    return done


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
        seq = tx.append(
            "delivery.read", found.id, {"delivery": updated.to_dict()}, _audience(updated)
        )
        store.write_delivery(tx.connection, updated, seq)
    return updated


def acknowledge_delivery(
    tx: Tx, principal: Principal, delivery_id: str, reply: str | None = None
) -> Delivery:
    """Acknowledge receipt (it means "received", nothing more); stops escalation."""
    require(principal, Action.acknowledge)
    if reply is not None and len(reply) > MAX_MESSAGE_LENGTH:
        raise InvalidInput.at(("reply",), f"longer than {MAX_MESSAGE_LENGTH} characters")
    found = _own_delivery(tx, principal, delivery_id)
    updated = acknowledge(found, tx.now, reply)
    seq = tx.append(
        "delivery.acknowledged", found.id, {"delivery": updated.to_dict()}, _audience(updated)
    )
    store.write_delivery(tx.connection, updated, seq)
    return updated


def record_read(
    tx: Tx, principal: Principal, item_type: str, item_id: str, owner: str | None
) -> None:
    """Record in the read log that ``principal`` read an item, when it is another party's
    (``owner`` None: an item no party owns, such as an alert).  No delivery changes."""
    if owner != principal.party:
        store.log_read(
            tx.connection,
            party=principal.party,
            token_id=principal.token_id,
            item_type=item_type,
            item_id=item_id,
            owner=owner,
            at=tx.now,
        )


def mark_item_read(
    tx: Tx, principal: Principal, item_type: str, item_id: str, owner: str | None
) -> None:
    """Record that ``principal`` read an item (when it is another party's), and mark its
    own delivery of that item read."""
    record_read(tx, principal, item_type, item_id, owner)
    for d in store.deliveries_of_item(tx.connection, item_type, item_id):
        if d.recipient == principal.party and d.status is DeliveryStatus.delivered:
            read_delivery(tx, principal, d.id)


def send_message(
    tx: Tx, principal: Principal, recipient: str, text: str, notice_id: str | None = None
) -> dict[str, object]:
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
        visible = notice is not None and all(
            Visibility(tx.situation, p).notice(notice) for p in (principal.party, recipient)
        )
        if not visible:
            raise InvalidInput.at(
                ("notice_id",), f"no notice '{notice_id}' that both parties may see"
            )
    message_id = f"m-{secrets.token_hex(8)}"
    message = {
        "id": message_id,
        "sender": principal.party,
        "recipient": recipient,
        "notice_id": notice_id,
        "sent_at": tx.now.isoformat(),
        "body": text,
    }
    seq = tx.append("message.sent", message_id, {"message": message}, [principal.party])
    store.write_message(
        tx.connection,
        message_id=message_id,
        sender=principal.party,
        recipient=recipient,
        notice_id=notice_id,
        sent_at=tx.now,
        body=text,
        seq=seq,
    )
    deliveries = deliver(
        tx, message_deliveries(message_id, principal.party, recipient, roster, tx.now)
    )
    return message | {"deliveries": [d.to_dict() for d in deliveries]}


def escalate_due(tx: Tx) -> list[Escalation]:
    """Take every escalation step due by now; each is an event on the feeds concerned."""
    taken: list[Escalation] = []
    roster = tx.situation.roster
    for due in store.due_deliveries(tx.connection, tx.now):
        updated, steps, to_monitors = escalate(due, roster, tx.now)
        for step in steps:
            audience = _audience(updated, *(updated.monitors if step.contact is None else ()))
            seq = tx.append(
                "delivery.escalated",
                updated.id,
                {
                    "escalation": {
                        "delivery_id": step.delivery_id,
                        "level": step.level,
                        "due_at": step.due_at.isoformat(),
                        "party": step.party,
                        "contact": step.contact,
                        "description": step.description,
                    },
                    "delivery": updated.to_dict(),
                },
                audience,
            )
            store.write_delivery(tx.connection, updated, seq)
        deliver(tx, to_monitors)
        taken.extend(steps)
    return taken
