"""Messages between parties, free or about a notice both may see."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import DeliveryPublic, Input, Output, Receipted
from deconfliction.engine.hotline import Message
from deconfliction.service.hotline import MAX_MESSAGE_LENGTH

__all__ = ["MessageCreate", "MessageList", "MessagePublic", "MessageSent"]

MessagePublic = Message
"""A message (the record itself: :class:`~deconfliction.engine.hotline.Message`)."""


class MessageCreate(Input):
    to: str = Field(min_length=1, max_length=64, description="The recipient party's id.")
    body: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)
    notice_id: str | None = Field(
        default=None, max_length=64, description="A notice both parties may see."
    )


class MessageSent(Message, Receipted):
    """The message as recorded, its deliveries, and the ledger's receipt."""

    deliveries: list[DeliveryPublic] = Field(
        description="The delivery to the recipient, and a report if it could not be delivered."
    )

    @classmethod
    def of(cls, message: Message, deliveries: list[DeliveryPublic]) -> MessageSent:
        return cls.model_construct(**dict(message), deliveries=deliveries)


class MessageList(Output):
    messages: list[MessagePublic]
