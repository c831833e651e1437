"""Zone agreements: seen and changed by their signatories and monitors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from deconfliction.api.deps import ReadsDep
from deconfliction.api.guards import storable_text
from deconfliction.api.routes.binding import add_proposal_routes
from deconfliction.api.schemas.common import ERRORS
from deconfliction.api.schemas.zones import (
    ZoneCreate,
    ZoneList,
    ZonePublic,
    ZoneReplace,
)
from deconfliction.engine.model import ZoneAgreement
from deconfliction.service import configuration
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
async def list_zones(
    reads: ReadsDep,
    at: Annotated[
        str | None,
        Query(
            description="RFC 3339: each agreement as it stood then (the version recorded "
            "last at or before that time; the first version before it was recorded)."
        ),
    ] = None,
) -> ZoneList:
    instant = parse_time(at, "at")
    found = await reads(
        configuration.list_zones if instant is None else (lambda r: zones_at(r, instant))
    )
    return ZoneList(zones=[ZonePublic.of(x) for x in found])


@router.get("/{zone_id}", response_model=ZonePublic, responses=ERRORS, summary="One zone agreement")
async def get_zone(zone_id: str, reads: ReadsDep) -> ZonePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return ZonePublic.of(await reads(lambda r: configuration.get_zone(r, zone_id)))


add_proposal_routes(
    router,
    name="zone agreement",
    model=ZoneAgreement,
    create=ZoneCreate,
    replace=ZoneReplace,
    path_name="zone_id",
)
