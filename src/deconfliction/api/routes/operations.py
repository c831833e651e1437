"""Operations: readiness for a load balancer, metrics for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import Response

from deconfliction.api.deps import ServicesDep
from deconfliction.api.observability import CONTENT_TYPE_LATEST, metrics
from deconfliction.api.schemas.common import errors
from deconfliction.engine.errors import Unavailable

__all__ = ["router"]

router = APIRouter(tags=["service"])


class Readiness(BaseModel):
    status: str
    database: str
    writer: str
    listening: bool
    """Whether this node hears other nodes' commits at once (PostgreSQL ``LISTEN``); without
    it, streams still find them by polling."""


@router.get(
    "/readyz",
    response_model=Readiness,
    responses=errors(503),
    summary="Can this node take requests now (its database answers, its writer runs)",
)
async def ready(services: ServicesDep) -> Readiness:
    """200 when the database answers and the writer runs; 503 with ``Retry-After`` when not
    (a load balancer then sends requests to other nodes).  ``/healthz`` says only that the
    process is up."""
    await run_in_threadpool(services.coordinator.db.ping)
    if not services.writer.running:
        raise Unavailable("the writer is not running", 5)
    return Readiness(
        status="ready",
        database=services.coordinator.db.dialect,
        writer="running",
        listening=services.watch.listening,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Text format 0.0.4"}},
)
async def prometheus(services: ServicesDep) -> Response:
    """Requests, latencies, the writer's queue, open streams, the write critical section and
    the ledger's size (see :mod:`deconfliction.api.observability`)."""
    services.refresh_gauges()
    return Response(metrics().exposition(), media_type=CONTENT_TYPE_LATEST)
