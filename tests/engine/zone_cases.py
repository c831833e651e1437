"""Zones, lines and volumes built a given distance from a zone's boundary, for the
``test_thresholds_zone_*`` modules.  Places come from pyproj's ``Geod``; each construction is
checked against the brute-force reference of ``conftest.py`` (:func:`checked`) before use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.model import Limits, Line, Observation, Volume, ZoneAgreement
from tests.engine.thresholds import GEOD, foot_and_azimuth, forward, kinds, volume, world

CHECK = 1e-6
"""How closely a construction must match its intended distance (the reference is good to well
under a micrometre)."""

# -- lines and bands -----------------------------------------------------------------------------


@st.composite
def lines(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    """A line of 2-4 vertices, legs of 40-200 km turning by up to 35 degrees."""
    lon = draw(st.floats(-120.0, 120.0))
    lat = draw(st.floats(-60.0, 60.0))
    heading = draw(st.floats(0.0, 360.0))
    points = [(lon, lat)]
    for _ in range(draw(st.integers(1, 3))):
        heading += draw(st.floats(-35.0, 35.0))
        points.append(forward(*points[-1], heading, draw(st.floats(40_000.0, 200_000.0))))
    return [p[0] for p in points], [p[1] for p in points]


@st.composite
def bands(draw: st.DrawFn) -> dict[str, Any]:
    lons, lats = draw(lines())
    inner = draw(st.sampled_from([0.0, 0.0, 1.0])) * round(draw(st.floats(1_000.0, 20_000.0)), 3)
    outer = round(inner + draw(st.floats(1_000.0, 30_000.0)), 3)
    side = draw(st.sampled_from(["left", "right", "both"]))
    return {"lons": lons, "lats": lats, "inner": inner, "outer": outer, "side": side}


def band_zone(band: dict[str, Any], rules: list[dict[str, Any]] | None = None) -> ZoneAgreement:
    area = {
        "type": "band",
        "line": "l",
        "from": f"{band['inner']} m",
        "to": f"{band['outer']} m",
        "side": band["side"],
    }
    return ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Zone",
            "signatories": ["a", "b"],
            "area": area,
            "rules": rules or [{"type": "no_presence"}],
        }
    )


def line_of(band: dict[str, Any]) -> Line:
    return Line(
        id="l",
        name="Line",
        vertices=[[x, y] for x, y in zip(band["lons"], band["lats"], strict=True)],
    )


def area_of(band: dict[str, Any]):
    return compile_area(band_zone(band), {"l": line_of(band)})


def _band_side(band: dict[str, Any], draw: st.DrawFn) -> bool:
    """True for the right of the line (where the band is, for a one-sided band)."""
    if band["side"] == "both":
        return bool(draw(st.booleans()))
    return band["side"] == "right"


@st.composite
def perpendiculars(draw: st.DrawFn, band: dict[str, Any]) -> dict[str, Any]:
    """A foot well inside one of the band's segments and the azimuth of the perpendicular to
    the band's side there."""
    k = draw(st.integers(0, len(band["lons"]) - 2))
    a = (band["lons"][k], band["lats"][k])
    b = (band["lons"][k + 1], band["lats"][k + 1])
    fraction = draw(st.floats(0.3, 0.7))
    lon, lat, az = foot_and_azimuth(a, b, fraction)
    right = _band_side(band, draw)
    return {"foot": (lon, lat), "azimuth": az + (90.0 if right else -90.0), "right": right}


def at(perp: dict[str, Any], distance: float) -> tuple[float, float]:
    return forward(*perp["foot"], perp["azimuth"], distance)


def checked(ref, band: dict[str, Any], point: tuple[float, float], distance: float) -> None:
    """The construction really is ``distance`` from the line (else the case is discarded:
    the perpendicular was not the nearest way to the line)."""
    found = float(ref.line_distance([point[0]], [point[1]], band["lons"], band["lats"])[0])
    assume(abs(found - distance) < CHECK)


# -- points against bands ------------------------------------------------------------------------


def end_face(
    band: dict[str, Any], last: bool, right: bool
) -> tuple[tuple[float, float], float, float]:
    """The end vertex, the azimuth of the perpendicular there (to the band's side) and the
    azimuth of the line's direction past that end."""
    if last:
        a = (band["lons"][-2], band["lats"][-2])
        e = (band["lons"][-1], band["lats"][-1])
        _, _, az = foot_and_azimuth(a, e, 1.0)
        out = az
    else:
        e = (band["lons"][0], band["lats"][0])
        b = (band["lons"][1], band["lats"][1])
        _, _, az = foot_and_azimuth(e, b, 0.0)
        out = az + 180.0
    return e, az + (90.0 if right else -90.0), out


