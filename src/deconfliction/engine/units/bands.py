"""The one order of two altitudes: when a band's lower bound is below its upper bound.

A band is ordered when its lower bound is strictly below its upper bound, decided exactly
(in rationals, from the numbers as written) for every pair of units and datums:

* ``SFC`` (or ``GND``, ``0 m AGL``) is the bottom of every band and ``UNL`` the top: nothing
  is below the surface or above UNL, so an upper bound of ``SFC`` or a lower bound of ``UNL``
  is always inverted, and a band from ``SFC`` or to ``UNL`` is always ordered otherwise.
* Bounds on the same datum are compared as numbers: AGL with AGL, W84 with W84, and AMSL with
  STD (a flight level is a pressure altitude, compared with AMSL in the standard atmosphere,
  as detection compares them).
* Bounds on datums that only the place relates -- above ground against above sea level (the
  terrain), above the WGS84 ellipsoid against above sea level (the geoid) -- are compared over
  every place on Earth: the band is refused when its lower bound is above its upper bound
  wherever it is (terrain from 431 m below sea level to 8,849 m above it, geoid from 107 m below
  the ellipsoid to 86 m above it), and accepted when some place orders it.  Such a band cannot
  hide a conflict: detection reads heights above ground against heights above sea level as
  overlapping, and widens a W84 bound by the geoid's range, so the band it compares is never
  empty.

Detection's model of the bounds (:mod:`deconfliction.engine.detection.vertical`) and this
order are the same: a band that validates is never empty to detection.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from deconfliction.engine.units.altitudes import Altitude, AltitudeReference

__all__ = [
    "GEOID_ABOVE_M",
    "GEOID_BELOW_M",
    "TERRAIN_HIGHEST_M",
    "TERRAIN_LOWEST_M",
    "order_problem",
]

GEOID_ABOVE_M: Final = 86
"""The geoid lies at most this far above the WGS84 ellipsoid (EGM2008: +85.8 m)."""
GEOID_BELOW_M: Final = 107
"""... and at most this far below it (EGM2008: -106.2 m)."""
TERRAIN_LOWEST_M: Final = -431
"""The lowest ground on Earth, in metres above sea level (the shore of the Dead Sea)."""
TERRAIN_HIGHEST_M: Final = 8849
"""The highest (the summit of Everest)."""

_SEA_LEVEL = frozenset({AltitudeReference.AMSL, AltitudeReference.STD})


def _datum(alt: Altitude) -> str:
    return "MSL" if alt.reference in _SEA_LEVEL else alt.reference.value


def _above_sea_level(alt: Altitude) -> tuple[Fraction, Fraction]:
    """The lowest and highest height above sea level ``alt`` can be, wherever it is."""
    metres = alt.exact_metres
    if alt.reference is AltitudeReference.AGL:
        return metres + TERRAIN_LOWEST_M, metres + TERRAIN_HIGHEST_M
    if alt.reference is AltitudeReference.W84:
        return metres - GEOID_ABOVE_M, metres + GEOID_BELOW_M
    return metres, metres


def order_problem(lower: Altitude, upper: Altitude) -> tuple[str, str] | None:
    """The bound a band is wrong about and why, or None when ``lower`` is below ``upper``.

    Examples
    --------
    >>> p = lambda lo, hi: order_problem(Altitude.parse(lo), Altitude.parse(hi))
    >>> p("FL100", "SFC")
    ('upper', 'upper SFC is the surface, the bottom of every band: nothing is below it')
    >>> p("UNL", "FL100")
    ('lower', 'lower UNL is the top of every band: nothing is above it')
    >>> p("FL050", "5000 ft AMSL")
    ('upper', 'lower FL050 is not below upper 5000 ft AMSL')
    >>> p("SFC", "FL100") is None, p("1000 ft AGL", "500 ft AMSL") is None
    (True, True)
    >>> p("FL400", "1000 ft AGL")[1]
    'lower FL400 is above upper 1000 ft AGL wherever on Earth the band is (the ground is between 431 m below sea level and 8,849 m above it)'
    """
    if lower.is_unlimited:
        return "lower", f"lower {lower} is the top of every band: nothing is above it"
    if upper.is_surface:
        return "upper", (
            f"upper {upper} is the surface, the bottom of every band: nothing is below it"
        )
    if lower.is_surface or upper.is_unlimited:
        return None
    if _datum(lower) == _datum(upper):
        if lower.exact_metres < upper.exact_metres:
            return None
        return "upper", f"lower {lower} is not below upper {upper}"
    lowest, _ = _above_sea_level(lower)
    _, highest = _above_sea_level(upper)
    if lowest < highest:
        return None
    datums = {lower.reference, upper.reference}
    why = (
        "the ground is between 431 m below sea level and 8,849 m above it"
        if AltitudeReference.AGL in datums
        else "the geoid is between 107 m below the WGS84 ellipsoid and 86 m above it"
    )
    return "upper", f"lower {lower} is above upper {upper} wherever on Earth the band is ({why})"
