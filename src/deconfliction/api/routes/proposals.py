"""Proposals: what the caller's party is asked to consent to, or proposed itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.proposals import (
    DeclineCreate,
    ProposalAnswer,
    ProposalList,
    ProposalPublic,
)
from deconfliction.engine.consent import ProposalStatus
from deconfliction.service import proposals

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/proposals", tags=["proposals"], dependencies=[Depends(storable_text)]
)

_WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)


@router.get(
    "", response_model=ProposalList, responses=ERRORS, summary="Proposals concerning the caller"
)
async def list_proposals(
    reads: ReadsDep,
    status: Annotated[
        ProposalStatus | None,
        Query(description="pending, in_force, declined, expired or withdrawn."),
    ] = None,
    opened: Annotated[
        bool,
        Query(
            description=(
                "false: the read is recorded as shown among many, and the deliveries of the "
                "proposals listed stay unread (a count on a tab, not a reading)."
            )
        ),
    ] = True,
) -> ProposalList:
    return ProposalList(
        proposals=await reads(lambda r: proposals.list_proposals(r, status, opened=opened))
    )


@router.get(
    "/{proposal_id}", response_model=ProposalPublic, responses=ERRORS, summary="One proposal"
)
async def get_proposal(proposal_id: str, reads: ReadsDep) -> ProposalPublic:
    """404, exactly as for an unknown id, when it does not concern the caller's party."""
    return await reads(lambda r: proposals.read_proposal(r, proposal_id))


@router.post(
    "/{proposal_id}/consent",
    response_model=ProposalAnswer,
    responses=_WRITE_ERRORS,
    summary="Consent to a proposal on behalf of the caller's party (admin)",
)
async def consent(proposal_id: str, writes: WritesDep) -> ProposalAnswer:
    """The change comes in force, and is recorded, with the last consent it needs."""
    return await writes(
        ProposalAnswer,
        None,
        lambda tx: ProposalAnswer.of(proposals.consent_to(tx, writes.principal, proposal_id)),
    )


@router.post(
    "/{proposal_id}/decline",
    response_model=ProposalAnswer,
    responses=_WRITE_ERRORS,
    summary="Decline a proposal on behalf of the caller's party (admin)",
)
async def decline(
    proposal_id: str,
    writes: WritesDep,
    body: Annotated[DeclineCreate | None, Body()] = None,
) -> ProposalAnswer:
    """The proposal ends; the terms in force stay."""
    given = body or DeclineCreate()
    return await writes(
        ProposalAnswer,
        given,
        lambda tx: ProposalAnswer.of(
            proposals.decline(tx, writes.principal, proposal_id, given.note)
        ),
    )


@router.post(
    "/{proposal_id}/withdraw",
    response_model=ProposalAnswer,
    responses=_WRITE_ERRORS,
    summary="Withdraw one's own proposal (admin of the proposing party)",
)
async def withdraw(proposal_id: str, writes: WritesDep) -> ProposalAnswer:
    return await writes(
        ProposalAnswer,
        None,
        lambda tx: ProposalAnswer.of(proposals.withdraw(tx, writes.principal, proposal_id)),
    )
