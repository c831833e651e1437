"""GeoJSON export (RFC 7946) of lines, zones, sites, notices, observations and alerts.

Coordinates are longitude, latitude (WGS84); polygons follow the right-hand rule (exterior
rings counter-clockwise).  Geodesic edges, circles and corridors are rendered with enough
vertices that a GIS joining them with straight lines draws the same outline to about a metre.
An alert's geometry is where it happens (the nearest point of two notices, the site, the
observation) or null when it has no single place (a late notice).

Lines, zones, sites and notices also carry their exact definition (``vertices``,
``definition``, ``location``, ``outline``), since the geometry is a rendering: importing the
collection (``deconflict import geojson``) gives back the same items.  A cancellation has no
volume and is written as one feature with a null geometry.
"""

from __future__ import annotations

from typing import Any

from deconfliction.engine.situation import Situation
from deconfliction.service.geojson import (
    alert_geometry,
    line_geometry,
    notice_status,
    outline_geometry,
    point,
    site_geometry,
    zone_geometry,
)
from deconfliction.service.visibility import Visibility

__all__ = ["feature_collection"]


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(situation: Situation, party: str | None = None) -> dict[str, Any]:
    """Everything recorded (or everything ``party`` may see) as one FeatureCollection."""
    see = Visibility(situation, party)
    features: list[dict[str, Any]] = []
    for line in situation.lines.values():
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
    for cz in situation.zones.values():
        if not see.zone(cz.zone):
            continue
        features.append(
            _feature(
                zone_geometry(cz, situation.lines),
                {
                    "type": "zone",
                    "id": cz.zone.id,
                    "name": cz.zone.name,
                    "area": cz.area.describe(),
                    "signatories": list(cz.zone.signatories),
                    "monitors": list(cz.zone.monitors),
                    "rules": [r.model_dump(mode="json", by_alias=True) for r in cz.zone.rules],
                    "definition": cz.zone.area.model_dump(mode="json", by_alias=True),
                    "source": cz.zone.source,
                },
            )
        )
    for site in situation.sites.values():
        if not see.site(site):
            continue
        features.append(
            _feature(
                site_geometry(site),
                {
                    "type": "site",
                    "id": site.id,
                    "name": site.name,
                    "category": site.category.value,
                    "owner": site.owner,
                    "valid_from": site.valid_from.isoformat(),
                    "valid_until": site.valid_until.isoformat(),
                    "location": site.location.model_dump(mode="json", by_alias=True),
                    "note": site.note,
                },
            )
        )
    for notice in situation.notices.values():
        if not see.notice(notice):
            continue
        common = {
            "type": "notice",
            "id": notice.id,
            "series": situation.series_of(notice.id),
            "author": notice.author,
            "kind": notice.kind.value,
            "action": notice.action.value,
            "replaces": notice.replaces,
            "status": notice_status(situation, notice),
            "title": notice.title,
            "filed_at": notice.filed_at.isoformat(),
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
                        "start": volume.window.start.isoformat(),
                        "end": volume.window.end.isoformat(),
                        "outline": volume.outline.model_dump(mode="json", by_alias=True),
                    },
                )
            )
    for obs in situation.observations.values():
        if not see.observation(obs):
            continue
        features.append(
            _feature(
                point(obs.position),
                {"type": "observation"}
                | obs.model_dump(mode="json", by_alias=True, exclude={"position"}),
            )
        )
    for alert in sorted(situation.alerts.values(), key=lambda a: (a.raised_at, a.id)):
        if not see.alert(alert):
            continue
        features.append(
            _feature(alert_geometry(situation, alert), {"type": "alert"} | alert.to_dict())
        )
    return {"type": "FeatureCollection", "features": features}
