"""Every source format: a fixture read field by field with its units and datums, malformed
input counted with its reason, and a fuzz test that nothing a sender sends can raise."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconfliction.engine.tracks.formats.asterix import AsterixParser, encode_cat021, encode_cat062
from deconfliction.engine.tracks.formats.opensky import OpenSkyParser
from deconfliction.engine.tracks.formats.readsb import ReadsbParser
from deconfliction.engine.tracks.formats.sbs import SbsParser, sbs_line
from deconfliction.engine.tracks.quantities import SpeedUnit, VerticalDatum
from deconfliction.engine.tracks.reports import ParseResult, TrackReport
from deconfliction.engine.units import AltitudeUnit

T0 = 1796580000.0  # 2026-12-06T18:00:00Z

SBS_FIXTURE = b"""\
MSG,1,1,1,4CA123,1,2026/12/06,18:00:00.000,2026/12/06,18:00:00.010,RYR1AB  ,,,,,,,,,,,
MSG,3,1,1,4CA123,1,2026/12/06,18:00:00.500,2026/12/06,18:00:00.510,,37000,,,33.10000,35.50000,,,0,0,0,0
MSG,4,1,1,4CA123,1,2026/12/06,18:00:01.000,2026/12/06,18:00:01.010,,,451.5,89.9,,,-64,,,,,0
STA,,5,179,4CA123,10103,2026/12/06,18:00:01.000,2026/12/06,18:00:01.000,RM
MSG,3,1,1,~1A2B3C,1,2026/12/06,18:00:02.000,2026/12/06,18:00:02.000,,1500,,,33.2,35.6,,,0,0,0,-1
MSG,3,1,1,4CA12,1,2026/12/06,18:00:02.000,2026/12/06,18:00:02.000,,1500,,,33.2,35.6,,,0,0,0,0
MSG,3,1,1,4CA124,1,2026/12/06,18:00:02.000,2026/12/06,18:00:02.000,,high,,,33.2,35.6,,,0,0,0,0
MSG,3,1,1,4CA124,1,2026/12/06,18:00:02.000,2026/12/06,18:00:02.000,,1500,,,33.2,,,,0,0,0,0
MSG,3,1,1,4CA124,1,2026/13/06,18:00:02.000,2026/12/06,18:00:02.000,,1500,,,33.2,35.6,,,0,0,0,0
XYZ,3
"""


def test_sbs_fixture_fields_units_and_rejections() -> None:
    result = SbsParser("recv-1").feed(SBS_FIXTURE)
    r = result.reports
    assert [x.key for x in r] == ["icao:4ca123"] * 3 + ["other:~1a2b3c"]
    assert r[0].callsign == "RYR1AB"
    assert r[0].t == T0
    assert r[1].baro is not None
    assert r[1].baro.unit is AltitudeUnit.ft
    assert r[1].baro.datum is VerticalDatum.barometric
    assert r[1].baro.value == 37000
    assert (r[1].lat, r[1].lon, r[1].on_ground) == (33.1, 35.5, False)
    assert r[2].speed is not None
    assert r[2].speed.unit is SpeedUnit.kt
    assert r[2].speed.value == 451.5
    assert r[2].track == 89.9
    assert r[2].rate is not None
    assert r[2].rate.value == -64
    assert r[2].rate.datum is VerticalDatum.unspecified
    assert r[3].on_ground is True
    assert r[3].ref == "line 5"
    assert result.ignored == 1  # the STA line
    assert [(x.where, x.reason.split(":")[0]) for x in result.rejected] == [
        ("line 6", "hex ident '4CA12' is not 6 hex digits"),
        ("line 7", "field 11 (altitude) is not a number"),
        ("line 8", "latitude without longitude"),
        ("line 9", "date '2026/13/06' is not YYYY/MM/DD"),
        ("line 10", "unknown message type 'XYZ'"),
    ]


def test_sbs_line_split_across_reads_and_local_time() -> None:
    line = sbs_line(0x4CA123, T0, altitude_ft=1000, lat=33.0, lon=35.0).encode() + b"\n"
    parser = SbsParser("recv", utc_offset_s=2 * 3600)  # a dump1090 writing local time (UTC+2)
    assert parser.feed(line[:20]).reports == []
    (report,) = parser.feed(line[20:]).reports
    assert report.t == T0 - 7200
    assert parser.finish().reports == []


READSB_FIXTURE = {
    "now": T0,
    "messages": 123456,
    "aircraft": [
        {
            "hex": "4ca123",
            "type": "adsb_icao",
            "flight": "RYR1AB  ",
            "alt_baro": 37000,
            "alt_geom": 37650,
            "gs": 450.2,
            "track": 90.0,
            "geom_rate": 64,
            "lat": 33.1,
            "lon": 35.5,
            "seen_pos": 0.5,
            "seen": 0.1,
            "squawk": "1000",
        },
        {"hex": "~abc123", "type": "tisb_other", "alt_baro": "ground", "seen": 2.0},
        {"hex": "4ca124", "lat": 33.0, "lon": 35.0, "seen_pos": 90.0, "seen": 1.0},
        {"hex": "zzzzzz", "seen": 1.0},
        {"hex": "4ca125", "lat": 91.0, "lon": 35.0},
        "not an aircraft",
    ],
}


def test_readsb_fixture() -> None:
    result = ReadsbParser("tar1090").feed(json.dumps(READSB_FIXTURE).encode())
    a, b, c = result.reports
    assert a.t == T0 - 0.5
    assert a.callsign == "RYR1AB"
    assert a.squawk == "1000"
    assert a.baro is not None
    assert a.baro.datum is VerticalDatum.barometric
    assert a.geom is not None
    assert a.geom.datum is VerticalDatum.geometric
    assert a.geom.value == 37650
    assert a.rate is not None
    assert a.rate.datum is VerticalDatum.geometric
    assert b.key == "other:~abc123"
    assert b.on_ground is True
    assert b.baro is None
    assert c.lat is None
    assert c.t == T0 - 1.0
    assert [x.reason for x in result.rejected] == [
        "hex 'zzzzzz' is not 6 hex digits",
        "lat 91.0 outside -90..90",
        "an aircraft is not a JSON object",
    ]
    assert ReadsbParser("x").feed(b"{").rejected[0].reason == "not JSON"


OPENSKY_STATES = [
    [
        "4ca123",
        "RYR1AB  ",
        "Ireland",
        T0 - 1,
        T0,
        35.5,
        33.1,
        11277.6,
        False,
        231.5,
        90.0,
        -0.33,
        None,
        11475.7,
        "1000",
        False,
        0,
    ],
    [
        "4ca124",
        None,
        "Israel",
        None,
        T0,
        None,
        None,
        None,
        True,
        0.0,
        None,
        None,
        None,
        None,
        None,
        False,
        0,
        1,
    ],
    ["4ca125", "X", "Y", T0, T0, 35.5, 33.1, "high", False, 1, 1, 1, None, 1, None, False, 0],
    ["4ca126"],
]


def test_opensky_json_and_csv() -> None:
    doc = json.dumps({"time": T0, "states": OPENSKY_STATES}).encode()
    result = OpenSkyParser("opensky").feed(doc)
    a, b = result.reports
    assert a.baro is not None
    assert a.baro.unit is AltitudeUnit.m
    assert a.baro.value == 11277.6
    assert a.speed is not None
    assert a.speed.unit is SpeedUnit.m_s
    assert a.rate is not None
    assert a.rate.metres_per_second == -0.33
    assert a.t == T0 - 1
    assert b.t == T0
    assert b.on_ground is True
    assert b.lat is None
    assert [x.reason for x in result.rejected] == [
        "baro_altitude is not a number: 'high'",
        "a state is an array of 17 or 18 fields",
    ]
    assert OpenSkyParser("o").feed(b'{"time": 1, "states": null}').rejected == []
    header = b"time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact\n"
    row = b"1796580000,4ca123,33.1,35.5,231.5,90,0,RYR1AB,False,False,False,1000,11277.6,11475.7,1796579999.5,1796580000\n"
    result = OpenSkyParser("o", csv=True).feed(header + row + b"1,2,3\n")
    assert len(result.reports) == 1
    assert result.reports[0].t == T0 - 0.5
    assert result.rejected[0].reason == "3 columns, expected 16"


def test_asterix_cat021_and_cat062_round_trip() -> None:
    data = encode_cat021(
        0x4CA123,
        18 * 3600 + 0.5,
        lat=33.1,
        lon=35.5,
        flight_level=250.25,
        height_ft=25500,
        speed_kt=450,
        track=90,
        rate_fpm=-500,
        callsign="RYR1AB",
    ) + encode_cat062(17, 18 * 3600 + 1.0, lat=33.2, lon=35.6, vx=100, vy=0, flight_level=240)
    data += bytes([48, 0, 4, 0])  # a CAT048 block: ignored
    result = AsterixParser("sdps", date(2026, 12, 6)).feed(data)
    a, b = result.reports
    assert a.key == "icao:4ca123"
    assert a.t == T0 + 0.5
    assert a.callsign == "RYR1AB"
    assert a.lat == pytest.approx(33.1, abs=2e-7)
    assert a.lon == pytest.approx(35.5, abs=2e-7)
    assert a.baro is not None
    assert a.baro.unit is AltitudeUnit.FL
    assert a.baro.value == 250.25
    assert a.geom is not None
    assert a.geom.unit is AltitudeUnit.ft
    assert a.geom.value == 25500
    assert a.speed is not None
    assert a.speed.unit is SpeedUnit.NM_s
    assert a.speed.value * 3600 == pytest.approx(450, abs=0.3)
    assert a.rate is not None
    assert a.rate.datum is VerticalDatum.barometric
    assert b.key == "track:sdps/0-2/17"
    assert b.track == pytest.approx(90.0)
    assert b.speed is not None
    assert b.speed.metres_per_second == pytest.approx(100.0)
    assert result.ignored == 1
    cut = AsterixParser("sdps", date(2026, 12, 6))
    assert cut.feed(data[:10]).reports == []
    assert len(cut.feed(data[10:]).reports) == 2
    bad = AsterixParser("x", date(2026, 12, 6)).feed(bytes([21, 0, 5, 0xFF, 0xFF]))
    assert bad.reports == []
    assert "CAT021" in bad.rejected[0].reason


def test_asterix_needs_a_date_for_times_of_day() -> None:
    data = encode_cat021(0x4CA123, 10.0, lat=33.0, lon=35.0)
    assert AsterixParser("x").feed(data).rejected[0].reason == "no date to place times of day"
    # Dated by the reception time, across midnight: 23:59:59 received at 00:00:01.
    (r,) = AsterixParser("x").feed(encode_cat021(1, 86399.0, lat=0, lon=0), 86400.0 * 3 + 1).reports
    assert r.t == 86400.0 * 3 - 1


BEAST_MESSAGES = [  # public worked examples of DF17 messages (position pair, velocity, callsign)
    "8D40621D58C382D690C8AC2863A7",
    "8D40621D58C386435CC412692AD6",
    "8D485020994409940838175B284F",
    "8D4840D6202CC371C32CE0576098",
]


def test_beast_frames_with_escapes() -> None:
    pytest.importorskip("rs1090")
    from deconfliction.engine.tracks.formats.beast import BeastParser, beast_frame

    frames = b"".join(
        beast_frame(0x33, 0x1A1A + 12_000_000 * i, 0x1A, bytes.fromhex(m))
        for i, m in enumerate(BEAST_MESSAGES)
    )
    frames = beast_frame(0x32, 5, 1, bytes(7)) + b"junk" + frames
    parser = BeastParser("beast", reference=(52.258, 3.918), start=T0)
    result = parser.feed(frames[:25])
    result.extend(parser.feed(frames[25:]))
    pos, pos2, vel, ident = result.reports
    assert pos2.lat == pytest.approx(52.26578, abs=1e-5)
    assert pos2.t == T0 + 1
    assert pos.baro is not None
    assert pos.baro.value == 38000
    assert vel.speed is not None
    assert vel.speed.value == pytest.approx(159.2, abs=0.1)
    assert vel.rate is not None
    assert vel.rate.value == -832
    assert ident.callsign == "KLM1023"
    assert result.ignored == 1
    assert result.rejected[0].reason == "4 bytes outside a frame"


PARSERS = {
    "sbs": lambda: SbsParser("f"),
    "readsb": lambda: ReadsbParser("f"),
    "opensky": lambda: OpenSkyParser("f"),
    "opensky-csv": lambda: OpenSkyParser("f", csv=True),
    "asterix": lambda: AsterixParser("f", date(2026, 12, 6)),
}
VALID = {
    "sbs": SBS_FIXTURE,
    "readsb": json.dumps(READSB_FIXTURE).encode(),
    "opensky": json.dumps({"time": T0, "states": OPENSKY_STATES}).encode(),
    "opensky-csv": b"4ca124,ABC,Israel,1796579999,1796580000,35.6,33.2,3000,False,120,180,0,,3100,,False,0\n",
    "asterix": encode_cat021(
        0x4CA123, 3600.0, lat=33.1, lon=35.5, flight_level=250, speed_kt=400, track=10, callsign="A"
    )
    + encode_cat062(3, 3600.0, lat=1, lon=2, vx=1, vy=1, address=0xABCDEF, callsign="B"),
}


def _well_formed(result: ParseResult) -> None:
    for r in result.reports:
        assert isinstance(r, TrackReport)
        if r.lat is not None:
            assert r.lon is not None
            assert -90 <= r.lat <= 90
            assert -180 <= r.lon <= 180
    for rejected in result.rejected:
        assert rejected.reason
        assert rejected.where


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    data = bytearray(VALID[name])
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "drop", "insert"]))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "drop":
            del data[i]
        else:
            data.insert(i, draw(st.sampled_from([0x1A, 0x2C, 0x0A, 0x22, 0x00, 0x7B])))
        if not data:
            data.append(0)
    return bytes(data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_nothing_a_sender_sends_raises(name: str, data: st.DataObject) -> None:
    parser = PARSERS[name]()
    chunks = data.draw(
        st.lists(st.one_of(st.binary(max_size=300), mutated(name)), min_size=1, max_size=4)
    )
    for chunk in chunks:
        _well_formed(parser.feed(chunk, received=T0))
    _well_formed(parser.finish())


@settings(max_examples=150, deadline=None)
@given(chunks=st.lists(st.binary(max_size=200), min_size=1, max_size=5))
def test_fuzz_beast(chunks: list[bytes]) -> None:
    pytest.importorskip("rs1090")
    from deconfliction.engine.tracks.formats.beast import BeastParser

    parser = BeastParser("b", reference=(33.0, 35.0), start=T0)
    for chunk in [b"\x1a\x33" + c for c in chunks]:
        _well_formed(parser.feed(chunk))
    _well_formed(parser.finish())
