"""Lines: shared geography, seen by every party; admins add and change them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep
from deconfliction.api.guards import storable_text
from deconfliction.api.routes.binding import add_proposal_routes
from deconfliction.api.schemas.common import ERRORS
from deconfliction.api.schemas.lines import (
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


add_proposal_routes(
    router, name="line", model=Line, create=LineCreate, replace=LineReplace, path_name="line_id"
)
