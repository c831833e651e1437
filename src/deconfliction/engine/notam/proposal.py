"""A notice as ICAO NOTAM proposals for an aeronautical information service.

A proposal, never a publication: the product is not an AIS, so the series and number are
placeholders the AIS replaces.  Volumes that share an outline and a band become one NOTAM whose
windows go to B), C) and D); volumes with different outlines or bands become one NOTAM each.

The Q-line circle contains every volume grown by the margin: its centre is the middle of the
volumes' box rounded to whole minutes (the Q line's resolution), and its radius, computed from
that rounded centre, is the farthest point of any volume plus the margin, rounded **up** to
whole NM.  A polygon's farthest point is on its boundary; the boundary is densified along its
geodesics to pieces of at most :data:`_PIECE` metres, and any point of a piece is within half a
piece of one of its ends, so half a piece is added: the bound holds for every point, not just
the vertices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import numpy as np

from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.measures import distances
from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Notice,
    NoticeKind,
    Position,
    Volume,
)
from deconfliction.engine.model.volumes import Outline
from deconfliction.engine.notam.coordinates import DMS_RE, format_dms, format_length
from deconfliction.engine.notam.mapping import RADIUS_RE, SIDE_RE
from deconfliction.engine.notam.schedule import format_schedule
from deconfliction.engine.notam.text import QLine
from deconfliction.engine.units import (
    FOOT,
    NAUTICAL_MILE,
    Altitude,
    AltitudeReference,
    AltitudeUnit,
)
from deconfliction.engine.units.bands import GEOID_ABOVE_M, GEOID_BELOW_M

__all__ = ["ExportContext", "Proposal", "containing_circle", "propose"]

_PIECE: Final = 100.0
_SLACK_M: Final = 1.0
_CODES: Final = {NoticeKind.exercise: "QWELW"}
_DEFAULT_CODE: Final = "QRTCA"


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What a proposal needs beyond the notice: where (FIR, locations), which margin to keep
    around every volume, and the placeholder series and first number."""

    fir: str = "XXXX"
    locations: tuple[str, ...] = ()
    margin_m: float = 0.0
    series: str = "X"
    number: int = 1
    code: str | None = None
    """The Q-code to use (a notice imported from a NOTAM keeps its own)."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """One NOTAM proposal: its items, its text, and what was rounded or assumed.

    The items are the one source of every format written for it: the ICAO text
    (:attr:`text`), the FAA NOTAM API's GeoJSON and the AIXM 5.1 Event
    (:mod:`~deconfliction.engine.notam.faa`, :mod:`~deconfliction.engine.notam.aixm`)."""

    series: str
    number: int
    year: int
    """The year of B), two digits as in the id."""
    q: QLine
    locations: tuple[str, ...]
    """Item A."""
    periods: tuple[tuple[datetime, datetime], ...]
    """The active periods, on whole minutes: B) is the first start, C) the last end, D) the
    schedule when there are several."""
    item_e: str
    lower: str
    """Item F: the lower limit as written (floored to whole units)."""
    upper: str
    """Item G: the upper limit as written (rounded up to whole units)."""
    volumes: tuple[int, ...]
    """Indices of the notice's volumes this NOTAM covers."""
    notes: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.series}{self.number:04d}/{self.year:02d}"

    @property
    def schedule(self) -> str | None:
        """Item D, when there is more than one active period."""
        return format_schedule(list(self.periods)) if len(self.periods) > 1 else None

    @property
    def text(self) -> str:
        """The ICAO NOTAM text."""
        lines = [
            f"({self.id} NOTAMN",
            f"Q) {self.q.text()}",
            f"A) {' '.join(self.locations)} "
            f"B) {_stamp(self.periods[0][0])} C) {_stamp(self.periods[-1][1])}",
        ]
        if self.schedule is not None:
            lines.append(f"D) {self.schedule}")
        lines.append(f"E) {self.item_e}")
        lines.append(f"F) {self.lower} G) {self.upper})")
        return "\n".join(lines)


def _floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def _ceil_minute(t: datetime) -> datetime:
    floor = _floor_minute(t)
    return floor if floor == t else floor + timedelta(minutes=1)


