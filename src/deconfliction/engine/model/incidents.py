"""Incidents and the parties' accounts of them.

An incident is what a party or a monitor reports after the fact: a strike, a shoot-down, a near
miss, a zone violation, a site damaged.  It states a place and a time; the record then shows
what bears on them (:mod:`deconfliction.engine.incidents`).  Each party the incident concerns
may give its own account: its statement, its evidence, and where it agrees or disputes the
facts.  Nothing here decides who is right: the record keeps every version of every account,
side by side.

Evidence (photographs, track files, statements) is kept by content: an incident or an account
refers to each attachment by its SHA-256, size and media type; the attachment itself is stored
apart and never enters the ledger, which holds only the references.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Final, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from deconfliction.engine.model.common import (
    DomainModel,
    Identifier,
    UtcTime,
    format_time,
)
from deconfliction.engine.model.geojson import GeoJsonPoint, GeoJsonPolygon
from deconfliction.engine.model.sites import PointLocation, location_from_geojson
from deconfliction.engine.model.volumes import CircleOutline, PolygonOutline
from deconfliction.engine.units import Duration, Length

__all__ = [
    "FACTS",
    "Account",
    "AccountStatement",
    "EvidenceRef",
    "FactPosition",
    "Incident",
    "IncidentKind",
    "IncidentPlace",
    "IncidentReport",
    "SearchTerms",
    "Stance",
]

MAX_EVIDENCE: Final = 50
"""Attachments one incident version or account version may refer to."""
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE: Final = re.compile(r"^[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}$")

FACTS: Final = ("kind", "place", "time", "description")
"""The facts of an incident an account may agree with or dispute (besides its links,
``link:<id>``)."""


class IncidentKind(StrEnum):
    strike = "strike"
    shoot_down = "shoot_down"
    near_miss = "near_miss"
    zone_violation = "zone_violation"
    site_damaged = "site_damaged"
    other = "other"


IncidentPlace = Annotated[
    PointLocation | CircleOutline | PolygonOutline,
    Field(discriminator="type"),
    BeforeValidator(
        location_from_geojson,
        json_schema_input_type=PointLocation
        | CircleOutline
        | PolygonOutline
        | GeoJsonPoint
        | GeoJsonPolygon,
    ),
]
"""Where it happened: a point, a circle (a point known to within a radius) or a polygon;
GeoJSON ``Point`` and ``Polygon`` geometries are read as such."""


class SearchTerms(DomainModel):
    """How far in space and time the record is searched for what bears on an incident."""

    radius: Length = Field(
        default=Length.of_metres(10_000.0),
        description="Everything within this distance of the place is linked.",
    )
    before: Duration = Field(
        default=Duration(7200.0), description="How long before the incident's start to look."
    )
    after: Duration = Field(
        default=Duration(3600.0), description="How long after the incident's end to look."
    )

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.radius.metres > 200_000.0:
            raise ValueError("radius: at most 200 km (link a wider area as several incidents)")
        if self.before.seconds > 30 * 86400.0 or self.after.seconds > 30 * 86400.0:
            raise ValueError("before and after: at most 30 days each")
        return self


class EvidenceRef(DomainModel):
    """An attachment, by content: the ledger holds this reference, never the bytes."""

    sha256: str = Field(description="SHA-256 of the attachment, 64 lowercase hex digits.")
    size: int = Field(ge=0, description="Its size in bytes.")
    media_type: str = Field(default="application/octet-stream", examples=["image/jpeg"])
    name: str = Field(default="", max_length=200, description="What its sender called it.")

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _SHA256.match(value):
            raise ValueError("a SHA-256 is 64 lowercase hexadecimal digits")
        return value

    @field_validator("media_type")
    @classmethod
    def _media_type(cls, value: str) -> str:
        if not _MEDIA_TYPE.match(value):
            raise ValueError(f"not a media type (type/subtype, e.g. image/jpeg): {value!r}")
        return value.lower()


def _unique_evidence(evidence: list[EvidenceRef]) -> list[EvidenceRef]:
    seen = set()
    for i, ref in enumerate(evidence):
        if ref.sha256 in seen:
            raise ValueError(f"entry {i} is an attachment already listed")
        seen.add(ref.sha256)
    return evidence


Evidence = Annotated[
    list[EvidenceRef], Field(max_length=MAX_EVIDENCE), AfterValidator(_unique_evidence)
]
"""The attachments cited, each once."""


class IncidentReport(DomainModel):
    """What the reporting party states: everything but the incident's identifier, version,
    reporter and the server's time of the report, which the record sets."""

    kind: IncidentKind
    title: str = Field(min_length=1, max_length=500)
    place: IncidentPlace
    started_at: UtcTime = Field(description="When it happened (or began).")
    ended_at: UtcTime | None = Field(
        default=None, description="When it ended, for an incident that lasted; else absent."
    )
    description: str = Field(default="", max_length=20_000)
    parties: list[Identifier] = Field(
        default_factory=list,
        max_length=50,
        description="Parties the reporter says it concerns (they may give their account).",
    )
    evidence: Evidence = Field(default_factory=list)
    search: SearchTerms = Field(default_factory=SearchTerms)

    @field_validator("ended_at")
    @classmethod
    def _not_before_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("started_at")
        if value is not None and start is not None and value < start:
            raise ValueError(f"{format_time(value)} is before started_at ({format_time(start)})")
        return value

    @property
    def end(self) -> datetime:
        """The end of the incident's time (its start, for an instant)."""
        return self.ended_at or self.started_at


