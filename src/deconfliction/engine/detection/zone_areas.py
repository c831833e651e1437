"""Zone areas compiled for fast, exact point classification and volume entry tests.

A band area is classified from each point's distance to its line and side of it
(:class:`~deconfliction.engine.geodesy.lines.GeodesicPolyline`): inside when on an allowed side
and ``from < d <= to`` (``0 <= d <= to`` for a band that starts at the line), so consecutive
bands share no point.  A one-sided band stops square at the ends of its line; a two-sided band
has round ends.  Distances within the frame's error bound of ``from`` or ``to`` are solved
exactly on the ellipsoid, so a classification is never wrong by the fast path's centimetres.

Compass sides (``east``) are resolved once against the line: the side on which a point a few
kilometres in that direction from the line's middle falls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from deconfliction.engine.detection.explain import km
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.geodesy.lines import GeodesicPolyline, LineMeasure
from deconfliction.engine.geodesy.measures import forward
from deconfliction.engine.geodesy.rendering import band_polygon, shape_polygon
from deconfliction.engine.geodesy.shapes import CoreKind, Shape, separation
from deconfliction.engine.model import BandArea, Line, Side, Volume, ZoneAgreement

__all__ = ["CompiledArea", "Entry", "Placement", "compile_area", "place_many"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_COMPASS = {Side.east: 90.0, Side.west: 270.0, Side.north: 0.0, Side.south: 180.0}
_OPPOSITE = {"east": "west", "west": "east", "north": "south", "south": "north"}
_PROBE_M = 5_000.0
_SAMPLE_TOLERANCE_M = 25.0


@dataclass(frozen=True, slots=True)
class Placement:
    """Where points stand against an area: ``inside``; ``distance_m`` from the band's line
    (bands) or from the edge (polygons); ``side`` of the line (+1 left, -1 right, 0 for a
    polygon)."""

    inside: BoolArray
    distance_m: FloatArray
    side: FloatArray


@dataclass(frozen=True, slots=True)
class Entry:
    """How a volume enters an area: ``depth_m`` how far inside it reaches (from the edge of a
    polygon, or past the band's near boundary), ``closest_m`` its least distance from the band's
    line (bands only)."""

    depth_m: float
    closest_m: float | None


def _resolve_side(line: GeodesicPolyline, side: Side, line_name: str) -> tuple[int, str]:
    if side is Side.both:
        return 0, ""
    if side is Side.left:
        return 1, "left of"
    if side is Side.right:
        return -1, "right of"
    mid = line.dense_lons.shape[0] // 2
    lon, lat = forward(
        float(line.dense_lons[mid]), float(line.dense_lats[mid]), _COMPASS[side], _PROBE_M
    )
    measure = line.measure([lon], [lat])
    if float(measure.distance[0]) < _PROBE_M * 0.5:
        raise InvalidInput.at(
            ("area", "side"),
            f"side '{side.value}' is ambiguous for {line_name}, which runs {side.value}ward at "
            "its middle: use left or right (of the line's direction)",
        )
    return int(measure.side[0]), f"{side.value} of"


@dataclass(frozen=True, eq=False)
class CompiledArea:
    """A zone's area, ready for classification."""

    zone_id: str
    name: str
    polygon: Shape | None = None
    ring: GeodesicPolyline | None = None
    line: GeodesicPolyline | None = None
    line_name: str = ""
    inner_m: float = 0.0
    outer_m: float = 0.0
    side: int = 0
    side_label: str = ""

    @property
    def is_band(self) -> bool:
        return self.line is not None

    def describe(self) -> str:
        """'the 0–10 km band east of Line B', or the zone's name for a polygon."""
        if self.line is None:
            return self.name
        where = (
            f"{self.side_label} {self.line_name}"
            if self.side
            else f"either side of {self.line_name}"
        )
        return f"the {self.inner_m / 1000:g}–{self.outer_m / 1000:g} km band {where}"

    @property
    def thresholds(self) -> list[float]:
        """The distances from the line at which a band's classification changes."""
        return [self.outer_m] + ([self.inner_m] if self.inner_m > 0 else [])

    def _classify(self, m: LineMeasure) -> Placement:
        d = m.distance
        within = (d <= self.outer_m) & ((d > self.inner_m) if self.inner_m > 0 else (d >= 0))
        if self.side:
            on_line = d == 0.0
            within &= ((m.side == self.side) | on_line) & ~m.beyond
        return Placement(within, d, m.side)

    def place(self, lons: ArrayLike, lats: ArrayLike) -> Placement:
        """Classify points (vectorised)."""
        lon = np.atleast_1d(np.asarray(lons, np.float64))
        lat = np.atleast_1d(np.asarray(lats, np.float64))
        if self.line is not None:
            return self._classify(self.line.measure(lon, lat, thresholds=self.thresholds))
        assert self.polygon is not None
        assert self.ring is not None
        frame = self.ring.frame
        x, y = frame.forward(lon, lat)
        inside = shapely.contains_xy(self.polygon.planar(frame), x, y)
        d = self.ring.distance(lon, lat)
        return Placement(np.asarray(inside, bool), d, np.zeros(lon.shape[0]))

    def position_text(self, distance_m: float, side: float) -> str:
        """Words for where one point stands ('45.2 km east of Line B')."""
        if self.line is None:
            return f"{km(distance_m)} from the edge of {self.name}"
        if not self.side or distance_m == 0.0:
            return f"{km(distance_m)} from {self.line_name}"
        label = self.side_label.split()[0]
        if side != self.side:
            label = _OPPOSITE.get(label, "left" if label == "right" else "right")
        return f"{km(distance_m)} {label} of {self.line_name}"

    def distance_to(self, lons: ArrayLike, lats: ArrayLike) -> FloatArray:
        """Distance from points to the area (zero inside).  Across a band's line the path is
        taken through the line."""
        place = self.place(lons, lats)
        if self.line is None:
            return np.where(place.inside, 0.0, place.distance_m)
        d = place.distance_m
        same_side = (place.side == self.side) | (self.side == 0) | (d == 0.0)
        outside_band = np.maximum(self.inner_m - d, d - self.outer_m)
        through = d + self.inner_m
        return np.where(
            place.inside, 0.0, np.where(same_side, np.maximum(outside_band, 0.0), through)
        )

    def entry(self, volume: Volume) -> Entry | None:
        """Whether a volume enters the area, and how deep."""
        shape = volume.outline.shape
        rings = shape_polygon(shape, tolerance=_SAMPLE_TOLERANCE_M)
        lons = np.array(
            [p[0] for poly in rings for ring in poly for p in ring] + list(shape.dense_lons)
        )
        lats = np.array(
            [p[1] for poly in rings for ring in poly for p in ring] + list(shape.dense_lats)
        )
        if self.line is None:
            assert self.polygon is not None
            sep = separation(shape, self.polygon)
            if not sep.overlap:
                return None
            place = self.place(lons, lats)
            depth = float(place.distance_m[place.inside].max()) if place.inside.any() else 0.0
            return Entry(depth, None)
        line_shape = Shape(
            kind=CoreKind.line,
            lons=self.line.lons,
            lats=self.line.lats,
        )
        crossing = separation(shape, line_shape)
        m = self.line.measure(lons, lats)
        best: Entry | None = None
        for side in (1, -1):
            if self.side and side != self.side:
                continue
            mask = (m.side == side) & ~m.beyond if self.side else (m.side == side)
            if not mask.any() and not crossing.overlap:
                continue
            closest = 0.0 if crossing.overlap else crossing.distance
            farthest = float(m.distance[mask].max()) if mask.any() else 0.0
            if closest > self.outer_m or farthest < self.inner_m:
                continue
            depth = min(farthest, self.outer_m) - max(closest, self.inner_m)
            if best is None or depth > best.depth_m:
                best = Entry(max(depth, 0.0), closest)
        return best

    def render(self) -> list[list[list[list[float]]]]:
        """GeoJSON MultiPolygon coordinates of the area, for display."""
        if self.line is not None:
            return band_polygon(self.line, self.inner_m, self.outer_m, self.side)
        assert self.polygon is not None
        return shape_polygon(self.polygon)


def place_many(areas: Sequence[CompiledArea], lons: ArrayLike, lats: ArrayLike) -> list[Placement]:
    """``[area.place(lons, lats) for area in areas]``, measuring the points once per line:
    bands on the same line (the 10, 20 and 25 km bands of one line, say) share the fast pass
    and the exact solves (:meth:`GeodesicPolyline.measure_many`).

    Examples
    --------
    >>> from deconfliction.engine.model import BandArea, Line, ZoneAgreement
    >>> line = Line(id="l", name="L", vertices=["33.0N 35.8E", "33.3N 35.8E"])
    >>> zones = [
    ...     ZoneAgreement(id=f"z{km}", name="Z", signatories=["a"], rules=[{"type": "no_presence"}],
    ...                   area={"type": "band", "line": "l", "to": f"{km} km", "side": "east"})
    ...     for km in (10, 20)
    ... ]
    >>> areas = [compile_area(z, {"l": line}) for z in zones]
    >>> [p.inside.tolist() for p in place_many(areas, [35.9, 35.95], [33.1, 33.1])]
    [[True, False], [True, True]]
    """
    lon = np.atleast_1d(np.asarray(lons, np.float64))
    lat = np.atleast_1d(np.asarray(lats, np.float64))
    out: list[Placement | None] = [None] * len(areas)
    by_line: dict[tuple[bytes, bytes, float, float], list[int]] = {}
    for i, area in enumerate(areas):
        if area.line is None:
            out[i] = area.place(lon, lat)
        else:
            line = area.line
            key = (
                line.dense_lons.tobytes(),
                line.dense_lats.tobytes(),
                line.frame.lon0,
                line.frame.lat0,
            )
            by_line.setdefault(key, []).append(i)
    for members in by_line.values():
        shared = areas[members[0]].line
        assert shared is not None
        measures = shared.measure_many(lon, lat, [areas[i].thresholds for i in members])
        for i, m in zip(members, measures, strict=True):
            out[i] = areas[i]._classify(m)
    return [p for p in out if p is not None]


def compile_area(zone: ZoneAgreement, lines: Mapping[str, Line]) -> CompiledArea:
    """Compile ``zone``'s area against the known lines; raise InvalidInput when a line is
    missing or a compass side is ambiguous."""
    area = zone.area
    if isinstance(area, BandArea):
        line = lines.get(area.line)
        if line is None:
            raise InvalidInput.at(("area", "line"), f"no line '{area.line}'")
        geo = GeodesicPolyline([p.lon for p in line.vertices], [p.lat for p in line.vertices])
        side, label = _resolve_side(geo, area.side, line.name)
        return CompiledArea(
            zone_id=zone.id,
            name=zone.name,
            line=geo,
            line_name=line.name,
            inner_m=area.from_distance.metres,
            outer_m=area.to_distance.metres,
            side=side,
            side_label=label,
        )
    ring = area.vertices[:-1] if area.vertices[0] == area.vertices[-1] else area.vertices
    lons = [p.lon for p in ring]
    lats = [p.lat for p in ring]
    return CompiledArea(
        zone_id=zone.id,
        name=zone.name,
        polygon=Shape.polygon(lons, lats),
        ring=GeodesicPolyline(lons, lats, closed=True),
    )
