"""Lateral thresholds are decided exactly: outlines, sites and their margins.

For every pair of outline kinds (circle, corridor, polygon; and a protected site, a point,
against each), two shapes are placed apart, their separation is computed by the independent
brute-force reference of ``conftest.py`` (pyproj's ``Geod`` only), and the margin is set a
millimetre above and a millimetre below it: a conflict must be raised in the first case and not
in the second.  Sizes run from a few kilometres to outlines hundreds of kilometres across
(where the local frame's error reaches decimetres) and distances up to a hundred kilometres.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.sites import duplicate_sites
from deconfliction.engine.geodesy.shapes import Shape, separation, separations
from deconfliction.engine.model import Limits, Notice, Party, ProtectedSite
from tests.engine.thresholds import GEOD, MM, OFFSETS, cases, forward, kinds, volume, world

WIDE = Limits(max_area_km2=1e7)
"""Volumes of any size (the default policy refuses those over 50,000 km²)."""


# -- shapes with a reference ---------------------------------------------------------------------


@st.composite
def cores(draw: st.DrawFn, lon: float, lat: float, kind: str, size: float) -> dict[str, Any]:
    """An outline of ``kind`` around (lon, lat), about ``size`` metres across: the outline as
    the scenario format writes it, and its core for the reference."""
    if kind == "circle":
        radius = round(draw(st.floats(0.05, 0.5)) * size, 3)
        return {
            "outline": {"type": "circle", "center": [lon, lat], "radius": f"{radius} m"},
            "core": ("point", [lon], [lat]),
            "radius": radius,
        }
    if kind == "corridor":
        heading = draw(st.floats(0.0, 360.0))
        legs = draw(st.integers(1, 3))
        route = [forward(lon, lat, heading + 180.0, size / 2)]
        for _ in range(legs):
            heading += draw(st.floats(-50.0, 50.0))
            route.append(forward(*route[-1], heading, size / legs))
        half = round(draw(st.floats(0.002, 0.05)) * size + 50.0, 3)
        return {
            "outline": {
                "type": "corridor",
                "route": [list(p) for p in route],
                "half_width": f"{half} m",
            },
            "core": ("line", [p[0] for p in route], [p[1] for p in route]),
            "radius": half,
        }
    n = draw(st.integers(3, 7))
    weights = np.asarray(draw(st.lists(st.floats(0.6, 1.4), min_size=n, max_size=n)))
    start = draw(st.floats(0.0, 360.0))
    azimuths = start + 360.0 * np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / weights.sum()
    spokes = draw(st.lists(st.floats(0.5, 1.0), min_size=n, max_size=n))
    ring = [
        forward(lon, lat, float(az), s * size / 2) for az, s in zip(azimuths, spokes, strict=True)
    ]
    return {
        "outline": {"type": "polygon", "vertices": [list(p) for p in ring]},
        "core": ("polygon", [p[0] for p in ring], [p[1] for p in ring]),
        "radius": 0.0,
    }


def _core_distance(ref, a, b) -> float:
    """Distance between two cores that do not meet: point to point, point to line or ring,
    and otherwise vertices against the other's edges (where two geodesic polylines that do not
    cross are nearest, on a surface of positive curvature)."""
    (ka, alon, alat), (kb, blon, blat) = a, b
    close = lambda k, lo, la: (lo + lo[:1], la + la[:1]) if k == "polygon" else (lo, la)  # noqa: E731
    if ka == "point" and kb == "point":
        return float(ref.distance(alon[0], alat[0], blon[0], blat[0]))
    if ka == "point":
        return float(ref.line_distance(alon, alat, *close(kb, blon, blat))[0])
    if kb == "point":
        return float(ref.line_distance(blon, blat, *close(ka, alon, alat))[0])
    return ref.lines_distance(*close(ka, alon, alat), *close(kb, blon, blat))


@st.composite
def pairs(draw: st.DrawFn, large: bool = False) -> dict[str, Any]:
    """Two outlines of any kinds, 100 m to 100 km apart, and their reference separation."""
    lon = draw(st.floats(-120.0, 120.0))
    lat = draw(st.floats(-60.0, 60.0))
    size = draw(st.floats(200_000.0, 600_000.0) if large else st.floats(2_000.0, 60_000.0))
    first = draw(cores(lon, lat, draw(st.sampled_from(["circle", "corridor", "polygon"])), size))
    other_size = draw(st.floats(2_000.0, 60_000.0))
    second_kind = draw(st.sampled_from(["circle", "corridor", "polygon"]))
    # Put the second beyond the first's reach in a random direction, then measure.
    bearing = draw(st.floats(0.0, 360.0))
    reach = size * (0.8 if first["core"][0] != "point" else 0.6) + other_size
    blon, blat = forward(lon, lat, bearing, reach + draw(st.floats(100.0, 100_000.0)))
    second = draw(cores(blon, blat, second_kind, other_size))
    return {"first": first, "second": second}


def _separation(ref, case) -> float:
    first, second = case["first"], case["second"]
    core = _core_distance(ref, first["core"], second["core"])
    return core - first["radius"] - second["radius"]


def _notice(ident: str, author: str, outline: dict[str, Any]) -> Notice:
    return Notice.model_validate(
        {
            "id": ident,
            "author": author,
            "kind": "air_operation",
            "filed_at": "2026-11-24T06:00:00Z",
            "volumes": [volume(outline)],
        },
        context={"limits": WIDE},
    )


def _conflict(case: dict[str, Any], margin: float) -> bool:
    s = world(
        {"margins": {"lateral": f"{margin:.6f} m", "vertical": "500 ft"}},
        _notice("n-a", "a", case["first"]["outline"]),
        _notice("n-b", "b", case["second"]["outline"]),
    )
    return bool(kinds(s, AlertKind.notice_overlap))


@cases(40)
@given(pairs())
def test_lateral_margin_is_exact_for_every_pair_of_outlines(ref, case):
    gap = _separation(ref, case)
    assume(gap > 10 * MM)
    for offset in OFFSETS:
        margin = round(gap + offset, 6)
        assert _conflict(case, margin) == (gap < margin), (offset, gap, case)


@cases(15)
@given(pairs(large=True))
def test_lateral_margin_is_exact_for_outlines_hundreds_of_km_across(ref, case):
    """Polygons and corridors 200-600 km across: the local frame's error reaches decimetres."""
    gap = _separation(ref, case)
    assume(gap > 10 * MM)
    for offset in OFFSETS:
        margin = round(gap + offset, 6)
        assert _conflict(case, margin) == (gap < margin), (offset, gap, case)


