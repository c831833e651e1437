"""Messages between parties (duty officers, monitors), free or about a notice."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.messages import (
    MessageCreate,
    MessageList,
    MessagePublic,
    MessageSent,
)
from deconfliction.service import hotline, inbox
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/messages", tags=["messages"], dependencies=[Depends(storable_text)])


@router.post(
    "",
    status_code=201,
    response_model=MessageSent,
    responses=errors(400, 401, 403, 422),
    summary="Send a message to another party (duty officer, monitor)",
)
async def send_message(
    body: MessageCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """It lands in the recipient's inbox; a suspended or withdrawn recipient is reported at
    once as undelivered."""

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        sent = hotline.send_message(tx, principal, body.to, body.body, body.notice_id)
        return 201, MessageSent.sent(sent).model_dump(mode="json")

    return await write(
        services, principal, key, f"POST {request.url.path}", body.model_dump(mode="json"), command
    )


@router.get("", response_model=MessageList, responses=ERRORS, summary="Messages sent or received")
async def list_messages(
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> MessageList:
    """Newest first."""
    found = await run_in_threadpool(
        inbox.list_messages, services.coordinator, principal, limit=limit
    )
    return MessageList.of(found)


@router.get(
    "/{message_id}",
    response_model=MessagePublic,
    responses=ERRORS,
    summary="One message sent or received (reading a received one marks it read)",
)
def get_message(message_id: str, services: ServicesDep, principal: PrincipalDep) -> MessagePublic:
    found = services.writer.execute(lambda tx: inbox.read_message(tx, principal, message_id))
    return MessagePublic.of(found)
