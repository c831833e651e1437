"""Parties: every party sees who is on the line; admins add and change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.parties import PartyCreate, PartyList, PartyPatch, PartyPublic
from deconfliction.engine.model import Party
from deconfliction.service import configuration
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/parties", tags=["parties"], dependencies=[Depends(storable_text)])


@router.get("", response_model=PartyList, responses=ERRORS, summary="Every party on the line")
def list_parties(services: ServicesDep, principal: PrincipalDep) -> PartyList:
    """A party's duty contacts are shown to itself and to admins only."""
    found = services.writer.execute(lambda tx: configuration.list_parties(tx, principal))
    return PartyList(
        parties=[PartyPublic.of(p, configuration.shows_contacts(principal, p)) for p in found]
    )


@router.get("/{party_id}", response_model=PartyPublic, responses=ERRORS, summary="One party")
def get_party(party_id: str, services: ServicesDep, principal: PrincipalDep) -> PartyPublic:
    party = services.writer.execute(lambda tx: configuration.get_party(tx, principal, party_id))
    return PartyPublic.of(party, configuration.shows_contacts(principal, party))


def _answer(principal: Any, status: int, party: Party) -> tuple[int, dict[str, Any]]:
    public = PartyPublic.of(party, configuration.shows_contacts(principal, party))
    return status, public.model_dump(mode="json", by_alias=True)


@router.post(
    "",
    status_code=201,
    response_model=PartyPublic,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a party (admin)",
)
async def create_party(
    body: PartyCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        return _answer(principal, 201, configuration.create(tx, principal, Party, body.data()))

    return await write(services, principal, key, f"POST {request.url.path}", body.data(), command)


@router.patch(
    "/{party_id}",
    response_model=PartyPublic,
    responses=errors(400, 401, 403, 404, 422),
    summary="Change a party, e.g. suspend it (admin)",
)
async def update_party(
    party_id: str,
    body: PartyPatch,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Deliveries to a suspended or withdrawn party are reported to their senders as
    undelivered, at once."""

    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        party = configuration.update_party(tx, principal, party_id, body.changes())
        return _answer(principal, 200, party)

    return await write(
        services, principal, key, f"PATCH {request.url.path}", body.changes(), command
    )
