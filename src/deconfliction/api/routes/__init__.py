"""One module per resource; ``ROUTERS`` is every router, in the order the docs list them."""

from __future__ import annotations

from fastapi import APIRouter

from deconfliction.api.routes import (
    agreements,
    alerts,
    history,
    inbox,
    ledger,
    lines,
    messages,
    meta,
    notices,
    observations,
    parties,
    sites,
    stream,
    zones,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    meta.router,
    parties.router,
    agreements.router,
    lines.router,
    zones.router,
    sites.router,
    notices.router,
    observations.router,
    alerts.router,
    inbox.router,
    messages.router,
    stream.router,
    ledger.router,
    history.router,
]
