"""The NOTAM codec (engine, pure): a fixture set written from the ICAO format covering every
item kind, every error named by item, and properties against pyproj's Geod."""

from __future__ import annotations

import itertools
import math
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Limits,
    Notice,
    NoticeKind,
    PolygonOutline,
    Position,
    TimeWindow,
    Volume,
)
from deconfliction.engine.notam import ExportContext, notice_parts, parse_batch, propose
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit, Length

FIXTURES = Path(__file__).parent / "notams"
GEOD = Geod(ellps="WGS84")


def read(name: str):
    notams, problems = parse_batch((FIXTURES / name).read_text(encoding="utf-8"))
    assert problems == []
    (notam,) = notams
    return notam


def parts_of(name: str):
    parts, problems = notice_parts(read(name))
    assert problems == []
    return parts


def windows(parts) -> list[tuple[str, str]]:
    return [
        (v.window.start.strftime("%d %H%M"), v.window.end.strftime("%d %H%M"))
        for v in parts.volumes
    ]


def test_new_notam_with_a_polygon_keeps_header_q_line_and_band():
    notam = read("01_polygon_new.txt")
    assert (notam.id, notam.action, notam.ref, notam.series) == ("A0042/26", "N", None, "A")
    q = notam.q
    assert (q.fir, q.code, q.traffic, q.purpose, q.scope) == ("LLLL", "QRTCA", "IV", "BO", "W")
    assert (q.lower_fl, q.upper_fl, q.radius_nm) == (0, 100, 6)
    assert q.centre == Position(35 + 35 / 60, 33 + 12 / 60)
    parts = parts_of("01_polygon_new.txt")
    (volume,) = parts.volumes
    assert isinstance(volume.outline, PolygonOutline)
    assert volume.outline.vertices[0] == Position(35.5, 33.25)
    assert len(volume.outline.vertices) == 3
    assert str(volume.altitude) == "SFC to 10000 ft AMSL"
    assert parts.kind is NoticeKind.air_operation
    assert parts.flags == ()


def test_replacement_with_a_circle_and_an_estimated_end():
    notam = read("02_replace_circle_est.txt")
    assert (notam.action, notam.ref, notam.end_kind) == ("R", "A0042/26", "EST")
    parts = parts_of("02_replace_circle_est.txt")
    (volume,) = parts.volumes
    assert volume.outline == CircleOutline(
        center=Position(35 + 35 / 60, 33.2), radius=Length.parse("2 NM")
    )
    # GND is the surface; a flight level stays a flight level.
    assert volume.altitude.lower.is_surface
    assert volume.altitude.upper == Altitude(100, AltitudeUnit.FL, AltitudeReference.STD)
    assert parts.flags == ("end estimated (EST)",)


def test_cancellation_needs_no_end_and_names_its_notam():
    notam = read("03_cancel.txt")
    assert (notam.action, notam.ref, notam.end, notam.end_kind) == ("C", "A0043/26", None, "none")


def test_weekday_schedule_expands_to_one_volume_per_period_across_midnight():
    parts = parts_of("04_schedule_weekdays.txt")
    # 23 Nov 2026 is a Monday; C) is 6 Dec 00:00.
    assert windows(parts) == [
        ("23 0600", "23 0800"),
        ("23 1200", "23 1300"),
        ("24 1200", "24 1300"),
        ("25 0600", "25 0800"),
        ("27 2200", "28 0200"),
        ("29 1200", "29 1300"),
        ("30 0600", "30 0800"),
        ("30 1200", "30 1300"),
        ("01 1200", "01 1300"),
        ("02 0600", "02 0800"),
        ("04 2200", "05 0200"),
    ]
    assert parts.kind is NoticeKind.exercise
    assert parts.volumes[0].outline.radius == Length.parse("1500 m")


