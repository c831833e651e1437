"""One module per resource; ``ROUTERS`` is every router, in the order the docs list them."""

from __future__ import annotations

from fastapi import APIRouter

from deconfliction.api.routes import meta

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [meta.router]
