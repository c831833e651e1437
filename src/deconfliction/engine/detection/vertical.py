"""Vertical separation between altitude bands with different units and datums.

Bounds are compared in metres once they share a datum.  A flight level is a pressure altitude;
it is compared with an altitude above mean sea level as in the standard atmosphere (QNH
1013.25 hPa), and the explanation says so.  An altitude above ground cannot be compared with
one above sea level without terrain data: such bands are treated as overlapping, which can only
raise more alerts, never fewer, and the explanation says that too.  A height above the WGS84
ellipsoid (W84) is compared with heights above sea level by widening its band by the geoid's
range (its lower bound 86 m lower, its upper bound 107 m higher), which again can only raise more
alerts.  The surface (SFC) is below everything and UNL above everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from deconfliction.engine.model import AltitudeBand
from deconfliction.engine.units import Altitude, AltitudeReference

__all__ = ["BandTerms", "VerticalGap", "band_terms", "gap_between", "vertical_gap"]

AGL_BOUND = 1
"""Datum bits of :func:`band_terms`: a bound above ground level (not the surface)."""
MSL_BOUND = 2
"""A bound above mean sea level, as an altitude or a flight level (not UNL)."""
STD_BOUND = 4
"""A bound above mean sea level given on the standard setting (a flight level)."""
AMSL_BOUND = 8
"""A bound above mean sea level given as an altitude AMSL."""
W84_BOUND = 16
"""A bound above the WGS84 ellipsoid (compared as above sea level, widened by the geoid)."""

GEOID_ABOVE_M = 86.0
"""The geoid lies at most this far above the WGS84 ellipsoid (EGM2008: +85.8 m)."""
GEOID_BELOW_M = 107.0
"""... and at most this far below it (EGM2008: -106.2 m)."""

_AGL_NOTE = (
    "heights above ground and above sea level cannot be compared without terrain data: "
    "treated as overlapping"
)
_STD_NOTE = "flight levels compared with altitudes in the standard atmosphere (QNH 1013.25)"
_W84_NOTE = (
    "heights above the WGS84 ellipsoid compared with heights above sea level within the "
    "geoid's range (-86 m to +107 m)"
)


@dataclass(frozen=True, slots=True)
class VerticalGap:
    """``gap_m`` is positive for clear air between the bands, negative for the depth of their
    overlap, and ``-inf`` when the bands cannot be compared (then ``assessed`` is false)."""

    gap_m: float
    assessed: bool
    note: str = ""


BandTerms = tuple[float, float, int]
"""A band as numbers: lower and upper bounds in metres (``-inf`` for SFC, ``inf`` for UNL) and
its datum bits (``AGL_BOUND | MSL_BOUND | STD_BOUND | AMSL_BOUND``)."""


def _datum(alt: Altitude) -> str | None:
    """The datum a bound must be compared in, or None for SFC/UNL (which compare with any)."""
    if alt.is_surface or alt.is_unlimited:
        return None
    return "AGL" if alt.reference is AltitudeReference.AGL else "MSL"


def _bits(alt: Altitude) -> int:
    datum = _datum(alt)
    if datum is None:
        return 0
    if datum == "AGL":
        return AGL_BOUND
    if alt.reference is AltitudeReference.STD:
        return MSL_BOUND | STD_BOUND
    if alt.reference is AltitudeReference.W84:
        return MSL_BOUND | W84_BOUND
    return MSL_BOUND | AMSL_BOUND


def _bounds(band: AltitudeBand) -> tuple[float, float]:
    lo = -math.inf if band.lower.is_surface else band.lower.metres
    hi = math.inf if band.upper.is_unlimited else band.upper.metres
    if band.lower.reference is AltitudeReference.W84:
        lo -= GEOID_ABOVE_M
    if band.upper.reference is AltitudeReference.W84:
        hi += GEOID_BELOW_M
    return lo, hi


def band_terms(band: AltitudeBand) -> BandTerms:
    """The numbers :func:`gap_between` compares: computed once per band, reusable.

    Examples
    --------
    >>> from deconfliction.engine.units import Altitude
    >>> band_terms(AltitudeBand(lower=Altitude.parse("SFC"), upper=Altitude.parse("FL100")))
    (-inf, 3048.0, 6)
    """
    lo, hi = _bounds(band)
    return lo, hi, _bits(band.lower) | _bits(band.upper)


def gap_between(a: BandTerms, b: BandTerms) -> VerticalGap:
    """The vertical gap between two bands given by :func:`band_terms`."""
    datums = a[2] | b[2]
    if datums & (AGL_BOUND | MSL_BOUND) == AGL_BOUND | MSL_BOUND:
        return VerticalGap(-math.inf, assessed=False, note=_AGL_NOTE)
    note = _STD_NOTE if datums & (STD_BOUND | AMSL_BOUND) == STD_BOUND | AMSL_BOUND else ""
    if datums & W84_BOUND:
        note = _W84_NOTE
    return VerticalGap(max(a[0], b[0]) - min(a[1], b[1]), assessed=True, note=note)


def vertical_gap(a: AltitudeBand, b: AltitudeBand) -> VerticalGap:
    """The vertical gap between two bands.

    Examples
    --------
    >>> from deconfliction.engine.units import Altitude
    >>> band = lambda lo, hi: AltitudeBand(lower=Altitude.parse(lo), upper=Altitude.parse(hi))
    >>> round(vertical_gap(band("FL100", "FL200"), band("FL250", "FL300")).gap_m / 0.3048)
    5000
    >>> vertical_gap(band("SFC", "500 ft AGL"), band("FL100", "FL200")).assessed
    False
    """
    return gap_between(band_terms(a), band_terms(b))
