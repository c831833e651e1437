"""GeoJSON in: an RFC 7946 FeatureCollection of lines, zones, sites and notices, read back into
items.  The inverse of the GeoJSON export (``service/exporting.py``).

Each feature says what it is in ``properties.type``.  The exact definition is read from the
properties the export writes (``vertices``, ``definition``, ``location``, ``outline``); a
feature drawn in a GIS without them is read from its geometry instead: a LineString line, a
Polygon zone or site, a Point site, a Polygon notice volume (edges taken as geodesics).
Notice volumes are features of the same ``id``, in the order of ``volume``; a cancellation is
one feature with no volume.  Observations and alerts are reported facts and derived results:
they are counted as skipped, never imported.

Every problem names the feature and the property: ``features[3].properties.valid_from``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from deconfliction.engine.errors import Problem
from deconfliction.engine.model import (
    Line,
    Notice,
    ProtectedSite,
    Volume,
    ZoneAgreement,
)
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.engine.situation import Item

__all__ = ["Collection", "read_collection"]

_SKIPPED: Final = frozenset({"observation", "alert"})
_RENAMED: Final = {
    "zone": {"area": "definition"},
    "volume": {"window": "end", "altitude": "upper"},
}
_NOTICE_FIELDS: Final = ("id", "author", "kind", "action", "replaces", "filed_at", "title")


@dataclass
class Collection:
    """Items read from a FeatureCollection, each with the index of its (first) feature."""

    items: list[tuple[int, Item]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)


def _where(index: int, *path: str | int) -> tuple[str | int, ...]:
    return ("features", index, *path)


def _validate(
    model: type[BaseModel],
    data: dict[str, Any],
    index: int,
    renamed: Mapping[str, str],
    geometry_from: str | None,
    out: list[Problem],
) -> Any:
    """``model`` from ``data``; problems located at the feature's property (or geometry)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for p in problems_from_validation(exc):
            head = str(p.path[0]) if p.path else ""
            name = renamed.get(head, head)
            where = (
                _where(index, "geometry")
                if geometry_from is not None and head == geometry_from
                else _where(index, "properties", name, *p.path[1:])
            )
            out.append(Problem(where, p.reason))
        return None


def _ring(geometry: Mapping[str, Any]) -> list[Any]:
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords or not isinstance(coords[0], list):
        raise ValueError("a Polygon's coordinates are a list of rings")
    return list(coords[0])


