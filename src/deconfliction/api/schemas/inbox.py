"""The inbox: every item delivered to the caller's party.  An acknowledgement means
"received", nothing more; it may carry a reply."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic
from deconfliction.api.schemas.common import DeliveryPublic, Input, Output
from deconfliction.api.schemas.messages import MessagePublic
from deconfliction.api.schemas.notices import NoticePublic
from deconfliction.engine.hotline import Delivery
from deconfliction.service.alerts import AlertView
from deconfliction.service.inbox import InboxEntry
from deconfliction.service.notices import NoticeView

__all__ = ["AcknowledgementCreate", "InboxItem", "InboxList"]


class AcknowledgementCreate(Input):
    """Acknowledges receipt; stops escalation.  It approves nothing."""

    reply: str | None = Field(default=None, max_length=4000)


class InboxList(Output):
    items: list[DeliveryPublic] = Field(description="Newest first.")

    @classmethod
    def of(cls, found: list[Delivery]) -> InboxList:
        return cls(items=[DeliveryPublic.of(d) for d in found])


class InboxItem(DeliveryPublic):
    """A delivery with what it is about: the notice, the alert, the message, or (for an
    escalation to chase or an undelivered report) the delivery concerned."""

    item: NoticePublic | AlertPublic | MessagePublic | DeliveryPublic | None

    @classmethod
    def opened(cls, entry: InboxEntry) -> InboxItem:
        item: Any = entry.item
        if isinstance(item, NoticeView):
            item = NoticePublic.of(item)
        elif isinstance(item, AlertView):
            item = AlertPublic.of(item)
        elif isinstance(item, Delivery):
            item = DeliveryPublic.of(item)
        elif isinstance(item, dict):
            item = MessagePublic.of(item)
        return cls.model_construct(**dict(DeliveryPublic.of(entry.delivery)), item=item)
