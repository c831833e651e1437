"""Observations: filed by monitors, seen by the parties to the zone agreements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.observations import (
    ObservationCreate,
    ObservationFiled,
    ObservationList,
    ObservationPublic,
)
from deconfliction.service import observations
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
async def file_observation(body: ObservationCreate, writes: WritesDep) -> ObservationFiled:
    """Checked against the zone agreements; the answer lists the alerts it raised."""
    return await writes(
        ObservationFiled,
        body,
        lambda tx: ObservationFiled.of(observations.file_observation(tx, writes.principal, body)),
    )


@router.get(
    "",
    response_model=ObservationList,
    responses=ERRORS,
    summary="Observations the caller may see, by time observed",
)
async def list_observations(
    reads: ReadsDep,
    start: Annotated[str | None, Query(description="RFC 3339: observed at or after.")] = None,
    end: Annotated[str | None, Query(description="RFC 3339: observed before.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ObservationList:
    window = parse_time_range(start, end)
    return ObservationList.of(
        await reads(lambda r: observations.list_observations(r, window=window, limit=limit))
    )


@router.get(
    "/{observation_id}",
    response_model=ObservationPublic,
    responses=ERRORS,
    summary="One observation",
)
async def get_observation(observation_id: str, reads: ReadsDep) -> ObservationPublic:
    return ObservationPublic.of(
        await reads(lambda r: observations.read_observation(r, observation_id))
    )
