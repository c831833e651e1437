"""Parties: the forces, humanitarian organisations and monitors on the line."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from deconfliction.engine.model.common import DomainModel, Identifier

__all__ = ["DutyContact", "Party", "PartyKind", "PartyStatus"]


class PartyKind(StrEnum):
    armed_force = "armed_force"
    humanitarian = "humanitarian"
    monitor = "monitor"
    civil_aviation = "civil_aviation"
    """A civil aviation authority, or a network of drone service suppliers (its NOTAMs and
    its operational intents become its notices)."""


class PartyStatus(StrEnum):
    """Whether a party takes part.  Deliveries to a suspended or withdrawn party are reported
    to the sender as undelivered."""

    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"


class DutyContact(DomainModel):
    """One step of a party's escalation chain: who is called, in order, when an item is not
    acknowledged in time."""

    name: str = Field(min_length=1, description="Post or person, e.g. 'Duty officer, Hmeimim'.")
    channel: str = Field(default="", description="How to reach them, e.g. a radio net.")


class Party(DomainModel):
    """A participant in the mechanism."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: PartyKind
    status: PartyStatus = PartyStatus.active
    affiliations: list[str] = Field(
        default_factory=list,
        description=(
            "Names under which this party's units appear in observations (for example "
            "'Syrian Arab Army'); used by zone rules that name the party."
        ),
    )
    duty_contacts: list[DutyContact] = Field(
        default_factory=list, description="Escalation chain, first contact first."
    )