def test_date_schedule_with_months_and_h24_merges_consecutive_days():
    parts = parts_of("05_schedule_dates.txt")
    spans = [(v.window.start, v.window.end) for v in parts.volumes]
    day = lambda m, d: datetime(2026 if m == 12 else 2027, m, d, tzinfo=UTC)  # noqa: E731
    assert spans == [(day(12, 24), day(12, 27)), (day(12, 31), day(1, 2))]


def test_decimal_seconds_padded_q_fields_and_several_locations():
    notam = read("06_decimal_seconds_padded_q.txt")
    assert notam.locations == ("LLLL", "LLHA", "LLBG")
    assert (notam.q.traffic, notam.q.purpose, notam.q.lower_fl, notam.q.upper_fl) == (
        "IV",
        "BO",
        10,
        90,
    )
    (volume,) = parts_of("06_decimal_seconds_padded_q.txt").volumes
    first = volume.outline.vertices[0]
    assert first.lat == pytest.approx(33 + 5 / 60 + 0.25 / 3600, abs=1e-12)
    assert first.lon == pytest.approx(35 + 50 / 60 + 0.5 / 3600, abs=1e-12)
    assert str(volume.altitude) == "1000 ft AMSL to FL090"


def test_permanent_notam_is_flagged_and_unlimited_kept():
    parts = parts_of("07_perm_unl.txt")
    (volume,) = parts.volumes
    assert parts.flags == ("permanent (PERM)",)
    assert volume.window.end == datetime(2999, 12, 31, 23, 59, tzinfo=UTC)
    assert volume.altitude.upper.is_unlimited
    assert volume.outline.radius == Length.parse("1000 ft")


def test_corridor_in_metres_above_ground_is_kept_in_its_unit_and_datum():
    (volume,) = parts_of("08_agl_metres_corridor.txt").volumes
    assert isinstance(volume.outline, CorridorOutline)
    assert len(volume.outline.route) == 3
    assert volume.outline.half_width == Length.parse("500 m")
    assert volume.altitude.lower == Altitude(30, AltitudeUnit.m, AltitudeReference.AGL)
    assert volume.altitude.upper == Altitude(120, AltitudeUnit.m, AltitudeReference.AGL)


def test_without_an_outline_in_e_the_q_circle_is_used_and_flagged_coarse():
    parts = parts_of("09_q_circle_only.txt")
    (volume,) = parts.volumes
    assert volume.outline == CircleOutline(
        center=Position(35 + 43 / 60, 33 + 10 / 60), radius=Length.parse("1 NM")
    )
    assert "coarse" in parts.flags[0]
    assert "Q-line flight levels" in parts.flags[1]
    assert str(volume.altitude) == "SFC to FL020"


def test_two_closed_rings_and_a_multi_day_span_give_two_volumes_per_period():
    parts = parts_of("10_two_areas_span.txt")
    assert len(parts.volumes) == 2
    assert {type(v.outline) for v in parts.volumes} == {PolygonOutline}
    assert windows(parts) == [("25 2000", "27 0500")] * 2


def test_a_batch_keeps_order_and_reads_every_fixture():
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt")))
    notams, problems = parse_batch(text)
    assert problems == []
    assert [n.id for n in notams][:3] == ["A0042/26", "A0043/26", "A0044/26"]
    assert len(notams) == 10


BAD = [
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTC/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2611240600 C) 2611251800\nE) X)",
        "Q",
        "code 'QRTC'",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E05\nA) LLLL B) 2611240600 C) 2611251800\nE) X)",
        "Q",
        "centre and radius",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/200/100/3313N03536E005\nA) LLLL B) 2611240600 C) 2611251800\nE) X)",
        "Q",
        "above upper",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\nA) LL B) 2611240600 C) 2611251800\nE) X)",
        "A",
        "four-letter",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2613240600 C) 2611251800\nE) X)",
        "B",
        "not a valid date",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2611240600 C) 2611230600\nE) X)",
        "C",
        "is not after B)",
    ),
    (
        "(A0001/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2611240600\nE) X)",
        "C",
        "missing",
    ),
    (
        "(A0001/26 NOTAMR\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2611240600 C) 2611251800\nE) X)",
        "header",
        "must name",
    ),
]


