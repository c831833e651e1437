"""Health and identity."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from deconfliction import __version__
from deconfliction.api.deps import PrincipalDep

__all__ = ["router"]

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    version: str


class Me(BaseModel):
    party: str
    role: str
    token_id: str | None


@router.get("/healthz", response_model=Health, summary="Is the service up")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/v1/me", response_model=Me, summary="Who the token belongs to")
def me(principal: PrincipalDep) -> Me:
    return Me(party=principal.party, role=principal.role.value, token_id=principal.token_id)
