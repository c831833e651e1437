"""NOTAMs in and out, and GeoJSON in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
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
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(tags=["formats"], dependencies=[Depends(storable_text)])


@router.post(
    "/v1/notams",
    status_code=201,
    response_model=NotamImported,
    responses=errors(400, 401, 403, 422),
    summary="Import ICAO NOTAMs as notices of the civil-aviation party",
)
async def import_notams(
    body: NotamBatch,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """NOTAMN files a new notice, NOTAMR a replacement, NOTAMC a cancellation, each a notice of
    the configured civil-aviation party (`DECONFLICT_NOTAM_PARTY`), checked for conflicts like
    any other.  Its duty officers, or an administrator, may import.  `atomic` (default): any
    problem refuses the batch, every problem listed (each names its NOTAM and item)."""
    party = services.settings.notam_party
    notams.may_import(principal, party)

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        found = notams.import_notams(tx, party, body.text, each=body.mode == "each")
        return 201, found.to_dict()

    return await write(
        services, principal, key, f"POST {request.url.path}", body.model_dump(mode="json"), command
    )


@router.get(
    "/v1/notices/{notice_id}/notam",
    response_model=NotamProposals,
    responses=ERRORS,
    summary="A notice as ICAO NOTAM proposals (never a publication)",
)
def notice_notam(
    notice_id: str,
    services: ServicesDep,
    principal: PrincipalDep,
    series: Annotated[str, Query(pattern="^[A-Z]$", description="Placeholder series.")] = "X",
    number: Annotated[int, Query(ge=0, le=9999, description="Placeholder first number.")] = 1,
) -> NotamProposals:
    """The Q-line circle (whole NM, rounded up) contains every volume with the widest lateral
    margin of the author's agreements; 404 when the caller may not see the notice."""
    found = services.writer.execute(
        lambda tx: notams.propose_notice(
            tx,
            principal,
            notice_id,
            fir=services.settings.notam_fir,
            series=series,
            number=number,
        )
    )
    return NotamProposals.model_validate(found.to_dict())


@router.post(
    "/v1/imports/geojson",
    status_code=201,
    response_model=GeoJsonImported,
    responses=errors(400, 401, 403, 409, 422),
    summary="Import sites, zones, lines and notices from GeoJSON (the export's shape)",
)
async def import_geojson(
    body: GeoJsonImport,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """All or nothing.  A party imports its own sites and notices (duty officer); lines and
    zones need an administrator.  Errors name the feature index and the property."""
    data = body.model_dump(mode="json")

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        report = geojson_import.import_collection(tx, principal, data)
        return 201, report.to_dict()

    return await write(services, principal, key, f"POST {request.url.path}", data, command)
