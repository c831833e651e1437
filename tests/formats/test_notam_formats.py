"""NOTAM proposals in the FAA NOTAM API's GeoJSON shape and as an AIXM 5.1 Event: written from
the same proposal as the ICAO text, read back with the standard library's XML parser and
pyproj's Geod, and served with the same need-to-know as the ICAO text."""

from __future__ import annotations

import itertools
import json
import math
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Notice,
    NoticeKind,
    PolygonOutline,
    Position,
    TimeWindow,
    Volume,
)
from deconfliction.engine.notam import ExportContext, parse_batch, propose
from deconfliction.engine.notam.aixm import NS, REFERENCES, aixm_event
from deconfliction.engine.notam.faa import RENDER_RESOLUTION_M, faa_geojson
from deconfliction.engine.notam.text import QLine
from deconfliction.engine.units import Altitude, AltitudeUnit
from tests.formats.conftest import WORLD, notam_text, world
from tests.formats.test_notam_codec import T0, notices
from tests.formats.test_notam_service import IDF_NOTICE, run

GEOD = Geod(ellps="WGS84")


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _limit(volume: ET.Element, which: str) -> Altitude:
    """An AIXM vertical limit read back as the product's altitude."""
    value = volume.findtext(_q(f"aixm:{which}Limit"))
    uom = volume.find(_q(f"aixm:{which}Limit")).get("uom")  # type: ignore[union-attr]
    reference = volume.findtext(_q(f"aixm:{which}LimitReference"))
    if value == "GND":
        assert (uom, reference) == ("FT", "SFC")
        return Altitude.parse("SFC")
    if value == "UNL":
        assert (uom, reference) == ("FL", "STD")
        return Altitude.parse("UNL")
    datum = {v: k for k, v in REFERENCES.items()}[reference]
    unit = {"FT": AltitudeUnit.ft, "M": AltitudeUnit.m, "FL": AltitudeUnit.FL}[uom]  # type: ignore[index]
    return Altitude(float(value), unit, datum)  # type: ignore[arg-type]


