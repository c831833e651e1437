"""The daily report, as the caller's party may see it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from deconfliction.api.deps import ReadsDep
from deconfliction.api.schemas.common import ERRORS
from deconfliction.engine.errors import InvalidInput
from deconfliction.service.reports import daily_files, daily_json

__all__ = ["router"]

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get(
    "/daily",
    response_class=Response,
    responses={
        **ERRORS,
        200: {
            "content": {"application/json": {}, "application/pdf": {}},
            "description": "The report.",
        },
    },
    summary="The daily report: every figure with the ledger entries it counts",
)
async def daily(
    reads: ReadsDep,
    day: Annotated[str, Query(alias="date", description="The UTC day, YYYY-MM-DD.")],
    format: Annotated[
        Literal["json", "pdf"],
        Query(description="json (recomputable with `deconflict verify report`) or pdf."),
    ] = "json",
    tree_size: Annotated[
        int | None,
        Query(
            ge=1,
            le=2**63 - 1,
            description="Compute at the signed tree head of this size (default: the newest).",
        ),
    ] = None,
) -> Response:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput.at(
            ("date",), f"a day is YYYY-MM-DD (UTC), e.g. 2026-11-24; got {day!r}"
        ) from None
    if format == "pdf":
        files: dict[str, bytes] = await reads(lambda r: daily_files(r, when, tree_size))
        return Response(content=files["report.pdf"], media_type="application/pdf")
    # The bytes `deconflict report daily` writes to report.json, as they are.
    found: bytes = await reads(lambda r: daily_json(r, when, tree_size))
    return Response(content=found, media_type="application/json")