def _stamp(t: datetime) -> str:
    return t.strftime("%y%m%d%H%M")


def _sample(outline: Outline) -> tuple[np.ndarray, np.ndarray, float]:
    """Points whose distance from any centre, plus the returned reach, bounds the outline's."""
    if isinstance(outline, CircleOutline):
        c = outline.center
        return np.array([c.lon]), np.array([c.lat]), outline.radius.metres
    if isinstance(outline, CorridorOutline):
        lons, lats, _ = densify(
            [p.lon for p in outline.route], [p.lat for p in outline.route], _PIECE
        )
        return lons, lats, outline.half_width.metres + _PIECE / 2
    ring = outline.vertices
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    lons, lats, _ = densify([p.lon for p in ring], [p.lat for p in ring], _PIECE, closed=True)
    return lons, lats, _PIECE / 2


def _round_minutes(value: float) -> float:
    return round(value * 60) / 60


def containing_circle(outlines: Sequence[Outline], margin_m: float) -> tuple[Position, int]:
    """A centre on whole minutes and a whole-NM radius containing every outline grown by
    ``margin_m``."""
    samples = [_sample(o) for o in outlines]
    lons = np.concatenate([s[0] for s in samples])
    lats = np.concatenate([s[1] for s in samples])
    centre = Position(
        _round_minutes((float(lons.min()) + float(lons.max())) / 2),
        _round_minutes((float(lats.min()) + float(lats.max())) / 2),
    )
    reach = 0.0
    for s_lons, s_lats, extra in samples:
        far = distances(
            np.full(s_lons.shape, centre.lon), np.full(s_lats.shape, centre.lat), s_lons, s_lats
        )
        reach = max(reach, float(far.max()) + extra)
    radius_m = reach + margin_m + _SLACK_M
    return centre, max(1, math.ceil(radius_m / NAUTICAL_MILE))


def _flight_levels(band: AltitudeBand) -> tuple[int, int, list[str]]:
    """Q-line lower (floor) and upper (ceiling) flight levels bracketing ``band``."""
    notes: list[str] = []

    def feet_amsl(alt: Altitude, low: bool) -> float | None:
        if alt.reference is AltitudeReference.AGL:
            return None
        if alt.reference is AltitudeReference.W84:
            return (alt.metres - GEOID_ABOVE_M if low else alt.metres + GEOID_BELOW_M) / FOOT
        return alt.metres / FOOT

    lo, hi = band.lower, band.upper
    lower = 0
    if not lo.is_surface:
        ft = feet_amsl(lo, True)
        lower = 0 if ft is None else max(0, math.floor(ft / 100))
    if hi.is_unlimited:
        upper = 999
    else:
        ft = feet_amsl(hi, False)
        if ft is None:
            upper = 999
            notes.append("upper limit above ground: Q-line upper 999 (no terrain data bounds it)")
        else:
            upper = min(999, math.ceil(ft / 100))
    return lower, max(lower, upper), notes


def _limit(alt: Altitude, low: bool) -> tuple[str, list[str]]:
    """Item F or G for one bound: whole units, lower floored and upper rounded up."""
    if alt.is_surface:
        return "SFC", []
    if alt.is_unlimited:
        return "UNL", []
    if alt.unit is AltitudeUnit.FL:
        return f"FL{round(alt.value):03d}", []
    notes: list[str] = []
    value = alt.value
    datum = alt.reference.value
    if alt.reference is AltitudeReference.W84:
        per_metre = 1 / FOOT if alt.unit is AltitudeUnit.ft else 1.0
        value += -GEOID_ABOVE_M * per_metre if low else GEOID_BELOW_M * per_metre
        datum = "AMSL"
        notes.append(
            "height above the WGS84 ellipsoid written as AMSL widened by the geoid's range "
            f"(-{GEOID_ABOVE_M:g} m, +{GEOID_BELOW_M:g} m)"
        )
    if alt.reference is AltitudeReference.STD:
        datum = "AMSL"
    whole = math.floor(value) if low else math.ceil(value)
    if whole != value:
        notes.append(f"{alt} written as {whole}{alt.unit.value.upper()} {datum}")
    if low and whole <= 0 and datum == "AGL":
        return "SFC", notes
    return f"{max(whole, 0) if datum == 'AGL' else whole}{alt.unit.value.upper()} {datum}", notes


