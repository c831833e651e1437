"""Live tracks: feeders post what their receivers hear; parties see the aircraft they may."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from deconfliction.api.deps import PrincipalDep, ServicesDep, WritesDep
from deconfliction.api.routes.stream import EventStream
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.tracks import Declared, FeedAnswer, TrackList, TrackPublic
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.tracks.terms import DeclarationIn
from deconfliction.service.filters import parse_time
from deconfliction.service.tracks import FORMATS

__all__ = ["router"]

router = APIRouter(prefix="/v1/tracks", tags=["tracks"])

MAX_CHUNK = 8 * 1024 * 1024


def _reference(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise InvalidInput.at(("reference",), f"{text!r} is not LAT,LON") from None
    return lat, lon


@router.post(
    "/feed",
    response_model=FeedAnswer,
    responses=errors(400, 401, 403, 422),
    summary="Post what a receiver heard, in its own format (not recorded: merged into the picture)",
)
async def feed(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    format: Annotated[str, Query(description=f"One of: {', '.join(FORMATS)}.")],
    source: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")],
    utc_offset_s: Annotated[float, Query(ge=-86400, le=86400)] = 0.0,
    day: Annotated[date | None, Query(description="UTC date of ASTERIX times of day.")] = None,
    reference: Annotated[str | None, Query(description="Receiver LAT,LON (Beast).")] = None,
) -> FeedAnswer:
    """The body is the raw bytes (SBS lines, an ``aircraft.json`` or OpenSky document,
    ASTERIX data blocks, Beast frames).  Streams may be cut anywhere: the server keeps what a
    message split across two posts needs, per party, format and source."""
    body = await request.body()
    if len(body) > MAX_CHUNK:
        raise InvalidInput.at(("body",), f"more than {MAX_CHUNK} bytes: post smaller chunks")
    options: dict[str, Any] = {}
    if format == "sbs":
        options["utc_offset_s"] = utc_offset_s
    elif format == "asterix":
        options["day"] = day
    elif format == "beast":
        options["reference"] = _reference(reference)
    result = await run_in_threadpool(
        services.tracks.feed, principal, format, source, body, **options
    )
    return FeedAnswer.of(result)


@router.get(
    "",
    response_model=TrackList,
    responses=ERRORS,
    summary="The aircraft the caller may see, as last reported",
)
def list_tracks(
    services: ServicesDep,
    principal: PrincipalDep,
    trails: Annotated[bool, Query(description="Include each aircraft's recent trail.")] = False,
    at: Annotated[
        str | None,
        Query(
            description="RFC 3339: the aircraft as they stood at that time, from the track "
            "history (memory, then the record: `tracks_record_days`), and who could see them then."
        ),
    ] = None,
) -> TrackList:
    """Its own aircraft; another party's while an open tactical alert names both; aircraft
    nobody declared where track terms let the caller see them.  With ``at``, each aircraft at
    its last sample at or before then (no older than ``tracks_max_age_s``), seen under the
    tactical alerts open then, with its trail up to then."""
    tracks = services.tracks
    instant = parse_time(at, "at")
    if instant is not None:
        return TrackList(
            tracks=[
                TrackPublic.of_sample(key, then, who, trail if trails else None)
                for key, then, trail, who in tracks.visible_at(
                    principal.party, instant, trails=trails
                )
            ]
        )
    return TrackList(
        tracks=[
            TrackPublic.of(state, who, tracks.trail(state.key) if trails else None)
            for state, who in tracks.visible(principal.party)
        ]
    )


@router.post(
    "/aircraft",
    status_code=201,
    response_model=Declared,
    responses=errors(400, 401, 403, 422),
    summary="Declare the caller's party's aircraft (ICAO addresses, callsigns)",
)
async def declare(body: DeclarationIn, writes: WritesDep) -> Declared:
    tracks = writes.services.tracks
    return await writes(
        Declared,
        body,
        lambda tx: Declared.model_validate(tracks.declare(tx, writes.principal, body)),
    )


@router.get(
    "/stream",
    status_code=200,
    response_class=EventStream,
    responses={
        200: {
            "description": "An endless `text/event-stream` of `tracks` events.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **ERRORS,
    },
    summary="Live positions of the aircraft the caller may see (Server-Sent Events)",
)
async def stream(
    services: ServicesDep,
    principal: PrincipalDep,
    interval: Annotated[float, Query(ge=0.5, le=60, description="Seconds between updates.")] = 1.0,
) -> EventStream:
    """One ``tracks`` event per ``interval`` (never faster than the tick) with the aircraft
    the caller may see that changed since the last one (the first event, sent at once even
    when empty: every one of them), and under ``gone`` the keys of those
    it could see and no longer may (or that were dropped).  Alerts come on ``/v1/stream``."""
    tracks = services.tracks
    period = max(interval, services.settings.tracks_tick_s)

    async def body() -> AsyncIterator[bytes]:
        sent: dict[str, float] = {}
        first = True  # the first event is always sent: the whole picture, even when empty
        yield b"retry: 2000\n\n"
        while True:
            visible = await run_in_threadpool(tracks.visible, principal.party)
            changed = [
                TrackPublic.of(s, who).model_dump(mode="json")
                for s, who in visible
                if sent.get(s.key) != s.last
            ]
            gone = sorted(set(sent) - {s.key for s, _ in visible})
            sent = {s.key: s.last for s, _ in visible}
            if changed or gone or first:
                first = False
                data = json.dumps({"tracks": changed, "gone": gone}, separators=(",", ":"))
                yield f"event: tracks\ndata: {data}\n\n".encode()
            else:
                yield b": keep-alive\n\n"
            await asyncio.sleep(period)

    return EventStream(body(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
