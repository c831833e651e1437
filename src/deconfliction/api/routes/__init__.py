"""One module per resource; ``ROUTERS`` is every router, in the order the docs list them."""

from __future__ import annotations

from fastapi import APIRouter

from deconfliction.api.routes import (
    agreements,
    alerts,
    formats,
    history,
    inbox,
    ledger,
    lines,
    messages,
    meta,
    notices,
    observations,
    operations,
    parties,
    proposals,
    sites,
    stream,
    tracks,
    zones,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    meta.router,
    parties.router,
    agreements.router,
    lines.router,
    zones.router,
    proposals.router,
    sites.router,
    notices.router,
    formats.router,
    observations.router,
    alerts.router,
    inbox.router,
    messages.router,
    stream.router,
    tracks.router,
    ledger.router,
    operations.router,
    history.router,
]
