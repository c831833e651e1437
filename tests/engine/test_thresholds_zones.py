"""Zone thresholds are decided exactly: points and volumes against polygon and band areas, and
the distance a range rule measures to its target.

Every case is built a millimetre either side of a boundary: the inner and outer edges of a
band, the line itself and the square end of a one-sided band, a polygon's edges and corners;
volumes (circles, corridors, polygons) that enter a band through its inner edge or reach its
outer edge, or a polygon zone, by a millimetre, or stop a millimetre short; weapons whose
range is a millimetre more or less than the distance to a line, a polygon zone or a band, near
and hundreds of kilometres away.  Places come from pyproj's ``Geod``; each construction is
checked against the brute-force reference of ``conftest.py`` before it is used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.model import Line, Observation, Party, Volume, ZoneAgreement
from deconfliction.engine.situation import Situation
from tests.engine.thresholds import (
    GEOD,
    MM,
    OFFSETS,
    cases,
    foot_and_azimuth,
    forward,
    kinds,
    notice,
    volume,
)

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


def _band_zone(band: dict[str, Any], rules: list[dict[str, Any]] | None = None) -> ZoneAgreement:
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


def _line(band: dict[str, Any]) -> Line:
    return Line(
        id="l",
        name="Line",
        vertices=[[x, y] for x, y in zip(band["lons"], band["lats"], strict=True)],
    )


def _area(band: dict[str, Any]):
    return compile_area(_band_zone(band), {"l": _line(band)})


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


def _at(perp: dict[str, Any], distance: float) -> tuple[float, float]:
    return forward(*perp["foot"], perp["azimuth"], distance)


def _checked(ref, band: dict[str, Any], point: tuple[float, float], distance: float) -> None:
    """The construction really is ``distance`` from the line (else the case is discarded:
    the perpendicular was not the nearest way to the line)."""
    found = float(ref.line_distance([point[0]], [point[1]], band["lons"], band["lats"])[0])
    assume(abs(found - distance) < CHECK)


# -- points against bands ------------------------------------------------------------------------


@cases(40)
@given(st.data())
def test_points_at_the_edges_of_a_band(ref, data):
    band = data.draw(bands())
    perp = data.draw(perpendiculars(band))
    area = _area(band)
    edges = [band["outer"]] + ([band["inner"]] if band["inner"] > 0 else [])
    for edge in edges:
        for offset in OFFSETS:
            distance = edge + offset
            point = _at(perp, distance)
            _checked(ref, band, point, distance)
            inside = band["inner"] < distance <= band["outer"]
            assert bool(area.place([point[0]], [point[1]]).inside[0]) == inside, (edge, offset)


@cases(40)
@given(st.data())
def test_points_a_millimetre_either_side_of_the_line(data):
    """A band from the line: on its side a millimetre away is inside; a millimetre on the
    other side is not (for a one-sided band)."""
    band = {**data.draw(bands()), "inner": 0.0}
    assume(band["side"] != "both")
    perp = data.draw(perpendiculars(band))
    area = _area(band)
    inside = _at(perp, MM)
    outside = forward(*perp["foot"], perp["azimuth"] + 180.0, MM)
    assert bool(area.place([inside[0]], [inside[1]]).inside[0])
    assert not bool(area.place([outside[0]], [outside[1]]).inside[0])


def _end_face(
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


@cases(40)
@given(st.data())
def test_points_at_the_square_end_of_a_one_sided_band(data):
    """A one-sided band stops square at the line's ends: a millimetre past the end's
    perpendicular is outside, a millimetre short of it inside."""
    band = data.draw(bands())
    assume(band["side"] != "both")
    right = band["side"] == "right"
    last = data.draw(st.booleans())
    e, perpendicular, out = _end_face(band, last, right)
    t = band["inner"] + data.draw(st.floats(0.1, 0.9)) * (band["outer"] - band["inner"])
    q_lon, q_lat, back = GEOD.fwd(*e, perpendicular, t)
    face = float(back) + 180.0  # the face's azimuth at q, away from the line
    # Turning from the face towards the outward direction: +90 when the band is on the right
    # going out of the last end (or on the left going out of the first).
    turn = 90.0 if right == last else -90.0
    past = forward(float(q_lon), float(q_lat), face - turn, MM)
    short = forward(float(q_lon), float(q_lat), face + turn, MM)
    area = _area(band)
    assert not bool(area.place([past[0]], [past[1]]).inside[0])
    assert bool(area.place([short[0]], [short[1]]).inside[0])
    assert np.isfinite(out)


# -- points against polygons ---------------------------------------------------------------------


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


def _polygon_zone(lons: list[float], lats: list[float], rules=None) -> ZoneAgreement:
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


def _outward(lons, lats, k: int, fraction: float) -> tuple[tuple[float, float], float]:
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


@cases(40)
@given(polygons(), st.integers(0, 5), st.floats(0.2, 0.8))
def test_points_a_millimetre_from_a_polygon_edge(ref, ring, k, fraction):
    lons, lats = ring
    k %= len(lons)
    foot, out = _outward(lons, lats, k, fraction)
    area = compile_area(_polygon_zone(lons, lats), {})
    for offset in OFFSETS:
        point = forward(*foot, out, offset)  # negative: inwards
        d = float(ref.ring_distance([point[0]], [point[1]], lons, lats)[0])
        assume(abs(d - MM) < CHECK)
        assert bool(area.place([point[0]], [point[1]]).inside[0]) == (offset < 0), offset


@cases(30)
@given(polygons(), st.integers(0, 5))
def test_points_a_millimetre_from_a_polygon_corner(ref, ring, k):
    """On the bisector of a corner, a millimetre in and a millimetre out."""
    lons, lats = ring
    k %= len(lons)
    n = len(lons)
    v = (lons[k], lats[k])
    to_prev = float(GEOD.inv(*v, lons[k - 1], lats[k - 1])[0])
    to_next = float(GEOD.inv(*v, lons[(k + 1) % n], lats[(k + 1) % n])[0])
    half = ((to_next - to_prev) % 360.0) / 2.0
    bisector = to_prev + half  # between the two edges, clockwise from the previous one
    area = compile_area(_polygon_zone(lons, lats), {})
    inward = forward(*v, bisector, MM)
    outward = forward(*v, bisector + 180.0, MM)
    inside = ref.inside(*[[c] for c in forward(*v, bisector, 1_000.0)], lons, lats)[0]
    first, second = (inward, outward) if inside else (outward, inward)
    assert bool(area.place([first[0]], [first[1]]).inside[0])
    assert not bool(area.place([second[0]], [second[1]]).inside[0])


# -- volumes entering areas ----------------------------------------------------------------------


def _volume(outline: dict[str, Any]) -> Volume:
    return Volume.model_validate(volume(outline), context={"limits": _WIDE})


from deconfliction.engine.model import Limits  # noqa: E402

_WIDE = Limits(max_area_km2=1e7)


@st.composite
def inner_entries(draw: st.DrawFn) -> dict[str, Any]:
    """A band with an inner edge, and a volume on a perpendicular whose farthest point is
    ``offset`` past that edge."""
    band = {**draw(bands()), "inner": round(draw(st.floats(2_000.0, 20_000.0)), 3)}
    band["outer"] = round(band["inner"] + draw(st.floats(1_000.0, 30_000.0)), 3)
    perp = draw(perpendiculars(band))
    kind = draw(st.sampled_from(["circle", "corridor", "polygon"]))
    offset = draw(st.sampled_from(OFFSETS))
    reach = band["inner"] + offset
    near = draw(st.floats(0.1, 0.8)) * band["inner"]
    outline = draw(_along(perp, kind, near, reach))
    return {
        "band": band,
        "outline": outline,
        "extreme": _at(perp, reach),
        "reach": reach,
        "enters": offset > 0,
    }


@st.composite
def _along(
    draw: st.DrawFn, perp: dict[str, Any], kind: str, base: float, tip: float
) -> dict[str, Any]:
    """An outline of ``kind`` on the perpendicular, from ``base`` to ``tip`` metres from the
    line, ``tip`` its extreme: a circle around ``base``, a corridor along the perpendicular,
    a triangle with its apex at ``tip``."""
    span = abs(tip - base)
    toward = 1.0 if tip > base else -1.0
    if kind == "circle":
        return {"type": "circle", "center": list(_at(perp, base)), "radius": f"{span!r} m"}
    if kind == "corridor":
        half = draw(st.floats(0.05, 0.5)) * span
        route = [_at(perp, base), _at(perp, tip - toward * half)]
        return {"type": "corridor", "route": [list(p) for p in route], "half_width": f"{half!r} m"}
    lon, lat = _at(perp, base)
    along = perp["azimuth"] + 90.0
    spread = draw(st.floats(0.2, 1.0)) * span
    ring = [
        forward(lon, lat, along, spread),
        _at(perp, tip),
        forward(lon, lat, along + 180.0, spread),
    ]
    return {"type": "polygon", "vertices": [list(p) for p in ring]}


@cases(40)
@given(inner_entries())
def test_volumes_entering_a_band_through_its_inner_edge(ref, case):
    band = case["band"]
    _checked(ref, band, case["extreme"], case["reach"])
    entry = _area(band).entry(_volume(case["outline"]))
    assert (entry is not None) == case["enters"], case


@st.composite
def outer_entries(draw: st.DrawFn) -> dict[str, Any]:
    """A band and a volume beyond it on a perpendicular whose nearest point is ``offset`` past
    (negative: inside) its outer edge."""
    band = draw(bands())
    perp = draw(perpendiculars(band))
    kind = draw(st.sampled_from(["circle", "corridor", "polygon"]))
    offset = draw(st.sampled_from(OFFSETS))
    reach = band["outer"] + offset
    far = reach + draw(st.floats(500.0, 20_000.0))
    return {
        "band": band,
        "outline": draw(_along(perp, kind, far, reach)),
        "extreme": _at(perp, reach),
        "reach": reach,
        "enters": offset < 0,
    }


@cases(40)
@given(outer_entries())
def test_volumes_reaching_the_outer_edge_of_a_band(ref, case):
    band = case["band"]
    _checked(ref, band, case["extreme"], case["reach"])
    entry = _area(band).entry(_volume(case["outline"]))
    assert (entry is not None) == case["enters"], case


@cases(40)
@given(
    polygons(),
    st.integers(0, 5),
    st.floats(0.2, 0.8),
    st.sampled_from(["circle", "corridor", "polygon"]),
)
def test_volumes_entering_a_polygon_zone_by_a_millimetre(ref, ring, k, fraction, kind):
    lons, lats = ring
    k %= len(lons)
    foot, out = _outward(lons, lats, k, fraction)
    area = compile_area(_polygon_zone(lons, lats), {})
    for offset in OFFSETS:  # negative: the volume reaches a millimetre inside
        tip = forward(*foot, out, offset)
        d = float(ref.ring_distance([tip[0]], [tip[1]], lons, lats)[0])
        assume(abs(d - MM) < CHECK)
        far = forward(*foot, out, offset + 5_000.0)
        if kind == "circle":
            outline = {"type": "circle", "center": list(far), "radius": "5000 m"}
        elif kind == "corridor":
            end = forward(*foot, out, offset + 20_000.0)
            outline = {"type": "corridor", "route": [list(far), list(end)], "half_width": "5000 m"}
        else:
            a = forward(*far, out + 90.0, 3_000.0)
            b = forward(*far, out - 90.0, 3_000.0)
            outline = {"type": "polygon", "vertices": [list(tip), list(a), list(b)]}
        entry = area.entry(_volume(outline))
        assert (entry is not None) == (offset < 0), (offset, kind)


# -- range rules ---------------------------------------------------------------------------------


def _world(*items: Any) -> Situation:
    s = Situation()
    s.file(Party(id="a", name="Alpha", kind="armed_force", affiliations=["Alpha Army"]))
    s.file(Party(id="b", name="Bravo", kind="armed_force", affiliations=["Bravo Army"]))
    for item in items:
        s.file(item)
    return s


def _observe(point: tuple[float, float], range_m: float) -> Observation:
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


def _reaches(zone: ZoneAgreement, line: Line | None, point, range_m: float) -> bool:
    items = [line] if line is not None else []
    s = _world(*items, zone, _observe(point, range_m))
    return bool(kinds(s, AlertKind.zone_violation))


_RANGE_TO_LINE = [{"type": "range", "weapon_classes": ["sam"], "target_line": "l"}]
_RANGE_TO_ZONE = [{"type": "range", "weapon_classes": ["sam"], "target_zone": "z"}]


@cases(30)
@given(lines(), st.floats(0.0, 360.0), st.floats(100.0, 800_000.0))
def test_range_to_a_line_near_and_far(ref, line, azimuth, distance):
    lons, lats = line
    point = forward(lons[0], lats[0], azimuth, distance)
    assume(abs(point[1]) < 80.0)
    truth = float(ref.line_distance([point[0]], [point[1]], lons, lats)[0])
    assume(truth > 10 * MM)
    band = {"lons": lons, "lats": lats, "inner": 0.0, "outer": 1_000.0, "side": "both"}
    zone = _band_zone(band, _RANGE_TO_LINE)
    for offset in OFFSETS:
        assert _reaches(zone, _line(band), point, truth + offset) == (offset > 0), offset


@cases(30)
@given(polygons(), st.floats(0.0, 360.0), st.floats(0.1, 3.0))
def test_range_to_a_polygon_zone_near_and_far(ref, ring, azimuth, factor):
    lons, lats = ring
    centre = (float(np.mean(lons)), float(np.mean(lats)))
    span = max(float(GEOD.inv(*centre, x, y)[2]) for x, y in zip(lons, lats, strict=True))
    point = forward(*centre, azimuth, span * (1.0 + factor) + 1_000.0)
    assume(abs(point[1]) < 80.0)
    assume(not ref.inside([point[0]], [point[1]], lons, lats)[0])
    truth = float(ref.ring_distance([point[0]], [point[1]], lons, lats)[0])
    zone = _polygon_zone(lons, lats, _RANGE_TO_ZONE)
    for offset in OFFSETS:
        assert _reaches(zone, None, point, truth + offset) == (offset > 0), (offset, truth)


@st.composite
def band_ranges(draw: st.DrawFn) -> dict[str, Any]:
    """A point outside a band and its distance to the band, by construction: short of the
    inner edge, beyond the outer edge (up to 500 km), across the line, or past a square end."""
    band = draw(bands())
    where = draw(st.sampled_from(["short", "beyond", "across", "past-end"]))
    if where == "past-end":
        assume(band["side"] != "both")
        right = band["side"] == "right"
        last = draw(st.booleans())
        e, perpendicular, _ = _end_face(band, last, right)
        t = band["inner"] + draw(st.floats(0.05, 0.95)) * (band["outer"] - band["inner"])
        q_lon, q_lat, back = GEOD.fwd(*e, perpendicular, t)
        turn = 90.0 if right == last else -90.0
        gap = draw(st.floats(10.0, 10_000.0))
        point = forward(float(q_lon), float(q_lat), float(back) + 180.0 - turn, gap)
        return {
            "band": band,
            "point": point,
            "distance": gap,
            "line_distance": None,
            "face": (e, perpendicular),
        }
    perp = draw(perpendiculars(band))
    if where == "short":
        assume(band["inner"] > 0)
        d = draw(st.floats(0.0, 0.95)) * band["inner"]
        return {
            "band": band,
            "point": _at(perp, d),
            "distance": band["inner"] - d,
            "line_distance": d,
        }
    if where == "beyond":
        d = band["outer"] + draw(st.floats(10.0, 500_000.0))
        return {
            "band": band,
            "point": _at(perp, d),
            "distance": d - band["outer"],
            "line_distance": d,
        }
    assume(band["side"] != "both")
    d = draw(st.floats(10.0, 30_000.0))
    point = forward(*perp["foot"], perp["azimuth"] + 180.0, d)
    return {"band": band, "point": point, "distance": d + band["inner"], "line_distance": d}


@cases(40)
@given(band_ranges())
def test_range_to_a_band_zone(ref, case):
    band, point, truth = case["band"], case["point"], case["distance"]
    if case["line_distance"] is not None:
        _checked(ref, band, point, case["line_distance"])
    else:  # past the end: nearest to the end's face, between the band's edges
        e, perpendicular = case["face"]
        a = forward(*e, perpendicular, band["inner"])
        b = forward(*e, perpendicular, band["outer"])
        found = float(ref.segment_distance([point[0]], [point[1]], *a, *b)[0])
        assume(abs(found - truth) < CHECK)
    zone = _band_zone(band, _RANGE_TO_ZONE)
    for offset in OFFSETS:
        assert _reaches(zone, _line(band), point, truth + offset) == (offset > 0), (offset, case)


_EAST_OF_MERIDIAN = {
    "lons": [35.8, 35.8],
    "lats": [33.0, 33.6],
    "inner": 10_000.0,
    "outer": 20_000.0,
    "side": "right",
}
"""10 to 20 km east of a line drawn north along 35.8E (the cases the independent check found)."""


def test_range_past_the_square_end_is_measured_to_the_end():
    """Found by the independent check: a weapon 3 km past the end of a one-sided band and
    15 km out from its line was measured 0 km from the band (to the band's extension)."""
    band = _EAST_OF_MERIDIAN
    beyond = forward(35.8, 33.6, 0.0, 3_000.0)
    point = forward(*beyond, 90.0, 15_000.0)
    zone = _band_zone(band, _RANGE_TO_ZONE)
    assert not _reaches(zone, _line(band), point, 2_900.0)
    assert _reaches(zone, _line(band), point, 3_100.0)


def test_a_notice_entering_through_the_inner_edge_by_metres_is_reported():
    """Found by the independent check: a 7 km circle reaching 5 m into a 10-20 km band was not
    reported (its outline was sampled every 25 m of sagitta)."""
    band = _EAST_OF_MERIDIAN
    centre = forward(35.8, 33.3, 90.0, 3_005.0)
    circle = {"type": "circle", "center": list(centre), "radius": "7000 m"}
    s = _world(
        _line(band),
        _band_zone(band),
        notice("n", "b", volume(circle)),
    )
    (alert,) = kinds(s, AlertKind.zone_entry)
    assert alert.figures["depth_m"] == 5.0


def test_range_inside_a_tight_bend_is_a_stated_lower_bound():
    """Inside a hairpin 10 km wide, the band 20-30 km from the line is not where the
    perpendicular says: the distance (15 km) is then a lower bound, and the alert says so."""
    a = (35.0, 33.0)
    b = forward(*a, 0.0, 60_000.0)
    c = forward(*b, 90.0, 10_000.0)
    d = forward(*c, 180.0, 60_000.0)
    line = Line(id="l", name="Hairpin", vertices=[list(a), list(b), list(c), list(d)])
    band = {"inner": 20_000.0, "outer": 30_000.0, "side": "both"}
    zone = ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Zone",
            "signatories": ["a", "b"],
            "area": {"type": "band", "line": "l", "from": "20 km", "to": "30 km", "side": "both"},
            "rules": _RANGE_TO_ZONE,
        }
    )
    point = forward(*forward(*a, 0.0, 30_000.0), 90.0, 5_000.0)
    reach = compile_area(zone, {"l": line}).reach(*point)
    assert not reach.exact
    assert abs(reach.distance - (band["inner"] - 5_000.0)) < 1e-6
    s = _world(line, zone, _observe(point, 16_000.0))
    (alert,) = kinds(s, AlertKind.zone_violation)
    assert "at least 15.0 km away" in alert.explanation
    assert alert.figures["distance_exact"] == 0


