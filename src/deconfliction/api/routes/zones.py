"""Zone agreements: seen by their signatories and monitors (and admins); admins add and change them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.zones import (
    ZoneCreate,
    ZoneList,
    ZonePublic,
    ZoneReplace,
)
from deconfliction.engine.model import ZoneAgreement
from deconfliction.service import configuration
from deconfliction.service.coordinator import Tx
from deconfliction.service.filters import parse_time
from deconfliction.service.history import zones_at

__all__ = ["router"]

router = APIRouter(prefix="/v1/zones", tags=["zones"], dependencies=[Depends(storable_text)])


@router.get(
    "",
    response_model=ZoneList,
    responses=ERRORS,
    summary="Zone agreements the caller signed or monitors",
)
def list_zones(
    services: ServicesDep,
    principal: PrincipalDep,
    at: Annotated[
        str | None,
        Query(
            description="RFC 3339: each agreement as it stood then (the version recorded "
            "last at or before that time; the first version before it was recorded)."
        ),
    ] = None,
) -> ZoneList:
    instant = parse_time(at, "at")
    found = services.writer.execute(
        lambda tx: (
            configuration.list_zones(tx, principal)
            if instant is None
            else zones_at(tx, principal, instant)
        )
    )
    return ZoneList(zones=[ZonePublic.of(x) for x in found])


@router.get("/{zone_id}", response_model=ZonePublic, responses=ERRORS, summary="One zone agreement")
def get_zone(zone_id: str, services: ServicesDep, principal: PrincipalDep) -> ZonePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    found = services.writer.execute(lambda tx: configuration.get_zone(tx, principal, zone_id))
    return ZonePublic.of(found)


@router.post(
    "",
    status_code=201,
    response_model=ZonePublic,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a zone agreement (admin)",
)
async def create_zone(
    body: ZoneCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        created = configuration.create(tx, principal, ZoneAgreement, body.data())
        return 201, ZonePublic.of(configuration.get_zone(tx, principal, created.id)).model_dump(
            mode="json", by_alias=True
        )

    return await write(services, principal, key, f"POST {request.url.path}", body.data(), command)


@router.put(
    "/{zone_id}",
    response_model=ZonePublic,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace a zone agreement with new content (admin)",
)
async def replace_zone(
    zone_id: str,
    body: ZoneReplace,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        replaced = configuration.replace(tx, principal, ZoneAgreement, zone_id, body.data())
        return 200, ZonePublic.of(configuration.get_zone(tx, principal, replaced.id)).model_dump(
            mode="json", by_alias=True
        )

    return await write(services, principal, key, f"PUT {request.url.path}", body.data(), command)
