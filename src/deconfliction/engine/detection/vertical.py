"""Vertical separation between altitude bands with different units and datums.

Bounds are compared in metres once they share a datum.  A flight level is a pressure altitude;
it is compared with an altitude above mean sea level as in the standard atmosphere (QNH
1013.25 hPa), and the explanation says so.  An altitude above ground cannot be compared with
one above sea level without terrain data: such bands are treated as overlapping, which can only
raise more alerts, never fewer, and the explanation says that too.  A height above the WGS84
ellipsoid (W84) is compared with heights above sea level by widening its band by the geoid's
range (its lower bound 86 m lower, its upper bound 107 m higher), which again can only raise more
alerts.  The surface (SFC) is below everything and UNL above everything.  A band that
validates is never empty in this model (:mod:`deconfliction.engine.units.bands` orders bounds
the same way), so no band can hide a conflict by being inverted.

A margin is decided exactly: the floats of :func:`gap_between` decide unless they lie within
their rounding (:data:`ROUNDING`) of the margin, and then the bounds as written do, in exact
rational arithmetic (:func:`closer_than`).  So "FL010" and "457.2 m AMSL" are exactly
"500 ft" apart, although 457.2 - 304.8 is 152.39999999999998 in binary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from deconfliction.engine.model import AltitudeBand
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit, Length
from deconfliction.engine.units.bands import GEOID_ABOVE_M, GEOID_BELOW_M

__all__ = [
    "ROUNDING",
    "BandTerms",
    "VerticalGap",
    "band_terms",
    "closer_than",
    "exact_bits",
    "exact_gap",
    "exactly_closer",
    "gap_between",
    "vertical_gap",
]

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

EXACT_LOWER = 32
"""Bits of :func:`exact_bits`: the lower bound is absent (SFC) or its exact metres, as
written, are a whole number ``K`` of ticks (:data:`TICKS` a metre) that ``rint(lower * TICKS)``
gives back from the float bound: the float then tells the bound exactly."""
EXACT_UPPER = 64
"""The same of the upper bound (absent: UNL)."""
TICKS = 10_000
"""Ticks a metre (a tenth of a millimetre): a foot is 3,048 of them, so every bound written in
whole feet, flight levels or whole metres (or tenths of a millimetre) is a whole number."""
_TICKS_LIMIT = 2**50
"""Beyond it, ``rint(bound * TICKS)`` could miss the whole number: not certified."""

ROUNDING = 1e-12
"""A bound on the rounding of a gap or a margin in metres, relative to the bounds and margin
it comes from: each is a decimal read to the nearest double, times 0.3048 (itself rounded),
rounded again, then subtracted: four roundings of 2**-53 at most, here with a thousandfold
safety."""

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


def exact_bits(band: AltitudeBand) -> int:
    """:data:`EXACT_LOWER` and :data:`EXACT_UPPER` for the bounds of ``band`` whose floats of
    :func:`band_terms` tell them exactly (so that a margin met to the rounding is decided from
    the columns, with no band rebuilt: ``detection/screen.py``).  A bound above the WGS84
    ellipsoid, widened by the geoid's float range, is never certified.

    >>> from deconfliction.engine.units import Altitude
    >>> band = lambda lo, hi: AltitudeBand(lower=Altitude.parse(lo), upper=Altitude.parse(hi))
    >>> exact_bits(band("SFC", "FL100")) == EXACT_LOWER | EXACT_UPPER
    True
    >>> exact_bits(band("0.00001 m AMSL", "UNL")) == EXACT_UPPER
    True
    """
    lo, hi = _bounds(band)
    bits = 0
    for alt, value, bit, absent in (
        (band.lower, lo, EXACT_LOWER, band.lower.is_surface),
        (band.upper, hi, EXACT_UPPER, band.upper.is_unlimited),
    ):
        if absent:
            bits |= bit
        elif alt.reference is not AltitudeReference.W84 and math.isfinite(value):
            ticks = _ticks(alt)
            if ticks is not None and round(value * float(TICKS)) == ticks:
                bits |= bit
    return bits


_UNIT_TICKS = {AltitudeUnit.m: TICKS, AltitudeUnit.ft: 3_048, AltitudeUnit.FL: 304_800}
"""Ticks in one of each unit, exactly (a foot is 0.3048 m)."""


def _ticks(alt: Altitude) -> int | None:
    """An altitude's exact metres in whole ticks, or None when they are no whole number
    of them (or too many): a whole number written (most bounds) in integer arithmetic, any
    other through its exact decimal."""
    value = float(alt.value)
    if value.is_integer() and abs(value) < _TICKS_LIMIT / 304_800:
        return int(value) * _UNIT_TICKS[alt.unit]
    ticks = alt.exact_metres * TICKS
    return ticks.numerator if ticks.denominator == 1 and abs(ticks) < _TICKS_LIMIT else None


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


def exact_gap(a: AltitudeBand, b: AltitudeBand) -> Fraction | None:
    """The gap of :func:`vertical_gap` in exact rational metres, from the bounds as written;
    None when it is minus infinity (both bands from the surface, or both to UNL).

    Examples
    --------
    >>> from deconfliction.engine.units import Altitude
    >>> band = lambda lo, hi: AltitudeBand(lower=Altitude.parse(lo), upper=Altitude.parse(hi))
    >>> exact_gap(band("SFC", "FL010"), band("457.2 m AMSL", "UNL"))
    Fraction(762, 5)
    """
    lows = [_exact_lower(x.lower) for x in (a, b) if not x.lower.is_surface]
    highs = [_exact_upper(x.upper) for x in (a, b) if not x.upper.is_unlimited]
    if not lows or not highs:
        return None
    return max(lows) - min(highs)


def _exact_lower(alt: Altitude) -> Fraction:
    """A lower bound as written, widened by the geoid when it is above the ellipsoid."""
    widen = Fraction(GEOID_ABOVE_M) if alt.reference is AltitudeReference.W84 else 0
    return alt.exact_metres - widen


def _exact_upper(alt: Altitude) -> Fraction:
    widen = Fraction(GEOID_BELOW_M) if alt.reference is AltitudeReference.W84 else 0
    return alt.exact_metres + widen


def closer_than(
    gap: VerticalGap,
    margin: Length,
    a: BandTerms,
    b: BandTerms,
    a_band: AltitudeBand,
    b_band: AltitudeBand,
) -> bool:
    """Whether two bands (as numbers, ``a`` and ``b``, and as given) are closer than
    ``margin``, knowing their ``gap`` (:func:`gap_between`).  Bands that cannot be compared
    are treated as close.

    Examples
    --------
    >>> from deconfliction.engine.units import Altitude
    >>> band = lambda lo, hi: AltitudeBand(lower=Altitude.parse(lo), upper=Altitude.parse(hi))
    >>> low, high = band("SFC", "FL010"), band("457.2 m AMSL", "UNL")
    >>> gap = vertical_gap(low, high)
    >>> gap.gap_m < Length.parse("500 ft").metres   # in binary floats
    True
    >>> closer_than(gap, Length.parse("500 ft"), band_terms(low), band_terms(high), low, high)
    False
    """
    if not gap.assessed or gap.gap_m == -math.inf:
        return True
    m = margin.metres
    scale = abs(max(a[0], b[0])) + abs(min(a[1], b[1])) + abs(m)
    if abs(gap.gap_m - m) > ROUNDING * scale:
        return gap.gap_m < m
    return exactly_closer(a_band, b_band, margin)


def exactly_closer(a: AltitudeBand, b: AltitudeBand, margin: Length) -> bool:
    """Whether two comparable bands are closer than ``margin``, in exact rationals of the
    numbers as written (:func:`exact_gap`)."""
    exact = exact_gap(a, b)
    return exact is None or exact < margin.exact_metres
