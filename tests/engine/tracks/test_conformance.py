"""Conformance with hysteresis, attribution, and time to clear (the Il-20 case)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deconfliction.engine.model import Notice, Volume
from deconfliction.engine.tracks.attribution import Attribution, Declaration
from deconfliction.engine.tracks.clearance import time_to_clear
from deconfliction.engine.tracks.conformance import (
    ConformanceKind,
    ConformanceMonitor,
    Offence,
    Tolerances,
    assess,
)
from deconfliction.engine.tracks.quantities import TrackAltitude, VerticalDatum
from deconfliction.engine.units import AltitudeUnit

T0 = datetime(2026, 12, 6, 18, tzinfo=UTC)
K = ConformanceKind


def notice(start: datetime, end: datetime, lower: str = "FL100", upper: str = "FL200") -> Notice:
    return Notice.model_validate(
        {
            "id": "n-1",
            "author": "idf",
            "kind": "air_operation",
            "filed_at": start - timedelta(hours=2),
            "volumes": [
                {
                    "outline": {
                        "type": "circle",
                        "center": {"lon": 35.5, "lat": 33.0},
                        "radius": "10 km",
                    },
                    "altitude": {"lower": lower, "upper": upper},
                    "window": {"start": start, "end": end},
                }
            ],
        }
    )


def baro(ft: float) -> TrackAltitude:
    return TrackAltitude(ft, AltitudeUnit.ft, VerticalDatum.barometric)


def geom(ft: float) -> TrackAltitude:
    return TrackAltitude(ft, AltitudeUnit.ft, VerticalDatum.geometric)


N = notice(T0, T0 + timedelta(hours=1))
TOL = Tolerances(lateral_m=1852.0, vertical_m=500 * 0.3048, time=timedelta(minutes=5))
IN = (35.5, 33.0)


@pytest.mark.parametrize(
    ("where", "alt", "at", "expected"),
    [
        (IN, baro(15000), T0 + timedelta(minutes=1), None),
        ((35.5, 33.0 + 0.1), baro(15000), T0, None),  # 11.1 km out: within 10 km + 1 NM
        ((35.5, 33.2), baro(15000), T0, K.outside_volume),
        (IN, baro(20400), T0, None),  # 400 ft above FL200: within the 500 ft margin
        (IN, baro(20600), T0, K.outside_band),
        (IN, geom(20600), T0, None),  # a GNSS height: 110 m of geoid tolerance more
        (IN, geom(21000), T0, K.outside_band),
        (IN, baro(15000), T0 - timedelta(minutes=4), None),  # within the time margin
        (IN, baro(15000), T0 - timedelta(minutes=10), K.before_window),
        (IN, baro(15000), T0 + timedelta(minutes=70), K.overrun),
        ((36.5, 33.0), baro(15000), T0 + timedelta(minutes=70), K.unnotified),
    ],
)
def test_assess(where, alt, at, expected) -> None:
    found = assess(*where, alt, at, [N], TOL)
    assert (found.kind if found else None) is expected


def test_no_notice_at_all_is_unnotified_activity() -> None:
    found = assess(35.5, 33.0, baro(15000), T0, [], TOL)
    assert found is not None
    assert found.kind is K.unnotified


def test_hysteresis_one_stray_report_does_not_flap() -> None:
    monitor = ConformanceMonitor(confirm=2, clear=3)
    out = Offence(K.outside_volume, "n-1", 0, 500.0)
    assert monitor.update("a", out) == []  # one stray report
    assert monitor.update("a", None) == []
    assert monitor.update("a", out) == []
    (raised,) = monitor.update("a", out)  # the second in a row raises
    assert raised.raised
    assert raised.kind is K.outside_volume
    assert monitor.update("a", None) == []
    assert monitor.update("a", None) == []
    assert [t.raised for t in monitor.update("a", out)] == [True]  # not cleared yet: updated
    for _ in range(2):
        assert monitor.update("a", None) == []
    (cleared,) = monitor.update("a", None)
    assert not cleared.raised
    assert monitor.raised("a") is None


def test_hysteresis_kind_change_replaces() -> None:
    monitor = ConformanceMonitor(confirm=1, clear=1)
    monitor.update("a", Offence(K.outside_band))
    closed, opened = monitor.update("a", Offence(K.outside_volume))
    assert (closed.kind, closed.raised, opened.kind, opened.raised) == (
        K.outside_band,
        False,
        K.outside_volume,
        True,
    )
    assert [t.raised for t in monitor.forget("a")] == [False]


def test_attribution_address_wins_and_disputes() -> None:
    table = Attribution(
        [
            Declaration("idf", addresses=(0x738001,), callsigns=("IAF*",)),
            Declaration("ru", addresses=(0x738001,), callsigns=("RFF*",)),
            Declaration("sarc", callsigns=("SARC1",), notice="n-9"),
        ]
    )
    assert table.of("icao:738001", "IAF1").disputed == ("idf", "ru")
    assert table.of("icao:000001", "RFF7032").party == "ru"
    assert table.of("icao:000001", "sarc1").notice == "n-9"
    assert table.of("other:~000001", None).party is None
    with pytest.raises(ValueError, match="24 bits"):
        Declaration("x", addresses=(1 << 24,))


IL20_START = datetime(2018, 9, 17, 19, 0, tzinfo=UTC)


def il20_volume(start: datetime) -> Volume:
    return Volume.model_validate(
        {
            "outline": {
                "type": "circle",
                "center": {"lon": 35.75, "lat": 35.45},
                "radius": "40 km",
            },
            "altitude": {"lower": "SFC", "upper": "FL300"},
            "window": {"start": start, "end": start + timedelta(hours=1)},
        }
    )


@pytest.mark.parametrize("heading", [0.0, 90.0, 180.0, 270.0])
def test_il20_orbiting_at_300_kt_cannot_clear_a_notice_filed_50_s_ahead(heading: float) -> None:
    """A reconnaissance aircraft orbiting 15 km from the centre of a 40 km area, at 300 kt;
    the notice for the area is filed 50 s before it starts: 25 km to the edge at 154 m/s is
    162 s, more than three times the time given, whatever its heading in the orbit."""
    volume = il20_volume(IL20_START)
    filed = IL20_START - timedelta(seconds=50)
    speed = 300 * 1852 / 3600
    c = time_to_clear(
        35.75, 35.45 - 0.135, baro(16000), speed, heading, volume, filed, margin_m=0.0
    )
    assert c is not None
    assert c.inside_now
    assert c.cannot_clear
    assert c.time_given == 50.0
    assert c.time_needed == pytest.approx(25_000 / speed, rel=0.01)
    assert c.way == "shortest way"
    # With 15 minutes' notice it could have left.
    early = time_to_clear(
        35.75,
        35.45 - 0.135,
        baro(16000),
        speed,
        heading,
        volume,
        IL20_START - timedelta(minutes=15),
        margin_m=0.0,
    )
    assert early is not None
    assert not early.cannot_clear


def test_clearance_on_track_and_entering() -> None:
    volume = il20_volume(IL20_START)
    now = IL20_START - timedelta(seconds=300)
    # Outside, flying towards the area: enters before the start, still inside at the start.
    c = time_to_clear(35.75, 35.0, baro(16000), 150.0, 0.0, volume, now, margin_m=0.0)
    assert c is not None
    assert not c.inside_now
    assert c.cannot_clear
    # Flying away: nothing to say.
    assert time_to_clear(35.75, 35.0, baro(16000), 150.0, 180.0, volume, now, margin_m=0.0) is None
    # Above the band: nothing to say.
    assert time_to_clear(35.75, 35.45, baro(35000), 150.0, 0.0, volume, now, margin_m=0.0) is None
    # Already started: nothing to say (conformance's business).
    later = IL20_START + timedelta(seconds=1)
    assert time_to_clear(35.75, 35.45, baro(1000), 150.0, 0.0, volume, later, margin_m=0.0) is None
