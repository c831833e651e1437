"""The simplest in-process alternative to the strategic check: a shapely STRtree.

What a team without this project would write: every active notice's outline as one shapely
geometry in longitude and latitude (a circle's centre, a corridor's route, a polygon's
vertices: its *core*) with a buffer distance (the radius, the half width, 0), an STRtree over
the cores' envelopes grown by their own buffer, and for each probe:

1. the tree's candidates within the probe's envelope grown by its buffer and the margin;
2. time and altitude tests over the candidates' columns (NumPy): windows overlapping, bands
   less than the vertical margin apart (flight levels as feet in the standard atmosphere,
   SFC below everything), different authors;
3. the exact lateral distance in an azimuthal equidistant projection centred near the probe
   (pyproj; one projection per half-degree cell), between cores, less both buffers: a conflict when below the lateral margin.

It takes the generator's plain specs (``bench/filing.py``), not the project's models, so it
shares no geometry code with the engine; its answers are compared with the engine's pair by
pair.  Its projection is exact for distances from the probe's centre and approximate
elsewhere (a relative error of about (d / 6371 km)^2 / 6, d being the distance from the
centre, at most about 80 km here: a few parts in 100,000, some 0.2 m at the 5.6 km margin), and its straight segments are straight in that projection,
not geodesics: pairs within a few metres of the margin may be decided differently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyproj
import shapely

__all__ = ["StrtreePeer"]

_KM_PER_DEG = 111.32
_FT = 0.3048


def _core(outline: tuple[str, Any, float]) -> tuple[shapely.Geometry, float]:
    """The outline's core geometry (longitude, latitude) and its buffer in metres."""
    kind, points, size = outline
    if kind == "circle":
        return shapely.Point(points), round(size, 3) * 1000.0
    if kind == "corridor":
        return shapely.LineString(points), round(size, 3) * 1000.0
    return shapely.Polygon(points), 0.0


def _feet(value: float, unit: str) -> float:
    if unit == "SFC":
        return -math.inf
    return value * 100.0 if unit == "FL" else value