@pytest.mark.parametrize(("text", "item", "words"), BAD)
def test_every_text_error_names_the_notam_and_the_item(text, item, words):
    _, problems = parse_batch(text)
    assert problems, text
    assert problems[0].path == ("notams", 0, item)
    assert problems[0].reason.startswith("A0001/26: ")
    assert words in problems[0].reason


MAPPING_BAD = [
    ("D) DAILY SR-SS", "F) SFC G) 1000FT AMSL", "D", "SR/SS"),
    ("D) MON", "F) SFC G) 1000FT AMSL", "D", "no times"),
    ("D) 0600-2500", "F) SFC G) 1000FT AMSL", "D", "HHMM"),
    ("D) DAILY 0600-0800 EXC SUN", "F) SFC G) 1000FT AMSL", "D", "EXC"),
    ("", "F) SFC G) 1000FT", "G", "no datum"),
    ("", "F) 2000FT AMSL G) 1000FT AMSL", "G", "not below"),
    ("", "F) SFC", "G", "missing"),
    ("", "F) FL100 G) SFC", "G", "the surface, the bottom of every band"),
    ("", "F) UNL G) SFC", "F", "the top of every band"),
    ("", "F) FL400 G) 1000FT AGL", "G", "wherever on Earth"),
    ("", "F) SFC G) 100000FT AMSL", "G", "above UNL"),
    ("", "F) SFC G) FL700", "G", "above the ceiling of FL660"),
]


@pytest.mark.parametrize(("schedule", "limits", "item", "words"), MAPPING_BAD)
def test_every_mapping_error_names_the_item(schedule, limits, item, words):
    text = (
        "(A0002/26 NOTAMN\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\n"
        f"A) LLLL B) 2611240600 C) 2611251800\n{schedule}\nE) AREA ACTIVE\n{limits})"
    )
    notams, problems = parse_batch(text)
    assert problems == []
    parts, problems = notice_parts(notams[0])
    assert parts is None
    assert problems[0].path == (item,)
    assert words in problems[0].reason


def test_an_outline_beyond_the_area_limit_is_refused_at_q():
    text = "(A0003/26 NOTAMN\nQ) LLLL/QGAXX/IV/BO/E/000/999/3200N03500E200\nA) LLLL B) 2611240600 C) 2611251800\nE) GPS UNRELIABLE)"
    notams, _ = parse_batch(text)
    parts, problems = notice_parts(notams[0])
    assert problems[0].path == ("Q",)
    assert "limit" in problems[0].reason
    parts, problems = notice_parts(notams[0], Limits(max_area_km2=1e7))
    assert problems == []
    assert parts.volumes[0].outline.radius == Length.parse("200 NM")


@pytest.mark.skipif(
    not os.environ.get("DECONFLICT_PYNOTAM_DATA"),
    reason="set DECONFLICT_PYNOTAM_DATA to a fetched copy of PyNotam's tests/test_data (GPL: never vendored)",
)
def test_the_pynotam_corpus_parses_entirely():
    files = sorted(Path(os.environ["DECONFLICT_PYNOTAM_DATA"]).glob("*.txt"))
    assert files
    for path in files:
        notams, problems = parse_batch(path.read_text(encoding="utf-8", errors="replace"))
        assert problems == [], path
        for notam in notams:
            if notam.action != "C":
                # FIR-wide NOTAMs (999 NM) exceed the default area limit: raise it here.
                _, problems = notice_parts(notam, Limits(max_area_km2=1e9))
                assert problems == [], (path, problems)


# -- properties -------------------------------------------------------------------------------

T0 = datetime(2026, 11, 24, tzinfo=UTC)
lats = st.floats(-60, 60)
lons = st.floats(-170, 170)


