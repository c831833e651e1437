"""Zone thresholds for points, decided exactly: observations against polygon and band areas,
and the distance a range rule measures to its target.

Every case is built a millimetre either side of a boundary: the inner and outer edges of a
band, the line itself and the square end of a one-sided band, a polygon's edges and corners;
weapons whose range is a millimetre more or less than the distance to a line, a polygon zone or
a band, near and hundreds of kilometres away (past a band's square end, too).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.model import Line, ZoneAgreement
from tests.engine.thresholds import GEOD, MM, OFFSETS, cases, forward, kinds, world
from tests.engine.zone_cases import (
    CHECK,
    EAST_OF_MERIDIAN,
    RANGE_TO_LINE,
    RANGE_TO_ZONE,
    area_of,
    at,
    band_zone,
    bands,
    checked,
    end_face,
    line_of,
    lines,
    observe,
    outward,
    perpendiculars,
    polygon_zone,
    polygons,
    reaches,
)


@cases(40)
@given(st.data())
def test_points_at_the_edges_of_a_band(ref, data):
    band = data.draw(bands())
    perp = data.draw(perpendiculars(band))
    area = area_of(band)
    edges = [band["outer"]] + ([band["inner"]] if band["inner"] > 0 else [])
    for edge in edges:
        for offset in OFFSETS:
            distance = edge + offset
            point = at(perp, distance)
            checked(ref, band, point, distance)
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
    area = area_of(band)
    inside = at(perp, MM)
    outside = forward(*perp["foot"], perp["azimuth"] + 180.0, MM)
    assert bool(area.place([inside[0]], [inside[1]]).inside[0])
    assert not bool(area.place([outside[0]], [outside[1]]).inside[0])


@cases(40)
@given(st.data())
def test_points_at_the_square_end_of_a_one_sided_band(data):
    """A one-sided band stops square at the line's ends: a millimetre past the end's
    perpendicular is outside, a millimetre short of it inside."""
    band = data.draw(bands())
    assume(band["side"] != "both")
    right = band["side"] == "right"
    last = data.draw(st.booleans())
    e, perpendicular, out = end_face(band, last, right)
    t = band["inner"] + data.draw(st.floats(0.1, 0.9)) * (band["outer"] - band["inner"])
    q_lon, q_lat, back = GEOD.fwd(*e, perpendicular, t)
    face = float(back) + 180.0  # the face's azimuth at q, away from the line
    # Turning from the face towards the outward direction: +90 when the band is on the right
    # going out of the last end (or on the left going out of the first).
    turn = 90.0 if right == last else -90.0
    past = forward(float(q_lon), float(q_lat), face - turn, MM)
    short = forward(float(q_lon), float(q_lat), face + turn, MM)
    area = area_of(band)
    assert not bool(area.place([past[0]], [past[1]]).inside[0])
    assert bool(area.place([short[0]], [short[1]]).inside[0])
    assert np.isfinite(out)


# -- points against polygons ---------------------------------------------------------------------


@cases(40)
@given(polygons(), st.integers(0, 5), st.floats(0.2, 0.8))
def test_points_a_millimetre_from_a_polygon_edge(ref, ring, k, fraction):
    lons, lats = ring
    k %= len(lons)
    foot, out = outward(lons, lats, k, fraction)
    area = compile_area(polygon_zone(lons, lats), {})
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
    area = compile_area(polygon_zone(lons, lats), {})
    inward = forward(*v, bisector, MM)
    outward = forward(*v, bisector + 180.0, MM)
    inside = ref.inside(*[[c] for c in forward(*v, bisector, 1_000.0)], lons, lats)[0]
    first, second = (inward, outward) if inside else (outward, inward)
    assert bool(area.place([first[0]], [first[1]]).inside[0])
    assert not bool(area.place([second[0]], [second[1]]).inside[0])


# -- volumes entering areas ----------------------------------------------------------------------


@cases(30)
@given(lines(), st.floats(0.0, 360.0), st.floats(100.0, 800_000.0))
def test_range_to_a_line_near_and_far(ref, line, azimuth, distance):
    lons, lats = line
    point = forward(lons[0], lats[0], azimuth, distance)
    assume(abs(point[1]) < 80.0)
    truth = float(ref.line_distance([point[0]], [point[1]], lons, lats)[0])
    assume(truth > 10 * MM)
    band = {"lons": lons, "lats": lats, "inner": 0.0, "outer": 1_000.0, "side": "both"}
    zone = band_zone(band, RANGE_TO_LINE)
    for offset in OFFSETS:
        assert reaches(zone, line_of(band), point, truth + offset) == (offset > 0), offset


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
    zone = polygon_zone(lons, lats, RANGE_TO_ZONE)
    for offset in OFFSETS:
        assert reaches(zone, None, point, truth + offset) == (offset > 0), (offset, truth)


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
        e, perpendicular, _ = end_face(band, last, right)
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
            "point": at(perp, d),
            "distance": band["inner"] - d,
            "line_distance": d,
        }
    if where == "beyond":
        d = band["outer"] + draw(st.floats(10.0, 500_000.0))
        return {
            "band": band,
            "point": at(perp, d),
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
        checked(ref, band, point, case["line_distance"])
    else:  # past the end: nearest to the end's face, between the band's edges
        e, perpendicular = case["face"]
        a = forward(*e, perpendicular, band["inner"])
        b = forward(*e, perpendicular, band["outer"])
        found = float(ref.segment_distance([point[0]], [point[1]], *a, *b)[0])
        assume(abs(found - truth) < CHECK)
    zone = band_zone(band, RANGE_TO_ZONE)
    for offset in OFFSETS:
        assert reaches(zone, line_of(band), point, truth + offset) == (offset > 0), (offset, case)


def test_range_past_the_square_end_is_measured_to_the_end():
    """Found by the independent check: a weapon 3 km past the end of a one-sided band and
    15 km out from its line was measured 0 km from the band (to the band's extension)."""
    band = EAST_OF_MERIDIAN
    beyond = forward(35.8, 33.6, 0.0, 3_000.0)
    point = forward(*beyond, 90.0, 15_000.0)
    zone = band_zone(band, RANGE_TO_ZONE)
    assert not reaches(zone, line_of(band), point, 2_900.0)
    assert reaches(zone, line_of(band), point, 3_100.0)


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
            "rules": RANGE_TO_ZONE,
        }
    )
    point = forward(*forward(*a, 0.0, 30_000.0), 90.0, 5_000.0)
    reach = compile_area(zone, {"l": line}).reach(*point)
    assert not reach.exact
    assert abs(reach.distance - (band["inner"] - 5_000.0)) < 1e-6
    s = world(None, line, zone, observe(point, 16_000.0))
    (alert,) = kinds(s, AlertKind.zone_violation)
    assert "at least 15.0 km away" in alert.explanation
    assert alert.figures["distance_exact"] == 0
