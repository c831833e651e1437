"""NOTAMs in and out, and GeoJSON in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from deconfliction.api.deps import ReadsDep, ServicesDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.formats import (
    GeoJsonImport,
    GeoJsonImported,
    NotamBatch,
    NotamImported,
    NotamProposals,
)
from deconfliction.service import geojson_import, notams

__all__ = ["router"]

router = APIRouter(tags=["formats"], dependencies=[Depends(storable_text)])


@router.post(
    "/v1/notams",
    status_code=201,
    response_model=NotamImported,
    responses=errors(400, 401, 403, 422),
    summary="Import ICAO NOTAMs as notices of the civil-aviation party",
)
async def import_notams(body: NotamBatch, writes: WritesDep) -> NotamImported:
    """NOTAMN files a new notice, NOTAMR a replacement, NOTAMC a cancellation, each a notice of
    the configured civil-aviation party (`DECONFLICT_NOTAM_PARTY`), checked for conflicts like
    any other.  Its duty officers, or an administrator, may import.  `atomic` (default): any
    problem refuses the batch, every problem listed (each names its NOTAM and item)."""
    party = writes.services.settings.notam_party
    notams.may_import(writes.principal, party)
    return await writes(
        NotamImported,
        body,
        lambda tx: NotamImported.model_validate(
            notams.import_notams(tx, party, body.text, each=body.mode == "each").to_dict()
        ),
    )


@router.get(
    "/v1/notices/{notice_id}/notam",
    response_model=NotamProposals,
    responses={
        **ERRORS,
        200: {
            "description": (
                "format=icao: the proposals as JSON (this model); format=faa-geojson: a page "
                "of the FAA NOTAM API's GeoJSON response; format=aixm: an AIXM 5.1 basic "
                "message (an Event and its Airspace per proposal)."
            ),
            "content": {
                notams.MEDIA_TYPES[notams.NotamFormat.faa_geojson]: {},
                notams.MEDIA_TYPES[notams.NotamFormat.aixm]: {},
            },
        },
    },
    summary="A notice as NOTAM proposals: ICAO text, FAA GeoJSON or AIXM (never a publication)",
)
async def notice_notam(
    notice_id: str,
    services: ServicesDep,
    reads: ReadsDep,
    series: Annotated[str, Query(pattern="^[A-Z]$", description="Placeholder series.")] = "X",
    number: Annotated[int, Query(ge=0, le=9999, description="Placeholder first number.")] = 1,
    format: Annotated[
        notams.NotamFormat,
        Query(description="icao (default), faa-geojson or aixm: the same proposals."),
    ] = notams.NotamFormat.icao,
) -> NotamProposals | Response:
    """The Q-line circle (whole NM, rounded up) contains every volume with the widest lateral
    margin of the author's agreements; 404 when the caller may not see the notice.  Every
    format is written from the same proposals."""
    fir = services.settings.notam_fir
    found = await reads(
        lambda r: notams.propose_notice(r, notice_id, fir=fir, series=series, number=number)
    )
    if format is notams.NotamFormat.icao:
        return NotamProposals.model_validate(found.to_dict())
    return Response(found.render(format), media_type=notams.MEDIA_TYPES[format])


@router.post(
    "/v1/imports/geojson",
    status_code=201,
    response_model=GeoJsonImported,
    responses=errors(400, 401, 403, 409, 422),
    summary="Import sites, zones, lines and notices from GeoJSON (the export's shape)",
)
async def import_geojson(body: GeoJsonImport, writes: WritesDep) -> GeoJsonImported:
    """All or nothing.  A party imports its own sites and notices (duty officer); lines and
    zones need an administrator.  Errors name the feature index and the property."""
    data = body.model_dump(mode="json")
    return await writes(
        GeoJsonImported,
        body,
        lambda tx: GeoJsonImported.model_validate(
            geojson_import.import_collection(tx, writes.principal, data).to_dict()
        ),
    )