@st.composite
def outlines(draw):
    lat, lon = draw(lats), draw(lons)
    kind = draw(st.sampled_from(["circle", "polygon", "corridor"]))
    if kind == "circle":
        radius = draw(st.sampled_from(["m", "km", "NM", "ft"]))
        value = draw(st.integers(1, 30)) * {"m": 500, "km": 1, "NM": 1, "ft": 3000}[radius]
        return CircleOutline(center=Position(lon, lat), radius=Length.parse(f"{value} {radius}"))
    if kind == "corridor":
        n = draw(st.integers(2, 4))
        route, here = [], (lon, lat)
        for _ in range(n):
            route.append(Position(*here))
            az, dist = draw(st.floats(0, 360)), draw(st.floats(2_000, 40_000))
            x, y, _ = GEOD.fwd(here[0], here[1], az, dist)
            here = (x, y)
        return CorridorOutline(
            route=route, half_width=Length.parse(f"{draw(st.integers(1, 20)) * 250} m")
        )
    n = draw(st.integers(3, 8))
    angles = sorted(draw(st.lists(st.floats(0, 359), min_size=n, max_size=n, unique=True)))
    assume_spread = all(b - a > 5 for a, b in itertools.pairwise(angles))
    if not assume_spread:
        angles = [i * 360 / n for i in range(n)]
    radius = draw(st.floats(1_000, 60_000))
    vertices = []
    for a in angles:
        x, y, _ = GEOD.fwd(lon, lat, a, radius * draw(st.floats(0.5, 1.0)))
        vertices.append(Position(x, y))
    try:
        return PolygonOutline(vertices=vertices)
    except ValueError:  # rarely, a star crosses itself once its edges are geodesics
        assume(False)
        raise


def _farthest_ok(outline, centre: Position, radius_m: float, margin: float) -> list[float]:
    """Distances (with the margin) of sampled boundary points from the Q centre, by Geod."""
    if isinstance(outline, CircleOutline):
        c = outline.center
        pts = [GEOD.fwd(c.lon, c.lat, az, outline.radius.metres)[:2] for az in range(0, 360, 2)]
        extra = 0.0
    else:
        ring = list(outline.route if isinstance(outline, CorridorOutline) else outline.vertices)
        if isinstance(outline, PolygonOutline):
            ring.append(ring[0])
        pts = []
        for a, b in itertools.pairwise(ring):
            pts.append((a.lon, a.lat))
            pts.extend(GEOD.npts(a.lon, a.lat, b.lon, b.lat, 50))
        pts.append((ring[-1].lon, ring[-1].lat))
        extra = outline.half_width.metres if isinstance(outline, CorridorOutline) else 0.0
    return [GEOD.inv(centre.lon, centre.lat, x, y)[2] + extra + margin for x, y in pts]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outline=outlines(), margin_nm=st.sampled_from([0.0, 1.0, 3.0, 5.0]))
def test_the_q_line_circle_contains_every_volume_with_the_margin(outline, margin_nm):
    """Checked with pyproj's Geod on points sampled along each outline's boundary, from the
    centre and radius as the Q line writes them (whole minutes, whole NM)."""
    band = AltitudeBand(lower=Altitude.parse("SFC"), upper=Altitude.parse("5000 ft AMSL"))
    notice = Notice(
        id="n-1",
        author="idf",
        kind=NoticeKind.air_operation,
        filed_at=T0,
        volumes=[
            Volume(
                outline=outline,
                altitude=band,
                window=TimeWindow(start=T0, end=T0 + timedelta(hours=2)),
            )
        ],
    )
    (proposal,) = propose(notice, ExportContext(margin_m=margin_nm * 1852))
    back, problems = parse_batch(proposal.text)
    assert problems == []
    q = back[0].q
    radius_m = q.radius_nm * 1852
    assert max(_farthest_ok(outline, q.centre, radius_m, margin_nm * 1852)) <= radius_m
    # The Q-line levels bracket the band.
    assert q.lower_fl == 0
    assert q.upper_fl * 100 >= 5000


