"""Deliveries, messages, reads and idempotency keys."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType
from deconfliction.engine.model.common import parse_utc
from deconfliction.store.codec import canonical
from deconfliction.store.schema import deliveries, idempotency, messages, reads

_IDS_PER_QUERY = 500
"""Identifiers named in one query (SQLite limits the number of bound parameters)."""

# Statements on the hot path of filing, built once (their compiled form is then reused).
_STORED_IDS = sa.select(deliveries.c.id).where(
    deliveries.c.id.in_(sa.bindparam("ids", expanding=True))
)
_INSERT_DELIVERIES = sa.insert(deliveries)

__all__ = [
    "deliveries_of_item",
    "delivery",
    "due_deliveries",
    "inbox",
    "insert_deliveries",
    "log_read",
    "message",
    "messages_of",
    "reads_of",
    "remember_response",
    "remembered_response",
    "stored_delivery_ids",
    "write_delivery",
    "write_message",
]


def _values(d: Delivery, seq: int, body: str | None = None) -> dict[str, object]:
    return {
        "item_type": d.item_type.value,
        "item_id": d.item_id,
        "recipient": d.recipient,
        "sender": d.sender,
        "status": d.status.value,
        "delivered_at": d.delivered_at,
        "deadline_at": d.deadline_at,
        "next_at": d.next_at,
        "level": d.level,
        "body": canonical(d.to_dict()) if body is None else body,
        "seq": seq,
    }


def write_delivery(connection: Connection, d: Delivery, seq: int) -> None:
    values = _values(d, seq)
    updated = connection.execute(
        sa.update(deliveries).where(deliveries.c.id == sa.bindparam("_key")),
        {"_key": d.id, **values},
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(deliveries), {"id": d.id, **values})


def insert_deliveries(connection: Connection, new: Iterable[tuple[Delivery, int, str]]) -> None:
    """Insert ``(delivery, seq, body)`` for deliveries not stored yet, with one statement;
    ``body`` is the canonical JSON of ``delivery.to_dict()``."""
    rows = [{"id": d.id, **_values(d, seq, body)} for d, seq, body in new]
    if rows:
        connection.execute(_INSERT_DELIVERIES, rows)


def stored_delivery_ids(connection: Connection, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are stored deliveries."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        found.update(connection.execute(_STORED_IDS, {"ids": chunk}).scalars())
    return found


def _from_body(body: str) -> Delivery:
    data = json.loads(body)

    def t(key: str) -> datetime | None:
        return None if data[key] is None else parse_utc(data[key])

    delivered_at = t("delivered_at")
    assert delivered_at is not None
    return Delivery(
        id=data["id"],
        item_type=ItemType(data["item_type"]),
        item_id=data["item_id"],
        recipient=data["recipient"],
        sender=data["sender"],
        status=DeliveryStatus(data["status"]),
        delivered_at=delivered_at,
        deadline_at=t("deadline_at"),
        step_s=data["step_s"],
        monitors=tuple(data["monitors"]),
        level=data["level"],
        next_at=t("next_at"),
        read_at=t("read_at"),
        acknowledged_at=t("acknowledged_at"),
        reply=data["reply"],
        note=data["note"],
    )


def delivery(connection: Connection, delivery_id: str) -> Delivery | None:
    body = connection.execute(
        sa.select(deliveries.c.body).where(deliveries.c.id == delivery_id)
    ).scalar()
    return None if body is None else _from_body(body)


def inbox(
    connection: Connection,
    party: str,
    *,
    status: str | None = None,
    after: datetime | None = None,
    limit: int = 500,
) -> list[Delivery]:
    """A party's deliveries, newest first."""
    query = sa.select(deliveries.c.body).where(deliveries.c.recipient == party)
    if status is not None:
        query = query.where(deliveries.c.status == status)
    if after is not None:
        query = query.where(deliveries.c.delivered_at > after)
    rows = connection.execute(
        query.order_by(deliveries.c.delivered_at.desc(), deliveries.c.id).limit(limit)
    )
    return [_from_body(b) for (b,) in rows]


