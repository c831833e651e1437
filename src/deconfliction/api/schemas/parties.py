"""Parties: the forces, humanitarian organisations and monitors on the line."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import Input, Output
from deconfliction.engine.model import DutyContact, Party, PartyKind, PartyStatus

__all__ = ["PartyCreate", "PartyList", "PartyPatch", "PartyPublic"]


class PartyCreate(Party):
    """A new party (admin).  Its id is chosen here and never changes (``idf``, ``sarc``)."""

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class PartyPatch(Input):
    """The fields to change (admin); the others stay.  ``status: suspended`` or
    ``withdrawn`` makes every later delivery to the party undelivered, reported at once to
    its sender."""

    name: str | None = Field(default=None, min_length=1)
    kind: PartyKind | None = None
    status: PartyStatus | None = None
    affiliations: list[str] | None = None
    duty_contacts: list[DutyContact] | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class PartyPublic(Output):
    id: str
    name: str
    kind: PartyKind
    status: PartyStatus
    affiliations: list[str]
    duty_contacts: list[DutyContact] | None = Field(
        description="The escalation chain: shown to the party itself and to admins only."
    )

    @classmethod
    def of(cls, party: Party, show_contacts: bool) -> PartyPublic:
        return cls.model_construct(
            id=party.id,
            name=party.name,
            kind=party.kind,
            status=party.status,
            affiliations=list(party.affiliations),
            duty_contacts=list(party.duty_contacts) if show_contacts else None,
        )


class PartyList(Output):
    parties: list[PartyPublic]
