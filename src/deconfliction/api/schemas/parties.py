"""Parties: the forces, humanitarian organisations and monitors on the line."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import Input, Output, Receipted
from deconfliction.engine.model import DutyContact, Party, PartyKind, PartyStatus

__all__ = ["PartyAnswer", "PartyCreate", "PartyList", "PartyPatch", "PartyPublic"]


class PartyCreate(Party):
    """A new party (admin).  Its id is chosen here and never changes (``idf``, ``sarc``)."""


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


class PartyPublic(Party):
    """A party as recorded; its escalation chain is shown to the party itself only."""

    duty_contacts: list[DutyContact] | None = Field(  # type: ignore[assignment]
        default=None,
        description="The escalation chain: shown to the party itself only.",
    )

    @classmethod
    def of(cls, party: Party, show_contacts: bool) -> PartyPublic:
        fields = dict(party)
        if not show_contacts:
            fields["duty_contacts"] = None
        return cls.model_construct(**fields)


class PartyAnswer(PartyPublic, Receipted):
    """The party as recorded, with the ledger's receipt."""


class PartyList(Output):
    parties: list[PartyPublic]
