"""How large an item a server accepts: policy, checked on new input only.

Validation (the models' own) says what an item *is*; the limits here say what a server is
willing to take today, and are a setting (``DECONFLICT_MAX_AREA_KM2``).  They are checked
once, by the use case that accepts new input (a request, a scenario file), and never when a
stored record is read back: a record accepted under a wide limit must stay readable after the
limit is narrowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from deconfliction.engine.errors import InvalidInput, Problem
from deconfliction.engine.model.notices import Notice
from deconfliction.engine.model.sites import ProtectedSite

__all__ = ["Limits", "area_problem", "check_limits", "limit_problems"]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Limits:
    """Configurable bounds on what a single item may be.

    ``max_area_km2``: the largest area one outline may cover; a larger one is refused (a typo
    in a radius should not notify half a country).  ``duplicate_site_distance_m``: two sites
    of the same category closer than this are reported as probable duplicates.
    ``proposal_ttl_s``: how long a proposed change to an agreement waits for consent before it
    expires.  ``evidence_max_bytes``: the largest attachment an incident or an account may
    carry.
    """

    max_area_km2: float = 50_000.0
    duplicate_site_distance_m: float = 100.0
    proposal_ttl_s: float = 7 * 86_400.0
    evidence_max_bytes: int = 10 * 1024 * 1024


class _Sized(Protocol):
    def area_km2(self) -> float: ...


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
    return [
        Problem(path, reason)
        for path, outline in _outlines(item)
        if (reason := area_problem(outline, limits)) is not None
    ]


def check_limits(item: object, limits: Limits) -> None:
    """Raise :class:`InvalidInput` when ``item`` goes beyond a limit (see
    :func:`limit_problems`)."""
    problems = limit_problems(item, limits)
    if problems:
        raise InvalidInput(problems)
