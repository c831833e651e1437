"""Evidence: attachments kept by content, apart from the ledger (which holds their SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from deconfliction.api.deps import ReadsDep, ServicesDep, WritesDep
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.incidents import EvidenceAnswer, EvidenceUpload
from deconfliction.engine.errors import InvalidInput
from deconfliction.service import evidence

__all__ = ["router"]

router = APIRouter(prefix="/v1/evidence", tags=["evidence"])


@router.post(
    "",
    status_code=201,
    response_model=EvidenceAnswer,
    responses=errors(401, 403, 422),
    summary="Upload an attachment (the request body, as it is) to cite in an incident or account",
)
async def upload(
    request: Request,
    writes: WritesDep,
    services: ServicesDep,
    name: Annotated[str, Query(max_length=200, description="What to call it.")] = "",
) -> EvidenceAnswer:
    """Send the file as the body with its ``Content-Type``; the answer is its reference."""
    limit = services.settings.evidence_max_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InvalidInput.at(
            ("body",), f"the attachment is {int(declared):,} bytes; at most {limit:,} are kept"
        )
    content = await request.body()
    media_type = (
        request.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    )
    fingerprint = EvidenceUpload(
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type=media_type,
        name=name,
    )
    return await writes(
        EvidenceAnswer,
        fingerprint,
        lambda tx: EvidenceAnswer.of(
            evidence.upload(tx, writes.principal, content, media_type, name)
        ),
    )


@router.get(
    "/{sha256}",
    response_class=Response,
    responses={
        **ERRORS,
        200: {"content": {"application/octet-stream": {}}, "description": "The attachment."},
    },
    summary="An attachment the caller uploaded or may see through an incident or account",
)
async def download(sha256: str, reads: ReadsDep) -> Response:
    found = await reads(lambda r: evidence.read_attachment(r, sha256))
    return Response(content=found.content, media_type=found.media_type)