@st.composite
def polygons(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    """A convex polygon of 3-6 vertices, 5-600 km across (counter-clockwise or not)."""
    lon = draw(st.floats(-120.0, 120.0))
    lat = draw(st.floats(-60.0, 60.0))
    n = draw(st.integers(3, 6))
    radius = draw(st.floats(2_500.0, 300_000.0))
    start = draw(st.floats(0.0, 360.0))
    step = 360.0 / n
    azimuths = [start + step * (k + draw(st.floats(-0.2, 0.2))) for k in range(n)]
    if draw(st.booleans()):
        azimuths.reverse()
    ring = [forward(lon, lat, az, radius) for az in azimuths]
    return [p[0] for p in ring], [p[1] for p in ring]


def polygon_zone(lons: list[float], lats: list[float], rules=None) -> ZoneAgreement:
    return ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Zone",
            "signatories": ["a", "b"],
            "area": {
                "type": "polygon",
                "vertices": [[x, y] for x, y in zip(lons, lats, strict=True)],
            },
            "rules": rules or [{"type": "no_presence"}],
        }
    )


def outward(lons, lats, k: int, fraction: float) -> tuple[tuple[float, float], float]:
    """A point on edge ``k`` and the azimuth of its perpendicular pointing out of the
    polygon (the centroid side is in)."""
    n = len(lons)
    a = (lons[k], lats[k])
    b = (lons[(k + 1) % n], lats[(k + 1) % n])
    lon, lat, az = foot_and_azimuth(a, b, fraction)
    centre = (float(np.mean(lons)), float(np.mean(lats)))
    to_centre = float(GEOD.inv(lon, lat, *centre)[0])
    left = az - 90.0
    inward_left = np.cos(np.radians(to_centre - left)) > 0
    return (lon, lat), (az + 90.0 if inward_left else left)


def volume_of(outline: dict[str, Any]) -> Volume:
    return Volume.model_validate(volume(outline), context={"limits": WIDE})


WIDE = Limits(max_area_km2=1e7)


@st.composite
def along(
    draw: st.DrawFn, perp: dict[str, Any], kind: str, base: float, tip: float
) -> dict[str, Any]:
    """An outline of ``kind`` on the perpendicular, from ``base`` to ``tip`` metres from the
    line, ``tip`` its extreme: a circle around ``base``, a corridor along the perpendicular,
    a triangle with its apex at ``tip``."""
    span = abs(tip - base)
    toward = 1.0 if tip > base else -1.0
    if kind == "circle":
        return {"type": "circle", "center": list(at(perp, base)), "radius": f"{span!r} m"}
    if kind == "corridor":
        half = draw(st.floats(0.05, 0.5)) * span
        route = [at(perp, base), at(perp, tip - toward * half)]
        return {"type": "corridor", "route": [list(p) for p in route], "half_width": f"{half!r} m"}
    lon, lat = at(perp, base)
    along = perp["azimuth"] + 90.0
    spread = draw(st.floats(0.2, 1.0)) * span
    ring = [
        forward(lon, lat, along, spread),
        at(perp, tip),
        forward(lon, lat, along + 180.0, spread),
    ]
    return {"type": "polygon", "vertices": [list(p) for p in ring]}


EAST_OF_MERIDIAN = {
    "lons": [35.8, 35.8],
    "lats": [33.0, 33.6],
    "inner": 10_000.0,
    "outer": 20_000.0,
    "side": "right",
}
"""10 to 20 km east of a line drawn north along 35.8E (the cases the independent check found)."""


def observe(point: tuple[float, float], range_m: float) -> Observation:
    return Observation.model_validate(
        {
            "id": "o1",
            "observed_at": "2026-11-24T06:00:00Z",
            "position": [point[0], point[1]],
            "reported_by": "a",
            "affiliation": "Bravo Army",
            "party": "b",
            "weapons": [{"class": "sam", "count": 1, "range": f"{range_m:.6f} m"}],
        }
    )


def reaches(zone: ZoneAgreement, line: Line | None, point, range_m: float) -> bool:
    items = [line] if line is not None else []
    s = world(None, *items, zone, observe(point, range_m))
    return bool(kinds(s, AlertKind.zone_violation))


RANGE_TO_LINE = [{"type": "range", "weapon_classes": ["sam"], "target_line": "l"}]
RANGE_TO_ZONE = [{"type": "range", "weapon_classes": ["sam"], "target_zone": "z"}]
