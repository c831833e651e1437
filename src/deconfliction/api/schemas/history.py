"""The record as spans of time, for replay (the console draws any instant from it)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from enum import StrEnum

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic
from deconfliction.api.schemas.common import Output
from deconfliction.api.schemas.lines import LinePublic
from deconfliction.api.schemas.notices import NoticePublic
from deconfliction.api.schemas.observations import ObservationPublic
from deconfliction.api.schemas.sites import SitePublic
from deconfliction.api.schemas.zones import ZonePublic
from deconfliction.engine.detection.vertical import band_terms
from deconfliction.engine.model import AltitudeBand, UtcTime
from deconfliction.engine.units import Altitude
from deconfliction.service.geojson import (
    DRAWING_TOLERANCE_M,
    drawn_outline_geometry,
    outline_geometry,
)
from deconfliction.service.history import History

__all__ = ["HistoryPublic", "Outlines", "history_parts"]


class Outlines(StrEnum):
    """How the notices' outlines are rendered in a history answer."""

    exact = "exact"
    drawn = "drawn"


_RENDERINGS = {
    Outlines.exact: (outline_geometry, 1.0),
    Outlines.drawn: (drawn_outline_geometry, DRAWING_TOLERANCE_M),
}

_FROM = "From this time (inclusive); null: since ever."
_UNTIL = "Until this time (exclusive); null: still."


def _datum(alt: Altitude) -> str | None:
    if alt.is_surface or alt.is_unlimited:
        return None
    return alt.reference.value


class BandProfile(Output):
    """A volume's altitude band as the engine compares bands (for a vertical profile): the
    bounds in metres, each with its datum.  Flight levels are pressure altitudes, placed in
    the standard atmosphere; bounds above ground (AGL) cannot be placed against sea level
    without terrain data.  The band as filed is the volume's ``altitude``."""

    lower_m: float | None = Field(description="null for SFC.")
    upper_m: float | None = Field(description="null for UNL.")
    lower_datum: str | None = Field(description="AMSL, STD or AGL; null for SFC.")
    upper_datum: str | None = Field(description="AMSL, STD or AGL; null for UNL.")

    @classmethod
    def of(cls, band: AltitudeBand) -> BandProfile:
        lo, hi, _ = band_terms(band)
        return cls.model_construct(
            lower_m=None if math.isinf(lo) else lo,
            upper_m=None if math.isinf(hi) else hi,
            lower_datum=_datum(band.lower),
            upper_datum=_datum(band.upper),
        )


class HistoryNotice(NoticePublic):
    """A notice version and the span in which it stood (until replaced or cancelled)."""

    standing_from: UtcTime = Field(description="Its filing.")
    standing_until: UtcTime | None = Field(description="Its successor's filing; null: still.")
    profiles: list[BandProfile] = Field(description="One per volume, in order.")


class AlertSpan(Output):
    start: UtcTime | None = Field(description=_FROM)
    end: UtcTime | None = Field(description=_UNTIL)
    alert: AlertPublic = Field(description="The alert as it stood in this span.")


class HistoryAlert(Output):
    id: str
    current: AlertPublic | None = Field(
        description="The alert as it stands now (null if it no longer names the party)."
    )
    open: list[AlertSpan] = Field(description="The spans in which it was open.")


class ZoneSpan(Output):
    start: UtcTime | None = Field(description=_FROM)
    end: UtcTime | None = Field(description=_UNTIL)
    zone: ZonePublic


class HistoryZone(Output):
    id: str
    versions: list[ZoneSpan]


class HistoryPublic(Output):
    """Everything the party may see, with spans.  Ask again with ``after=position`` for what
    changed since."""

    position: int = Field(description="The record's sequence number this answer covers.")
    server_time: UtcTime
    outline_tolerance_m: float = Field(
        description="How closely each volume's `geometry` follows its exact outline: about a "
        "metre (`outlines=exact`), or the map's drawing tolerance (`outlines=drawn`; the "
        "notice's own `outline` is exact either way)."
    )
    notices: list[HistoryNotice]
    alerts: list[HistoryAlert]
    zones: list[HistoryZone]
    sites: list[SitePublic]
    observations: list[ObservationPublic]
    lines: list[LinePublic]

    @classmethod
    def of(cls, found: History, outlines: Outlines = Outlines.exact) -> HistoryPublic:
        geometry, tolerance = _RENDERINGS[outlines]
        return cls.model_construct(
            position=found.position,
            server_time=found.server_time,
            outline_tolerance_m=tolerance,
            notices=[
                HistoryNotice.model_construct(
                    **dict(NoticePublic.of(view, geometry)),
                    standing_from=view.notice.filed_at,
                    standing_until=span.end,
                    profiles=[BandProfile.of(v.altitude) for v in view.notice.volumes],
                )
                for view, span in found.notices
            ],
            alerts=[
                HistoryAlert.model_construct(
                    id=alert_id,
                    current=AlertPublic.of(found_alert.current) if found_alert.current else None,
                    open=[
                        AlertSpan.model_construct(
                            start=span.start, end=span.end, alert=AlertPublic.of(view)
                        )
                        for span, view in found_alert.open
                    ],
                )
                for alert_id, found_alert in sorted(found.alerts.items())
            ],
            zones=[
                HistoryZone.model_construct(
                    id=zone_id,
                    versions=[
                        ZoneSpan.model_construct(
                            start=span.start, end=span.end, zone=ZonePublic.of(view)
                        )
                        for span, view in versions
                    ],
                )
                for zone_id, versions in sorted(found.zones.items())
            ],
            sites=[SitePublic.of(s) for s in found.sites],
            observations=[ObservationPublic.of(o) for o in found.observations],
            lines=[LinePublic.of(line) for line in found.lines],
        )


def history_parts(
    found: History, outlines: Outlines, first: int = 250, size: int = 1000
) -> Iterator[HistoryPublic]:
    """The answer in parts, each a whole :class:`HistoryPublic` of the same position: the
    first holds everything but the notices after the first ``first``; each next one holds
    ``size`` more notices and nothing else.  Merged in order, as a client merges an
    ``after`` answer, they make the whole answer; a map can draw the first part's volumes
    while the rest is made and sent."""
    notices = found.notices
    yield HistoryPublic.of(dataclasses.replace(found, notices=notices[:first]), outlines)
    rest = History(position=found.position, server_time=found.server_time)
    for start in range(first, len(notices), size):
        part = dataclasses.replace(rest, notices=notices[start : start + size])
        yield HistoryPublic.of(part, outlines)
