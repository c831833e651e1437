"""The report's map and charts, drawn with matplotlib as SVG, the same bytes every time.

No wall clock and no random ids: the SVG's date is left out and its ids are salted with the
tree head's root, text is drawn as paths in the DejaVu Sans shipped with matplotlib (no system
font is looked up).  The map is a plain longitude-latitude plot at the true aspect of its
middle latitude -- lines, zone bands, red lines, sites, violations, notices active in the day --
with no tiles or basemap: nothing is fetched.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from deconfliction.engine.detection.red_lines import compile_red_line
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.model import Line, ZoneAgreement
from deconfliction.engine.model.red_lines import RedLine
from deconfliction.engine.reports.daily import DailyReport, Histogram, LatencySeries, Records
from deconfliction.engine.units import format_duration

__all__ = ["ack_latency_chart", "lead_time_chart", "map_chart", "violations_chart"]

_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
}
MAX_NOTICES_DRAWN = 2000
"""Notices drawn on the map at most (the busiest days draw the first, in filing order; the
caption says how many were left out)."""
MAX_MARKERS_DRAWN = 2500
"""Observations in zone violations (and, apart, in red-line crossings) marked on the map at
most: the busiest days mark an even sample across the day; the caption says how many were
marked of how many, and the report's figures count every one."""
MAX_LATENCY_MARKERS = 200
"""Markers on each recipient's latency curve at most (the curve itself has every point)."""


class MapCounts(NamedTuple):
    """How much of what the map shows was drawn."""

    notices_left_out: int
    observed: dict[str, tuple[int, int]]
    """Alert kind -> (observations marked, observations in the day's alerts of that kind)."""


@contextmanager
def _figure(salt: str, width: float, height: float) -> Iterator[Any]:
    import matplotlib  # the report only: other commands should not pay for importing it
    from matplotlib.figure import Figure

    style: Any = {**_STYLE, "svg.hashsalt": salt}
    with matplotlib.rc_context(style):
        yield Figure(figsize=(width, height), layout="constrained")


