"""Agreements: seen by their parties and monitors (and admins); admins add and change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.agreements import (
    AgreementCreate,
    AgreementList,
    AgreementPublic,
    AgreementReplace,
)
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.engine.model import Agreement
from deconfliction.service import configuration
from deconfliction.service.coordinator import Tx

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
def list_agreements(services: ServicesDep, principal: PrincipalDep) -> AgreementList:
    found = services.writer.execute(lambda tx: configuration.list_agreements(tx, principal))
    return AgreementList(agreements=[AgreementPublic.of(x) for x in found])


@router.get(
    "/{agreement_id}", response_model=AgreementPublic, responses=ERRORS, summary="One agreement"
)
def get_agreement(
    agreement_id: str, services: ServicesDep, principal: PrincipalDep
) -> AgreementPublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    found = services.writer.execute(
        lambda tx: configuration.get_agreement(tx, principal, agreement_id)
    )
    return AgreementPublic.of(found)


@router.post(
    "",
    status_code=201,
    response_model=AgreementPublic,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add an agreement (admin)",
)
async def create_agreement(
    body: AgreementCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        created = configuration.create(tx, principal, Agreement, body.data())
        return 201, AgreementPublic.of(created).model_dump(mode="json", by_alias=True)

    return await write(services, principal, key, f"POST {request.url.path}", body.data(), command)


@router.put(
    "/{agreement_id}",
    response_model=AgreementPublic,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace an agreement with new content (admin)",
)
async def replace_agreement(
    agreement_id: str,
    body: AgreementReplace,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        replaced = configuration.replace(tx, principal, Agreement, agreement_id, body.data())
        return 200, AgreementPublic.of(replaced).model_dump(mode="json", by_alias=True)

    return await write(services, principal, key, f"PUT {request.url.path}", body.data(), command)
