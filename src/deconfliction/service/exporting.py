"""GeoJSON export (RFC 7946) of lines, zones, sites, notices, observations and alerts.

Coordinates are longitude, latitude (WGS84); polygons follow the right-hand rule (exterior
rings counter-clockwise).  Geodesic edges, circles and corridors are rendered with enough
vertices that a GIS joining them with straight lines draws the same outline to about a metre.
An alert's geometry is where it happens (the nearest point of two notices, the site, the
observation) or null when it has no single place (a late notice).

The export is a read like any other: it holds what its reader may see, nothing more.

Lines, zones, sites and notices also carry their exact definition (``vertices``,
``definition``, ``location``, ``outline``), since the geometry is a rendering: importing the
collection (``deconflict import geojson``) gives back the same items.  A cancellation has no
volume and is written as one feature with a null geometry.
"""

from __future__ import annotations

from typing import Any

from deconfliction.engine.times import format_time
from deconfliction.service import alerts, configuration, notices, observations, sites
from deconfliction.service.filters import TimeRange
from deconfliction.service.geojson import (
    line_geometry,
    outline_geometry,
    point,
    site_geometry,
    zone_geometry,
)
from deconfliction.service.reading import Reader

__all__ = ["feature_collection"]

_ALL = 10**9


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(reader: Reader) -> dict[str, Any]:
    """Everything ``reader`` may see as one FeatureCollection."""
    features: list[dict[str, Any]] = []
    for line in configuration.list_lines(reader):
        features.append(
            _feature(
                line_geometry(line),
                {
                    "type": "line",
                    "id": line.id,
                    "name": line.name,
                    "source": line.source,
                    "vertices": [[p.lon, p.lat] for p in line.vertices],
                },
            )
        )
    for zone_view in configuration.list_zones(reader):
        zone = zone_view.compiled.zone
        features.append(
            _feature(
                zone_geometry(zone_view.compiled, zone_view.lines),
                {
                    "type": "zone",
                    "id": zone.id,
                    "name": zone.name,
                    "area": zone_view.compiled.area.describe(),
                    "signatories": list(zone.signatories),
                    "monitors": list(zone.monitors),
                    "rules": [r.model_dump(mode="json", by_alias=True) for r in zone.rules],
                    "definition": zone.area.model_dump(mode="json", by_alias=True),
                    "source": zone.source,
                },
            )
        )
    for site in sites.list_sites(reader):
        features.append(
            _feature(
                site_geometry(site),
                {
                    "type": "site",
                    "id": site.id,
                    "name": site.name,
                    "category": site.category.value,
                    "owner": site.owner,
                    "valid_from": format_time(site.valid_from),
                    "valid_until": format_time(site.valid_until),
                    "location": site.location.model_dump(mode="json", by_alias=True),
                    "note": site.note,
                },
            )
        )
    query = notices.NoticeQuery(status=notices.NoticeStatus.all, limit=_ALL)
    for view in notices.list_notices(reader, query):
        notice = view.notice
        common = {
            "type": "notice",
            "id": notice.id,
            "series": view.series,
            "author": notice.author,
            "kind": notice.kind.value,
            "action": notice.action.value,
            "replaces": notice.replaces,
            "status": view.status,
            "title": notice.title,
            "filed_at": format_time(notice.filed_at),
        }
        if not notice.volumes:
            features.append(_feature(None, common | {"volume": None}))
        for index, volume in enumerate(notice.volumes):
            features.append(
                _feature(
                    outline_geometry(volume.outline),
                    common
                    | {
                        "volume": index,
                        "label": volume.label,
                        "lower": str(volume.altitude.lower),
                        "upper": str(volume.altitude.upper),
                        "start": format_time(volume.window.start),
                        "end": format_time(volume.window.end),
                        "outline": volume.outline.model_dump(mode="json", by_alias=True),
                    },
                )
            )
    for obs in observations.list_observations(reader, window=TimeRange(), limit=_ALL):
        features.append(
            _feature(
                point(obs.position),
                {"type": "observation"}
                | obs.model_dump(mode="json", by_alias=True, exclude={"position"}),
            )
        )
    for alert_view in alerts.list_alerts(reader, limit=_ALL):
        properties = {"type": "alert"} | alert_view.alert.model_dump(mode="json")
        features.append(_feature(alert_view.geometry, properties))
    return {"type": "FeatureCollection", "features": features}
