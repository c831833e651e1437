"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from deconfliction import __version__
from deconfliction.api import errors
from deconfliction.api.bodies import BodyGuard
from deconfliction.api.fast import Direct
from deconfliction.api.observability import RequestContext
from deconfliction.api.routes import ROUTERS
from deconfliction.api.routes.notices import FAST_ROUTES
from deconfliction.api.services import Services
from deconfliction.service.collector import freeze_once, serve_thresholds
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.hotline import escalate_due
from deconfliction.service.proposals import expire_due
from deconfliction.service.records import sign_head_now
from deconfliction.service.settings import Settings
from deconfliction.service.track_readers import parse_sources, start_readers
from deconfliction.service.track_rounds import round_wait

__all__ = ["create_app"]

log = logging.getLogger("deconfliction.api")

DESCRIPTION = """\
A neutral notification channel between parties that share airspace and ground.

**Notification, never permission.**  Nothing here approves or denies anything: a notice is
accepted, recorded and delivered; the service computes what it conflicts with and tells the
parties concerned.  An acknowledgement means "received", nothing more.

**Need to know.**  A party sees what is addressed to it or concerns it.  Anything else answers
404, exactly as if it did not exist.  Reads of another party's notices, sites and alerts are
recorded.

Authenticate with `Authorization: Bearer <token>` (`deconflict token create`).  Writes accept an
`Idempotency-Key` header: a retried request is performed once.  Errors share one shape:
`{"error": {"status", "type", "message", "problems": [{"path", "reason"}]}}`.
"""


def _timers(tx: Tx) -> None:
    """What falls due by the clock: escalation steps, proposals past their deadline."""
    escalate_due(tx)
    expire_due(tx)


async def _escalation_loop(services: Services) -> None:
    interval = services.settings.escalation_interval_s
    while True:
        try:
            await run_in_threadpool(services.writer.execute, _timers)
        except Exception:  # keep the hotline chasing even if one round fails
            log.exception("escalation round failed")
        await asyncio.sleep(interval)


async def _tracks_loop(services: Services) -> None:
    """Predict, check and record over the live tracks: a round as soon as reports arrived
    since the last one started, no sooner than ``tracks_round_min_s`` after it, and one at
    least every ``tracks_tick_s`` (``round_wait``)."""
    tracks, settings = services.tracks, services.settings
    clock = asyncio.get_running_loop().time
    last, seen = -math.inf, -1
    while True:
        now = clock()
        wait = round_wait(
            now, last, tracks.fed != seen, settings.tracks_round_min_s, settings.tracks_tick_s
        )
        if wait > 0:
            await asyncio.sleep(wait)
            continue
        last, seen = now, tracks.fed
        try:
            await run_in_threadpool(lambda: tracks.tick(wait=False))
        except Exception:  # one failed tick must not stop the next
            log.exception("tracks tick failed")


async def _heartbeat_loop(services: Services) -> None:
    """Sign a fresh tree head regularly, so parties can see the log alive and unchanged."""
    interval = services.settings.ledger_sign_interval_s
    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(services.writer.execute, sign_head_now)
        except Exception:
            log.exception("signing a tree head failed")


def create_app(
    coordinator: Coordinator, settings: Settings | None = None, *, background: bool = True
) -> FastAPI:
    """The API around ``coordinator``.  ``background`` runs the escalation loop (tests that
    drive escalation with their own clock turn it off)."""
    services = Services(coordinator, settings or Settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Writes wait on the writer in worker threads: allow many at once.
        anyio.to_thread.current_default_thread_limiter().total_tokens = 256
        services.writer.start()
        await run_in_threadpool(services.tracks.start)
        readers = start_readers(services.tracks, parse_sources(services.settings.tracks_sources))
        await run_in_threadpool(freeze_once, "startup")
        serve_thresholds()
        await services.feeds.start()
        services.watch.start()
        tasks = (
            [
                asyncio.create_task(_escalation_loop(services)),
                asyncio.create_task(_heartbeat_loop(services)),
                asyncio.create_task(_tracks_loop(services)),
            ]
            if background
            else []
        )
        try:
            yield
        finally:
            services.watch.stop()
            for reader in readers:
                reader.stop()
            await services.feeds.close()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await run_in_threadpool(services.tracks.stop)  # the history memory kept, recorded
            await run_in_threadpool(services.writer.stop)

    app = FastAPI(
        title="Deconfliction Line",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        # No OpenTelemetry here (metrics are Prometheus', at /metrics): switched off, the
        # framework does not look for its providers (environment lookups) on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.services = services
    # The innermost of ours: the light paths after the request id, metrics and body guard.
    app.add_middleware(Direct, routes=FAST_ROUTES)
    app.add_middleware(RequestContext, gauges=services.refresh_gauges)
    app.add_middleware(BodyGuard, timeout_s=services.settings.body_timeout_s)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    if services.settings.dss_enabled:
        from deconfliction.api.dss import create_dss_app

        app.mount("/dss/v1", create_dss_app(services))
    return app
