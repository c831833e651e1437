"""The record as spans of time, for replay: what the console draws any instant from.

The answer can be large (10,000 notices are tens of megabytes of JSON): it is gzipped when the
client accepts it, its outlines can be asked at the map's drawing tolerance, and it can come
in parts (``Accept: application/x-ndjson``) so that a map draws the first notices while the
rest is made.  Whatever its form, it holds the same items: what the caller may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from deconfliction.api.deps import ReadsDep
from deconfliction.api.schemas.common import MAX_INT64, errors
from deconfliction.api.schemas.history import HistoryPublic, Outlines, history_parts
from deconfliction.service.compression import accepts, gzip_chunks, gzip_whole
from deconfliction.service.history import History, history

__all__ = ["NDJSON", "router"]

router = APIRouter(tags=["history"])

NDJSON = "application/x-ndjson"


def _lines(found: History, outlines: Outlines) -> Iterator[bytes]:
    for part in history_parts(found, outlines):
        yield part.model_dump_json(by_alias=True).encode() + b"\n"


def _whole(found: History, outlines: Outlines, gzip: bool) -> bytes:
    body = HistoryPublic.of(found, outlines).model_dump_json(by_alias=True).encode()
    return gzip_whole(body) if gzip else body


@router.get(
    "/v1/history",
    response_model=HistoryPublic,
    responses={
        **errors(401, 422),
        200: {
            "content": {
                NDJSON: {
                    "schema": {
                        "description": "One HistoryPublic per line (`Accept: "
                        "application/x-ndjson`): the parts of the answer."
                    }
                }
            }
        },
    },
    summary="Everything the caller may see, each item with the span in which it stood",
)
async def get_history(
    request: Request,
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
    outlines: Annotated[
        Outlines,
        Query(
            description="`exact`: each volume's `geometry` rendered to about a metre, as "
            "everywhere in the API; `drawn`: to the map's drawing tolerance "
            "(`outline_tolerance_m`), a fraction of the size.  The notice's own `outline` is "
            "exact either way."
        ),
    ] = Outlines.exact,
) -> Response:
    """Every notice version with the span in which it stood (from its filing to its
    successor's), every alert with the spans in which it was open (as it stood in each), every
    zone agreement version with its span, and the sites, observations and lines.  Any
    instant `T` is drawn from it: the items whose span holds `T` are exactly what
    `GET /v1/notices?at=T&status=all`, `GET /v1/alerts?at=T` and `GET /v1/zones?at=T` answer.

    With `Accept: application/x-ndjson` the answer comes in parts, one JSON object per line,
    each a whole answer of the same `position`: the first holds everything but the notices
    after its first few hundred, each next one more notices and nothing else.  Merged in
    order they are the whole answer.  Gzipped when `Accept-Encoding` admits gzip.

    Each read is recorded; unlike the lists, no delivery is marked read (a delivery is read
    when its recipient opens it in the inbox)."""
    found = await reads(lambda r: history(r, after))
    gzip = accepts(request.headers.get("accept-encoding"), "gzip", wildcard="*")
    headers = {"Vary": "Accept, Accept-Encoding"}
    if gzip:
        headers["Content-Encoding"] = "gzip"
    if accepts(request.headers.get("accept"), NDJSON):
        lines = _lines(found, outlines)
        return StreamingResponse(
            iterate_in_threadpool(gzip_chunks(lines) if gzip else lines),
            media_type=NDJSON,
            headers=headers,
        )
    body = await run_in_threadpool(_whole, found, outlines, gzip)
    return Response(body, media_type="application/json", headers=headers)
