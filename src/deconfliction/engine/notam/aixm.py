"""NOTAM proposals as an AIXM 5.1 digital NOTAM: an Event and the Airspace it creates.

For each proposal, one ``message:AIXMBasicMessage`` member pair, written from the same
:class:`Proposal` items as the ICAO text:

* an ``event:Event`` (BASELINE ``EventTimeSlice``, scenario ``SAA.NEW``: an ad-hoc special
  activity airspace) whose ``event:textNOTAM`` holds the NOTAM's items as fields;
* an ``aixm:Airspace`` (type ``TSA``) whose BASELINE ``AirspaceTimeSlice`` holds the geometry
  and the vertical limits, and one TEMPDELTA ``AirspaceTimeSlice`` per active period whose
  activation is ``ACTIVE`` (its ``gml:validTime`` is the period, so a schedule is exact
  without a timesheet), each linked to the Event by ``event:theEvent``.

Geometry in ``urn:ogc:def:crs:EPSG::4326``, so every position is **latitude then longitude**:
a polygon's own vertices in a ``gml:posList`` (exactly: Python's shortest repr of each
coordinate), a circle as ``gml:CircleByCenterPoint`` (its centre and radius in metres,
exactly), a corridor rendered to a ring within
:data:`~deconfliction.engine.notam.faa.RENDER_RESOLUTION_M`.  The vertical limits keep the
notice's value and unit (``uom`` FT, M or FL) with AIXM's reference for its datum (AMSL is
``MSL``, AGL is ``SFC``, W84 and STD as they are); the surface is ``GND`` and unlimited
``UNL``.

Well-formed XML with the AIXM 5.1 namespaces; it is not validated against the AIXM XSD here
(the schemas are not a dependency).  A proposal for an aeronautical information service,
never a publication.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final
from xml.etree import ElementTree as ET

from deconfliction.engine.model import CircleOutline, Notice
from deconfliction.engine.notam.faa import PROPOSAL_NOTE, outline_ring
from deconfliction.engine.notam.proposal import Proposal
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit
from deconfliction.engine.units.quantity import trim

__all__ = ["NS", "REFERENCES", "aixm_event"]

NS: Final = {
    "message": "http://www.aixm.aero/schema/5.1/message",
    "aixm": "http://www.aixm.aero/schema/5.1",
    "event": "http://www.aixm.aero/schema/5.1/event",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
}
SRS: Final = "urn:ogc:def:crs:EPSG::4326"
REFERENCES: Final = {
    AltitudeReference.AMSL: "MSL",
    AltitudeReference.AGL: "SFC",
    AltitudeReference.W84: "W84",
    AltitudeReference.STD: "STD",
}
"""AIXM's vertical reference (CodeVerticalReferenceType) for each datum."""
_UOM: Final = {AltitudeUnit.ft: "FT", AltitudeUnit.m: "M", AltitudeUnit.FL: "FL"}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    qualified = {(_q(k.replace("_", ":", 1)) if "_" in k else k): v for k, v in attrs.items()}
    element = ET.SubElement(parent, _q(name), qualified)
    if text is not None:
        element.text = text
    return element


def _time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(parent: ET.Element, name: str, gid: str, start: datetime, end: datetime) -> None:
    period = _el(_el(parent, name), "gml:TimePeriod", gml_id=gid)
    _el(period, "gml:beginPosition", _time(start))
    _el(period, "gml:endPosition", _time(end))


def _slice_head(
    ts: ET.Element, gid: str, start: datetime, end: datetime, interpretation: str
) -> None:
    _period(ts, "gml:validTime", f"{gid}-vt", start, end)
    _el(ts, "aixm:interpretation", interpretation)
    _el(ts, "aixm:sequenceNumber", "1")
    _el(ts, "aixm:correctionNumber", "0")


def _limit(volume: ET.Element, which: str, alt: Altitude) -> None:
    if alt.is_surface:
        value, uom, reference = "GND", "FT", "SFC"
    elif alt.is_unlimited:
        value, uom, reference = "UNL", "FL", "STD"
    else:
        value, uom, reference = trim(alt.value), _UOM[alt.unit], REFERENCES[alt.reference]
    _el(volume, f"aixm:{which}Limit", value, uom=uom)
    _el(volume, f"aixm:{which}LimitReference", reference)


