"""What a party declares about its aircraft (track terms are part of the agreements:
:class:`~deconfliction.engine.model.agreements.TrackTerms`)."""

from __future__ import annotations

from pydantic import Field, field_validator

from deconfliction.engine.model.common import DomainModel, Identifier
from deconfliction.engine.tracks.attribution import Declaration

__all__ = ["DeclarationIn"]


class DeclarationIn(DomainModel):
    """What a party declares: its aircraft by ICAO address and callsign."""

    addresses: list[str] = Field(
        default_factory=list, description="ICAO 24-bit addresses, 6 hex digits each."
    )
    callsigns: list[str] = Field(
        default_factory=list, description='Callsigns, or prefixes with a trailing "*".'
    )
    notice: Identifier | None = Field(
        default=None, description="The notice these aircraft fly under."
    )

    @field_validator("addresses")
    @classmethod
    def _hex(cls, value: list[str]) -> list[str]:
        for i, a in enumerate(value):
            try:
                ok = len(a) == 6 and int(a, 16) >= 0
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"address {i} ({a!r}) is not 6 hex digits")
        return [a.lower() for a in value]

    @field_validator("callsigns")
    @classmethod
    def _callsigns(cls, value: list[str]) -> list[str]:
        Declaration("check", callsigns=tuple(value))
        return [c.upper() for c in value]

    def declaration(self, party: str) -> Declaration:
        return Declaration(
            party,
            tuple(int(a, 16) for a in self.addresses),
            tuple(self.callsigns),
            self.notice,
        )
