"""Zone thresholds for volumes, decided exactly: notices entering polygon and band areas.

Circles, corridors and polygons that enter a band through its inner edge, reach its outer
edge, cross its line or its square end, or enter a polygon zone, by a millimetre, or stop a
millimetre short.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zone_areas import compile_area
from tests.engine.thresholds import GEOD, MM, OFFSETS, cases, forward, kinds, notice, volume, world
from tests.engine.zone_cases import (
    CHECK,
    EAST_OF_MERIDIAN,
    along,
    area_of,
    at,
    band_zone,
    bands,
    checked,
    end_face,
    line_of,
    outward,
    perpendiculars,
    polygon_zone,
    polygons,
    volume_of,
)


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
    outline = draw(along(perp, kind, near, reach))
    return {
        "band": band,
        "outline": outline,
        "extreme": at(perp, reach),
        "reach": reach,
        "enters": offset > 0,
    }


@cases(40)
@given(inner_entries())
def test_volumes_entering_a_band_through_its_inner_edge(ref, case):
    band = case["band"]
    checked(ref, band, case["extreme"], case["reach"])
    entry = area_of(band).entry(volume_of(case["outline"]))
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
        "outline": draw(along(perp, kind, far, reach)),
        "extreme": at(perp, reach),
        "reach": reach,
        "enters": offset < 0,
    }


@cases(40)
@given(outer_entries())
def test_volumes_reaching_the_outer_edge_of_a_band(ref, case):
    band = case["band"]
    checked(ref, band, case["extreme"], case["reach"])
    entry = area_of(band).entry(volume_of(case["outline"]))
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
    foot, out = outward(lons, lats, k, fraction)
    area = compile_area(polygon_zone(lons, lats), {})
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
        entry = area.entry(volume_of(outline))
        assert (entry is not None) == (offset < 0), (offset, kind)


# -- range rules ---------------------------------------------------------------------------------


def test_a_notice_entering_through_the_inner_edge_by_metres_is_reported():
    """Found by the independent check: a 7 km circle reaching 5 m into a 10-20 km band was not
    reported (its outline was sampled every 25 m of sagitta)."""
    band = EAST_OF_MERIDIAN
    centre = forward(35.8, 33.3, 90.0, 3_005.0)
    circle = {"type": "circle", "center": list(centre), "radius": "7000 m"}
    s = world(
        None,
        line_of(band),
        band_zone(band),
        notice("n", "b", volume(circle)),
    )
    (alert,) = kinds(s, AlertKind.zone_entry)
    assert alert.figures["depth_m"] == 5.0


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
        outline = data.draw(along(across, kind, base, offset))
        entry = area_of(band).entry(volume_of(outline))
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
    e, perpendicular, _ = end_face(band, last, right)
    t = band["inner"] + data.draw(st.floats(0.2, 0.8)) * (band["outer"] - band["inner"])
    q_lon, q_lat, back = GEOD.fwd(*e, perpendicular, t)
    turn = 90.0 if right == last else -90.0
    out = {"foot": (float(q_lon), float(q_lat)), "azimuth": float(back) + 180.0 - turn}
    kind = data.draw(st.sampled_from(["circle", "corridor", "polygon"]))
    base = data.draw(st.floats(200.0, 0.5 * (band["outer"] - band["inner"])))
    for offset in OFFSETS:  # negative: across the end, into the band
        outline = data.draw(along(out, kind, base, offset))
        entry = area_of(band).entry(volume_of(outline))
        assert (entry is not None) == (offset < 0), (offset, kind)
