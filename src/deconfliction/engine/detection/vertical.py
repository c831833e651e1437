"""Vertical separation between altitude bands with different units and datums.

Bounds are compared in metres once they share a datum.  A flight level is a pressure altitude;
it is compared with an altitude above mean sea level as in the standard atmosphere (QNH
1013.25 hPa), and the explanation says so.  An altitude above ground cannot be compared with
one above sea level without terrain data: such bands are treated as overlapping, which can only
raise more alerts, never fewer, and the explanation says that too.  The surface (SFC) is below
everything and UNL above everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from deconfliction.engine.model import AltitudeBand
from deconfliction.engine.units import Altitude, AltitudeReference

__all__ = ["VerticalGap", "vertical_gap"]


@dataclass(frozen=True, slots=True)
class VerticalGap:
    """``gap_m`` is positive for clear air between the bands, negative for the depth of their
    overlap, and ``-inf`` when the bands cannot be compared (then ``assessed`` is false)."""

    gap_m: float
    assessed: bool
    note: str = ""


def _datum(alt: Altitude) -> str | None:
    """The datum a bound must be compared in, or None for SFC/UNL (which compare with any)."""
    if alt.is_surface or alt.is_unlimited:
        return None
    return "AGL" if alt.reference is AltitudeReference.AGL else "MSL"


def _bounds(band: AltitudeBand) -> tuple[float, float]:
    lo = -math.inf if band.lower.is_surface else band.lower.metres
    hi = math.inf if band.upper.is_unlimited else band.upper.metres
    return lo, hi


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
    datums = {d for d in map(_datum, (a.lower, a.upper, b.lower, b.upper)) if d is not None}
    if len(datums) > 1:
        return VerticalGap(
            -math.inf,
            assessed=False,
            note="heights above ground and above sea level cannot be compared without terrain "
            "data: treated as overlapping",
        )
    note = ""
    refs = {x.reference for x in (a.lower, a.upper, b.lower, b.upper) if _datum(x) == "MSL"}
    if AltitudeReference.STD in refs and AltitudeReference.AMSL in refs:
        note = "flight levels compared with altitudes in the standard atmosphere (QNH 1013.25)"
    a_lo, a_hi = _bounds(a)
    b_lo, b_hi = _bounds(b)
    return VerticalGap(max(a_lo, b_lo) - min(a_hi, b_hi), assessed=True, note=note)
