"""One module per resource; ``ROUTERS`` is every router, in the order the docs list them."""

from __future__ import annotations

from fastapi import APIRouter

from deconfliction.api.routes import (
    agreements,
    alerts,
    evidence,
    formats,
    history,
    inbox,
    incidents,
    ledger,
    lines,
    messages,
    meta,
    notices,
    observations,
    operations,
    parties,
    proposals,
    red_lines,
    reports,
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
    red_lines.router,
    proposals.router,
    sites.router,
    notices.router,
    formats.router,
    observations.router,
    alerts.router,
    incidents.router,
    evidence.router,
    reports.router,
    inbox.router,
    messages.router,
    stream.router,
    tracks.router,
    ledger.router,
    operations.router,
    history.router,
]
