"""Notices: file, replace, cancel (duty officers); list and read (need to know)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from deconfliction.api.deps import PrincipalDep, ReadsDep, ServicesDep, WritesDep
from deconfliction.api.fast import FastRoute
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.notices import (
    NoticeCancel,
    NoticeCreate,
    NoticeDraft,
    NoticeFiled,
    NoticeList,
    NoticePreview,
    NoticePublic,
    NoticeReadsPublic,
    NoticeReplace,
    NoticeVersions,
)
from deconfliction.service import notices
from deconfliction.service.filters import parse_bbox, parse_time, parse_time_range

__all__ = ["FAST_ROUTES", "router"]

router = APIRouter(prefix="/v1/notices", tags=["notices"], dependencies=[Depends(storable_text)])

_WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)


@router.post(
    "",
    status_code=201,
    response_model=NoticeFiled,
    responses=errors(400, 401, 403, 422),
    summary="File a notice (duty officer)",
)
async def file_notice(body: NoticeCreate, writes: WritesDep) -> NoticeFiled:
    """The notice is accepted and recorded at the server's time, delivered to its addressees,
    and checked for conflicts; the answer lists the alerts it raised that concern the caller.
    Nothing is approved or denied."""
    return await writes(
        NoticeFiled,
        body,
        lambda tx: notices.file_notice(
            tx, writes.principal, kind=body.kind, title=body.title, volumes=body.volumes
        ),
        NoticeFiled.of,
    )


@router.post(
    "/preview",
    response_model=NoticePreview,
    responses=_WRITE_ERRORS,
    summary="Check a draft notice: its conflicts and lead time, recording nothing",
)
async def preview_notice(
    body: NoticeDraft, services: ServicesDep, principal: PrincipalDep
) -> NoticePreview:
    """The same checks as filing, at the server's time now, without recording anything:
    the outlines as the server renders them, the lead time, the addressees and the alerts
    filing it would raise.  Informative only: a notice is never refused for a conflict.

    It runs where filing runs (on the writer), since only there is the situation a filing
    would be assessed against; it takes no receipt because it records nothing."""
    found = await run_in_threadpool(
        services.writer.execute,
        lambda tx: notices.preview_notice(
            tx,
            principal,
            kind=body.kind,
            title=body.title,
            volumes=body.volumes,
            replaces=body.replaces,
        ),
    )
    return NoticePreview.of(found)


@router.post(
    "/{notice_id}/replace",
    status_code=201,
    response_model=NoticeFiled,
    responses=_WRITE_ERRORS,
    summary="File a new version of one's own current notice (duty officer)",
)
async def replace_notice(notice_id: str, body: NoticeReplace, writes: WritesDep) -> NoticeFiled:
    """409 when the notice was already replaced or cancelled: replace the current version."""
    return await writes(
        NoticeFiled,
        body,
        lambda tx: notices.replace_notice(
            tx,
            writes.principal,
            notice_id,
            kind=body.kind,
            title=body.title,
            volumes=body.volumes,
        ),
        NoticeFiled.of,
    )


@router.post(
    "/{notice_id}/cancel",
    status_code=201,
    response_model=NoticeFiled,
    responses=_WRITE_ERRORS,
    summary="Cancel one's own current notice (duty officer)",
)
async def cancel_notice(
    notice_id: str,
    writes: WritesDep,
    body: Annotated[NoticeCancel | None, Body()] = None,
) -> NoticeFiled:
    """Files a cancellation; the notice's open alerts close with the reason."""
    cancel = body or NoticeCancel()
    return await writes(
        NoticeFiled,
        cancel,
        lambda tx: notices.cancel_notice(tx, writes.principal, notice_id, title=cancel.title),
        NoticeFiled.of,
    )


@router.get(
    "",
    response_model=NoticeList,
    responses=ERRORS,
    summary="Notices the caller may see, by time window, area, status and author",
)
async def list_notices(
    reads: ReadsDep,
    start: Annotated[
        str | None,
        Query(description="RFC 3339: only volumes ending after this time."),
    ] = None,
    end: Annotated[
        str | None, Query(description="RFC 3339: only volumes starting before this time.")
    ] = None,
    bbox: Annotated[
        str | None,
        Query(
            description="west,south,east,north in degrees: only volumes meeting the box.",
            examples=["35.7,33.0,36.1,33.3"],
        ),
    ] = None,
    status: Annotated[
        notices.NoticeStatus,
        Query(description="current (default), replaced, cancelled (and cancellations), all"),
    ] = notices.NoticeStatus.current,
    author: Annotated[str | None, Query(description="Only this party's notices.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    at: Annotated[
        str | None,
        Query(
            description="RFC 3339: the notices as they stood at that time (versions filed by "
            "then, each with its status then)."
        ),
    ] = None,
) -> NoticeList:
    """Oldest first.  Only the caller's own notices and those addressed to it; each read of
    another party's notice is recorded."""
    query = notices.NoticeQuery(
        window=parse_time_range(start, end),
        bbox=parse_bbox(bbox),
        status=status,
        author=author,
        limit=limit,
        at=parse_time(at, "at"),
    )
    return NoticeList.of(await reads(lambda r: notices.list_notices(r, query)))


@router.get(
    "/{notice_id}",
    response_model=NoticePublic,
    responses=ERRORS,
    summary="One notice (its read is recorded)",
)
async def get_notice(notice_id: str, reads: ReadsDep) -> NoticePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return NoticePublic.of(await reads(lambda r: notices.read_notice(r, notice_id)))


@router.get(
    "/{notice_id}/versions",
    response_model=NoticeVersions,
    responses=ERRORS,
    summary="Every version of the notice's chain the caller may see",
)
async def notice_versions(notice_id: str, reads: ReadsDep) -> NoticeVersions:
    return NoticeVersions.of(await reads(lambda r: notices.notice_versions(r, notice_id)))


@router.get(
    "/{notice_id}/reads",
    response_model=NoticeReadsPublic,
    responses=ERRORS,
    summary="Who read one's own notice, and when (author only)",
)
async def notice_reads(notice_id: str, reads: ReadsDep) -> NoticeReadsPublic:
    """For the author's party only; anyone else gets 404."""
    return NoticeReadsPublic.of(await reads(lambda r: notices.notice_reads(r, notice_id)))


FAST_ROUTES = [
    FastRoute.of(r) for r in router.routes if isinstance(r, APIRoute) and r.endpoint is file_notice
]
"""Filing takes a light path when its request is well-formed (``api/fast.py``)."""