def _shape(spec: dict[str, Any]) -> Shape:
    kind, lons, lats = spec["core"]
    if kind == "point":
        return Shape.circle(lons[0], lats[0], spec["radius"])
    if kind == "line":
        return Shape.corridor(lons, lats, spec["radius"])
    return Shape.polygon(lons, lats)


@cases(15)
@given(pairs(large=True))
def test_separation_with_a_threshold_is_exact_near_it(ref, case):
    """At the geometry's level: a separation asked with a threshold is exact (to a micrometre)
    when it lies near that threshold, and the fast one is within its bound elsewhere."""
    a, b = _shape(case["first"]), _shape(case["second"])
    gap = _separation(ref, case)
    assume(gap > 10 * MM)
    near = separation(a, b, gap + MM)
    assert abs(near.distance - gap) < 1e-5, (near.distance, gap)
    many = separations(a, [b, b], [gap - MM, gap + 50.0])
    assert abs(many[0].distance - gap) < 1e-5


def test_a_very_large_polygon_is_measured_exactly_at_the_margin(ref):
    """A 400 km square and a point 300 km from its centre: 5 cm off on the fast path."""
    lons, lats = [30.0, 34.0, 34.0, 30.0], [30.0, 30.0, 34.0, 34.0]
    big = Shape.polygon(lons, lats)
    for az in np.linspace(0.0, 350.0, 15):
        plon, plat = forward(32.0, 32.0, float(az), 300_000.0)
        if ref.inside([plon], [plat], lons, lats)[0]:
            continue
        truth = float(ref.ring_distance([plon], [plat], lons, lats)[0])
        for offset in OFFSETS:
            found = separation(big, Shape.point(plon, plat), truth + offset)
            assert (found.distance < truth + offset) == (offset > 0)


