"""The record as spans of time, for replay: what the console draws any instant from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from deconfliction.api.deps import ReadsDep
from deconfliction.api.schemas.common import MAX_INT64, errors
from deconfliction.api.schemas.history import HistoryPublic
from deconfliction.service.history import history

__all__ = ["router"]

router = APIRouter(tags=["history"])


@router.get(
    "/v1/history",
    response_model=HistoryPublic,
    responses=errors(401, 422),
    summary="Everything the caller may see, each item with the span in which it stood",
)
async def get_history(
    reads: ReadsDep,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_INT64,
            description="Only what the record changed after this position (a previous "
            "answer's `position`, or an event id of the live stream).",
        ),
    ] = None,
) -> HistoryPublic:
    """Every notice version with the span in which it stood (from its filing to its
    successor's), every alert with the spans in which it was open (as it stood in each), every
    zone agreement version with its span, and the sites, observations and lines.  Any
    instant `T` is drawn from it: the items whose span holds `T` are exactly what
    `GET /v1/notices?at=T&status=all`, `GET /v1/alerts?at=T` and `GET /v1/zones?at=T` answer.

    Each read is recorded; unlike the lists, no delivery is marked read (a delivery is read
    when its recipient opens it in the inbox)."""
    return HistoryPublic.of(await reads(lambda r: history(r, after)))
