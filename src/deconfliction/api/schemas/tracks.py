"""Live tracks: what a feeder is told, what a party sees of the air picture."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import Output, Receipted
from deconfliction.engine.model import UtcTime
from deconfliction.engine.tracks.attribution import Attributed
from deconfliction.engine.tracks.reports import utc
from deconfliction.engine.tracks.state import TrackState
from deconfliction.engine.tracks.terms import DeclarationIn
from deconfliction.service.track_replay import Kept, Sample
from deconfliction.service.tracks import FeedResult

__all__ = ["FeedAnswer", "TrackList", "TrackPublic"]


class UnreadablePublic(Output):
    """Input the server could not read: where it was and why."""

    where: str
    reason: str


class FeedAnswer(Output):
    """What the server made of a posted chunk: reports merged, messages without track data
    (ignored), and unreadable input counted by reason, the first few with their place."""

    reports: int
    ignored: int
    unreadable: int
    reasons: dict[str, int]
    first_unreadable: list[UnreadablePublic]

    @classmethod
    def of(cls, r: FeedResult) -> FeedAnswer:
        return cls(
            reports=r.reports,
            ignored=r.ignored,
            unreadable=r.rejected,
            reasons=r.reasons,
            first_unreadable=[
                UnreadablePublic(where=x.where, reason=x.reason) for x in r.first_rejected
            ],
        )


class TrackPublic(Output):
    """One aircraft as last reported: every value in the unit and datum its source gave
    (``baro``: pressure altitude; ``geom``: GNSS height above the WGS84 ellipsoid)."""

    key: str = Field(description="icao:<24-bit address>, other:~<address>, or track:<source>/<n>.")
    party: str | None = Field(description="The party it is attributed to (null: unattributed).")
    disputed: list[str] = Field(description="Parties that declared the same aircraft.")
    callsign: str | None
    squawk: str | None
    lon: float | None
    lat: float | None
    position_time: UtcTime | None
    baro: dict[str, Any] | None
    geom: dict[str, Any] | None
    speed: dict[str, Any] | None
    track: float | None = Field(description="Degrees clockwise from true north.")
    rate: dict[str, Any] | None
    on_ground: bool
    sources: list[str]
    last_heard: UtcTime
    trail: list[list[float | None]] | None = Field(
        default=None, description="[t (epoch s), lon, lat, altitude m on its datum], oldest first."
    )

    @classmethod
    def of(
        cls,
        state: TrackState,
        who: Attributed,
        trail: list[tuple[float, float, float, float | None]] | None = None,
    ) -> TrackPublic:
        pos, alt, vel = state.position, state.alt, state.velocity
        ident = state.identity
        return cls(
            key=state.key,
            party=who.party,
            disputed=list(who.disputed),
            callsign=state.callsign,
            squawk=ident.squawk if ident else None,
            lon=pos.lon if pos else None,
            lat=pos.lat if pos else None,
            position_time=utc(pos.t) if pos else None,
            baro=alt.baro.to_dict() if alt and alt.baro else None,
            geom=alt.geom.to_dict() if alt and alt.geom else None,
            speed=vel.speed.to_dict() if vel and vel.speed else None,
            track=vel.track if vel else None,
            rate=vel.rate.to_dict() if vel and vel.rate else None,
            on_ground=state.on_ground,
            sources=sorted({r.source for r in state.evidence()}),
            last_heard=utc(state.last),
            trail=[list(p) for p in trail] if trail is not None else None,
        )

    @classmethod
    def of_sample(
        cls, key: str, then: Sample, who: Attributed, trail: list[Kept] | None = None
    ) -> TrackPublic:
        """An aircraft as a round held it at ``then.t`` (``GET /v1/tracks?at=``): the position
        that round used, the altitudes and speed as last reported then."""
        return cls(
            key=key,
            party=who.party,
            disputed=list(who.disputed),
            callsign=then.callsign,
            squawk=None,
            lon=then.lon,
            lat=then.lat,
            position_time=utc(then.t),
            baro=then.baro.to_dict() if then.baro else None,
            geom=then.geom.to_dict() if then.geom else None,
            speed=then.speed.to_dict() if then.speed else None,
            track=then.track,
            rate=None,
            on_ground=False,
            sources=[],
            last_heard=utc(then.t),
            trail=[list(k[:4]) for k in trail] if trail is not None else None,
        )


class TrackList(Output):
    tracks: list[TrackPublic]


class Declared(Receipted):
    """A declaration as recorded, with the ledger's receipt."""

    subject: str = Field(description="The party, and the notice they fly under (or -).")
    party: str
    aircraft: DeclarationIn
