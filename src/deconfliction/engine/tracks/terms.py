"""Track terms: what an agreement says about live tracks.

An agreement binds parties to notify; its track terms add the minima of conflict prediction
between their aircraft (defaults 5 NM, 1,000 ft, 300 s), whether aircraft nobody declared are
predicted against theirs, and who may see those unattributed aircraft.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from deconfliction.engine.model.common import DomainModel, Identifier
from deconfliction.engine.tracks.attribution import Declaration
from deconfliction.engine.units import Duration, Length

__all__ = ["DeclarationIn", "TrackTerms"]


class TrackTerms(DomainModel):
    agreement: Identifier
    horizontal: Length = Field(default=Length.parse("5 NM"))
    vertical: Length = Field(default=Length.parse("1000 ft"))
    lookahead: Duration = Field(default=Duration(300.0))
    include_unattributed: bool = Field(
        default=False,
        description="Predict conflicts between the parties' aircraft and unattributed ones.",
    )
    unattributed_visible_to: list[Identifier] = Field(
        default_factory=list,
        description="Parties and monitors that may see aircraft nobody declared.",
    )


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