def _outline_text(outline: Outline) -> str:
    if isinstance(outline, CircleOutline):
        return (
            f"CIRCLE RADIUS {format_length(outline.radius)} CENTRED ON {format_dms(outline.center)}"
        )
    if isinstance(outline, CorridorOutline):
        route = " - ".join(format_dms(p) for p in outline.route)
        return f"CORRIDOR {format_length(outline.half_width)} EITHER SIDE OF LINE {route}"
    ring = list(outline.vertices)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return "AREA BOUNDED BY " + " - ".join(format_dms(p) for p in ring)


def _clean(text: str) -> str:
    return " ".join(text.upper().replace("(", "[").replace(")", "]").split())


def _words(title: str) -> str:
    """A title for item E without anything an importer would read as geometry."""
    text = _clean(title)
    for pattern in (DMS_RE, RADIUS_RE, SIDE_RE):
        text = pattern.sub("", text)
    return " ".join(text.split())


def _groups(volumes: Sequence[Volume]) -> list[list[int]]:
    keyed: dict[str, list[int]] = {}
    for i, v in enumerate(volumes):
        keyed.setdefault(v.outline.model_dump_json() + v.altitude.model_dump_json(), []).append(i)
    return list(keyed.values())


def propose(notice: Notice, context: ExportContext) -> list[Proposal]:
    """The NOTAM proposals for ``notice`` (see the module documentation)."""
    if not notice.volumes:
        raise ValueError(f"notice {notice.id} is a cancellation: it has nothing to propose")
    out: list[Proposal] = []
    year = notice.volumes[0].window.start.year % 100
    for k, indices in enumerate(_groups(notice.volumes)):
        chosen = [notice.volumes[i] for i in indices]
        notes: list[str] = []
        periods: list[tuple[datetime, datetime]] = []
        for v in sorted(chosen, key=lambda v: v.window.start):
            s, e = _floor_minute(v.window.start), _ceil_minute(v.window.end)
            if (s, e) != (v.window.start, v.window.end):
                notes.append(f"window {v.window} widened to whole minutes")
            if periods and s <= periods[-1][1]:
                periods[-1] = (periods[-1][0], max(periods[-1][1], e))
            else:
                periods.append((s, e))
        band = chosen[0].altitude
        lower_fl, upper_fl, fl_notes = _flight_levels(band)
        notes.extend(fl_notes)
        centre, radius_nm = containing_circle([chosen[0].outline], context.margin_m)
        if radius_nm > 999:
            raise ValueError(
                f"notice {notice.id}: the volumes need a Q-line radius of {radius_nm} NM, more "
                "than the 999 NM the format allows"
            )
        q = QLine(
            fir=context.fir,
            code=context.code or _CODES.get(notice.kind, _DEFAULT_CODE),
            traffic="IV",
            purpose="BO",
            scope="W",
            lower_fl=lower_fl,
            upper_fl=upper_fl,
            centre=centre,
            radius_nm=radius_nm,
        )
        f_text, f_notes = _limit(band.lower, True)
        g_text, g_notes = _limit(band.upper, False)
        notes.extend(f_notes + g_notes)
        title = _words(notice.title)
        item_e = (
            f"{_outline_text(chosen[0].outline)}."
            + (f" {title}." if title else "")
            + f" DECONFLICTION LINE NOTICE {_clean(notice.id)} OF {_clean(notice.author)}."
        )
        out.append(
            Proposal(
                series=context.series,
                number=context.number + k,
                year=year,
                q=q,
                locations=context.locations or (context.fir,),
                periods=tuple(periods),
                item_e=item_e,
                lower=f_text,
                upper=g_text,
                volumes=tuple(indices),
                notes=tuple(dict.fromkeys(notes)),
            )
        )
    return out
