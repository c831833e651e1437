"""Red lines: a party's own, declared by its admin, seen by the audience it chose."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.red_lines import (
    RedLineCreate,
    RedLineFiled,
    RedLineList,
    RedLinePublic,
)
from deconfliction.service import red_lines

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/red-lines", tags=["red lines"], dependencies=[Depends(storable_text)]
)


@router.post(
    "",
    status_code=201,
    response_model=RedLineFiled,
    responses=errors(400, 401, 403, 422),
    summary="Declare a red line of the caller's party (admin)",
)
async def declare(body: RedLineCreate, writes: WritesDep) -> RedLineFiled:
    """In force at once and watched on observations from now on; it binds nobody and is never
    applied to notices.  The audience chosen sees it and its crossings; nobody else does."""
    return await writes(
        RedLineFiled,
        body,
        lambda tx: RedLineFiled.of(red_lines.declare_red_line(tx, writes.principal, body)),
    )


@router.put(
    "/{red_line_id}",
    response_model=RedLineFiled,
    responses=errors(400, 401, 403, 404, 422),
    summary="New terms for one's own red line; `ended: true` withdraws it (admin)",
)
async def change(red_line_id: str, body: RedLineCreate, writes: WritesDep) -> RedLineFiled:
    return await writes(
        RedLineFiled,
        body,
        lambda tx: RedLineFiled.of(
            red_lines.change_red_line(tx, writes.principal, red_line_id, body)
        ),
    )


@router.get(
    "", response_model=RedLineList, responses=ERRORS, summary="Red lines the caller may see"
)
async def list_red_lines(reads: ReadsDep) -> RedLineList:
    return RedLineList(red_lines=await reads(red_lines.list_red_lines))


@router.get(
    "/{red_line_id}", response_model=RedLinePublic, responses=ERRORS, summary="One red line"
)
async def get_red_line(red_line_id: str, reads: ReadsDep) -> RedLinePublic:
    """404, exactly as for an unknown id, outside its audience."""
    return await reads(lambda r: red_lines.read_red_line(r, red_line_id))