def _svg(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _bin_labels(edges: Sequence[float]) -> list[str]:
    labels = [f"< {format_duration(edges[0])}" if edges[0] else "after start"]
    for low, high in itertools.pairwise(edges):
        labels.append(f"{format_duration(low) if low else '0'}–{format_duration(high)}")
    labels.append(f"≥ {format_duration(edges[-1])}")
    return labels


def lead_time_chart(histogram: Histogram, salt: str) -> bytes:
    """Bars of lead times per bin, with each agreed minimum marked at its place."""
    labels = _bin_labels(histogram.edges_s)
    with _figure(salt, 7.0, 2.8) as fig:
        ax = fig.add_subplot()
        ax.bar(range(len(labels)), histogram.counts, color="#4a6fa5")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_ylabel("notices filed")
        edges = histogram.edges_s
        colours = ("#c0392b", "#d35400", "#16a085", "#8e44ad", "#2c3e50", "#7f8c8d")
        for k, (agreement, kind, seconds) in enumerate(histogram.minimums):
            # The mark stands between bins, proportionally inside the bin that holds it.
            slot = sum(1 for e in edges if seconds >= e)
            low = edges[slot - 1] if slot > 0 else 0.0
            high = edges[slot] if slot < len(edges) else low * 2 or 1.0
            x = slot - 0.5 + (seconds - low) / (high - low) if high > low else slot - 0.5
            ax.axvline(
                x,
                color=colours[k % len(colours)],
                linewidth=0.9,
                linestyle=(0, (4, 2 + k % 3)),
                label=f"{kind.replace('_', ' ')} ({agreement}): {format_duration(seconds)}",
            )
        ax.yaxis.get_major_locator().set_params(integer=True)
        if histogram.minimums:
            ax.legend(
                title="agreed minimum",
                fontsize=6.5,
                title_fontsize=7,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
            )
        ax.set_title("Lead time of the notices filed, against the agreed minimums", loc="left")
        return _svg(fig)


def ack_latency_chart(series: Sequence[LatencySeries], salt: str) -> bytes:
    """The share of deliveries acknowledged within each time, per recipient (a CDF)."""
    with _figure(salt, 7.0, 2.8) as fig:
        ax = fig.add_subplot()
        drawn = 0
        longest = 60.0
        for s in series:
            if not s.latencies_s:
                continue
            xs = [max(v, 1.0) for v in s.latencies_s]
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            ax.step(
                [xs[0], *xs],
                [0.0, *ys],
                where="post",
                marker="o",
                markersize=3,
                markevery=max(1, -(-(len(xs) + 1) // MAX_LATENCY_MARKERS)),
                label=f"{s.party} ({len(xs)})",
            )
            longest = max(longest, xs[-1])
            drawn += 1
        ax.set_xscale("log")
        ax.set_xlim(1.0, longest * 3)
        ax.set_xlabel("seconds from delivery to acknowledgement (log scale)")
        ax.set_ylabel("share acknowledged")
        ax.set_ylim(0, 1.02)
        if drawn:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=7,
                title="recipient (acknowledged)",
            )
        else:
            ax.text(
                0.5, 0.5, "no acknowledgement due this day", ha="center", transform=ax.transAxes
            )
        ax.set_title("Acknowledgement latency by recipient", loc="left")
        return _svg(fig)


def violations_chart(report: DailyReport, salt: str) -> bytes:
    with _figure(salt, 7.0, 2.2) as fig:
        ax = fig.add_subplot()
        ax.bar(range(24), [f.value for f in report.violations_by_hour], color="#8e44ad")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
        ax.set_xlabel("hour (UTC)")
        ax.set_ylabel("violations")
        ax.set_title("Zone violations observed, by hour", loc="left")
        return _svg(fig)


def _rings(coordinates: list[list[list[list[float]]]]) -> Iterator[tuple[list[float], list[float]]]:
    for polygon in coordinates:
        for ring in polygon:
            yield [p[0] for p in ring], [p[1] for p in ring]


def map_chart(report: DailyReport, records: Records, salt: str) -> tuple[bytes, MapCounts]:
    """The map, and how much of what it shows was drawn (notices, violations, crossings)."""
    lines = {lid: Line.model_validate(item) for lid, (_, item) in records.items["line"].items()}
    with _figure(salt, 7.0, 6.0) as fig:
        ax = fig.add_subplot()
        lats: list[float] = []
        for line in lines.values():
            xs = [p.lon for p in line.vertices]
            ys = [p.lat for p in line.vertices]
            lats.extend(ys)
            ax.plot(xs, ys, color="black", linewidth=1.2, zorder=5)
            ax.annotate(line.name, (xs[0], ys[0]), fontsize=7, zorder=6)
        for _, item in records.items["zone"].values():
            zone = ZoneAgreement.model_validate(item)
            if zone.ended:
                continue
            try:
                area = compile_area(zone, lines)
            except InvalidInput:
                continue
            for xs, ys in _rings(area.render()):
                ax.fill(xs, ys, facecolor="#f5d76e", alpha=0.12, edgecolor="#b7950b", linewidth=0.4)
        for _, item in records.items["red_line"].values():
            red_line = RedLine.model_validate(item)
            if red_line.ended:
                continue
            try:
                area = compile_red_line(red_line, lines, Roster()).zone.area
            except InvalidInput:
                continue
            for xs, ys in _rings(area.render()):
                ax.plot(xs, ys, color="#c0392b", linewidth=0.8, linestyle="--")
        left_out = _draw_notices(ax, report, records)
        points = [
            item["location"]["position"]
            for _, item in records.items["site"].values()
            if item["location"]["type"] == "point"
        ]
        if points:
            ax.plot(
                *zip(*points, strict=True),
                linestyle="none",
                marker="P",
                color="#27ae60",
                markersize=6,
                zorder=7,
            )
        observed = _observed_markers(ax, report, records)
        if lats:
            middle = sum(lats) / len(lats)
            ax.set_aspect(1.0 / math.cos(math.radians(middle)))
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")

        return _svg(fig), MapCounts(left_out, observed)


def _opened_alerts(
    records: Records, report: DailyReport, kind: str
) -> Iterator[tuple[str, tuple[Any, dict[str, Any]]]]:
    cited = set(report.map_entries)
    for _, entry, alert in records.opened:
        if alert["kind"] == kind and entry.index in cited:
            yield alert["id"], (entry, alert)


def _draw_notices(ax: Any, report: DailyReport, records: Records) -> int:
    """Draw the notices active in the day (at most :data:`MAX_NOTICES_DRAWN`), each kind of
    outline in one collection; returns how many were left out."""
    from matplotlib.collections import LineCollection

    cited = set(report.map_entries)
    active = [n for i, n in records.notices if i in cited]
    outlines = [v["outline"] for n in active[:MAX_NOTICES_DRAWN] for v in n.get("volumes", [])]
    rings = [[*o["vertices"], o["vertices"][0]] for o in outlines if o["type"] == "polygon"]
    routes = [o["route"] for o in outlines if o["type"] == "corridor"]
    centres = [o["center"] for o in outlines if o["type"] == "circle"]
    if rings:
        ax.add_collection(LineCollection(rings, colors="#2e86c1", linewidths=0.6, alpha=0.7))
    if routes:
        ax.add_collection(LineCollection(routes, colors="#2e86c1", linewidths=1.6, alpha=0.5))
    if centres:
        ax.plot(
            *zip(*centres, strict=True),
            linestyle="none",
            marker="o",
            color="#2e86c1",
            markersize=3,
            alpha=0.6,
        )
    return max(0, len(active) - MAX_NOTICES_DRAWN)


_MARKS: tuple[tuple[str, str, float], ...] = (
    ("zone-violation", "#8e44ad", 0.9),
    ("red-line", "#c0392b", 1.6),
)
"""Alert kinds marked on the map (a cross at each observation): colour, line width."""


def _observed_markers(ax: Any, report: DailyReport, records: Records) -> dict[str, tuple[int, int]]:
    """Mark the observations of the day's violations and crossings, each kind as one path of
    crosses (a marker element each would make the busiest day's SVG megabytes of elements),
    at most :data:`MAX_MARKERS_DRAWN` of each kind; (drawn, of) by kind."""
    observations = records.items["observation"]
    counts: dict[str, tuple[int, int]] = {}
    seen_by_kind = {
        kind: [
            observations[subject][1]["position"]
            for _, (_, alert) in _opened_alerts(records, report, kind)
            for subject in alert["subjects"]
            if subject in observations
        ]
        for kind, _, _ in _MARKS
    }
    everything = [p for seen in seen_by_kind.values() for p in seen]
    if not everything:
        return {kind: (0, 0) for kind, _, _ in _MARKS}
    ax.update_datalim(everything)
    limits = ax.dataLim
    # A cross of about 1/200 of the map, as wide as high at the map's middle latitude.
    half = max(limits.width, limits.height, 0.01) / 200
    squash = math.cos(math.radians((limits.y0 + limits.y1) / 2))
    for kind, colour, width in _MARKS:
        seen = seen_by_kind[kind]
        step = -(-len(seen) // MAX_MARKERS_DRAWN) if seen else 1
        drawn = seen[::step]
        counts[kind] = (len(drawn), len(seen))
        if not drawn:
            continue
        xs: list[float] = []
        ys: list[float] = []
        dx = half / squash
        for lon, lat in drawn:
            xs += [lon - dx, lon + dx, math.nan, lon - dx, lon + dx, math.nan]
            ys += [lat - half, lat + half, math.nan, lat + half, lat - half, math.nan]
        ax.plot(xs, ys, color=colour, linewidth=width, zorder=8, solid_capstyle="butt")
    return counts