@cases(30)
@given(st.data())
def test_volumes_a_millimetre_either_side_of_the_line_of_a_band_from_it(data):
    """A one-sided band from the line: a volume on the other side that stops a millimetre short
    of the line does not enter it; one that crosses it by a millimetre does."""
    band = {**data.draw(bands()), "inner": 0.0}
    assume(band["side"] != "both")
    perp = data.draw(perpendiculars(band))
    across = {**perp, "azimuth": perp["azimuth"] + 180.0}  # away from the band
    kind = data.draw(st.sampled_from(["circle", "corridor", "polygon"]))
    base = data.draw(st.floats(500.0, 20_000.0))
    for offset in OFFSETS:  # negative: the volume's tip is on the band's side
        outline = data.draw(_along(across, kind, base, offset))
        entry = _area(band).entry(_volume(outline))
        assert (entry is not None) == (offset < 0), (offset, kind)


@cases(30)
@given(st.data())
def test_volumes_a_millimetre_either_side_of_the_square_end_of_a_band(data):
    """A volume past the end of a one-sided band, between its edges, that stops a millimetre
    short of the end's perpendicular does not enter; one that crosses it by a millimetre does
    (however thin the part that crosses)."""
    band = data.draw(bands())
    assume(band["side"] != "both")
    right = band["side"] == "right"
    last = data.draw(st.booleans())
    e, perpendicular, _ = _end_face(band, last, right)
    t = band["inner"] + data.draw(st.floats(0.2, 0.8)) * (band["outer"] - band["inner"])
    q_lon, q_lat, back = GEOD.fwd(*e, perpendicular, t)
    turn = 90.0 if right == last else -90.0
    out = {"foot": (float(q_lon), float(q_lat)), "azimuth": float(back) + 180.0 - turn}
    kind = data.draw(st.sampled_from(["circle", "corridor", "polygon"]))
    base = data.draw(st.floats(200.0, 0.5 * (band["outer"] - band["inner"])))
    for offset in OFFSETS:  # negative: across the end, into the band
        outline = data.draw(_along(out, kind, base, offset))
        entry = _area(band).entry(_volume(outline))
        assert (entry is not None) == (offset < 0), (offset, kind)