class Incident(IncidentReport):
    """An incident as recorded: the report, its identifier and version, its reporter and the
    server's time of the report."""

    id: Identifier
    version: int = Field(ge=1, description="1 for the first report, then one per correction.")
    reported_by: Identifier
    reported_at: UtcTime


class Stance(StrEnum):
    agrees = "agrees"
    disputes = "disputes"


class FactPosition(DomainModel):
    """Where an account stands on one fact of the incident: ``kind``, ``place``, ``time``,
    ``description``, or one of its links (``link:<id>``: that the linked notice, site, zone
    ... bears on it as the record says)."""

    fact: str = Field(min_length=1, max_length=100, examples=["place", "link:n-idf-001"])
    stance: Stance
    note: str = Field(default="", max_length=5000)
    place: IncidentPlace | None = Field(
        default=None, description="For a disputed place: where the account says it was."
    )
    started_at: UtcTime | None = Field(
        default=None, description="For a disputed time: when the account says it began."
    )
    ended_at: UtcTime | None = None

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, value: str) -> str:
        if value not in FACTS and not (value.startswith("link:") and len(value) > 5):
            raise ValueError(
                f"a fact is one of {', '.join(FACTS)} or link:<id of a link>; got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _alternative_fits(self) -> Self:
        if self.place is not None and self.fact != "place":
            raise ValueError("place: only a position on the fact 'place' gives another place")
        if (self.started_at or self.ended_at) and self.fact != "time":
            raise ValueError("started_at: only a position on the fact 'time' gives another time")
        if (
            self.started_at is not None
            and self.ended_at is not None
            and self.ended_at < self.started_at
        ):
            raise ValueError("ended_at: before started_at")
        return self


class AccountStatement(DomainModel):
    """What a party states about an incident: everything but the account's identifier,
    version, party and time, which the record sets."""

    statement: str = Field(min_length=1, max_length=20_000)
    positions: list[FactPosition] = Field(default_factory=list, max_length=100)
    evidence: Evidence = Field(default_factory=list)
    shared_with: list[Identifier] | None = Field(
        default=None,
        description=(
            "Parties of the incident's audience the account is shared with; absent: all of "
            "them.  The incident's reporter and the account's author always see it."
        ),
    )

    @field_validator("positions")
    @classmethod
    def _each_fact_once(cls, value: list[FactPosition]) -> list[FactPosition]:
        seen: set[str] = set()
        for i, position in enumerate(value):
            if position.fact in seen:
                raise ValueError(f"entry {i}: the fact {position.fact!r} is given twice")
            seen.add(position.fact)
        return value


class Account(AccountStatement):
    """One version of a party's account of an incident.  A new version names the one it
    replaces; none is ever overwritten."""

    id: Identifier
    incident_id: Identifier
    party: Identifier
    version: int = Field(ge=1)
    replaces: Identifier | None = None
    submitted_at: UtcTime
