"""Parties: every party sees who is on the line; admins add and change them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, answered, errors
from deconfliction.api.schemas.parties import (
    PartyAnswer,
    PartyCreate,
    PartyList,
    PartyPatch,
    PartyPublic,
)
from deconfliction.engine.model import Party
from deconfliction.service import configuration
from deconfliction.service.auth import Principal

__all__ = ["router"]

router = APIRouter(prefix="/v1/parties", tags=["parties"], dependencies=[Depends(storable_text)])


def _public(principal: Principal, party: Party) -> PartyPublic:
    return PartyPublic.of(party, configuration.shows_contacts(principal, party))


@router.get("", response_model=PartyList, responses=ERRORS, summary="Every party on the line")
async def list_parties(reads: ReadsDep) -> PartyList:
    """A party's duty contacts are shown to itself only."""
    found = await reads(configuration.list_parties)
    return PartyList(parties=[_public(reads.principal, p) for p in found])


@router.get("/{party_id}", response_model=PartyPublic, responses=ERRORS, summary="One party")
async def get_party(party_id: str, reads: ReadsDep) -> PartyPublic:
    return _public(reads.principal, await reads(lambda r: configuration.get_party(r, party_id)))


def _answer(principal: Principal, party: Party) -> PartyAnswer:
    return answered(PartyAnswer, _public(principal, party))


@router.post(
    "",
    status_code=201,
    response_model=PartyAnswer,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a party (admin)",
)
async def create_party(body: PartyCreate, writes: WritesDep) -> PartyAnswer:
    item = Party.model_construct(**dict(body))
    return await writes(
        PartyAnswer,
        body,
        lambda tx: _answer(
            writes.principal, configuration.create_party(tx, writes.principal, item)
        ),
    )


@router.patch(
    "/{party_id}",
    response_model=PartyAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Change a party, e.g. suspend it (admin)",
)
async def update_party(party_id: str, body: PartyPatch, writes: WritesDep) -> PartyAnswer:
    """Deliveries to a suspended or withdrawn party are reported to their senders as
    undelivered, at once."""
    return await writes(
        PartyAnswer,
        body,
        lambda tx: _answer(
            writes.principal,
            configuration.update_party(tx, writes.principal, party_id, body.changes()),
        ),
    )
