"""Vertical and time thresholds are decided exactly, whatever the units.

Every pair of bounds (ft, m and flight levels; AMSL, STD and AGL; with SFC, GND and UNL as the
other bounds) and every unit of margin is tried with the gap between the bands a millimetre
below, exactly at, and a millimetre above the margin.  The truth is computed with exact
rational arithmetic from the numbers as written (the foot is 0.3048 m exactly, a flight level
100 ft): a gap equal to the margin is not a conflict, a gap below it is.  Time margins and
lead times likewise, from exact microseconds and the durations as written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.vertical import vertical_gap
from deconfliction.engine.detection.zones import slice_bounds
from deconfliction.engine.model import AltitudeBand
from deconfliction.engine.units import Altitude, Duration, Length
from tests.engine.thresholds import FOOT, MM, cases, kinds, notice, volume, world

CIRCLE = {"type": "circle", "center": "33.1N 35.9E", "radius": "5 km"}

BOUNDS = [("ft", "AMSL"), ("m", "AMSL"), ("FL", "STD"), ("ft", "STD"), ("m", "STD")]
"""Bounds compared above mean sea level (a flight level, and STD, in the standard atmosphere)."""
AGL_BOUNDS = [("ft", "AGL"), ("m", "AGL")]
MARGIN_UNITS = ["ft", "m", "km", "NM"]
_FACTOR = {
    "m": Fraction(1),
    "ft": FOOT,
    "FL": 100 * FOOT,
    "km": Fraction(1000),
    "NM": Fraction(1852),
}


def _decimal(value: Fraction, places: int | None = None) -> str | None:
    """``value`` written as a decimal, exactly (or rounded to ``places``); None when it needs
    more than 15 significant digits (a double would not read it back)."""
    if places is not None:
        value = Fraction(round(value * 10**places), 10**places)
    if 10**40 % value.denominator:
        return None
    digits = Decimal(value.numerator) / Decimal(value.denominator)
    written = format(digits.normalize(), "f")
    if len(written.replace("-", "").replace(".", "").lstrip("0")) > 15:
        return None
    return written


def _altitude(value: str, unit: str, reference: str) -> str:
    if unit == "FL":
        return f"FL{int(value):03d}"
    return f"{value} {unit} {reference}"


@st.composite
def vertical_cases(draw: st.DrawFn, bounds: list[tuple[str, str]]) -> dict[str, object]:
    """A band below and a band above, with the gap between them a millimetre below, exactly
    at or a millimetre above the margin (in exact rational arithmetic, from the numbers as
    written)."""
    below = draw(st.sampled_from(bounds))
    above = draw(st.sampled_from(bounds))
    units = {"upper": below[0], "margin": draw(st.sampled_from(MARGIN_UNITS)), "lower": above[0]}
    offset = Fraction(draw(st.sampled_from([-1, 0, 1]))) * Fraction(MM)
    values: dict[str, Fraction] = {}
    for name, unit in units.items():
        if unit == "FL":
            values[name] = Fraction(draw(st.integers(1, 300)))
        elif unit in ("km", "NM"):
            values[name] = Fraction(draw(st.integers(0, 3_000)), 1000)
        elif name == "margin":
            values[name] = Fraction(draw(st.integers(0, 400_000)), 100)
        else:
            values[name] = Fraction(draw(st.integers(1, 1_500_000)), 100)
    # Solve for the one whose unit keeps the decimal finite: metres if any, else feet.
    solved = min(units, key=lambda n: ("m", "km", "ft", "NM", "FL").index(units[n]))
    assume(units[solved] != "FL")
    m = {n: values[n] * _FACTOR[units[n]] for n in units}
    if solved == "lower":
        target = m["upper"] + m["margin"] + offset
    elif solved == "upper":
        target = m["lower"] - m["margin"] - offset
    else:
        target = m["lower"] - m["upper"] - offset
    target /= _FACTOR[units[solved]]
    written = _decimal(target) or _decimal(target, 9)
    assume(written is not None and Fraction(written) > 0)
    assert written is not None
    values[solved] = Fraction(written)
    texts = {n: written if n == solved else _decimal(values[n]) for n in units}
    a = (draw(st.sampled_from(["SFC", "GND"])), _altitude(str(texts["upper"]), *below))
    b = (_altitude(str(texts["lower"]), *above), "UNL")
    gap = values["lower"] * _FACTOR[above[0]] - values["upper"] * _FACTOR[below[0]]
    margin = values["margin"] * _FACTOR[units["margin"]]
    return {
        "a": a,
        "b": b,
        "margin": f"{texts['margin']} {units['margin']}",
        "conflict": gap < margin,
    }


def _conflict(case: dict[str, object]) -> bool:
    a, b = case["a"], case["b"]
    assert isinstance(a, tuple)
    assert isinstance(b, tuple)
    s = world(
        {"margins": {"lateral": "1 km", "vertical": str(case["margin"]), "time": "0 min"}},
        notice("n-a", "a", volume(CIRCLE, *a)),
        notice("n-b", "b", volume(CIRCLE, *b)),
    )
    return bool(kinds(s, AlertKind.notice_overlap))


@cases(120)
@given(vertical_cases(BOUNDS))
def test_vertical_margin_is_exact_for_every_pair_of_units(case):
    assert _conflict(case) == case["conflict"], case


@cases(40)
@given(vertical_cases(AGL_BOUNDS))
def test_vertical_margin_is_exact_above_ground(case):
    assert _conflict(case) == case["conflict"], case


@pytest.mark.parametrize(
    ("a", "b", "margin", "conflict"),
    [
        # Found by the independent check: FL010 is 304.8 m, plus 500 ft (152.4 m) is 457.2 m.
        (("SFC", "FL010"), ("457.2 m AMSL", "UNL"), "500 ft", False),
        (("SFC", "FL010"), ("335.28 m AMSL", "UNL"), "100 ft", False),
        (("SFC", "FL010"), ("457.199 m AMSL", "UNL"), "500 ft", True),
        (("SFC", "1000 ft AMSL"), ("FL015", "UNL"), "500 ft", False),
        (("SFC", "1000 ft AMSL"), ("FL015", "UNL"), "152.4 m", False),
        (("SFC", "1000 ft AMSL"), ("FL015", "UNL"), "152.401 m", True),
        (("GND", "300 m AGL"), ("1484.251968503937 ft AGL", "UNL"), "152.4 m", True),
        (("SFC", "FL100"), ("FL105", "UNL"), "500 ft", False),
        (("SFC", "FL100"), ("FL105", "UNL"), "0.1524 km", False),
    ],
)
def test_vertical_margin_examples(a, b, margin, conflict):
    for first, second in ((a, b), (b, a)):
        s = world(
            {"margins": {"lateral": "1 km", "vertical": margin, "time": "0 min"}},
            notice("n-a", "a", volume(CIRCLE, *first)),
            notice("n-b", "b", volume(CIRCLE, *second)),
        )
        assert bool(kinds(s, AlertKind.notice_overlap)) == conflict


def test_exact_metres_of_quantities():
    assert Altitude.parse("FL010").exact_metres == Fraction(3048, 10)
    assert Altitude.parse("1000.1 ft AMSL").exact_metres == Fraction("1000.1") * FOOT
    assert Altitude.parse("152.4 m AMSL").exact_metres == Fraction("152.4")
    assert Length.parse("500 ft").exact_metres == Fraction("152.4")
    assert Length.parse("3 NM").exact_metres == 5556
    assert Length.parse("0.1524 km").exact_metres == Fraction("152.4")


def test_vertical_gap_figure_is_still_the_float_gap():
    band = lambda lo, hi: AltitudeBand(lower=Altitude.parse(lo), upper=Altitude.parse(hi))  # noqa: E731
    gap = vertical_gap(band("SFC", "FL010"), band("457.2 m AMSL", "UNL"))
    assert gap.gap_m == pytest.approx(152.4, abs=1e-9)


# -- time --------------------------------------------------------------------------------------


@st.composite
def durations(draw: st.DrawFn) -> tuple[str, Fraction]:
    """A duration as written (with up to three decimals in its unit) and its exact seconds."""
    unit, factor = draw(st.sampled_from([("s", 1), ("min", 60), ("h", 3600), ("d", 86400)]))
    value = Fraction(draw(st.integers(1, 3_000)), 1000)
    iso = draw(st.booleans()) and unit in ("s", "min", "h")
    written = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if iso:
        return f"PT{written}{unit[0].upper()}", value * factor
    return f"{written} {unit}", value * factor


def test_durations_are_read_to_the_nearest_double():
    """ "0.07 h" is 252 s exactly; read as 0.07 * 3600 it was 252.00000000000003 s."""
    assert Duration.parse("0.07 h").seconds == 252.0
    assert Duration.parse("0.009 min").seconds == 0.54
    assert Duration.parse("0.07 h").canonical() == "252 s"
    assert Duration.parse("PT0.07H").seconds == 252.0


@cases(60)
@given(durations())
def test_a_duration_is_the_number_as_written(case):
    written, seconds = case
    d = Duration.parse(written)
    assert d.seconds == float(seconds)
    assert d.exact_seconds == seconds
    assert Duration.parse(d.canonical()) == d


def _window(start_us: int, end_us: int) -> dict[str, str]:
    t0 = datetime(2026, 11, 24, 10, tzinfo=UTC)
    iso = lambda us: (t0 + timedelta(microseconds=us)).isoformat().replace("+00:00", "Z")  # noqa: E731
    return {"start": iso(start_us), "end": iso(end_us)}


@cases(60)
@given(durations(), st.sampled_from([-1, 0, 1]))
def test_time_margin_is_exact(case, offset_us):
    """Windows whose gap is the margin, or a microsecond either side of it."""
    written, seconds = case
    margin_us = seconds * 10**6
    gap_us = (
        int(margin_us) + offset_us
        if margin_us.denominator == 1
        else int(margin_us) + (offset_us if offset_us <= 0 else 1)
    )
    first = {**volume(CIRCLE), "window": _window(0, 3_600_000_000)}
    second = {**volume(CIRCLE), "window": _window(3_600_000_000 + gap_us, 7_200_000_000 + gap_us)}
    s = world(
        {"margins": {"lateral": "1 km", "vertical": "500 ft", "time": written}},
        notice("n-a", "a", first),
        notice("n-b", "b", second),
    )
    assert bool(kinds(s, AlertKind.notice_overlap)) == (gap_us < margin_us), (written, gap_us)


@cases(40)
@given(durations(), st.sampled_from([-1, 0, 1]))
def test_lead_time_is_exact(case, offset_us):
    """A notice filed exactly the required lead time before its start is on time."""
    written, seconds = case
    lead_us = seconds * 10**6
    filed_us = -(int(lead_us) + offset_us) if lead_us.denominator == 1 else -int(lead_us)
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    first = {**volume(CIRCLE), "window": _window(0, 3_600_000_000)}
    on_time = notice("n", "a", first).model_copy(
        update={"filed_at": start + timedelta(microseconds=filed_us)}
    )
    s = world({"lead_times": {"air_operation": written}}, on_time)
    late = bool(kinds(s, AlertKind.late_notice))
    assert late == (-filed_us < lead_us), (written, filed_us)


def test_cap_slices_are_cut_in_exact_microseconds():

    length = Duration.parse("0.07 h").seconds  # 252 s
    boundary = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=252 * 7_124_915)
    start, end = slice_bounds(boundary, length)
    assert (start, end - start) == (boundary, timedelta(seconds=252))
    before, _ = slice_bounds(boundary - timedelta(microseconds=1), length)
    assert before == boundary - timedelta(seconds=252)
