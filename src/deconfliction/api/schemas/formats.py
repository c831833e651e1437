"""NOTAMs in and out, and GeoJSON in: request and response bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from deconfliction.api.schemas.common import Input, Output, Receipted
from deconfliction.engine.model.common import MAX_COUNT

__all__ = [
    "GeoJsonImport",
    "GeoJsonImported",
    "NotamBatch",
    "NotamImported",
    "NotamProposals",
]


class NotamBatch(Input):
    """ICAO NOTAMs, one after another, each optionally in parentheses."""

    text: str = Field(min_length=1, max_length=2_000_000, description="The NOTAMs as text.")
    mode: Literal["atomic", "each"] = Field(
        default="atomic",
        description=(
            "atomic: all or nothing (every problem reported, nothing stored); each: every valid "
            "NOTAM recorded, the others reported."
        ),
    )


class NotamOutcome(Output):
    index: int
    id: str
    action: str = Field(description="new, replace or cancel")
    status: str = Field(description="recorded, unchanged or refused")
    notice: str | None = Field(description="The notice version it became.")
    flags: list[str] = Field(description="What was assumed: coarse outline, EST, PERM...")
    problems: list[dict[str, str]]
    alerts: list[str] = Field(description="Alerts the notice opened or updated.")


class NotamImported(Receipted):
    party: str = Field(description="The civil-aviation party whose notices they became.")
    counts: dict[str, int]
    notams: list[NotamOutcome]


class NotamProposal(Output):
    id: str = Field(description="A placeholder series and number (the AIS assigns its own).")
    text: str
    q_line: str
    volumes: list[int] = Field(description="The notice's volumes this NOTAM covers.")
    notes: list[str] = Field(description="What was rounded or assumed.")


class NotamProposals(Output):
    """ICAO NOTAM proposals for a notice: for an aeronautical information service, never a
    publication."""

    notice: str
    proposal: bool
    note: str
    margin_m: float = Field(description="The lateral margin the Q-line circle keeps.")
    resolution: dict[str, str]
    notams: list[NotamProposal]


class GeoJsonImport(Input):
    """An RFC 7946 FeatureCollection with the properties the GeoJSON export writes."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]] = Field(max_length=100_000)

    @field_validator("features")
    @classmethod
    def _exact_numbers(cls, features: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Whole numbers beyond 2^53 are not exact in JSON (nor storable canonically)."""
        stack: list[Any] = [features]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_COUNT:
                raise ValueError(f"the number {value} is too large to be exact in JSON")
        return features


class GeoJsonImported(Receipted):
    recorded: dict[str, int]
    unchanged: dict[str, int]
    skipped: dict[str, int] = Field(description="Features not imported (observations, alerts).")
    alert_changes: dict[str, int]
