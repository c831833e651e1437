"""The check answers its conflicts as columns (``detection/conflicts.py``) and measures pairs in
bulk: what it does without the per-pair path, checked against that path.

``test_screen_reference.py`` compares the findings made from the columns with the reference's
on generated scenes and at the margins; here, the pieces the columns rely on, each against what
it replaced: point pairs ended where GEOS ends them, ties ordered by the order key, a vertical
margin decided in ticks as the bands as written decide it, and the columns themselves against
the findings they make.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.screen import overlap_conflicts
from deconfliction.engine.detection.vertical import (
    EXACT_LOWER,
    EXACT_UPPER,
    TICKS,
    band_terms,
    exact_bits,
    exactly_closer,
)
from deconfliction.engine.geodesy.planar import POINT, shortest_lines
from deconfliction.engine.geodesy.shapes import Shape, _order_key, _swapped
from deconfliction.engine.model import AltitudeBand, Notice
from deconfliction.engine.situation import Situation
from deconfliction.engine.units import Altitude, Length
from tests.engine.test_screen_reference import _scene, scenes
from tests.engine.thresholds import cases, notice, volume, world

FOOT = Fraction(381, 1250)
UNITS = {"ft": FOOT, "m": Fraction(1), "FL": 100 * FOOT}
CIRCLE = {"type": "circle", "center": "33.1N 35.9E", "radius": "5 km"}

coordinate = st.floats(-3e5, 3e5, allow_nan=False)


@cases(60)
@given(st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=8), st.data())
def test_point_pairs_end_where_geos_ends_them(points, data):
    """Two points' shortest line, taken from the columns, has GEOS's ends to the bit, in
    either direction."""
    n = len(points)
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    swap = np.array(data.draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1)), bool)
    codes = np.full(n, POINT, np.int8)
    ends, plain, planar = shortest_lines(codes, np.ones(n, np.intp), x, y, swap)
    assert plain.all()
    assert planar is None
    geoms = shapely.points(np.column_stack([x, y]))
    for i in range(1, n):
        a, b = (geoms[i], geoms[0]) if swap[i - 1] else (geoms[0], geoms[i])
        expected = shapely.get_coordinates(shapely.shortest_line(a, b))
        assert ends[i - 1].tobytes() == expected.tobytes()


@st.composite
def polygons(draw: st.DrawFn, west: float) -> Shape:
    """A small quadrilateral whose first vertex is at ``west`` (so that several share it)."""
    south = draw(st.floats(33.0, 33.5))
    size = draw(st.floats(0.01, 0.2))
    east = draw(st.sampled_from([west + size, west + size / 2]))
    return Shape.polygon([west, east, east, west], [south, south, south + size, south + size])


@cases(60)
@given(st.data())
def test_ties_are_ordered_as_the_order_key_orders_them(data):
    """Shapes tied on kind and radius (every polygon) are ordered by their first longitude's
    bytes in bulk, and by the whole key when those are equal, as the key orders them."""
    wests = data.draw(st.lists(st.floats(35.0, 36.0), min_size=1, max_size=3))
    shapes = data.draw(st.lists(st.sampled_from(wests).flatmap(polygons), min_size=2, max_size=8))
    shapes.append(Shape.circle(35.5, 33.2, 1000.0))
    a, others = shapes[0], shapes[1:]
    codes = np.array([2] * len(shapes[:-1]) + [1], np.int8)
    radii = np.array([s.radius for s in shapes], np.float64)
    swap = _swapped(a, others, codes, radii)
    assert swap.tolist() == [_order_key(o) < _order_key(a) for o in others]


def _written(value: Fraction, unit: str) -> str | None:
    """``value`` (in ``unit``) as decimal text, or None if it has no short one."""
    for places in range(10):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole = str(abs(scaled.numerator)).rjust(places + 1, "0")
            text = whole if not places else f"{whole[:-places]}.{whole[-places:]}"
            return f"{'-' if value < 0 else ''}{text}"
    return None


@st.composite
def bounded_pairs(draw: st.DrawFn) -> tuple[AltitudeBand, AltitudeBand, Length]:
    """Two bands with all four bounds written (in feet, metres or flight levels, some to the
    hundredth of a millimetre, which the ticks cannot hold), the upper one's floor a tick
    below, at or a tick above the margin over the lower one's ceiling."""
    unit_low, unit_high, unit_margin = (draw(st.sampled_from(["ft", "m"])) for _ in range(3))
    # A ceiling to the hundred-thousandth: no whole number of ticks, so not certified.
    ceiling = Fraction(draw(st.integers(10, 15_000))) + Fraction(
        draw(st.sampled_from([0, 0, 3])), 100_000
    )
    margin = Fraction(draw(st.integers(0, 2_000)))
    offset = Fraction(draw(st.sampled_from([-1, 0, 1, 0])), TICKS) * draw(
        st.sampled_from([1, Fraction(1, 10)])
    )
    floor_m = ceiling * UNITS[unit_low] + margin * UNITS[unit_margin] + offset
    floor_text = _written(floor_m / UNITS[unit_high], unit_high)
    assume(floor_text is not None)
    assert floor_text is not None

    def alt(text: str, unit: str) -> Altitude:
        return Altitude.parse(f"{text} {unit} AMSL")

    ceiling_text = _written(ceiling, unit_low)
    assert ceiling_text is not None
    low = AltitudeBand(lower=alt("1", unit_low), upper=alt(ceiling_text, unit_low))
    high_top = _written(Fraction(floor_text) + 500, unit_high)
    assert high_top is not None
    high = AltitudeBand(lower=alt(floor_text, unit_high), upper=alt(high_top, unit_high))
    return low, high, Length.parse(f"{margin} {unit_margin}")


