"""Proposals: changes to agreements, zone agreements and lines, waiting for the consent of
every party they bind.  Consent is between the parties to an agreement; notices are never
subject to it."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import Input, Output, Receipted
from deconfliction.engine.consent import Proposal
from deconfliction.engine.model import Agreement, Line, ZoneAgreement
from deconfliction.service.proposals import ProposalOutcome

__all__ = ["DeclineCreate", "ProposalAnswer", "ProposalList", "ProposalPublic"]

ProposalPublic = Proposal
"""A proposal (the record itself: :class:`~deconfliction.engine.consent.Proposal`)."""


class ProposalAnswer(Receipted):
    """The proposal as it now stands, and the item it put in force (absent while it waits
    for consent), with the ledger's receipt."""

    proposal: ProposalPublic
    in_force: Agreement | ZoneAgreement | Line | None = Field(
        default=None, description="The item as now in force, once every party has consented."
    )

    @classmethod
    def of(cls, outcome: ProposalOutcome) -> ProposalAnswer:
        return cls.model_construct(proposal=outcome.proposal, in_force=outcome.in_force)


class ProposalList(Output):
    proposals: list[ProposalPublic] = Field(description="Newest first.")


class DeclineCreate(Input):
    note: str = Field(default="", max_length=2000, description="Why, for the others.")