def deliveries_of_item(connection: Connection, item_type: str, item_id: str) -> list[Delivery]:
    rows = connection.execute(
        sa.select(deliveries.c.body)
        .where(deliveries.c.item_type == item_type, deliveries.c.item_id == item_id)
        .order_by(deliveries.c.recipient)
    )
    return [_from_body(b) for (b,) in rows]


def due_deliveries(connection: Connection, now: datetime, limit: int = 1000) -> list[Delivery]:
    """Deliveries with an escalation step due by ``now``."""
    rows = connection.execute(
        sa.select(deliveries.c.body)
        .where(deliveries.c.next_at.is_not(None), deliveries.c.next_at <= now)
        .order_by(deliveries.c.next_at)
        .limit(limit)
    )
    return [_from_body(b) for (b,) in rows]


def write_message(
    connection: Connection,
    *,
    message_id: str,
    sender: str,
    recipient: str,
    notice_id: str | None,
    sent_at: datetime,
    body: str,
    seq: int,
) -> None:
    connection.execute(
        sa.insert(messages).values(
            id=message_id,
            sender=sender,
            recipient=recipient,
            notice_id=notice_id,
            sent_at=sent_at,
            body=body,
            seq=seq,
        )
    )


def messages_of(connection: Connection, party: str, limit: int = 500) -> list[dict[str, object]]:
    rows = connection.execute(
        sa.select(messages)
        .where(sa.or_(messages.c.sender == party, messages.c.recipient == party))
        .order_by(messages.c.sent_at.desc(), messages.c.id)
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "sender": r.sender,
            "recipient": r.recipient,
            "notice_id": r.notice_id,
            "sent_at": r.sent_at.isoformat(),
            "body": r.body,
        }
        for r in rows
    ]


def messages_about(connection: Connection, notice_ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(id, sender, recipient) of the messages about any of ``notice_ids``, oldest first."""
    if not notice_ids:
        return []
    rows = connection.execute(
        sa.select(messages.c.id, messages.c.sender, messages.c.recipient)
        .where(messages.c.notice_id.in_(list(notice_ids)))
        .order_by(messages.c.sent_at, messages.c.id)
    )
    return [(r.id, r.sender, r.recipient) for r in rows]


def message(connection: Connection, message_id: str) -> dict[str, object] | None:
    r = connection.execute(sa.select(messages).where(messages.c.id == message_id)).first()
    if r is None:
        return None
    return {
        "id": r.id,
        "sender": r.sender,
        "recipient": r.recipient,
        "notice_id": r.notice_id,
        "sent_at": r.sent_at.isoformat(),
        "body": r.body,
    }


def log_read(
    connection: Connection,
    *,
    party: str,
    token_id: str | None,
    item_type: str,
    item_id: str,
    owner: str | None,
    at: datetime,
) -> None:
    connection.execute(
        sa.insert(reads).values(
            party_id=party,
            token_id=token_id,
            item_type=item_type,
            item_id=item_id,
            owner=owner,
            read_at=at,
        )
    )


def reads_of(
    connection: Connection, item_type: str, item_ids: Sequence[str]
) -> list[dict[str, object]]:
    rows = connection.execute(
        sa.select(reads)
        .where(reads.c.item_type == item_type, reads.c.item_id.in_(list(item_ids)))
        .order_by(reads.c.read_at, reads.c.id)
    )
    return [
        {
            "party": r.party_id,
            "item_type": r.item_type,
            "item_id": r.item_id,
            "read_at": r.read_at.isoformat(),
        }
        for r in rows
    ]


def remembered_response(
    connection: Connection, party: str, key: str
) -> tuple[str, int, str] | None:
    """(request hash, status, response body) stored under an idempotency key."""
    row = connection.execute(
        sa.select(idempotency.c.request_hash, idempotency.c.status, idempotency.c.response).where(
            idempotency.c.party_id == party, idempotency.c.key == key
        )
    ).first()
    return None if row is None else (row.request_hash, row.status, row.response)


def remember_response(
    connection: Connection,
    party: str,
    key: str,
    request_hash: str,
    status: int,
    response: str,
    at: datetime,
) -> None:
    connection.execute(
        sa.insert(idempotency).values(
            party_id=party,
            key=key,
            request_hash=request_hash,
            status=status,
            response=response,
            created_at=at,
        )
    )