def _band(band: AltitudeBand) -> dict[str, str]:
    return {"lower": str(band.lower), "upper": str(band.upper)}


@cases(100)
@given(bounded_pairs())
def test_the_columns_decide_a_vertical_margin_as_the_bands_as_written(pair):
    """A margin met to the rounding is decided from the columns in ticks where the bounds are
    certified (and from the bands as written where not), as :func:`exactly_closer` decides."""
    _decided_as_written(*pair)


@cases(100)
@given(bounded_pairs(), st.booleans(), st.booleans())
def test_the_columns_decide_a_margin_with_absent_bounds(pair, from_surface, unlimited):
    """The same with the lower band from the surface or the upper one unlimited (absent
    bounds, left out of the gap in ticks): still as :func:`exactly_closer` decides."""
    low, high, margin = pair
    if from_surface:
        low = AltitudeBand(lower=Altitude.parse("SFC"), upper=low.upper)
    if unlimited:
        high = AltitudeBand(lower=high.lower, upper=Altitude.parse("UNL"))
    _decided_as_written(low, high, margin)


def _decided_as_written(low: AltitudeBand, high: AltitudeBand, margin: Length) -> None:
    """Two notices over one circle, banded ``low`` and ``high``: in conflict exactly when
    :func:`exactly_closer` says the bands as written are closer than ``margin``."""
    s = world(
        {"margins": {"lateral": "1 km", "vertical": str(margin), "time": "0 min"}},
        notice("n-a", "a", {**volume(CIRCLE), "altitude": _band(low)}),
    )
    probe = notice("n-b", "b", {**volume(CIRCLE), "altitude": _band(high)})
    found = s.notice_conflicts(probe, probe.id)
    assert len(found) == int(exactly_closer(high, low, margin))


@given(
    st.sampled_from(["ft", "m", "FL"]),
    st.decimals(0, 30_000, places=5, allow_nan=False, allow_infinity=False),
)
def test_a_certified_bound_is_told_exactly_by_its_float(unit, value):
    """Where :func:`exact_bits` certifies a bound, the float of :func:`band_terms` gives back
    its exact metres in whole ticks (what the screen reads); where it does not, they are not
    a whole number of ticks."""
    if unit == "FL":
        value = value.to_integral_value() % 999
    assume(value > 0)
    text = f"FL{int(value):03d}" if unit == "FL" else f"{value} {unit} AMSL"
    bound = Altitude.parse(text)
    band = AltitudeBand(lower=bound, upper=Altitude.parse("UNL"))
    lower = band_terms(band)[0]
    ticks = bound.exact_metres * TICKS
    if exact_bits(band) & EXACT_LOWER:
        assert Fraction(round(lower * TICKS)) == ticks
    else:
        assert ticks.denominator != 1
    assert exact_bits(band) & EXACT_UPPER  # UNL: no bound to tell


@cases(40)
@given(scenes())
def test_the_columns_say_what_the_findings_say(scene):
    """Each conflict's columns (the other notice, the lateral gap and place, the time gap)
    are what its finding says, and a finding made alone is the one made with the others."""
    margin, filed, probe = scene
    s: Situation = _scene(margin, filed)
    book = s.notices
    for n in [*book.current_versions(), probe]:
        series = book.series_of(n.id)
        rows = book.candidate_rows(n, series, s.roster)
        conflicts = overlap_conflicts(n, rows, s.roster, book.series_of)
        findings = conflicts.findings()
        ids = conflicts.ids()
        assert sorted(ids) == [
            f.subjects[0] if f.subjects[1] == n.id else f.subjects[1] for f in findings
        ]
        for i, other in enumerate(ids):
            alone = conflicts.finding(i)
            assert alone == findings[sorted(ids).index(other)]
            assert alone.figures["lateral_separation_m"] == round(float(conflicts.lateral_m[i]), 1)
            assert alone.figures["time_gap_s"] == round(float(conflicts.gap_s[i]), 1)
            assert alone.figures["near_lat"] == round(float(conflicts.near_lat[i]), 5)


def test_a_recorded_notice_checked_for_another_series_is_not_in_conflict_with_itself():
    """A replacement checked under its own id (not its series) finds its other volumes' notice
    but never its own current version (the rows the book marks ``own``)."""
    outline = CIRCLE
    s = world({"margins": {"lateral": "3 NM", "vertical": "500 ft"}})
    first = notice("n-a", "a", volume(outline))
    s.file(first)
    other = notice("n-b", "b", volume(outline))
    s.file(other)
    again = Notice.model_validate(
        notice("n-a2", "a", volume(outline)).model_dump(exclude_unset=True)
        | {"action": "replace", "replaces": "n-a"}
    )
    s.file(again)
    found = s.notice_conflicts(again, again.id)
    assert found.overlaps is not None
    assert found.overlaps.ids() == ["n-b"]
    assert [f.subjects for f in found.findings()] == [("n-a2", "n-b")]
