"""Lines: shared geography, seen by every party; admins add and change them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, answered, errors
from deconfliction.api.schemas.lines import (
    LineAnswer,
    LineCreate,
    LineList,
    LinePublic,
    LineReplace,
)
from deconfliction.engine.model import Line
from deconfliction.service import configuration

__all__ = ["router"]

router = APIRouter(prefix="/v1/lines", tags=["lines"], dependencies=[Depends(storable_text)])


@router.get("", response_model=LineList, responses=ERRORS, summary="Every line")
async def list_lines(reads: ReadsDep) -> LineList:
    return LineList(lines=[LinePublic.of(x) for x in await reads(configuration.list_lines)])


@router.get("/{line_id}", response_model=LinePublic, responses=ERRORS, summary="One line")
async def get_line(line_id: str, reads: ReadsDep) -> LinePublic:
    """404 for an unknown id."""
    return LinePublic.of(await reads(lambda r: configuration.get_line(r, line_id)))


@router.post(
    "",
    status_code=201,
    response_model=LineAnswer,
    responses=errors(400, 401, 403, 409, 422),
    summary="Add a line (admin)",
)
async def create_line(body: LineCreate, writes: WritesDep) -> LineAnswer:
    item = Line.model_construct(**dict(body))
    return await writes(
        LineAnswer,
        body,
        lambda tx: answered(
            LineAnswer, LinePublic.of(configuration.create(tx, writes.principal, item))
        ),
    )


@router.put(
    "/{line_id}",
    response_model=LineAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Replace a line's vertices (admin)",
)
async def replace_line(line_id: str, body: LineReplace, writes: WritesDep) -> LineAnswer:
    item = Line.model_construct(**{**dict(body), "id": body.id or line_id})
    return await writes(
        LineAnswer,
        body,
        lambda tx: answered(
            LineAnswer, LinePublic.of(configuration.replace(tx, writes.principal, line_id, item))
        ),
    )