def _assert_ring_is(ring: list[tuple[float, float]], outline, tolerance_m: float) -> None:
    """``ring`` (lon, lat) equals a polygon's vertices exactly, or lies on a circle or a
    corridor's boundary within ``tolerance_m`` (pyproj's Geod)."""
    assert ring[0] == ring[-1]
    if isinstance(outline, PolygonOutline):
        vertices = [(p.lon, p.lat) for p in outline.vertices]
        if vertices[0] != vertices[-1]:
            vertices.append(vertices[0])
        assert ring == vertices
    elif isinstance(outline, CircleOutline):
        c = outline.center
        for lon, lat in ring:
            d = GEOD.inv(c.lon, c.lat, lon, lat)[2]
            assert abs(d - outline.radius.metres) <= tolerance_m
    else:
        assert isinstance(outline, CorridorOutline)
        # Every rendered vertex is the half width from the route (within the tolerance), the
        # route sampled every 50 m or less: a sample is then within 25 m along the route of
        # the nearest point, so at most 25²/(2·250) m, under 1.3 m, farther from a 250 m
        # half width (the narrowest generated).
        samples = []
        for a, b in itertools.pairwise(outline.route):
            length = GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]
            samples += [(a.lon, a.lat), *GEOD.npts(a.lon, a.lat, b.lon, b.lat, int(length // 50))]
        samples.append((outline.route[-1].lon, outline.route[-1].lat))
        xs, ys = zip(*samples, strict=True)
        for lon, lat in ring:
            near = min(GEOD.inv(xs, ys, [lon] * len(xs), [lat] * len(xs))[2])
            assert near <= outline.half_width.metres + tolerance_m + 1.3
            assert near >= outline.half_width.metres - tolerance_m


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice=notices())
def test_aixm_reads_back_the_notices_geometry_band_and_periods(notice: Notice) -> None:
    (proposal,) = propose(notice, ExportContext(fir="LLLL"))
    root = ET.fromstring(aixm_event(notice, [proposal]))
    assert root.tag == _q("message:AIXMBasicMessage")
    event = root.find(f"{_q('message:hasMember')}/{_q('event:Event')}")
    airspace = root.find(f"{_q('message:hasMember')}/{_q('aixm:Airspace')}")
    assert event is not None
    assert airspace is not None
    # The text NOTAM is the ICAO text's items.
    text = event.find(f".//{_q('event:NOTAM')}")
    assert text is not None
    assert text.findtext(_q("event:selectionCode")) == proposal.q.code
    assert text.findtext(_q("event:text")) == proposal.item_e
    assert (text.findtext(_q("event:lowerLimit")), text.findtext(_q("event:upperLimit"))) == (
        proposal.lower,
        proposal.upper,
    )
    slices = airspace.findall(f"{_q('aixm:timeSlice')}/{_q('aixm:AirspaceTimeSlice')}")
    baseline, deltas = slices[0], slices[1:]
    assert baseline.findtext(_q("aixm:interpretation")) == "BASELINE"
    volume = baseline.find(f".//{_q('aixm:AirspaceVolume')}")
    assert volume is not None
    # The band, exactly, in the notice's own unit and datum.
    band = notice.volumes[0].altitude
    assert _limit(volume, "lower") == band.lower
    assert _limit(volume, "upper") == band.upper
    # The outline: lat lon order, exact for a polygon and a circle.
    outline = notice.volumes[0].outline
    surface = volume.find(f".//{_q('aixm:Surface')}")
    assert surface is not None
    assert surface.get("srsName") == "urn:ogc:def:crs:EPSG::4326"
    if isinstance(outline, CircleOutline):
        circle = surface.find(f".//{_q('gml:CircleByCenterPoint')}")
        assert circle is not None
        lat, lon = map(float, circle.findtext(_q("gml:pos")).split())  # type: ignore[union-attr]
        assert (lon, lat) == (outline.center.lon, outline.center.lat)
        radius = circle.find(_q("gml:radius"))
        assert radius is not None
        assert radius.get("uom") == "M"
        assert float(radius.text) == outline.radius.metres  # type: ignore[arg-type]
    else:
        numbers = list(map(float, surface.findtext(f".//{_q('gml:posList')}").split()))  # type: ignore[union-attr]
        ring = [(numbers[i + 1], numbers[i]) for i in range(0, len(numbers), 2)]
        _assert_ring_is(ring, outline, RENDER_RESOLUTION_M)
    # One TEMPDELTA per active period, ACTIVE, its valid time the window (whole minutes).
    assert [d.findtext(_q("aixm:interpretation")) for d in deltas] == ["TEMPDELTA"] * len(
        notice.volumes
    )
    for delta, v in zip(deltas, notice.volumes, strict=True):
        assert delta.findtext(f".//{_q('aixm:status')}") == "ACTIVE"
        begin = _time(delta.findtext(f".//{_q('gml:beginPosition')}"))  # type: ignore[arg-type]
        end = _time(delta.findtext(f".//{_q('gml:endPosition')}"))  # type: ignore[arg-type]
        assert (begin, end) == (v.window.start, v.window.end)
        link = delta.find(f".//{_q('event:theEvent')}")
        assert link is not None
        assert link.get(_q("xlink:href")) == "#" + str(event.get(_q("gml:id")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice=notices())
def test_faa_geojson_reads_back_the_notices_geometry_band_and_windows(notice: Notice) -> None:
    (proposal,) = propose(notice, ExportContext(fir="LLLL"))
    page = json.loads(json.dumps(faa_geojson(notice, [proposal])))
    assert (page["pageNum"], page["totalCount"], page["totalPages"]) == (1, 1, 1)
    (item,) = page["items"]
    core = item["properties"]["coreNOTAMData"]
    notam = core["notam"]
    assert notam["selectionCode"] == proposal.q.code
    assert (notam["lowerLimit"], notam["upperLimit"]) == (proposal.lower, proposal.upper)
    assert _time(notam["effectiveStart"]) == notice.volumes[0].window.start
    assert _time(notam["effectiveEnd"]) == notice.volumes[-1].window.end
    # The ICAO translation is the proposal's text, and parses back to the same Q line.
    (translation,) = core["notamTranslation"]
    assert translation == {"type": "ICAO", "formattedText": proposal.text}
    back, problems = parse_batch(translation["formattedText"])
    assert problems == []
    assert back[0].q == proposal.q
    # Geometry: a GeometryCollection of the outline's polygon (lon, lat).
    (polygon,) = item["geometry"]["geometries"]
    assert polygon["type"] == "Polygon"
    ring = [tuple(p) for p in polygon["coordinates"][0]]
    _assert_ring_is(ring, notice.volumes[0].outline, RENDER_RESOLUTION_M)
    # The exact values, in our extension.
    exact = item["properties"]["deconfliction"]["volumes"]
    for got, v in zip(exact, notice.volumes, strict=True):
        assert Altitude(**got["lower"]) == v.altitude.lower
        assert Altitude(**got["upper"]) == v.altitude.upper
        assert (_time(got["start"]), _time(got["end"])) == (v.window.start, v.window.end)


def test_a_multi_volume_schedule_gives_d_in_every_format() -> None:
    square = PolygonOutline(
        vertices=[Position(35.6, 33.1), Position(35.7, 33.1), Position(35.7, 33.2)]
    )
    band = AltitudeBand(lower=Altitude.parse("SFC"), upper=Altitude.parse("FL080"))
    volumes = [
        Volume(
            outline=square,
            altitude=band,
            window=TimeWindow(
                start=T0 + timedelta(days=d, hours=6), end=T0 + timedelta(days=d, hours=18)
            ),
        )
        for d in range(3)
    ]
    notice = Notice(id="n-2", author="idf", kind=NoticeKind.exercise, filed_at=T0, volumes=volumes)
    (proposal,) = propose(notice, ExportContext(fir="LLLL"))
    assert proposal.schedule is not None
    assert f"D) {proposal.schedule}" in proposal.text
    notam = faa_geojson(notice, [proposal])["items"][0]["properties"]["coreNOTAMData"]["notam"]
    assert notam["schedule"] == proposal.schedule
    root = ET.fromstring(aixm_event(notice, [proposal]))
    assert root.findtext(f".//{_q('event:schedule')}") == proposal.schedule
    assert len(root.findall(f".//{_q('aixm:AirspaceActivation')}")) == 3


def test_api_and_cli_formats_keep_need_to_know_and_name_a_bad_format(api, tmp_path) -> None:
    api.record(world())
    idf = api.as_("idf")
    filed = idf.post("/v1/notices", json=IDF_NOTICE)
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["notice"]["id"]
    url = f"/v1/notices/{notice_id}/notam"
    icao = idf.get(url).json()
    assert idf.get(url, params={"format": "icao"}).json() == icao
    geo = idf.get(url, params={"format": "faa-geojson"})
    assert geo.status_code == 200, geo.text
    assert geo.headers["content-type"].startswith("application/geo+json")
    item = geo.json()["items"][0]
    assert (
        item["properties"]["coreNOTAMData"]["notamTranslation"][0]["formattedText"]
        == (icao["notams"][0]["text"])
    )
    assert "never a publication" in item["properties"]["deconfliction"]["note"]
    xml = idf.get(url, params={"format": "aixm"})
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == _q("message:AIXMBasicMessage")
    circle = root.find(f".//{_q('gml:CircleByCenterPoint')}")
    assert circle is not None
    assert circle.findtext(_q("gml:pos")) == "33.2 35.6"
    assert math.isclose(float(circle.findtext(_q("gml:radius")) or "nan"), 3000.0)
    # Need to know: a party that may not see the notice gets 404 in every format.
    for fmt in ("icao", "faa-geojson", "aixm"):
        assert api.as_("sarc").get(url, params={"format": fmt}).status_code == 404
    # A bad format: 422 naming the field, nothing else said.
    bad = idf.get(url, params={"format": "kml"})
    assert bad.status_code == 422
    (problem,) = bad.json()["error"]["problems"]
    assert problem["path"].endswith("format")


def test_cli_exports_every_format_and_refuses_an_unknown_one(store_url, tmp_path) -> None:
    assert run("load", str(WORLD), "--db", store_url).exit_code == 0
    source = tmp_path / "one.txt"
    source.write_text(notam_text("01_polygon_new.txt"), encoding="utf-8")
    imported = run("notam", "import", str(source), "--db", store_url, "--json")
    assert imported.exit_code == 0, imported.output
    notice_id = json.loads(imported.stdout)["notams"][0]["notice"]
    icao = run("notam", "export", notice_id, "--db", store_url, "--json")
    text = json.loads(icao.stdout)["notams"][0]["text"]
    geo = run("notam", "export", notice_id, "--db", store_url, "--format", "faa-geojson")
    assert geo.exit_code == 0, geo.output
    (item,) = json.loads(geo.stdout)["items"]
    assert item["properties"]["coreNOTAMData"]["notamTranslation"][0]["formattedText"] == text
    xml = run("notam", "export", notice_id, "--db", store_url, "--format", "aixm")
    assert xml.exit_code == 0, xml.output
    root = ET.fromstring(xml.stdout)
    assert (
        root.findtext(f".//{_q('event:selectionCode')}")
        == item["properties"]["coreNOTAMData"]["notam"]["selectionCode"]
    )
    bad = run("notam", "export", notice_id, "--db", store_url, "--format", "kml")
    assert bad.exit_code == 2
    assert "--format" in bad.output


@settings(max_examples=300, deadline=None)
@given(
    lat_minutes=st.integers(-89 * 60, 89 * 60),
    lon_minutes=st.integers(-179 * 60, 179 * 60),
    radius=st.integers(1, 999),
)
def test_a_q_line_centre_reads_back_as_the_very_float_written(
    lat_minutes: int, lon_minutes: int, radius: int
) -> None:
    # A proposal's centre is whole minutes over 60; read back from its text it must be the
    # same float, not one a last bit away (-2.816666666666667 against -2.8166666666666664).
    centre = Position(lon_minutes / 60, lat_minutes / 60)
    q = QLine("LLLL", "QRTCA", "IV", "BO", "W", 0, 100, centre, radius)
    text = f"(A0042/26 NOTAMN\nQ) {q.text()}\nA) LLLL B) 2611240600 C) 2611251800\nE) TEST)"
    (notam,), problems = parse_batch(text)
    assert problems == []
    assert notam is not None
    assert notam.q == q