def _band(draw) -> AltitudeBand:
    kind = draw(st.sampled_from(["amsl", "fl", "agl", "m"]))
    lo = draw(st.integers(0, 50))
    hi = lo + draw(st.integers(1, 50))
    if kind == "amsl":
        return AltitudeBand(
            lower=Altitude.parse("SFC") if lo == 0 else Altitude.parse(f"{lo * 100} ft AMSL"),
            upper=Altitude.parse(f"{hi * 100} ft AMSL"),
        )
    if kind == "fl":
        return AltitudeBand(
            lower=Altitude.parse(f"FL{lo * 10:03d}"),
            upper=Altitude.parse("UNL") if hi > 40 else Altitude.parse(f"FL{hi * 10:03d}"),
        )
    if kind == "agl":
        return AltitudeBand(
            lower=Altitude.parse(f"{lo * 10} m AGL") if lo else Altitude.parse("SFC"),
            upper=Altitude.parse(f"{hi * 10} m AGL"),
        )
    return AltitudeBand(
        lower=Altitude.parse(f"{lo * 10} m AMSL"), upper=Altitude.parse(f"{hi * 10} m AMSL")
    )


@st.composite
def notices(draw):
    outline = draw(outlines())
    band = _band(draw)
    starts = sorted(
        draw(st.lists(st.integers(0, 20 * 24 * 60), min_size=1, max_size=6, unique=True))
    )
    spans = []
    for s in starts:
        if spans and s <= spans[-1][1]:
            continue
        spans.append((s, s + draw(st.integers(1, 3 * 24 * 60))))
    merged = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    volumes = [
        Volume(
            outline=outline,
            altitude=band,
            window=TimeWindow(start=T0 + timedelta(minutes=s), end=T0 + timedelta(minutes=e)),
        )
        for s, e in merged
    ]
    return Notice(
        id="n-1",
        author="idf",
        kind=draw(st.sampled_from(list(NoticeKind))),
        filed_at=T0,
        volumes=volumes,
    )


def _close(a, b) -> bool:
    """Outlines equal within the format's resolution (0.01 arc-second)."""
    tol = 0.006 / 3600
    if type(a) is not type(b):
        return False
    if isinstance(a, CircleOutline):
        return (
            a.radius == b.radius
            and math.isclose(a.center.lat, b.center.lat, abs_tol=tol)
            and math.isclose(a.center.lon, b.center.lon, abs_tol=tol)
        )
    pa = a.route if isinstance(a, CorridorOutline) else a.vertices
    pb = b.route if isinstance(b, CorridorOutline) else b.vertices
    if isinstance(a, CorridorOutline) and a.half_width != b.half_width:
        return False
    return len(pa) == len(pb) and all(
        math.isclose(p.lat, q.lat, abs_tol=tol) and math.isclose(p.lon, q.lon, abs_tol=tol)
        for p, q in zip(pa, pb, strict=True)
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice=notices())
def test_export_then_import_gives_the_same_volumes_within_the_resolution(notice):
    (proposal,) = propose(notice, ExportContext(fir="LLLL"))
    back, problems = parse_batch(proposal.text)
    assert problems == []
    parts, problems = notice_parts(back[0], Limits(max_area_km2=1e7))
    assert problems == []
    assert len(parts.volumes) == len(notice.volumes)
    for got, want in zip(parts.volumes, notice.volumes, strict=True):
        assert got.window == want.window
        assert got.altitude == want.altitude
        assert _close(got.outline, want.outline)
    # The text is stable: proposing the re-imported notice gives the same NOTAM.
    again = notice.model_copy(update={"volumes": list(parts.volumes)})
    assert propose(again, ExportContext(fir="LLLL"))[0].text == proposal.text
