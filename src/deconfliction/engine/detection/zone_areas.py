"""Zone areas compiled for fast, exact point classification and volume entry tests.

A band area is classified from each point's distance to its line and side of it
(:class:`~deconfliction.engine.geodesy.lines.GeodesicPolyline`): inside when on an allowed side
and ``from < d <= to`` (``0 <= d <= to`` for a band that starts at the line), so consecutive
bands share no point.  A one-sided band stops square at the ends of its line; a two-sided band
has round ends.  Distances within the frame's error bound of ``from`` or ``to`` are solved
exactly on the ellipsoid, and so are the sides of points that near the line and the ends of
points that near the perpendicular at an end; a polygon's inside is decided exactly for points
that near its edges.  So a classification is never wrong by the fast path's centimetres.
Volumes entering a band, and distances to one, are in :mod:`.band_geometry`.

Compass sides (``east``) are resolved once against the line: the side on which a point a few
kilometres in that direction from the line's middle falls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from deconfliction.engine.detection.band_geometry import Entry, Reach, band_distance, band_entry
from deconfliction.engine.detection.explain import km
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.geodesy.exact import ring_inside
from deconfliction.engine.geodesy.extremes import outline_pieces, sample
from deconfliction.engine.geodesy.lines import GeodesicPolyline, LineMeasure
from deconfliction.engine.geodesy.measures import forward
from deconfliction.engine.geodesy.rendering import band_polygon, shape_polygon
from deconfliction.engine.geodesy.shapes import Shape, separation
from deconfliction.engine.model import BandArea, Line, Side, Volume, ZoneAgreement

__all__ = ["CompiledArea", "Entry", "Placement", "Reach", "compile_area", "place_many"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_COMPASS = {Side.east: 90.0, Side.west: 270.0, Side.north: 0.0, Side.south: 180.0}
_OPPOSITE = {"east": "west", "west": "east", "north": "south", "south": "north"}
_PROBE_M = 5_000.0


@dataclass(frozen=True, slots=True)
class Placement:
    """Where points stand against an area: ``inside``; ``distance_m`` from the band's line
    (bands) or from the edge (polygons); ``side`` of the line (+1 left, -1 right, 0 for a
    polygon)."""

    inside: BoolArray
    distance_m: FloatArray
    side: FloatArray


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
        inside = np.asarray(shapely.contains_xy(self.polygon.planar(frame), x, y), bool)
        d = self.ring.distance(lon, lat)
        # Within the frame's bound of an edge, the inside is decided on the ellipsoid.
        near = np.flatnonzero(d <= self.ring.error_bound(0.0))
        if near.size:
            inside[near], d[near] = ring_inside(
                lon[near], lat[near], self.polygon.lons, self.polygon.lats
            )
        return Placement(inside, d, np.zeros(lon.shape[0]))

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

    def reach(self, lon: float, lat: float) -> Reach:
        """The exact distance from a point to the area (zero inside), however far: for a
        polygon, to its nearest edge; for a band, see :func:`.band_geometry.band_distance`."""
        if self.line is not None:
            return band_distance(self.line, self.inner_m, self.outer_m, self.side, lon, lat)
        assert self.polygon is not None
        inside, d = ring_inside([lon], [lat], self.polygon.lons, self.polygon.lats)
        return Reach(0.0 if bool(inside[0]) else float(d[0]))

    def entry(self, volume: Volume) -> Entry | None:
        """Whether a volume enters the area, and how deep: exactly, a millimetre in or out
        (:func:`.band_geometry.band_entry` for a band; for a polygon, whether the interiors
        meet, solved exactly near the edge).  A polygon's depth is measured on points of the
        volume's boundary (a figure, to the sample spacing)."""
        shape = volume.outline.shape
        if self.line is not None:
            return band_entry(self.line, self.inner_m, self.outer_m, self.side, shape)
        assert self.polygon is not None
        if not separation(shape, self.polygon, 0.0).overlap:
            return None
        points = sample(
            outline_pieces(
                shape.kind.value,
                shape.lons,
                shape.lats,
                shape.dense_lons,
                shape.dense_lats,
                shape.radius,
            )
        )
        place = self.place(
            np.concatenate([points.lons, shape.dense_lons]),
            np.concatenate([points.lats, shape.dense_lats]),
        )
        depth = float(place.distance_m[place.inside].max()) if place.inside.any() else 0.0
        return Entry(depth, None)

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