def test_a_polygon_far_from_a_long_corridor_is_measured_exactly(ref):
    """Found by these properties: a 600 km corridor and a polygon 356 km away.  The frame took
    the pair of points nearest in its metric, 23 m longer on the ground than the nearest pair:
    its scale factor differs by 0.1 % across it.  The bound now counts that choice."""
    route = ([2.6631820177564576, -4.0534373261931975], [-41.224732153838616, -43.058177235974775])
    ring = (
        [0.2587078568195099, 0.27268199642273866, 0.048057260141056504, -0.07014342671763311],
        [-38.34414062931806, -38.48989042584201, -38.556510950918394, -38.39218630216949],
    )
    ring[0].append(0.07637308025955339)
    ring[1].append(-38.29198913699205)
    corridor = Shape.corridor(*route, 1232.402)
    polygon = Shape.polygon(*ring)
    truth = ref.lines_distance(*route, ring[0] + ring[0][:1], ring[1] + ring[1][:1]) - 1232.402
    for offset in OFFSETS:
        found = separation(corridor, polygon, truth + offset)
        assert (found.distance < truth + offset) == (offset > 0)
        assert abs(found.distance - truth) < 1e-5


# -- sites ---------------------------------------------------------------------------------------


@st.composite
def site_cases(draw: st.DrawFn) -> dict[str, Any]:
    lon = draw(st.floats(-120.0, 120.0))
    lat = draw(st.floats(-60.0, 60.0))
    size = draw(st.floats(2_000.0, 200_000.0))
    outline = draw(cores(lon, lat, draw(st.sampled_from(["circle", "corridor", "polygon"])), size))
    reach = size * (0.8 if outline["core"][0] != "point" else 0.6)
    slon, slat = forward(
        lon, lat, draw(st.floats(0.0, 360.0)), reach + draw(st.floats(50.0, 30_000.0))
    )
    return {"outline": outline, "site": (slon, slat)}


@cases(40)
@given(site_cases())
def test_protected_site_margin_is_exact_for_every_outline(ref, case):
    outline = case["outline"]
    slon, slat = case["site"]
    gap = _core_distance(ref, outline["core"], ("point", [slon], [slat])) - outline["radius"]
    assume(gap > 10 * MM)
    for offset in OFFSETS:
        margin = round(gap + offset, 6)
        s = world({"margins": {"lateral": f"{margin:.6f} m"}}, parties="ah")
        s.file(
            ProtectedSite.model_validate(
                {
                    "id": "s1",
                    "name": "Clinic",
                    "category": "hospital",
                    "owner": "h",
                    "location": {"type": "point", "position": [slon, slat]},
                    "valid_from": "2026-01-01T00:00:00Z",
                    "valid_until": "2027-01-01T00:00:00Z",
                }
            )
        )
        s.file(_notice("n-a", "a", outline["outline"]))
        assert bool(kinds(s, AlertKind.protected_site)) == (gap < margin), (offset, gap)


@cases(30)
@given(
    st.floats(-120.0, 120.0),
    st.floats(-70.0, 70.0),
    st.floats(0.0, 360.0),
    st.floats(1.0, 5_000.0),
)
def test_duplicate_site_distance_is_exact(lon, lat, azimuth, distance):
    plon, plat = forward(lon, lat, azimuth, distance)
    truth = float(GEOD.inv(lon, lat, plon, plat)[2])
    roster = Roster([Party(id="h", name="Helpers", kind="humanitarian")])

    def site(ident: str, x: float, y: float) -> ProtectedSite:
        return ProtectedSite.model_validate(
            {
                "id": ident,
                "name": ident,
                "category": "hospital",
                "owner": "h",
                "location": {"type": "point", "position": [x, y]},
                "valid_from": "2026-01-01T00:00:00Z",
                "valid_until": "2027-01-01T00:00:00Z",
            }
        )

    first, second = site("s1", lon, lat), site("s2", plon, plat)
    for offset in OFFSETS:
        found = duplicate_sites(first, [second], roster, truth + offset)
        assert bool(found) == (offset > 0)
