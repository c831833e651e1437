"""Conformance of many aircraft at once: a group's volumes in columns, one screen per round.

:func:`~.conformance.assess` places one aircraft against a list of notices, computing the
distance to every volume: at 10,000 aircraft against 100,000 volumes that is a billion
geodesic distances a round.  Here a group's volumes (a party's current notices, or the one
notice aircraft were declared for) are kept in columns, built once while the notices stay the
same:

* windows as whole microseconds since the epoch (``int64``), so that ``start − margin ≤ at <
  end + margin`` is the same exact comparison as on the ``datetime`` values;
* each outline's box grown by the lateral margin (:meth:`Shape.bbox`, sure to hold every point
  within the margin), in an STRtree, with copies shifted by 360° for boxes that cross the
  antimeridian;
* a bounding ball of each outline in Earth-centred coordinates, for the one figure that is not
  local: how far an aircraft outside every active volume is from the nearest one.

A round screens all its aircraft against the boxes in one call and computes exact distances
(the same :meth:`Shape.distance_to_points`, circles batched in one geodesic call) only for the
aircraft–volume pairs whose box holds the aircraft.  Every decision of :func:`assess` but one
is local to those pairs: inside an active volume (with the margin) and its band conforms; a
band miss ranks above any outline miss; before its window or after it needs the aircraft
within the volume.  The exception is ``track-outside-volume``, which names the *nearest*
active volume: it is found by a search bounded below by the balls (a chord is never longer
than the geodesic), exact distances taken in order of the bound until the bound passes the
best distance found, ties to the earlier volume as :func:`assess` takes them.

The result equals :func:`assess` aircraft for aircraft, kind, notice, volume and figure
(``tests/engine/tracks/test_conformance_bulk.py`` compares them under Hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely
from numpy.typing import NDArray

from deconfliction.engine.geodesy.frames import MAX_SEGMENT
from deconfliction.engine.geodesy.measures import distances
from deconfliction.engine.geodesy.shapes import CoreKind, Shape
from deconfliction.engine.model import Notice, Volume
from deconfliction.engine.tracks.conformance import (
    ConformanceKind,
    Offence,
    Tolerances,
    band_excess,
    gap_seconds,
)
from deconfliction.engine.tracks.quantities import TrackAltitude

__all__ = ["NoticeColumns", "NotifiedVolumes", "VolumeColumns", "assess_many"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_A = 6_378_137.0
_E2 = 6.694_379_990_141_316_5e-3
_BALL_SLACK = MAX_SEGMENT * MAX_SEGMENT / (8.0 * 6_335_000.0) + 1.0
"""A ball holding a piece's two ends holds its chord; the geodesic piece (at most
``MAX_SEGMENT``) bends off its chord by at most ``L²/8ρ`` (ρ ≥ 6,335 km, the least radius of
curvature of the ellipsoid): 2 m; plus a metre for the fast distances' centimetres."""
_INSIDE_DEG = 1e-3
"""A point this far (degrees, plate carrée) inside the lon/lat polygon of a densified ring is
inside the geodesic polygon: below 70° of latitude the pieces (at most 10 km) bend less than
10 m from their lon/lat chords, and 0.001° is at least 38 m there."""
_INSIDE_LAT = 70.0
_METRES_PER_DEGREE_LAT_MIN = 110_574.0


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // _US


