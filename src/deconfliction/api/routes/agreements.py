"""Agreements: seen and changed by their parties and monitors."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep
from deconfliction.api.guards import storable_text
from deconfliction.api.routes.binding import add_proposal_routes
from deconfliction.api.schemas.agreements import (
    AgreementCreate,
    AgreementList,
    AgreementPublic,
    AgreementReplace,
)
from deconfliction.api.schemas.common import ERRORS
from deconfliction.engine.model import Agreement
from deconfliction.service import configuration

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/agreements", tags=["agreements"], dependencies=[Depends(storable_text)]
)


@router.get(
    "",
    response_model=AgreementList,
    responses=ERRORS,
    summary="Agreements the caller is party to or monitors",
)
async def list_agreements(reads: ReadsDep) -> AgreementList:
    found = await reads(configuration.list_agreements)
    return AgreementList(agreements=[AgreementPublic.of(x) for x in found])


@router.get(
    "/{agreement_id}", response_model=AgreementPublic, responses=ERRORS, summary="One agreement"
)
async def get_agreement(agreement_id: str, reads: ReadsDep) -> AgreementPublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return AgreementPublic.of(await reads(lambda r: configuration.get_agreement(r, agreement_id)))


add_proposal_routes(
    router,
    name="agreement",
    model=Agreement,
    create=AgreementCreate,
    replace=AgreementReplace,
    path_name="agreement_id",
)
