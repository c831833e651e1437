"""GeoJSON export (RFC 7946) of lines, zones, sites, notices, observations and alerts.

Coordinates are longitude, latitude (WGS84); polygons follow the right-hand rule (exterior
rings counter-clockwise).  Geodesic edges, circles and corridors are rendered with enough
vertices that a GIS joining them with straight lines draws the same outline to about a metre.
An alert's geometry is where it happens (the nearest point of two notices, the site, the
observation) or null when it has no single place (a late notice).
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from deconfliction.engine.alerts import Alert
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.rendering import shape_polygon
from deconfliction.engine.model import Notice, NoticeAction, Observation, PolygonOutline
from deconfliction.engine.situation import Situation
from deconfliction.service.visibility import Visibility

__all__ = ["feature_collection"]

_RENDER_SEGMENT_M = 2_000.0


def _multipolygon(coords: list[list[list[list[float]]]]) -> dict[str, Any]:
    geom = shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in coords])
    oriented = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    if len(oriented.geoms) == 1:
        return dict(mapping(oriented.geoms[0]))
    return dict(mapping(oriented))


def _clean(geometry: dict[str, Any]) -> dict[str, Any]:
    """Plain lists (shapely's mapping gives tuples), for JSON and for equality in tests."""
    return {"type": geometry["type"], "coordinates": _lists(geometry["coordinates"])}


def _lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": None if geometry is None else _clean(geometry),
        "properties": properties,
    }


def _notice_status(situation: Situation, notice: Notice) -> str:
    if notice.action is NoticeAction.cancel:
        return "cancellation"
    superseded = situation.superseded_by.get(notice.id)
    if superseded is None:
        return "current"
    return (
        "cancelled" if situation.notices[superseded].action is NoticeAction.cancel else "replaced"
    )


def _alert_geometry(situation: Situation, alert: Alert) -> dict[str, Any] | None:
    figures = alert.figures
    if alert.kind is AlertKind.notice_overlap and figures.get("near_lon") is not None:
        return {"type": "Point", "coordinates": [figures["near_lon"], figures["near_lat"]]}
    for subject in alert.subjects:
        if (
            alert.kind in (AlertKind.protected_site, AlertKind.site_duplicate)
            and subject in situation.sites
        ):
            location = situation.sites[subject].location
            if isinstance(location, PolygonOutline):
                return _multipolygon(shape_polygon(location.shape))
            return {"type": "Point", "coordinates": [location.position.lon, location.position.lat]}
        if alert.kind is AlertKind.zone_violation and subject in situation.observations:
            obs: Observation = situation.observations[subject]
            return {"type": "Point", "coordinates": [obs.position.lon, obs.position.lat]}
    return None


def feature_collection(situation: Situation, party: str | None = None) -> dict[str, Any]:
    """Everything recorded (or everything ``party`` may see) as one FeatureCollection."""
    see = Visibility(situation, party)
    features: list[dict[str, Any]] = []
    for line in situation.lines.values():
        lons, lats, _ = densify(
            [p.lon for p in line.vertices], [p.lat for p in line.vertices], _RENDER_SEGMENT_M
        )
        features.append(
            _feature(
                {
                    "type": "LineString",
                    "coordinates": [
                        [a, b] for a, b in zip(lons.tolist(), lats.tolist(), strict=True)
                    ],
                },
                {"type": "line", "id": line.id, "name": line.name, "source": line.source},
            )
        )
    for cz in situation.zones.values():
        if not see.zone(cz.zone):
            continue
        features.append(
            _feature(
                _multipolygon(cz.area.render()),
                {
                    "type": "zone",
                    "id": cz.zone.id,
                    "name": cz.zone.name,
                    "area": cz.area.describe(),
                    "signatories": list(cz.zone.signatories),
                    "monitors": list(cz.zone.monitors),
                    "rules": [r.model_dump(mode="json", by_alias=True) for r in cz.zone.rules],
                },
            )
        )
    for site in situation.sites.values():
        if not see.site(site):
            continue
        location = site.location
        geometry = (
            _multipolygon(shape_polygon(location.shape))
            if isinstance(location, PolygonOutline)
            else {"type": "Point", "coordinates": [location.position.lon, location.position.lat]}
        )
        features.append(
            _feature(
                geometry,
                {
                    "type": "site",
                    "id": site.id,
                    "name": site.name,
                    "category": site.category.value,
                    "owner": site.owner,
                    "valid_from": site.valid_from.isoformat(),
                    "valid_until": site.valid_until.isoformat(),
                },
            )
        )
    for notice in situation.notices.values():
        if not see.notice(notice):
            continue
        status = _notice_status(situation, notice)
        for index, volume in enumerate(notice.volumes):
            features.append(
                _feature(
                    _multipolygon(shape_polygon(volume.outline.shape)),
                    {
                        "type": "notice",
                        "id": notice.id,
                        "series": situation.series_of(notice.id),
                        "author": notice.author,
                        "kind": notice.kind.value,
                        "action": notice.action.value,
                        "status": status,
                        "title": notice.title,
                        "volume": index,
                        "label": volume.label,
                        "lower": str(volume.altitude.lower),
                        "upper": str(volume.altitude.upper),
                        "start": volume.window.start.isoformat(),
                        "end": volume.window.end.isoformat(),
                        "filed_at": notice.filed_at.isoformat(),
                    },
                )
            )
    for obs in situation.observations.values():
        if not see.observation(obs):
            continue
        features.append(
            _feature(
                {"type": "Point", "coordinates": [obs.position.lon, obs.position.lat]},
                {"type": "observation"}
                | obs.model_dump(mode="json", by_alias=True, exclude={"position"}),
            )
        )
    for alert in sorted(situation.alerts.values(), key=lambda a: (a.raised_at, a.id)):
        if not see.alert(alert):
            continue
        features.append(
            _feature(_alert_geometry(situation, alert), {"type": "alert"} | alert.to_dict())
        )
    return {"type": "FeatureCollection", "features": features}
