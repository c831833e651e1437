"""Cases built a given distance from a threshold, with their truth computed independently.

Shared by the ``test_thresholds_*`` modules.  Nothing here uses the code under test to decide
what the answer should be: places come from pyproj's ``Geod`` (GeographicLib), truths from the
brute-force reference of ``conftest.py`` or from exact rational arithmetic.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import pyproj
from hypothesis import HealthCheck, settings

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.model import Agreement, Notice, Party
from deconfliction.engine.situation import Situation

GEOD = pyproj.Geod(ellps="WGS84")
SCALE = int(os.environ.get("DECONFLICTION_HYPOTHESIS_SCALE", "1"))
"""Multiplies the examples of every property (for a long exploratory run)."""


def cases(examples: int) -> Any:
    """Hypothesis settings for ``examples`` cases (times ``SCALE``)."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


MM = 0.001
OFFSETS = (-MM, MM)
"""Every threshold is tried a millimetre either side."""

FOOT = Fraction(3048, 10_000)
"""The international foot, exactly."""


def exact(text: str) -> Fraction:
    """A decimal number as written, exactly."""
    return Fraction(text)


# -- places --------------------------------------------------------------------------------------


def forward(lon: float, lat: float, azimuth: float, distance: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, distance)
    return float(x), float(y)


def foot_and_azimuth(
    a: tuple[float, float], b: tuple[float, float], fraction: float
) -> tuple[float, float, float]:
    """The point ``fraction`` of the way along the geodesic a->b, and the geodesic's azimuth
    there."""
    az, _, length = GEOD.inv(a[0], a[1], b[0], b[1])
    lon, lat, back = GEOD.fwd(a[0], a[1], az, fraction * length)
    return float(lon), float(lat), float(back) + 180.0


def beside(
    a: tuple[float, float], b: tuple[float, float], fraction: float, right: bool, distance: float
) -> tuple[float, float]:
    """A point ``distance`` metres to the right (or left) of the geodesic a->b, on the
    perpendicular at ``fraction`` of its length."""
    lon, lat, az = foot_and_azimuth(a, b, fraction)
    return forward(lon, lat, az + (90.0 if right else -90.0), distance)


def text(lon: float, lat: float) -> list[float]:
    """A position as the scenario format takes it, exactly ([lon, lat])."""
    return [lon, lat]


# -- a small world -------------------------------------------------------------------------------

WINDOW = {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z"}


def volume(outline: dict[str, Any], lower: str = "SFC", upper: str = "FL100") -> dict[str, Any]:
    return {"outline": outline, "altitude": {"lower": lower, "upper": upper}, "window": WINDOW}


def notice(ident: str, author: str, *volumes: dict[str, Any]) -> Notice:
    return Notice.model_validate(
        {
            "id": ident,
            "author": author,
            "kind": "air_operation",
            "filed_at": "2026-11-24T06:00:00Z",
            "volumes": list(volumes),
        }
    )


PARTIES = {
    "a": Party(id="a", name="Alpha", kind="armed_force", affiliations=["Alpha Army"]),
    "b": Party(id="b", name="Bravo", kind="armed_force", affiliations=["Bravo Army"]),
    "h": Party(id="h", name="Helpers", kind="humanitarian"),
}


def world(terms: dict[str, Any] | None, *items: Any, parties: str = "ab") -> Situation:
    """``parties`` (ids of :data:`PARTIES`) under one agreement with ``terms`` (its margins,
    lead times, ...; none without terms), then ``items`` filed."""
    s = Situation()
    for p in parties:
        s.file(PARTIES[p])
    if terms is not None:
        s.file(
            Agreement.model_validate(
                {"id": parties, "name": parties.upper(), "parties": list(parties), **terms}
            )
        )
    for item in items:
        s.file(item)
    return s


def kinds(s: Situation, kind: AlertKind) -> list[Any]:
    return [a for a in s.alerts.values() if a.kind is kind]
