"""The neutral record: keys, signed tree heads, receipts, proofs, exports, timelines.

A party may have a receipt for the entries it may read (those on its own feed); its export
shows every other entry as a hash only, enough to check the whole tree without reading other
parties' business.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import iterate_in_threadpool
from fastapi.responses import StreamingResponse

from deconfliction.api.deps import PrincipalDep, ReadsDep, ServicesDep
from deconfliction.api.schemas.common import ERRORS, MAX_INT64, errors
from deconfliction.api.schemas.ledger import (
    ConsistencyProof,
    KeysPublic,
    ReceiptPublic,
    Timeline,
    TreeHeadPublic,
)
from deconfliction.engine.ledger.heads import LOG_NAME
from deconfliction.service import records
from deconfliction.service.permissions import Action, require
from deconfliction.service.timeline import timeline

__all__ = ["router"]

router = APIRouter(tags=["ledger"])


@router.get(
    "/.well-known/deconfliction/ledger-keys",
    response_model=KeysPublic,
    summary="The log's public keys (every key it ever signed with)",
)
def ledger_keys(services: ServicesDep) -> KeysPublic:
    """No token needed: anyone may check a receipt.  Retired keys stay listed, so that old
    heads stay verifiable."""
    return KeysPublic.model_validate(
        {"log": LOG_NAME, "keys": [r.to_dict() for r in records.key_records(services.coordinator)]}
    )


@router.get(
    "/v1/ledger/tree-head",
    response_model=TreeHeadPublic,
    responses=errors(401, 422),
    summary="The newest signed tree head",
)
async def tree_head(reads: ReadsDep) -> TreeHeadPublic:
    head = await reads(records.latest_head)
    return TreeHeadPublic.model_validate(head.to_dict())


@router.post(
    "/v1/ledger/tree-head",
    response_model=TreeHeadPublic,
    responses=errors(401, 403, 422),
    summary="Sign a tree head now (admin)",
)
def sign_tree_head(services: ServicesDep, principal: PrincipalDep) -> TreeHeadPublic:
    """A fresh head, with the server's time, over the whole log (admin: the server signs one
    at least every ``DECONFLICT_LEDGER_SIGN_INTERVAL_S`` by itself)."""
    require(principal, Action.sign_tree_head)
    head = services.writer.execute(records.sign_head_now)
    return TreeHeadPublic.model_validate(head.to_dict())


@router.get(
    "/v1/ledger/entries/{index}",
    response_model=ReceiptPublic,
    responses=ERRORS,
    summary="A receipt for one entry the caller may read",
)
async def entry_receipt(
    index: Annotated[int, Path(ge=0, le=MAX_INT64, description="The entry's index.")],
    services: ServicesDep,
    reads: ReadsDep,
) -> ReceiptPublic:
    """Under the newest signed head.  404, as for an index that does not exist, for an entry
    that is not on the caller's feed."""
    ledger = services.coordinator.ledger
    found = await reads(lambda r: records.receipt(r, ledger, index))
    return ReceiptPublic.model_validate(found.to_dict())


@router.get(
    "/v1/ledger/consistency",
    response_model=ConsistencyProof,
    responses=errors(401, 422),
    summary="Proof that a later tree extends an earlier one",
)
def consistency(
    services: ServicesDep,
    principal: PrincipalDep,
    first: Annotated[int, Query(ge=1, le=MAX_INT64, description="The earlier tree size.")],
    second: Annotated[int, Query(ge=1, le=MAX_INT64, description="The later tree size.")],
) -> ConsistencyProof:
    """Check it with ``deconflict verify consistency`` against two signed heads you hold."""
    proof = records.consistency_proof(services.coordinator.ledger, first, second)
    return ConsistencyProof.model_validate(proof)


@router.get(
    "/v1/ledger/export",
    responses={**errors(401, 422), 200: {"content": {"text/plain": {}}}},
    response_class=StreamingResponse,
    summary="The whole log as the caller may see it, for offline verification",
)
def export(services: ServicesDep, principal: PrincipalDep) -> StreamingResponse:
    """A header line (JSON: the signed tree heads and the keys), then one line per entry:
    ``index<TAB>leaf hash<TAB>entry``, the entry empty where the caller may not read it.
    Check it with ``deconflict verify export``."""
    lines = records.export(services.coordinator, principal.party)
    return StreamingResponse(
        iterate_in_threadpool(lines),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ledger-export.txt"'},
    )


@router.get(
    "/v1/notices/{notice_id}/timeline",
    response_model=Timeline,
    responses=ERRORS,
    tags=["notices"],
    summary="What happened to a notice, with proofs",
)
async def notice_timeline(notice_id: str, services: ServicesDep, reads: ReadsDep) -> Timeline:
    """When each version was filed (the server's time), its geometry and lead time; when
    each addressee received, read and acknowledged it; every escalation.  Each line carries
    the receipt of its ledger entry.  The author sees every addressee; an addressee only
    itself."""
    ledger = services.coordinator.ledger
    found = await reads(lambda r: timeline(r, ledger, notice_id))
    return Timeline.model_validate(found)
