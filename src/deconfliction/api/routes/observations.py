"""Observations: filed by monitors, seen by the parties to the zone agreements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.observations import (
    ObservationCreate,
    ObservationFiled,
    ObservationList,
    ObservationPublic,
)
from deconfliction.service import observations
from deconfliction.service.coordinator import Tx
from deconfliction.service.filters import parse_time_range

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/observations", tags=["observations"], dependencies=[Depends(storable_text)]
)


@router.post(
    "",
    status_code=201,
    response_model=ObservationFiled,
    responses=errors(400, 401, 403, 422),
    summary="File an observation reported by the caller's party (monitor)",
)
async def file_observation(
    body: ObservationCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Checked against the zone agreements; the answer lists the alerts it raised."""

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        filing = observations.file_observation(tx, principal, body.data())
        return 201, ObservationFiled.of(filing).model_dump(mode="json", by_alias=True)

    return await write(
        services, principal, key, f"POST {request.url.path}", body.model_dump(mode="json"), command
    )


@router.get(
    "",
    response_model=ObservationList,
    responses=ERRORS,
    summary="Observations the caller may see, by time observed",
)
def list_observations(
    services: ServicesDep,
    principal: PrincipalDep,
    start: Annotated[str | None, Query(description="RFC 3339: observed at or after.")] = None,
    end: Annotated[str | None, Query(description="RFC 3339: observed before.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ObservationList:
    window = parse_time_range(start, end)
    found = services.writer.execute(
        lambda tx: observations.list_observations(tx, principal, window=window, limit=limit)
    )
    return ObservationList.of(found)


@router.get(
    "/{observation_id}",
    response_model=ObservationPublic,
    responses=ERRORS,
    summary="One observation",
)
def get_observation(
    observation_id: str, services: ServicesDep, principal: PrincipalDep
) -> ObservationPublic:
    found = services.writer.execute(
        lambda tx: observations.read_observation(tx, principal, observation_id)
    )
    return ObservationPublic.of(found)
