"""Zone agreements: seen and changed by their signatories and monitors."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, answered, errors
from deconfliction.api.schemas.zones import (
    ZoneAnswer,
    ZoneCreate,
    ZoneList,
    ZonePublic,
    ZoneReplace,
)
from deconfliction.engine.model import ZoneAgreement
from deconfliction.service import configuration
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/zones", tags=["zones"], dependencies=[Depends(storable_text)])


@router.get(
    "",
    response_model=ZoneList,
    responses=ERRORS,
    summary="Zone agreements the caller signed or monitors",
)
async def list_zones(reads: ReadsDep) -> ZoneList:
    return ZoneList(zones=[ZonePublic.of(x) for x in await reads(configuration.list_zones)])


@router.get("/{zone_id}", response_model=ZonePublic, responses=ERRORS, summary="One zone agreement")
async def get_zone(zone_id: str, reads: ReadsDep) -> ZonePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return ZonePublic.of(await reads(lambda r: configuration.get_zone(r, zone_id)))


def _answer(tx: Tx, zone: ZoneAgreement) -> ZoneAnswer:
    compiled = tx.situation.geography.zones[zone.id]
    line = tx.situation.geography.lines.get(getattr(zone.area, "line", ""))
    view = configuration.ZoneView(compiled, {} if line is None else {line.id: line})
    return answered(ZoneAnswer, ZonePublic.of(view))


@router.post(
    "",
    status_code=201,
    response_model=ZoneAnswer,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a zone agreement (admin)",
)
async def create_zone(body: ZoneCreate, writes: WritesDep) -> ZoneAnswer:
    item = ZoneAgreement.model_construct(**dict(body))
    return await writes(
        ZoneAnswer, body, lambda tx: _answer(tx, configuration.create(tx, writes.principal, item))
    )


@router.put(
    "/{zone_id}",
    response_model=ZoneAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace a zone agreement with new content (admin)",
)
async def replace_zone(zone_id: str, body: ZoneReplace, writes: WritesDep) -> ZoneAnswer:
    item = ZoneAgreement.model_construct(**{**dict(body), "id": body.id or zone_id})
    return await writes(
        ZoneAnswer,
        body,
        lambda tx: _answer(tx, configuration.replace(tx, writes.principal, zone_id, item)),
    )
