"""Lengths, durations and altitudes: parsing, printing, round trips and every refusal."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from deconfliction.engine.model import Margins
from deconfliction.engine.units import (
    FOOT,
    NAUTICAL_MILE,
    Altitude,
    AltitudeReference,
    AltitudeUnit,
    Duration,
    Length,
    LengthUnit,
    format_duration,
)

finite_non_negative = st.floats(
    min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False
)

# -- Length ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit", "metres"),
    [
        ("3 NM", 3.0, LengthUnit.NM, 3 * NAUTICAL_MILE),
        ("3nm", 3.0, LengthUnit.NM, 3 * NAUTICAL_MILE),
        ("3 nmi", 3.0, LengthUnit.NM, 3 * NAUTICAL_MILE),
        ("5.5 km", 5.5, LengthUnit.km, 5500.0),
        ("  500 m ", 500.0, LengthUnit.m, 500.0),
        ("1000ft", 1000.0, LengthUnit.ft, 304.8),
        (".5 km", 0.5, LengthUnit.km, 500.0),
        ("1e3 m", 1000.0, LengthUnit.m, 1000.0),
        ("+2 KM", 2.0, LengthUnit.km, 2000.0),
    ],
)
def test_length_forms(text, value, unit, metres):
    length = Length.parse(text)
    assert (length.value, length.unit) == (value, unit)
    assert length.metres == pytest.approx(metres, rel=1e-15)


def test_length_object_form_and_identity():
    assert Length.parse({"value": 3, "unit": "NM"}) == Length(3.0, LengthUnit.NM)
    assert Length.parse({"value": 2.5, "unit": "nmi"}).unit is LengthUnit.NM
    length = Length.parse("3 NM")
    assert Length.parse(length) is length
    assert Length.of_metres(12.5) == Length(12.5, LengthUnit.m)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (12, 'a length needs a unit, e.g. "3 NM", "5 km", "500 m" or "1000 ft"; got 12'),
        (None, "a length needs a unit"),
        ([3, "NM"], "a length needs a unit"),
        ("3", "a length is a number and a unit (m, km, NM, ft), e.g. \"3 NM\"; got '3'"),
        ("NM 3", "a length is a number and a unit"),
        ("3 N M", "a length is a number and a unit"),
        ("", "a length is a number and a unit"),
        ("3 miles", "unknown length unit 'miles': use m, km, NM or ft"),
        ("3 mi", "unknown length unit 'mi': use m, km, NM or ft"),
        ({"value": 3}, 'a length object has exactly "value" and "unit"'),
        ({"value": 3, "unit": "NM", "x": 1}, 'a length object has exactly "value" and "unit"'),
        ({"value": 3, "unit": "yd"}, "unknown length unit 'yd': use m, km, NM or ft"),
        ({"value": "3", "unit": "NM"}, "a length's value must be a number, got '3'"),
        ({"value": True, "unit": "NM"}, "a length's value must be a number, got True"),
        ({"value": math.nan, "unit": "m"}, "a length's value must be a finite number"),
        ({"value": math.inf, "unit": "m"}, "a length's value must be a finite number"),
        ("-3 km", "a length cannot be negative, got -3 km"),
        ({"value": -1, "unit": "m"}, "a length cannot be negative"),
    ],
)
def test_length_refusals(raw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Length.parse(raw)


def test_length_constructor_refuses_non_finite():
    with pytest.raises(ValueError, match="a length must be a finite number"):
        Length(math.nan, LengthUnit.m)


@settings(max_examples=200, deadline=None)
@given(value=finite_non_negative, unit=st.sampled_from(list(LengthUnit)))
def test_length_prints_and_reads_back_equal(value, unit):
    length = Length(value, unit)
    again = Length.parse(str(length))
    assert again == length
    assert again.metres == length.metres


@settings(max_examples=100, deadline=None)
@given(value=finite_non_negative, unit=st.sampled_from(list(LengthUnit)))
def test_length_survives_a_json_round_trip(value, unit):
    margins = Margins(lateral=Length(value, unit))
    again = Margins.model_validate_json(margins.model_dump_json())
    assert again == margins


# -- Duration -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("30 min", 1800.0),
        ("48 h", 172800.0),
        ("90 s", 90.0),
        ("90 sec", 90.0),
        ("2 d", 172800.0),
        ("1.5 h", 5400.0),
        ("30MIN", 1800.0),
        ("PT30M", 1800.0),
        ("PT1H30M", 5400.0),
        ("P2D", 172800.0),
        ("P1DT2H", 93600.0),
        ("PT0.5S", 0.5),
        (timedelta(minutes=5), 300.0),
    ],
)
def test_duration_forms(raw, seconds):
    assert Duration.parse(raw).seconds == seconds


def test_duration_identity_and_timedelta():
    d = Duration(90.0)
    assert Duration.parse(d) is d
    assert d.timedelta == timedelta(seconds=90)


@pytest.mark.parametrize(
    "raw",
    ["30", "thirty min", "30 fortnights", "P", "PT", "PT30X", "", 30, None, "-", "1 y"],
)
def test_duration_refusals(raw):
    with pytest.raises(
        ValueError,
        match=re.escape(
            'a duration is a number and a unit (s, min, h, d) or ISO 8601, e.g. "30 min" or '
            f'"PT30M"; got {raw!r}'
        ),
    ):
        Duration.parse(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-5 min", "a duration cannot be negative")],
)
def test_duration_cannot_be_negative(raw, message):
    with pytest.raises(ValueError, match=message):
        Duration.parse(raw)
    with pytest.raises(ValueError, match="a duration must be a finite number"):
        Duration(math.inf)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (50, "50 s"),
        (59.94, "59.9 s"),
        (60, "1 min"),
        (1800, "30 min"),
        (3600, "1 h"),
        (5400, "1 h 30 min"),
        (3661, "1 h 1 min 1 s"),
        (86400, "24 h"),
        (3 * 86400, "72 h"),
        (4 * 86400, "4 d"),
        (90061, "1 d 1 h 1 min"),
        (-90, "-1 min 30 s"),
        (-50, "-50 s"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(0, 10**7).map(float),
        st.integers(0, 10**5).map(lambda m: m * 60.0),
        st.integers(0, 10**4).map(lambda h: h * 3600.0),
        st.floats(0.0, 1e8, allow_nan=False).map(lambda x: round(x, 3)),
    )
)
def test_duration_survives_a_json_round_trip(seconds):
    """What the model writes, it reads back equal (to the second and below)."""
    margins = Margins(time=Duration(seconds))
    again = Margins.model_validate_json(margins.model_dump_json())
    assert again.time.seconds == pytest.approx(seconds, rel=1e-12, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        st.integers(0, 59).map(float),
        st.integers(1, 59).map(lambda m: m * 60.0),
        st.integers(1, 23).map(lambda h: h * 3600.0),
        st.sampled_from([24, 48, 72]).map(lambda h: h * 3600.0),
        st.integers(4, 400).map(lambda d: d * 86400.0),
    )
)
def test_single_term_durations_print_and_read_back(seconds):
    """A duration that prints as one term ("30 min", "48 h", "5 d") reads back equal."""
    d = Duration(seconds)
    assert Duration.parse(str(d)) == d


# -- Altitude -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "unit", "reference", "metres"),
    [
        ("FL250", 250, AltitudeUnit.FL, AltitudeReference.STD, 7620.0),
        ("fl 050", 50, AltitudeUnit.FL, AltitudeReference.STD, 1524.0),
        ("FL000", 0, AltitudeUnit.FL, AltitudeReference.STD, 0.0),
        ("5000 ft AMSL", 5000.0, AltitudeUnit.ft, AltitudeReference.AMSL, 1524.0),
        ("5000 ft MSL", 5000.0, AltitudeUnit.ft, AltitudeReference.AMSL, 1524.0),
        ("300 m AGL", 300.0, AltitudeUnit.m, AltitudeReference.AGL, 300.0),
        ("300m agl", 300.0, AltitudeUnit.m, AltitudeReference.AGL, 300.0),
        ("-400 m AMSL", -400.0, AltitudeUnit.m, AltitudeReference.AMSL, -400.0),
        ("1500 ft STD", 1500.0, AltitudeUnit.ft, AltitudeReference.STD, 457.2),
        ("SFC", 0, AltitudeUnit.ft, AltitudeReference.AGL, 0.0),
        ("gnd", 0, AltitudeUnit.ft, AltitudeReference.AGL, 0.0),
        ("UNL", 999, AltitudeUnit.FL, AltitudeReference.STD, 999 * 100 * FOOT),
        (
            {"value": 5000, "unit": "ft", "reference": "AMSL"},
            5000.0,
            AltitudeUnit.ft,
            AltitudeReference.AMSL,
            1524.0,
        ),
        ({"value": 120, "unit": "FL"}, 120.0, AltitudeUnit.FL, AltitudeReference.STD, 3657.6),
    ],
)
def test_altitude_forms(raw, value, unit, reference, metres):
    alt = Altitude.parse(raw)
    assert (alt.value, alt.unit, alt.reference) == (value, unit, reference)
    assert alt.metres == pytest.approx(metres, rel=1e-12)
    assert alt.feet == pytest.approx(metres / FOOT, rel=1e-12)


def test_surface_and_unlimited():
    sfc = Altitude.parse("SFC")
    assert sfc.is_surface
    assert not sfc.is_unlimited
    assert str(sfc) == "SFC"
    assert sfc == Altitude.surface()
    unl = Altitude.parse("UNL")
    assert unl.is_unlimited
    assert not unl.is_surface
    assert str(unl) == "UNL"
    assert Altitude.parse("FL999").is_unlimited
    assert not Altitude.parse("FL998").is_unlimited
    assert not Altitude.parse("0 ft AMSL").is_surface
    assert Altitude.parse("0 m AGL").is_surface


@pytest.mark.parametrize(
    ("alt", "text"),
    [
        ("FL050", "FL050"),
        ("FL5", "FL005"),
        ("5000 ft AMSL", "5000 ft AMSL"),
        ("300 m AGL", "300 m AGL"),
        ("12.5 m AMSL", "12.5 m AMSL"),
        ("SFC", "SFC"),
        ("UNL", "UNL"),
    ],
)
def test_altitude_printing(alt, text):
    assert str(Altitude.parse(alt)) == text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("500 ft", "altitude '500 ft' needs its reference: AMSL, AGL or STD (e.g. \"500 ft AGL\")"),
        ("500", 'an altitude is "FL250", "5000 ft AMSL", "300 m AGL", "SFC" or "UNL"; got \'500\''),
        ("500 yd AMSL", "an altitude is"),
        ("FL1000", "an altitude is"),
        ("FL-10", "an altitude is"),
        ("high", "an altitude is"),
        (500, 'an altitude is "FL250", "5000 ft AMSL", "300 m AGL", "SFC" or "UNL"; got 500'),
        (None, "an altitude is"),
        ({"value": 5}, 'an altitude object has "value", "unit" and "reference"'),
        (
            {"value": 5, "unit": "ft", "ref": "AGL"},
            'an altitude object has "value", "unit" and "reference"',
        ),
        (
            {"value": 5, "unit": "yd", "reference": "AGL"},
            "unknown altitude unit 'yd': use m, ft or FL",
        ),
        (
            {"value": 5, "unit": "ft"},
            "an altitude in m or ft needs its reference: AMSL, AGL or STD",
        ),
        (
            {"value": 5, "unit": "ft", "reference": "QNH"},
            "unknown altitude reference 'QNH': use AMSL, AGL, STD or W84",
        ),
        (
            {"value": "5", "unit": "ft", "reference": "AGL"},
            "an altitude's value must be a number, got '5'",
        ),
        (
            {"value": math.nan, "unit": "m", "reference": "AGL"},
            "an altitude's value must be a finite number",
        ),
        (
            {"value": 100, "unit": "FL", "reference": "AMSL"},
            "a flight level is a pressure altitude: its reference is STD",
        ),
        ({"value": 1000, "unit": "FL"}, "flight level must be between FL000 and FL999, got FL1000"),
        ({"value": -5, "unit": "FL"}, "flight level must be between FL000 and FL999, got FL-5"),
        ({"value": 250.5, "unit": "FL"}, "a flight level is a whole number, got FL250.5"),
        ("-600 m AMSL", "altitude -600 m AMSL is below any surface on Earth"),
        ("-1700 ft AMSL", "altitude -1700 ft AMSL is below any surface on Earth"),
        ("-10 ft AGL", "an altitude above ground cannot be negative, got -10 ft AGL"),
    ],
)
def test_altitude_refusals(raw, message):
    for _ in range(2):  # a text read once is remembered: a refused one is refused again
        with pytest.raises(ValueError, match=re.escape(message)):
            Altitude.parse(raw)


def test_altitude_constructor_refuses_non_finite():
    with pytest.raises(ValueError, match="an altitude must be a finite number"):
        Altitude(math.inf, AltitudeUnit.m, AltitudeReference.AMSL)


def test_the_deepest_surface_on_earth_is_accepted():
    assert Altitude.parse("-430 m AMSL").metres == -430.0
    assert Altitude.parse("-1400 ft AMSL").feet == pytest.approx(-1400.0)


altitudes = st.one_of(
    st.integers(0, 999).map(lambda v: Altitude(v, AltitudeUnit.FL, AltitudeReference.STD)),
    st.builds(
        Altitude,
        st.floats(-500.0, 30_449.0, allow_nan=False),
        st.just(AltitudeUnit.m),
        st.sampled_from([AltitudeReference.AMSL, AltitudeReference.STD]),
    ),
    st.builds(
        Altitude,
        st.floats(-1640.0, 99_900.0, allow_nan=False),
        st.just(AltitudeUnit.ft),
        st.sampled_from([AltitudeReference.AMSL, AltitudeReference.STD]),
    ),
    st.builds(
        Altitude,
        st.floats(0.0, 30_449.0, allow_nan=False),
        st.sampled_from([AltitudeUnit.m, AltitudeUnit.ft]),
        st.just(AltitudeReference.AGL),
    ),
)


@settings(max_examples=300, deadline=None)
@given(altitudes)
def test_altitude_prints_and_reads_back(alt):
    again = Altitude.parse(str(alt))
    if alt.is_surface:
        # "0 m AGL" and "0 ft AGL" both print as SFC and read back as the surface.
        assert again.is_surface
        assert again.metres == 0.0
    else:
        assert again == alt
        assert again.metres == alt.metres


class _Band(BaseModel):
    altitude: Altitude


@settings(max_examples=100, deadline=None)
@given(altitudes)
def test_altitude_survives_a_json_round_trip(alt):
    again = _Band.model_validate_json(_Band(altitude=alt).model_dump_json()).altitude
    assert again.metres == alt.metres
    assert again.is_surface == alt.is_surface
    if not alt.is_surface:
        assert again == alt
