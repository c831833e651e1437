"""Lines on the ground: seen by every party; admins add and change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.lines import (
    LineCreate,
    LineList,
    LinePublic,
    LineReplace,
)
from deconfliction.engine.model import Line
from deconfliction.service import configuration
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/lines", tags=["lines"], dependencies=[Depends(storable_text)])


@router.get("", response_model=LineList, responses=ERRORS, summary="Every line")
def list_lines(services: ServicesDep, principal: PrincipalDep) -> LineList:
    found = services.writer.execute(lambda tx: configuration.list_lines(tx, principal))
    return LineList(lines=[LinePublic.of(x) for x in found])


@router.get("/{line_id}", response_model=LinePublic, responses=ERRORS, summary="One line")
def get_line(line_id: str, services: ServicesDep, principal: PrincipalDep) -> LinePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    found = services.writer.execute(lambda tx: configuration.get_line(tx, principal, line_id))
    return LinePublic.of(found)


@router.post(
    "",
    status_code=201,
    response_model=LinePublic,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a line (admin)",
)
async def create_line(
    body: LineCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        created = configuration.create(tx, principal, Line, body.data())
        return 201, LinePublic.of(created).model_dump(mode="json", by_alias=True)

    return await write(services, principal, key, f"POST {request.url.path}", body.data(), command)


@router.put(
    "/{line_id}",
    response_model=LinePublic,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace a line with new content (admin)",
)
async def replace_line(
    line_id: str,
    body: LineReplace,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        replaced = configuration.replace(tx, principal, Line, line_id, body.data())
        return 200, LinePublic.of(replaced).model_dump(mode="json", by_alias=True)

    return await write(services, principal, key, f"PUT {request.url.path}", body.data(), command)