class StrtreePeer:
    """Active notices in an STRtree, checked as described in the module's docstring."""

    def __init__(
        self, specs: Iterable[dict[str, Any]], lateral_m: float, vertical_ft: float
    ) -> None:
        self.lateral_m = lateral_m
        self.vertical_ft = vertical_ft
        self.ids: list[str] = []
        cores: list[shapely.Geometry] = []
        columns: list[tuple[float, float, float, float, float, str]] = []
        for s in specs:  # one pass: the specs need not all be held at once
            core, buffer = _core(s["outline"])
            self.ids.append(s["id"])
            cores.append(core)
            lower, upper = s["altitude"]
            columns.append(
                (buffer, s["start"], s["end"], _feet(*lower), _feet(*upper), s["author"])
            )
        self.cores = np.array(cores, dtype=object)
        del cores
        buffers, start, end, lower_ft, upper_ft, authors = zip(*columns, strict=True)
        del columns
        self.buffers = np.array(buffers)
        self.start = np.array(start)
        self.end = np.array(end)
        self.lower_ft = np.array(lower_ft)
        self.upper_ft = np.array(upper_ft)
        self._author_code = {a: i for i, a in enumerate(sorted(set(authors)))}
        self.author = np.array([self._author_code[a] for a in authors], np.int16)
        self._frames: dict[tuple[float, float], pyproj.Transformer] = {}
        # Every cell of the notices' area gets its projection now, with the tree, rather
        # than during a check.
        x0, y0, x1, y1 = shapely.total_bounds(self.cores)
        for lon in np.arange(math.floor(x0 * 2) / 2, x1 + 0.5, 0.5).tolist():
            for lat in np.arange(math.floor(y0 * 2) / 2, y1 + 0.5, 0.5).tolist():
                self._frame(lon, lat)
        # Envelopes grown by each notice's own buffer (in degrees, at the envelope's
        # highest latitude, where a degree of longitude is shortest).
        bounds = shapely.bounds(self.cores)
        cos_lat = np.cos(np.radians(np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3]))))
        grow_lat = self.buffers / 1000.0 / 110.57
        grow_lon = self.buffers / 1000.0 / (_KM_PER_DEG * cos_lat)
        self.tree = shapely.STRtree(
            shapely.box(
                bounds[:, 0] - grow_lon,
                bounds[:, 1] - grow_lat,
                bounds[:, 2] + grow_lon,
                bounds[:, 3] + grow_lat,
            )
        )

    def _frame(self, lon: float, lat: float) -> pyproj.Transformer:
        """An azimuthal equidistant projection centred within 0.25 degrees of (lon, lat),
        made once per half-degree cell (making one takes longer than the whole check)."""
        key = (round(lon * 2) / 2, round(lat * 2) / 2)
        frame = self._frames.get(key)
        if frame is None:
            frame = self._frames[key] = pyproj.Transformer.from_crs(
                "EPSG:4326",
                pyproj.CRS.from_proj4(
                    f"+proj=aeqd +lat_0={key[1]} +lon_0={key[0]} +ellps=WGS84 +units=m"
                ),
                always_xy=True,
            )
        return frame

    def conflicts(self, spec: dict[str, Any]) -> set[str]:
        """The ids of the active notices the probe ``spec`` conflicts with."""
        core, buffer = _core(spec["outline"])
        x0, y0, x1, y1 = shapely.bounds(core)
        reach_km = (buffer + self.lateral_m) / 1000.0
        grow_lat = reach_km / 110.57
        grow_lon = reach_km / (_KM_PER_DEG * math.cos(math.radians(max(abs(y0), abs(y1)))))
        found = self.tree.query(
            shapely.box(x0 - grow_lon, y0 - grow_lat, x1 + grow_lon, y1 + grow_lat)
        )
        if not found.size:
            return set()
        lower = _feet(*spec["altitude"][0])
        upper = _feet(*spec["altitude"][1])
        with np.errstate(invalid="ignore"):
            vertical = np.maximum(lower, self.lower_ft[found]) - np.minimum(
                upper, self.upper_ft[found]
            )
        keep = (
            (
                np.maximum(spec["start"], self.start[found])
                < np.minimum(spec["end"], self.end[found])
            )
            & (vertical < self.vertical_ft)
            & (self.author[found] != self._author_code.get(spec["author"], -1))
        )
        found = found[keep]
        if not found.size:
            return set()
        centre = shapely.centroid(core)
        local = self._frame(centre.x, centre.y)

        def project(geometries: Any) -> Any:
            return shapely.transform(
                geometries, lambda xy: np.column_stack(local.transform(xy[:, 0], xy[:, 1]))
            )

        distance = shapely.distance(project(core), project(self.cores[found]))
        apart = distance - buffer - self.buffers[found]
        return {self.ids[i] for i in found[apart < self.lateral_m].tolist()}

    def explain(self, spec: dict[str, Any], other: str) -> str:
        """The peer's measures for one pair: the time overlap, the vertical gap, and the
        lateral distance (less the buffers) against the margin; for a pair it decided
        differently from the engine."""
        i = self.ids.index(other)
        core, buffer = _core(spec["outline"])
        overlap_s = min(spec["end"], self.end[i]) - max(spec["start"], self.start[i])
        vertical = max(_feet(*spec["altitude"][0]), self.lower_ft[i]) - min(
            _feet(*spec["altitude"][1]), self.upper_ft[i]
        )
        centre = shapely.centroid(core)
        local = self._frame(centre.x, centre.y)
        mine, theirs = (
            shapely.transform(g, lambda xy: np.column_stack(local.transform(xy[:, 0], xy[:, 1])))
            for g in (core, self.cores[i])
        )
        apart = shapely.distance(mine, theirs) - buffer - self.buffers[i]
        return (
            f"{spec['outline'][0]} ~ {shapely.get_type_id(self.cores[i])}, windows overlap "
            f"{overlap_s:.0f} s, vertical gap {vertical:.0f} ft, lateral {apart:.2f} m "
            f"({apart - self.lateral_m:+.2f} m from the margin)"
        )