def _ecef(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the WGS84 ellipsoid in Earth-centred coordinates (metres)."""
    lam, phi = np.radians(lon), np.radians(lat)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = _A / np.sqrt(1.0 - _E2 * sin_phi * sin_phi)
    return np.column_stack(
        [n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - _E2) * sin_phi]
    )


@dataclass(frozen=True, eq=False)
class VolumeColumns:
    """Per volume, in columns (a notice's, or a group's joined from its notices')."""

    start_us: NDArray[np.int64]
    end_us: NDArray[np.int64]
    centre: NDArray[np.float64]
    """Centre of the bounding ball, Earth-centred (metres)."""
    reach: NDArray[np.float64]
    """Radius of the bounding ball (metres)."""
    south: NDArray[np.float64]
    north: NDArray[np.float64]
    """Latitudes sure to bound the outline (``Shape.bbox``)."""
    circle: NDArray[np.bool_]
    core: NDArray[np.float64]
    """(volume, lon/lat/radius) of circles; zeros for other outlines."""
    plain: NDArray[np.object_]
    """The ring of each polygon below 70° as a lon/lat polygon (None for other outlines)."""

    @classmethod
    def empty(cls) -> VolumeColumns:
        i, f = np.zeros(0, np.int64), np.zeros(0)
        return cls(
            i,
            i,
            np.zeros((0, 3)),
            f,
            f,
            f,
            np.zeros(0, bool),
            np.zeros((0, 3)),
            np.zeros(0, object),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[VolumeColumns]) -> VolumeColumns:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


@dataclass(frozen=True, eq=False)
class NoticeColumns:
    """One notice's volumes in columns, for boxes grown by ``lateral_m`` (built once per
    notice version and margin; a group joins its notices' columns)."""

    notice: Notice
    lateral_m: float
    boxes: NDArray[np.float64]
    """(box, west/south/east/north): a box crossing ±180° is there again, shifted."""
    box_volume: NDArray[np.intp]
    columns: VolumeColumns

    @classmethod
    def of(cls, notice: Notice, lateral_m: float) -> NoticeColumns:
        n = len(notice.volumes)
        boxes: list[tuple[float, float, float, float]] = []
        owner: list[int] = []
        centre, reach, core = np.zeros((n, 3)), np.zeros(n), np.zeros((n, 3))
        south, north = np.zeros(n), np.zeros(n)
        circle = np.zeros(n, bool)
        plain = np.full(n, None, dtype=object)
        for i, volume in enumerate(notice.volumes):
            shape = volume.outline.shape
            west, low, east, high = shape.bbox(lateral_m)
            for shift in (0.0, 360.0, -360.0):
                if (shift == 0.0) or (shift > 0 and west < -180.0) or (shift < 0 and east > 180.0):
                    boxes.append((west + shift, low, east + shift, high))
                    owner.append(i)
            _, south[i], _, north[i] = shape.bbox()
            ring = _ecef(shape.dense_lons, shape.dense_lats)
            centre[i] = ring.mean(axis=0)
            spread = float(np.sqrt(((ring - centre[i]) ** 2).sum(axis=1)).max())
            reach[i] = spread + shape.radius + _BALL_SLACK
            if shape.kind is CoreKind.point:
                circle[i] = True
                core[i] = (shape.lons[0], shape.lats[0], shape.radius)
            elif shape.kind is CoreKind.polygon and np.abs(shape.dense_lats).max() < _INSIDE_LAT:
                plain[i] = shapely.polygons(np.column_stack([shape.dense_lons, shape.dense_lats]))
        windows = [(_micros(v.window.start), _micros(v.window.end)) for v in notice.volumes]
        starts, ends = np.array(windows, np.int64).reshape(-1, 2).T
        columns = VolumeColumns(starts, ends, centre, reach, south, north, circle, core, plain)
        return cls(
            notice, lateral_m, np.array(boxes, np.float64).reshape(-1, 4),
            np.array(owner, np.intp), columns,
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class NotifiedVolumes:
    """One group's volumes in the order :func:`assess` takes them (notice by notice, volume by
    volume), in columns; boxes grown by ``lateral_m``."""

    entries: tuple[tuple[Notice, int, Volume], ...]
    lateral_m: float
    tree: shapely.STRtree
    box_entry: NDArray[np.intp]
    """The entry of each box in the tree (a box crossing ±180° is there twice)."""
    columns: VolumeColumns
    ring: NDArray[np.object_]
    """The boundaries of ``columns.plain``."""

    @classmethod
    def build(cls, notices: Sequence[Notice], lateral_m: float) -> NotifiedVolumes:
        return cls.join([NoticeColumns.of(n, lateral_m) for n in notices], lateral_m)

    @classmethod
    def join(cls, parts: Sequence[NoticeColumns], lateral_m: float) -> NotifiedVolumes:
        """The group of ``parts`` (their notices in this order)."""
        if any(p.lateral_m != lateral_m for p in parts):
            raise ValueError("every notice's boxes must be grown by the same lateral margin")
        sizes = np.array([len(p.notice.volumes) for p in parts], np.intp)
        first = np.cumsum(sizes) - sizes
        entries = tuple((p.notice, vi, v) for p in parts for vi, v in enumerate(p.notice.volumes))
        boxes = np.concatenate([np.zeros((0, 4)), *(p.boxes for p in parts)])
        owner = np.concatenate(
            [np.zeros(0, np.intp), *(p.box_volume + f for p, f in zip(parts, first, strict=True))]
        )
        columns = VolumeColumns.concatenate([VolumeColumns.empty(), *(p.columns for p in parts)])
        return cls(
            entries,
            lateral_m,
            shapely.STRtree(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3])),
            owner.astype(np.intp),
            columns,
            shapely.boundary(columns.plain),
        )

    def quick(
        self, entry: NDArray[np.intp], lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """:meth:`lateral` where it is cheap: circles (one geodesic call) and points well inside
        a polygon (0, as ``distance_to_points`` finds it); NaN elsewhere."""
        out = np.full(entry.shape[0], np.nan)
        ring = self.columns.circle[entry]
        if ring.any():
            out[ring] = self.lateral(entry[ring], lon[ring], lat[ring])
        poly = np.flatnonzero(self.columns.plain[entry] != None)  # noqa: E711 (elementwise)
        if poly.size:
            e = entry[poly]
            pts = shapely.points(lon[poly], lat[poly])
            deep = shapely.contains_properly(self.columns.plain[e], pts) & (
                shapely.distance(self.ring[e], pts) > _INSIDE_DEG
            )
            out[poly[deep]] = 0.0
        return out

    def lateral(
        self, entry: NDArray[np.intp], lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """``Shape.distance_to_points`` of each (entry, point) pair: circles in one geodesic
        call, other outlines one call per volume for all its points."""
        out = np.empty(entry.shape[0])
        ring = self.columns.circle[entry]
        if ring.any():
            e = entry[ring]
            core = distances(self.columns.core[e, 0], self.columns.core[e, 1], lon[ring], lat[ring])
            out[ring] = np.maximum(core - self.columns.core[e, 2], 0.0)
        rest = np.flatnonzero(~ring)
        if rest.size:
            order = rest[np.argsort(entry[rest], kind="stable")]
            cuts = np.flatnonzero(np.diff(entry[order])) + 1
            for group in np.split(order, cuts):
                shape = self.entries[int(entry[group[0]])][2].outline.shape
                out[group] = shape.distance_to_points(
                    np.ascontiguousarray(lon[group]), np.ascontiguousarray(lat[group])
                )
        return out


def assess_many(
    volumes: NotifiedVolumes,
    lons: Sequence[float] | NDArray[np.float64],
    lats: Sequence[float] | NDArray[np.float64],
    alts: Sequence[TrackAltitude | None],
    at: datetime,
    tolerances: Tolerances,
) -> list[Offence | None]:
    """:func:`assess` of every aircraft ``(lons[k], lats[k], alts[k])`` at ``at`` against the
    group's volumes (built for ``tolerances.lateral_m``), in one screen."""
    if volumes.lateral_m != tolerances.lateral_m:
        raise ValueError("the volumes' boxes were grown by another lateral margin")
    lon = np.asarray(lons, np.float64)
    lat = np.asarray(lats, np.float64)
    n = lon.shape[0]
    if not volumes.entries:
        return [Offence(ConformanceKind.unnotified)] * n  # immutable: one shared
    now, slack = _micros(at), tolerances.time // _US
    active = (volumes.columns.start_us - slack <= now) & (now < volumes.columns.end_us + slack)
    points, boxes = volumes.tree.query(shapely.points(lon, lat), predicate="intersects")
    key = np.unique(points.astype(np.int64) * len(volumes.entries) + volumes.box_entry[boxes])
    point, entry = key // len(volumes.entries), key % len(volumes.entries)
    if active.any():
        keep = active[entry]
        point, entry = point[keep], entry[keep]
    starts = np.searchsorted(point, np.arange(n + 1))
    d = volumes.quick(entry, lon[point], lat[point])
    settled = np.zeros(n, bool)

    def settle(pairs: NDArray[np.intp]) -> None:
        """Mark the aircraft inside an active volume and its band by one of ``pairs``."""
        for i in pairs[d[pairs] - tolerances.lateral_m <= 0].tolist():
            k = int(point[i])
            alt = alts[k]
            if not settled[k]:
                band = volumes.entries[entry[i]][2].altitude
                settled[k] = alt is None or band_excess(alt, band, tolerances.vertical_m)[0] <= 0

    if active.any():  # an aircraft in a volume and its band is done at the first such pair
        settle(np.flatnonzero(~np.isnan(d)))
        # The rest by rounds of one pair per aircraft, the nearest ball centre first.
        p = _ecef(lon[point], lat[point])
        near = np.sqrt(((volumes.columns.centre[entry] - p) ** 2).sum(axis=1))
        todo = np.flatnonzero(np.isnan(d))
        todo = todo[np.lexsort((near[todo], point[todo]))]
        while todo.size:
            todo = todo[~settled[point[todo]]]
            first = np.ones(todo.shape[0], bool)
            first[1:] = point[todo[1:]] != point[todo[:-1]]
            now_ = todo[first]
            d[now_] = volumes.lateral(entry[now_], lon[point[now_]], lat[point[now_]])
            settle(now_)
            todo = todo[~first]
    else:
        rest = np.flatnonzero(np.isnan(d))
        d[rest] = volumes.lateral(entry[rest], lon[point[rest]], lat[point[rest]])
    if active.any():
        return _when_active(
            volumes, lon, lat, alts, tolerances, active, (entry, d, starts, settled)
        )
    out: list[Offence | None] = []
    for k in range(n):
        lo, hi = starts[k], starts[k + 1]
        best: tuple[int, int] | None = None
        for e, dist in zip(entry[lo:hi].tolist(), d[lo:hi].tolist(), strict=True):
            band = volumes.entries[e][2].altitude
            if dist > tolerances.lateral_m or (
                alts[k] is not None and band_excess(alts[k], band, tolerances.vertical_m)[0] > 0  # type: ignore[arg-type]
            ):
                continue
            gap = abs(_gap_micros(volumes, e, now))
            if best is None or (gap, e) < best:
                best = (gap, e)
        if best is None:
            out.append(Offence(ConformanceKind.unnotified))
        else:
            notice, vi, volume = volumes.entries[best[1]]
            gap_s = gap_seconds(volume, at)
            kind = ConformanceKind.before_window if gap_s < 0 else ConformanceKind.overrun
            out.append(Offence(kind, notice.id, vi, abs(gap_s)))
    return out


def _gap_micros(volumes: NotifiedVolumes, e: int, now: int) -> int:
    start = int(volumes.columns.start_us[e])
    return now - start if now < start else now - int(volumes.columns.end_us[e])


def _when_active(
    volumes: NotifiedVolumes,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    alts: Sequence[TrackAltitude | None],
    tolerances: Tolerances,
    active: NDArray[np.bool_],
    pairs: tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.intp], NDArray[np.bool_]],
) -> list[Offence | None]:
    entry, d, starts, settled = pairs
    out: list[Offence | None] = []
    margin, vertical = tolerances.lateral_m, tolerances.vertical_m
    away: list[int] = []  # aircraft outside every active volume: the nearest, found together
    for k in range(lon.shape[0]):
        if settled[k]:
            out.append(None)
            continue
        lo, hi = starts[k], starts[k + 1]
        alt = alts[k]
        inside = [e for e, dist in zip(entry[lo:hi].tolist(), d[lo:hi].tolist(), strict=True)
                  if dist - margin <= 0]  # fmt: skip
        if inside and alt is None:
            out.append(None)
            continue
        miss: tuple[float, int] | None = None
        for e in inside:
            excess = band_excess(alt, volumes.entries[e][2].altitude, vertical)[0]  # type: ignore[arg-type]
            if excess <= 0:
                miss = None
                break
            if miss is None or (excess, e) < miss:
                miss = (excess, e)
        else:
            if miss is not None:
                notice, vi, volume = volumes.entries[miss[1]]
                excess, note = band_excess(alt, volume.altitude, vertical)  # type: ignore[arg-type]
                out.append(Offence(ConformanceKind.outside_band, notice.id, vi, excess, note))
            else:
                away.append(k)
                out.append(None)
            continue
        out.append(None)
    for k, offence in _nearest_many(volumes, lon, lat, away, active, margin).items():
        out[k] = offence
    return out


_NEAR_REACH = (25_000.0, 50_000.0, 100_000.0, 200_000.0, 400_000.0, 800_000.0, 1_600_000.0)
"""How far around an aircraft the nearest active volume is looked for, in turn (metres)."""
_NEAR_LAT = 80.0


def _nearest_many(
    volumes: NotifiedVolumes,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    away: list[int],
    active: NDArray[np.bool_],
    margin: float,
) -> dict[int, Offence]:
    """:func:`_nearest` for each aircraft of ``away``, first among the active volumes whose box
    meets a box around the aircraft grown by ``R`` (one tree query for all of them), for ``R``
    in :data:`_NEAR_REACH` in turn; then among every active volume.

    A result within ``R`` is exact: a volume whose box (grown by the margin) misses the
    aircraft's box is farther than ``R`` plus the margin (the point on the way to it at the
    margin's distance would be in both boxes), so beyond the best found, and not a tie.  Boxes
    are used only where they are sure: away from the poles and off the antimeridian (a volume's
    box crossing it is in the tree again, shifted)."""
    out: dict[int, Offence] = {}
    todo = away
    for reach in _NEAR_REACH:
        if not todo:
            return out
        boxes = [Shape.point(float(lon[k]), float(lat[k])).bbox(reach) for k in todo]
        sure = [
            i for i, (w, s, e, n) in enumerate(boxes)
            if w >= -180.0 and e <= 180.0 and s > -_NEAR_LAT and n < _NEAR_LAT
        ]  # fmt: skip
        if not sure:
            break
        corners = np.array([boxes[i] for i in sure], np.float64)
        asked, hits = volumes.tree.query(
            shapely.box(corners[:, 0], corners[:, 1], corners[:, 2], corners[:, 3]),
            predicate="intersects",
        )
        entry = volumes.box_entry[hits]
        keep = np.flatnonzero(active[entry])
        keep = keep[np.argsort(asked[keep], kind="stable")]  # by aircraft (a volume may repeat)
        asked, entry = asked[keep], entry[keep]
        cuts = np.searchsorted(asked, np.arange(len(sure) + 1))
        found: set[int] = set()
        for i, at in enumerate(sure):
            near = entry[cuts[i] : cuts[i + 1]]
            if not near.size:
                continue
            k = todo[at]
            offence = _nearest(volumes, float(lon[k]), float(lat[k]), near, margin)
            if offence.distance_m <= reach:
                out[k] = offence
                found.add(k)
        todo = [k for k in todo if k not in found]
    live = np.flatnonzero(active)
    for k in todo:
        out[k] = _nearest(volumes, float(lon[k]), float(lat[k]), live, margin)
    return out


def _nearest(
    volumes: NotifiedVolumes, lon: float, lat: float, live: NDArray[np.intp], margin: float
) -> Offence:
    """``track-outside-volume`` against the nearest active volume (the earlier on a tie).

    Exact distances are taken only for volumes whose lower bound (the ball's, or the meridian
    arc to the outline's latitudes, whichever is larger) does not exceed
    the best distance found so far: circles first and together (one geodesic call), then
    other outlines one at a time in order of their bound, each lowering the bar."""
    p = _ecef(np.array([lon]), np.array([lat]))[0]
    cols = volumes.columns
    ball = np.sqrt(((cols.centre[live] - p) ** 2).sum(axis=1)) - cols.reach[live]
    # Any path between two parallels is at least the meridian arc between them, and a degree
    # of meridian is at least 110,574 m (at the equator).
    band = np.maximum(lat - cols.north[live], cols.south[live] - lat)
    floor = np.maximum(ball, band * _METRES_PER_DEGREE_LAT_MIN) - margin
    circle = volumes.columns.circle[live]
    taken = np.zeros(live.shape[0], bool)
    best = (math.inf, -1)
    first = np.argpartition(floor, 63)[:64] if live.shape[0] > 64 else np.arange(live.shape[0])
    todo = first[circle[first]]
    if not todo.size:
        todo = first[np.argmin(floor[first])][None]
    while todo.size:
        taken[todo] = True
        e = live[todo]
        out = volumes.lateral(e, np.full(e.shape, lon), np.full(e.shape, lat)) - margin
        for ei, o in zip(e.tolist(), out.tolist(), strict=True):
            if (o, ei) < best:
                best = (o, ei)
        open_ = np.flatnonzero((floor <= best[0]) & ~taken)
        ring = open_[circle[open_]]
        todo = ring if ring.size else open_[np.argmin(floor[open_])][None] if open_.size else ring
    notice, vi, _ = volumes.entries[best[1]]
    return Offence(ConformanceKind.outside_volume, notice.id, vi, best[0])
