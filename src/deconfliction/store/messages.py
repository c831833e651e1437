"""The projection of messages between parties (rows derived from :class:`Message`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.hotline import Message
from deconfliction.store.rows import row_of
from deconfliction.store.schema import messages

__all__ = ["message", "messages_about", "messages_of", "write_message"]


def write_message(connection: Connection, message: Message, seq: int) -> None:
    connection.execute(sa.insert(messages), row_of(message, messages, seq=seq))


def _read(connection: Connection, query: sa.Select[tuple[object, ...]]) -> list[Message]:
    fields = Message.model_fields
    return [
        Message.model_validate({k: v for k, v in row._mapping.items() if k in fields})
        for row in connection.execute(query)
    ]


def messages_of(connection: Connection, party: str, limit: int = 500) -> list[Message]:
    """Messages ``party`` sent or received, newest first."""
    return _read(
        connection,
        sa.select(messages)
        .where(sa.or_(messages.c.sender == party, messages.c.recipient == party))
        .order_by(messages.c.sent_at.desc(), messages.c.id)
        .limit(limit),
    )


def message(connection: Connection, message_id: str) -> Message | None:
    found = _read(connection, sa.select(messages).where(messages.c.id == message_id))
    return found[0] if found else None


def messages_about(connection: Connection, notice_ids: list[str]) -> list[Message]:
    """Messages about any of ``notice_ids``, oldest first."""
    if not notice_ids:
        return []
    return _read(
        connection,
        sa.select(messages)
        .where(messages.c.notice_id.in_(notice_ids))
        .order_by(messages.c.sent_at, messages.c.id),
    )
