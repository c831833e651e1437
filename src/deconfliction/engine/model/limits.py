"""How large an item a server accepts: policy, checked on new input only.

Validation (the models' own) says what an item *is*; the limits here say what a server is
willing to take today, and are settings (``DECONFLICT_MAX_AREA_KM2``,
``DECONFLICT_MAX_ALTITUDE``).  They are checked
once, by the use case that accepts new input (a request, a scenario file), and never when a
stored record is read back: a record accepted under a wide limit must stay readable after the
limit is narrowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from deconfliction.engine.errors import InvalidInput, Problem
from deconfliction.engine.model.notices import Notice
from deconfliction.engine.model.sites import ProtectedSite
from deconfliction.engine.units import EXACT_FOOT, Altitude, AltitudeReference, AltitudeUnit

__all__ = [
    "CEILING",
    "Limits",
    "altitude_problem",
    "area_problem",
    "check_limits",
    "limit_problems",
]

Path = tuple[str | int, ...]


CEILING = Altitude(660, AltitudeUnit.FL, AltitudeReference.STD)
"""The default ceiling, FL660 (66,000 ft, 20,116.8 m): the top of controlled airspace, above
anything but balloons, a few reconnaissance aircraft and missiles."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Configurable bounds on what a single item may be.

    ``max_area_km2``: the largest area one outline may cover; a larger one is refused (a typo
    in a radius should not notify half a country).  ``duplicate_site_distance_m``: two sites
    of the same category closer than this are reported as probable duplicates.
    ``proposal_ttl_s``: how long a proposed change to an agreement waits for consent before it
    expires.  ``evidence_max_bytes``: the largest attachment an incident or an account may
    carry.  ``max_altitude``: the highest a volume may reach, the same height in every unit
    and datum (its number in metres, whatever it is measured from); UNL, the top of every band,
    is always accepted.
    """

    max_area_km2: float = 50_000.0
    duplicate_site_distance_m: float = 100.0
    proposal_ttl_s: float = 7 * 86_400.0
    evidence_max_bytes: int = 10 * 1024 * 1024
    max_altitude: Altitude = field(default=CEILING)


class _Sized(Protocol):
    def area_km2(self) -> float: ...


def _bands(item: object) -> Iterator[tuple[Path, Altitude]]:
    """The bounds of an item's altitude bands that the ceiling applies to, each with its
    path."""
    if isinstance(item, Notice):
        for i, volume in enumerate(item.volumes):
            yield ("volumes", i, "altitude", "lower"), volume.altitude.lower
            yield ("volumes", i, "altitude", "upper"), volume.altitude.upper


def _outlines(item: object) -> Iterator[tuple[Path, _Sized]]:
    """The outlines of an item that the area limit applies to, each with its path."""
    if isinstance(item, Notice):
        for i, volume in enumerate(item.volumes):
            yield ("volumes", i, "outline"), volume.outline
    elif isinstance(item, ProtectedSite) and hasattr(item.location, "area_km2"):
        yield ("location",), item.location


def area_problem(outline: _Sized, limits: Limits) -> str | None:
    """Why one outline goes beyond the area limit (None when it does not)."""
    area = outline.area_km2()
    if area > limits.max_area_km2:
        return (
            f"covers {area:,.0f} km², more than the limit of {limits.max_area_km2:,.0f} km² for "
            "one outline (check the units, or raise the limit)"
        )
    return None


def altitude_problem(altitude: Altitude, limits: Limits) -> str | None:
    """Why one bound goes above the ceiling (None when it does not), exactly.

    >>> altitude_problem(Altitude.parse("66001 ft AMSL"), Limits())
    'is above the ceiling of FL660 (66,000 ft, 20,116.8 m) for every altitude (check the units, or raise the ceiling)'
    >>> altitude_problem(Altitude.parse("20116.8 m AMSL"), Limits()) is None
    True
    """
    ceiling = limits.max_altitude
    if altitude.is_unlimited or altitude.exact_metres <= ceiling.exact_metres:
        return None
    metres = ceiling.exact_metres
    return (
        f"is above the ceiling of {ceiling} ({float(metres / EXACT_FOOT):,.0f} ft, "
        f"{float(metres):,} m) for every altitude (check the units, or raise the ceiling)"
    )


def limit_problems(item: object, limits: Limits) -> list[Problem]:
    """Every limit ``item`` goes beyond, each at its path.

    >>> from deconfliction.engine.model import ProtectedSite
    >>> site = ProtectedSite.model_validate({"id": "s", "name": "Camp", "category": "other",
    ...     "owner": "p", "location": {"type": "polygon", "vertices": [[35.0, 33.0],
    ...     [36.0, 33.0], [36.0, 34.0]]}, "valid_from": "2026-01-01T00:00:00Z",
    ...     "valid_until": "2027-01-01T00:00:00Z"})
    >>> limit_problems(site, Limits(max_area_km2=1000.0))[0].path
    ('location',)
    """
    found = [
        Problem(path, reason)
        for path, outline in _outlines(item)
        if (reason := area_problem(outline, limits)) is not None
    ]
    found.extend(
        Problem(path, f"{bound} {reason}")
        for path, bound in _bands(item)
        if (reason := altitude_problem(bound, limits)) is not None
    )
    return found


def check_limits(item: object, limits: Limits) -> None:
    """Raise :class:`InvalidInput` when ``item`` goes beyond a limit (see
    :func:`limit_problems`)."""
    problems = limit_problems(item, limits)
    if problems:
        raise InvalidInput(problems)