def _from_geometry(
    geometry: Any, index: int, wanted: dict[str, str], out: list[Problem]
) -> dict[str, Any] | None:
    """The definition a geometry gives, by GeoJSON type (``wanted``: type -> our type)."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in wanted:
        kinds = " or ".join(wanted)
        out.append(
            Problem(_where(index, "geometry"), f"must be a {kinds} (or give the exact property)")
        )
        return None
    kind = wanted[str(geometry["type"])]
    try:
        if kind == "point":
            return {"type": "point", "position": geometry.get("coordinates")}
        if kind == "line":
            return {"vertices": geometry.get("coordinates")}
        return {"type": "polygon", "vertices": _ring(geometry)}
    except ValueError as exc:
        out.append(Problem(_where(index, "geometry"), str(exc)))
        return None


def _line(index: int, props: dict[str, Any], geometry: Any, out: list[Problem]) -> Item | None:
    data: dict[str, Any] = {k: props[k] for k in ("id", "name", "source") if k in props}
    if "vertices" in props:
        data["vertices"] = props["vertices"]
    else:
        found = _from_geometry(geometry, index, {"LineString": "line"}, out)
        if found is None:
            return None
        data["vertices"] = found["vertices"]
    origin = None if "vertices" in props else "vertices"
    item: Item | None = _validate(Line, data, index, {}, origin, out)
    return item


def _zone(index: int, props: dict[str, Any], geometry: Any, out: list[Problem]) -> Item | None:
    data: dict[str, Any] = {
        k: props[k]
        for k in ("id", "name", "signatories", "monitors", "rules", "source")
        if k in props
    }
    if "definition" in props:
        data["area"] = props["definition"]
    else:
        found = _from_geometry(geometry, index, {"Polygon": "polygon"}, out)
        if found is None:
            return None
        data["area"] = found
    origin = None if "definition" in props else "area"
    item: Item | None = _validate(ZoneAgreement, data, index, _RENAMED["zone"], origin, out)
    return item


def _site(index: int, props: dict[str, Any], geometry: Any, out: list[Problem]) -> Item | None:
    fields = ("id", "name", "category", "owner", "valid_from", "valid_until", "note")
    data: dict[str, Any] = {k: props[k] for k in fields if k in props}
    if "location" in props:
        data["location"] = props["location"]
    else:
        found = _from_geometry(geometry, index, {"Point": "point", "Polygon": "polygon"}, out)
        if found is None:
            return None
        data["location"] = found
    origin = None if "location" in props else "location"
    item: Item | None = _validate(ProtectedSite, data, index, {}, origin, out)
    return item


def _volume(index: int, props: dict[str, Any], geometry: Any, out: list[Problem]) -> Volume | None:
    data: dict[str, Any] = {
        "label": props.get("label", ""),
        "altitude": {"lower": props.get("lower"), "upper": props.get("upper")},
        "window": {"start": props.get("start"), "end": props.get("end")},
    }
    if "outline" in props:
        data["outline"] = props["outline"]
    else:
        found = _from_geometry(geometry, index, {"Polygon": "polygon"}, out)
        if found is None:
            return None
        data["outline"] = found
    before = len(out)
    volume: Volume | None = _validate(
        Volume,
        data,
        index,
        _RENAMED["volume"],
        None if "outline" in props else "outline",
        out,
    )
    for k in range(before, len(out)):  # altitude.lower -> lower, window.start -> start
        path = out[k].path
        if (
            len(path) >= 5
            and path[3] in ("upper", "end")
            and path[4] in ("lower", "start", "upper", "end")
        ):
            out[k] = Problem((*path[:3], path[4], *path[5:]), out[k].reason)
    return volume


def read_collection(data: Any) -> Collection:
    """The items of a FeatureCollection (see the module documentation).

    >>> c = read_collection({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[35.8, 33.0], [35.9, 33.2]]},
    ...      "properties": {"type": "line", "id": "line-a", "name": "Line A"}},
    ...     {"type": "Feature", "geometry": None, "properties": {"type": "site", "id": "h1"}}]})
    >>> [type(item).__name__ for _, item in c.items], str(c.problems[0])
    (['Line'], 'features[1].geometry: must be a Point or Polygon (or give the exact property)')
    """
    result = Collection()
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        result.problems.append(Problem(("type",), 'must be "FeatureCollection"'))
        return result
    features = data.get("features")
    if not isinstance(features, list):
        result.problems.append(Problem(("features",), "must be a list of features"))
        return result
    notices: dict[str, list[tuple[int, dict[str, Any], Any]]] = {}
    out = result.problems
    readers = {"line": _line, "zone": _zone, "site": _site}
    for index, feature in enumerate(features):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            out.append(Problem(_where(index, "type"), 'must be "Feature"'))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            out.append(Problem(_where(index, "properties"), "must be an object"))
            continue
        kind = props.get("type")
        if kind in _SKIPPED:
            result.skipped[str(kind)] += 1
        elif kind == "notice":
            if not isinstance(props.get("id"), str):
                out.append(
                    Problem(_where(index, "properties", "id"), "a notice feature needs its id")
                )
                continue
            notices.setdefault(props["id"], []).append((index, props, feature.get("geometry")))
        elif kind in readers:
            item = readers[kind](index, props, feature.get("geometry"), out)
            if item is not None:
                result.items.append((index, item))
        else:
            out.append(
                Problem(
                    _where(index, "properties", "type"),
                    f"unknown type {kind!r}: line, zone, site or notice (observation and alert are skipped)",
                )
            )
    for notice_id, parts in notices.items():
        first_index, first, _ = parts[0]
        for index, props, _ in parts[1:]:
            for name in _NOTICE_FIELDS:
                if props.get(name) != first.get(name):
                    out.append(
                        Problem(
                            _where(index, "properties", name),
                            f"differs from feature {first_index} of notice {notice_id}",
                        )
                    )
        volumes: list[tuple[int, Volume]] = []
        for index, props, geometry in parts:
            if props.get("volume") is None:
                continue
            position = props.get("volume")
            if isinstance(position, bool) or not isinstance(position, int):
                out.append(
                    Problem(
                        _where(index, "properties", "volume"),
                        "must be the volume's index (a whole number)",
                    )
                )
                continue
            volume = _volume(index, props, geometry, out)
            if volume is not None:
                volumes.append((position, volume))
        data_notice: dict[str, Any] = {k: first[k] for k in _NOTICE_FIELDS if k in first}
        data_notice["volumes"] = [v for _, v in sorted(volumes, key=lambda pv: pv[0])]
        notice = _validate(Notice, data_notice, first_index, {}, None, out)
        if notice is not None:
            result.items.append((first_index, notice))
    return result
