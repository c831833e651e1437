"""Quantities with their units: lengths, durations and altitudes.

Every quantity keeps the unit it was given in, so that an explanation can speak the user's
language ("3 NM margin", "FL250"), and converts exactly to SI for computation.  Bare numbers are
refused: an ambiguous unit is how 9 km errors happen.

Type aliases carry their unit in the annotation (``Metres``, ``Feet``, ``Seconds``) so that a
signature says what it expects.

Two values of each quantity: a float for computation (``metres``, ``seconds``), and an exact
rational (``exact_metres``, ``exact_seconds``) for decisions at a threshold.  The exact value is
the number as written (the shortest decimal that reads back as the stored float, which is what
the quantity prints) times the unit's exact factor: a foot is 0.3048 m and a flight level
100 ft by definition, so "FL010" plus "500 ft" is exactly "457.2 m AMSL", which the products
of binary floats are not.

Bands are ordered by one rule for every pair of units and datums (:mod:`.bands`), and every
altitude, whatever its unit, lies between the same bounds (:data:`LOWEST_M`, :data:`TOP_M`).

The package's modules group them by kind; everything public is re-exported here, flat.
"""

from deconfliction.engine.units.altitudes import (
    LOWEST_M,
    TOP_M,
    Altitude,
    AltitudeReference,
    AltitudeUnit,
)
from deconfliction.engine.units.bands import (
    GEOID_ABOVE_M,
    GEOID_BELOW_M,
    TERRAIN_HIGHEST_M,
    TERRAIN_LOWEST_M,
    order_problem,
)
from deconfliction.engine.units.durations import MAX_DURATION_S, Duration, format_duration
from deconfliction.engine.units.lengths import Length, LengthUnit
from deconfliction.engine.units.quantity import (
    EXACT_FOOT,
    FOOT,
    NAUTICAL_MILE,
    Feet,
    Metres,
    Seconds,
    exact_decimal,
    require_number,
)

__all__ = [
    "EXACT_FOOT",
    "FOOT",
    "GEOID_ABOVE_M",
    "GEOID_BELOW_M",
    "LOWEST_M",
    "MAX_DURATION_S",
    "NAUTICAL_MILE",
    "TERRAIN_HIGHEST_M",
    "TERRAIN_LOWEST_M",
    "TOP_M",
    "Altitude",
    "AltitudeReference",
    "AltitudeUnit",
    "Duration",
    "Feet",
    "Length",
    "LengthUnit",
    "Metres",
    "Seconds",
    "exact_decimal",
    "format_duration",
    "order_problem",
    "require_number",
]
