"""Agreements: seen and changed by their parties and monitors."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.agreements import (
    AgreementAnswer,
    AgreementCreate,
    AgreementList,
    AgreementPublic,
    AgreementReplace,
)
from deconfliction.api.schemas.common import ERRORS, answered, errors
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


@router.post(
    "",
    status_code=201,
    response_model=AgreementAnswer,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add an agreement (admin)",
)
async def create_agreement(body: AgreementCreate, writes: WritesDep) -> AgreementAnswer:
    item = Agreement.model_construct(**dict(body))
    return await writes(
        AgreementAnswer,
        body,
        lambda tx: answered(
            AgreementAnswer, AgreementPublic.of(configuration.create(tx, writes.principal, item))
        ),
    )


@router.put(
    "/{agreement_id}",
    response_model=AgreementAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace an agreement with new content (admin)",
)
async def replace_agreement(
    agreement_id: str, body: AgreementReplace, writes: WritesDep
) -> AgreementAnswer:
    item = Agreement.model_construct(**{**dict(body), "id": body.id or agreement_id})
    return await writes(
        AgreementAnswer,
        body,
        lambda tx: answered(
            AgreementAnswer,
            AgreementPublic.of(configuration.replace(tx, writes.principal, agreement_id, item)),
        ),
    )
