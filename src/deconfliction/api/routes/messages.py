"""Messages between parties (duty officers, monitors), free or about a notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.messages import (
    MessageCreate,
    MessageList,
    MessagePublic,
    MessageSent,
)
from deconfliction.service import hotline, inbox

__all__ = ["router"]

router = APIRouter(prefix="/v1/messages", tags=["messages"], dependencies=[Depends(storable_text)])


@router.post(
    "",
    status_code=201,
    response_model=MessageSent,
    responses=errors(400, 401, 403, 422),
    summary="Send a message to another party (duty officer, monitor)",
)
async def send_message(body: MessageCreate, writes: WritesDep) -> MessageSent:
    """It lands in the recipient's inbox; a suspended or withdrawn recipient is reported at
    once as undelivered."""
    return await writes(
        MessageSent,
        body,
        lambda tx: MessageSent.of(
            *hotline.send_message(tx, writes.principal, body.to, body.body, body.notice_id)
        ),
    )


@router.get("", response_model=MessageList, responses=ERRORS, summary="Messages sent or received")
async def list_messages(
    reads: ReadsDep, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> MessageList:
    """Newest first."""
    return MessageList(messages=await reads(lambda r: inbox.list_messages(r, limit=limit)))


@router.get(
    "/{message_id}",
    response_model=MessagePublic,
    responses=ERRORS,
    summary="One message sent or received (reading a received one marks it read)",
)
async def get_message(message_id: str, reads: ReadsDep) -> MessagePublic:
    return await reads(lambda r: inbox.read_message(r, message_id))
