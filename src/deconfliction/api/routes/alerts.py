"""Alerts: only those naming the caller's party; every read is recorded."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from deconfliction.api.deps import ReadsDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.alerts import AlertList, AlertPublic
from deconfliction.api.schemas.common import ERRORS
from deconfliction.engine.alerts import AlertStatus
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.service import alerts
from deconfliction.service.filters import parse_time

__all__ = ["router"]

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], dependencies=[Depends(storable_text)])


@router.get("", response_model=AlertList, responses=ERRORS, summary="Alerts naming the caller")
async def list_alerts(
    reads: ReadsDep,
    status: Annotated[
        Literal["open", "closed", "all"], Query(description="open, closed or all (default).")
    ] = "all",
    kind: Annotated[AlertKind | None, Query(description="Only alerts of this kind.")] = None,
    at: Annotated[
        str | None,
        Query(description="RFC 3339: the alerts open at that time, as they stood then."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AlertList:
    """Oldest first.  Reading them is recorded."""
    instant = parse_time(at, "at")
    wanted = None if status == "all" else AlertStatus(status)
    views = await reads(
        lambda r: alerts.list_alerts(r, status=wanted, kind=kind, at=instant, limit=limit)
    )
    return AlertList.of(views)


@router.get(
    "/{alert_id}",
    response_model=AlertPublic,
    responses=ERRORS,
    summary="One alert (its read is recorded and the caller's delivery marked read)",
)
async def get_alert(alert_id: str, reads: ReadsDep) -> AlertPublic:
    """404, exactly as for an unknown id, when the alert does not name the caller's party."""
    return AlertPublic.of(await reads(lambda r: alerts.read_alert(r, alert_id)))
