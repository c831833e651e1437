"""The inbox: every item delivered to the caller's party.  An acknowledgement means
"received", nothing more; it may carry a reply."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic
from deconfliction.api.schemas.common import DeliveryPublic, Input, Output, Receipted
from deconfliction.api.schemas.incidents import IncidentPublic
from deconfliction.api.schemas.messages import MessagePublic
from deconfliction.api.schemas.notices import NoticePublic
from deconfliction.engine.hotline import Delivery
from deconfliction.engine.model.incidents import Incident
from deconfliction.service.alerts import AlertView
from deconfliction.service.hotline import MAX_MESSAGE_LENGTH
from deconfliction.service.inbox import InboxEntry
from deconfliction.service.notices import NoticeView

__all__ = ["AcknowledgementCreate", "DeliveryAnswer", "InboxItem", "InboxList"]


class AcknowledgementCreate(Input):
    """Acknowledges receipt; stops escalation.  It approves nothing."""

    reply: str | None = Field(default=None, max_length=MAX_MESSAGE_LENGTH)


class InboxList(Output):
    items: list[DeliveryPublic] = Field(description="Newest first.")


class DeliveryAnswer(Delivery, Receipted):
    """The delivery as it now stands (read, or acknowledged: "received"), with the ledger's
    receipt."""

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryAnswer:
        return cls.model_construct(**dict(delivery))


class InboxItem(Delivery):
    """A delivery with what it is about: the notice, the alert, the message, or (for an
    escalation to chase or an undelivered report) the delivery concerned."""

    item: NoticePublic | AlertPublic | MessagePublic | IncidentPublic | DeliveryPublic | None

    @classmethod
    def opened(cls, entry: InboxEntry, delivery: Delivery) -> InboxItem:
        """``entry`` as read, with ``delivery`` as it stands after the read was recorded."""
        item: Any = entry.item
        if isinstance(item, NoticeView):
            item = NoticePublic.of(item)
        elif isinstance(item, AlertView):
            item = AlertPublic.of(item)
        elif isinstance(item, Incident):
            item = IncidentPublic.of(item)
        return cls.model_construct(**dict(delivery), item=item)
