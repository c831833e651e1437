"""Red lines: what one party declares it wants watched, for itself.

A red line is unilateral.  Its area and rules are written in the zone agreements' language
(:mod:`.zones`): a polygon or a band of distance from a line; no presence of an affiliation,
party or unit category, caps on counts, forbidden weapon classes, weapons whose range reaches a
target.  But it binds nobody: nobody consented to it, so it is never applied to anyone's
notices.  Observations are checked against it, and a crossing is told to the declarer and the
audience it chose -- only itself, named parties, or the parties of an agreement.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from deconfliction.engine.model.common import DomainModel, Identifier, UtcTime
from deconfliction.engine.model.zones import ZoneArea, ZoneRule

__all__ = ["RedLine", "RedLineAudience", "RedLineTerms"]


class RedLineAudience(DomainModel):
    """Who, besides the declarer, is told of the red line and its crossings.

    ``self``: nobody else; ``parties``: the parties named; ``agreement``: every party of the
    agreement named (as it stands when the red line is recorded).

    >>> RedLineAudience(type="parties", parties=["rus"]).describe()
    'rus'
    """

    type: Literal["self", "parties", "agreement"] = "self"
    parties: list[Identifier] = Field(default_factory=list, max_length=100)
    agreement: Identifier | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type == "parties" and not self.parties:
            raise ValueError("parties: name at least one party (or use type 'self')")
        if self.type != "parties" and self.parties:
            raise ValueError("parties: only an audience of type 'parties' names parties")
        if (self.type == "agreement") != (self.agreement is not None):
            raise ValueError("agreement: an audience of type 'agreement' names one agreement")
        return self

    def describe(self) -> str:
        if self.type == "parties":
            return ", ".join(self.parties)
        if self.type == "agreement":
            return f"the parties of {self.agreement}"
        return "the declarer only"


class RedLineTerms(DomainModel):
    """What the declaring party states: everything but the red line's identifier, declarer
    and time of declaration, which the record sets."""

    name: str = Field(min_length=1, max_length=500)
    area: ZoneArea
    rules: list[ZoneRule] = Field(min_length=1, max_length=50)
    audience: RedLineAudience = Field(default_factory=RedLineAudience)
    source: str = Field(default="", max_length=2000)
    ended: bool = Field(default=False, description="Withdrawn by its declarer: no longer watched.")


class RedLine(RedLineTerms):
    """A red line as recorded.  Watched from ``declared_at`` on: an observation made earlier
    is not checked against it."""

    id: Identifier
    declared_by: Identifier
    declared_at: UtcTime
