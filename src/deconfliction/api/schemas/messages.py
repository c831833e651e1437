"""Messages between parties, free or about a notice both may see."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import DeliveryPublic, Input, Output
from deconfliction.engine.model import UtcTime

__all__ = ["MessageCreate", "MessageList", "MessagePublic", "MessageSent"]


class MessageCreate(Input):
    to: str = Field(min_length=1, max_length=64, description="The recipient party's id.")
    body: str = Field(min_length=1, max_length=4000)
    notice_id: str | None = Field(
        default=None, max_length=64, description="A notice both parties may see."
    )


class MessagePublic(Output):
    id: str
    sender: str
    recipient: str
    notice_id: str | None
    sent_at: UtcTime
    body: str

    @classmethod
    def of(cls, message: dict[str, Any]) -> MessagePublic:
        return cls.model_validate(
            {k: message[k] for k in ("id", "sender", "recipient", "notice_id", "sent_at", "body")}
        )


class MessageSent(MessagePublic):
    deliveries: list[DeliveryPublic] = Field(
        description="The delivery to the recipient, and a report if it could not be delivered."
    )

    @classmethod
    def sent(cls, message: dict[str, Any]) -> MessageSent:
        return cls.model_validate(message)


class MessageList(Output):
    messages: list[MessagePublic]

    @classmethod
    def of(cls, found: list[dict[str, Any]]) -> MessageList:
        return cls(messages=[MessagePublic.of(m) for m in found])
