"""The inbox: what was delivered to the caller's party; read it, acknowledge it ("received")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.concurrency import run_in_threadpool

from deconfliction.api.deps import ReadsDep, ServicesDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.inbox import (
    AcknowledgementCreate,
    DeliveryAnswer,
    InboxItem,
    InboxList,
)
from deconfliction.engine.hotline import DeliveryStatus
from deconfliction.service import hotline, inbox

__all__ = ["router"]

router = APIRouter(prefix="/v1/inbox", tags=["inbox"], dependencies=[Depends(storable_text)])


@router.get("", response_model=InboxList, responses=ERRORS, summary="The caller's inbox")
async def list_inbox(
    reads: ReadsDep,
    status: Annotated[
        DeliveryStatus | None,
        Query(description="delivered, read, acknowledged or undelivered."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> InboxList:
    """Newest first; listing marks nothing read (open an item to read it)."""
    return InboxList(items=await reads(lambda r: inbox.list_inbox(r, status=status, limit=limit)))


@router.get(
    "/{delivery_id}",
    response_model=InboxItem,
    responses=ERRORS,
    summary="Open an inbox item: marks it read, records the read",
)
async def open_item(delivery_id: str, reads: ReadsDep, services: ServicesDep) -> InboxItem:
    entry = await reads(lambda r: inbox.open_inbox_item(r, delivery_id))
    delivery = await run_in_threadpool(
        services.writer.execute,
        lambda tx: hotline.read_delivery(tx, reads.principal, delivery_id),
    )
    return InboxItem.opened(entry, delivery)


@router.post(
    "/{delivery_id}/read",
    response_model=DeliveryAnswer,
    responses=errors(401, 404, 422),
    summary="Mark an inbox item read",
)
async def mark_read(delivery_id: str, writes: WritesDep) -> DeliveryAnswer:
    return await writes(
        DeliveryAnswer,
        None,
        lambda tx: DeliveryAnswer.of(hotline.read_delivery(tx, writes.principal, delivery_id)),
    )


@router.post(
    "/{delivery_id}/ack",
    response_model=DeliveryAnswer,
    responses=errors(400, 401, 403, 404, 409, 422),
    summary='Acknowledge an inbox item: "received" (duty officer, monitor)',
)
async def acknowledge(
    delivery_id: str,
    writes: WritesDep,
    body: Annotated[AcknowledgementCreate | None, Body()] = None,
) -> DeliveryAnswer:
    """An acknowledgement means "received", nothing more: it approves nothing.  It stops the
    escalation and may carry a reply.  A second acknowledgement is refused (409)."""
    ack = body or AcknowledgementCreate()
    return await writes(
        DeliveryAnswer,
        ack,
        lambda tx: DeliveryAnswer.of(
            hotline.acknowledge_delivery(tx, writes.principal, delivery_id, ack.reply)
        ),
    )
