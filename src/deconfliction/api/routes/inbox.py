"""The inbox: what was delivered to the caller's party; read it, acknowledge it ("received")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, DeliveryPublic, errors
from deconfliction.api.schemas.inbox import AcknowledgementCreate, InboxItem, InboxList
from deconfliction.engine.hotline import DeliveryStatus
from deconfliction.service import hotline, inbox
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/inbox", tags=["inbox"], dependencies=[Depends(storable_text)])


@router.get("", response_model=InboxList, responses=ERRORS, summary="The caller's inbox")
async def list_inbox(
    services: ServicesDep,
    principal: PrincipalDep,
    status: Annotated[
        DeliveryStatus | None,
        Query(description="delivered, read, acknowledged or undelivered."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> InboxList:
    """Newest first; listing marks nothing read (open an item to read it)."""
    found = await run_in_threadpool(
        inbox.list_inbox, services.coordinator, principal, status=status, limit=limit
    )
    return InboxList.of(found)


@router.get(
    "/{delivery_id}",
    response_model=InboxItem,
    responses=ERRORS,
    summary="Open an inbox item: marks it read, records the read",
)
def open_item(delivery_id: str, services: ServicesDep, principal: PrincipalDep) -> InboxItem:
    entry = services.writer.execute(lambda tx: inbox.open_inbox_item(tx, principal, delivery_id))
    return InboxItem.opened(entry)


@router.post(
    "/{delivery_id}/read",
    response_model=DeliveryPublic,
    responses=errors(401, 404, 422),
    summary="Mark an inbox item read",
)
async def mark_read(
    delivery_id: str,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        delivery = hotline.read_delivery(tx, principal, delivery_id)
        return 200, DeliveryPublic.of(delivery).model_dump(mode="json")

    return await write(services, principal, key, f"POST {request.url.path}", None, command)


@router.post(
    "/{delivery_id}/ack",
    response_model=DeliveryPublic,
    responses=errors(400, 401, 403, 404, 409, 422),
    summary='Acknowledge an inbox item: "received" (duty officer, monitor)',
)
async def acknowledge(
    delivery_id: str,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    body: Annotated[AcknowledgementCreate | None, Body()] = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """An acknowledgement means "received", nothing more: it approves nothing.  It stops the
    escalation and may carry a reply.  A second acknowledgement is refused (409)."""
    ack = body or AcknowledgementCreate()

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        delivery = hotline.acknowledge_delivery(tx, principal, delivery_id, ack.reply)
        return 200, DeliveryPublic.of(delivery).model_dump(mode="json")

    return await write(
        services, principal, key, f"POST {request.url.path}", ack.model_dump(mode="json"), command
    )