def _event(member: ET.Element, gid: str, notice: Notice, p: Proposal) -> None:
    event = _el(member, "event:Event", gml_id=gid)
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"deconfliction:{notice.id}:{p.id}:event")
    _el(event, "gml:identifier", str(ident), codeSpace="urn:uuid:")
    ts = _el(_el(event, "event:timeSlice"), "event:EventTimeSlice", gml_id=f"{gid}-ts")
    start, end = p.periods[0][0], p.periods[-1][1]
    _slice_head(ts, f"{gid}-ts", start, end, "BASELINE")
    _period(ts, "aixm:featureLifetime", f"{gid}-lt", start, end)
    _el(ts, "event:name", f"{p.id} PROPOSAL FOR NOTICE {notice.id}")
    _el(ts, "event:encoding", "DIGITAL")
    _el(ts, "event:scenario", "SAA.NEW")
    _el(ts, "event:version", "2.0")
    note = _el(_el(ts, "event:annotation"), "aixm:Note", gml_id=f"{gid}-note")
    _el(note, "aixm:purpose", "REMARK")
    linguistic = _el(_el(note, "aixm:translatedNote"), "aixm:LinguisticNote", gml_id=f"{gid}-ln")
    _el(linguistic, "aixm:note", PROPOSAL_NOTE, lang="eng")
    q = p.q
    where = q.text().rsplit("/", 1)[1]
    notam = _el(_el(ts, "event:textNOTAM"), "event:NOTAM", gml_id=f"{gid}-notam")
    fields: list[tuple[str, str | None]] = [
        ("series", p.series),
        ("number", str(p.number)),
        ("year", str(2000 + p.year)),
        ("type", "N"),
        ("issued", _time(notice.filed_at)),
        ("affectedFIR", q.fir),
        ("selectionCode", q.code),
        ("traffic", q.traffic),
        ("purpose", q.purpose),
        ("scope", q.scope),
        ("minimumFL", f"{q.lower_fl:03d}"),
        ("maximumFL", f"{q.upper_fl:03d}"),
        ("coordinates", where[:-3] if where else None),
        ("radius", where[-3:] if where else None),
        ("location", " ".join(p.locations)),
        ("effectiveStart", start.strftime("%y%m%d%H%M")),
        ("effectiveEnd", end.strftime("%y%m%d%H%M")),
        ("schedule", p.schedule),
        ("text", p.item_e),
        ("lowerLimit", p.lower),
        ("upperLimit", p.upper),
    ]
    for name, value in fields:
        if value is not None:
            _el(notam, f"event:{name}", value)


def _projection(volume: ET.Element, gid: str, notice: Notice, p: Proposal) -> None:
    outline = notice.volumes[p.volumes[0]].outline
    surface = _el(_el(volume, "aixm:horizontalProjection"), "aixm:Surface", gml_id=gid)
    surface.set("srsName", SRS)
    exterior = _el(_el(_el(surface, "gml:patches"), "gml:PolygonPatch"), "gml:exterior")
    if isinstance(outline, CircleOutline):
        ring = _el(exterior, "gml:Ring")
        curve = _el(_el(ring, "gml:curveMember"), "gml:Curve", gml_id=f"{gid}-c")
        circle = _el(_el(curve, "gml:segments"), "gml:CircleByCenterPoint")
        circle.set("numArc", "1")
        c = outline.center
        _el(circle, "gml:pos", f"{c.lat!r} {c.lon!r}")
        _el(circle, "gml:radius", trim(outline.radius.metres), uom="M")
        return
    pairs = outline_ring(outline)
    _el(
        _el(exterior, "gml:LinearRing"),
        "gml:posList",
        " ".join(f"{lat!r} {lon!r}" for lon, lat in pairs),
    )


def _airspace(member: ET.Element, gid: str, event_gid: str, notice: Notice, p: Proposal) -> None:
    airspace = _el(member, "aixm:Airspace", gml_id=gid)
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"deconfliction:{notice.id}:{p.id}:airspace")
    _el(airspace, "gml:identifier", str(ident), codeSpace="urn:uuid:")
    start, end = p.periods[0][0], p.periods[-1][1]
    ts = _el(_el(airspace, "aixm:timeSlice"), "aixm:AirspaceTimeSlice", gml_id=f"{gid}-ts0")
    _slice_head(ts, f"{gid}-ts0", start, end, "BASELINE")
    _period(ts, "aixm:featureLifetime", f"{gid}-lt", start, end)
    _el(ts, "aixm:type", "TSA")
    _el(ts, "aixm:designator", p.id.replace("/", "-"))
    _el(ts, "aixm:name", notice.title.upper()[:60] or notice.id)
    component = _el(
        _el(ts, "aixm:geometryComponent"), "aixm:AirspaceGeometryComponent", gml_id=f"{gid}-gc"
    )
    _el(component, "aixm:operation", "BASE")
    volume = _el(_el(component, "aixm:theAirspaceVolume"), "aixm:AirspaceVolume", gml_id=f"{gid}-v")
    band = notice.volumes[p.volumes[0]].altitude
    _limit(volume, "upper", band.upper)
    _limit(volume, "lower", band.lower)
    _projection(volume, f"{gid}-s", notice, p)
    _link(ts, gid, event_gid, 0)
    for k, (s, e) in enumerate(p.periods, start=1):
        delta = _el(
            _el(airspace, "aixm:timeSlice"), "aixm:AirspaceTimeSlice", gml_id=f"{gid}-ts{k}"
        )
        _slice_head(delta, f"{gid}-ts{k}", s, e, "TEMPDELTA")
        activation = _el(
            _el(delta, "aixm:activation"), "aixm:AirspaceActivation", gml_id=f"{gid}-a{k}"
        )
        _el(activation, "aixm:status", "ACTIVE")
        _link(delta, gid, event_gid, k)


def _link(ts: ET.Element, gid: str, event_gid: str, k: int) -> None:
    extension = _el(_el(ts, "aixm:extension"), "event:AirspaceExtension", gml_id=f"{gid}-x{k}")
    _el(extension, "event:theEvent", xlink_href=f"#{event_gid}")


def aixm_event(notice: Notice, proposals: Sequence[Proposal]) -> str:
    """``proposals`` (of ``notice``) as one AIXM 5.1 basic message (XML text)."""
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(_q("message:AIXMBasicMessage"), {_q("gml:id"): "proposal"})
    for n, p in enumerate(proposals, start=1):
        _event(_el(root, "message:hasMember"), f"event-{n}", notice, p)
        _airspace(_el(root, "message:hasMember"), f"airspace-{n}", f"event-{n}", notice, p)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
