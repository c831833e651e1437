"""``notice-overlap``: volumes of different parties that come within their agreement's margins.

Two volumes conflict when, all at once, their outlines come closer than the lateral margin,
their altitude bands closer than the vertical margin, and their windows closer than the time
margin (with no time margin, the windows must overlap; a window that ends as the other starts
does not).  The margins are those of the agreements binding the two authors, the most
protective of each when several do.  A pair of notices gives one finding, for its closest pair
of volumes, sent to each author that may see the other's notice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deconfliction.engine.detection.explain import feet, metres_and_nm, when
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import VerticalGap, vertical_gap
from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.geodesy.shapes import Separation, separations
from deconfliction.engine.model import Notice, TimeWindow
from deconfliction.engine.units import FOOT, NAUTICAL_MILE

__all__ = ["notice_overlaps", "time_gap"]


def time_gap(a: TimeWindow, b: TimeWindow) -> float:
    """Seconds between two windows: positive when apart, negative for the length of their
    overlap."""
    return (max(a.start, b.start) - min(a.end, b.end)).total_seconds()


@dataclass(slots=True)
class _Pair:
    other: Notice
    terms: PairTerms
    informed: tuple[str, ...]
    volume: int
    other_volume: int
    gap_s: float
    vertical: VerticalGap
    lateral: Separation | None = None


def notice_overlaps(
    notice: Notice,
    candidates: Sequence[Notice],
    roster: Roster,
    series_of: Callable[[str], str],
) -> list[Finding]:
    """Findings for ``notice`` against current notices of other parties."""
    audience = roster.notice_audience(notice)
    pending: list[_Pair] = []
    for other in candidates:
        if other.author == notice.author or other.id == notice.id:
            continue
        terms = roster.terms(notice.author, other.author)
        if terms is None:
            continue
        informed = tuple(
            sorted(
                ({notice.author} if notice.author in roster.notice_audience(other) else set())
                | ({other.author} if other.author in audience else set())
            )
        )
        if not informed:
            continue
        for vi, v in enumerate(notice.volumes):
            for wi, w in enumerate(other.volumes):
                gap_s = time_gap(v.window, w.window)
                if gap_s >= terms.time_s:
                    continue
                vgap = vertical_gap(v.altitude, w.altitude)
                if vgap.gap_m >= terms.vertical_m:
                    continue
                pending.append(_Pair(other, terms, informed, vi, wi, gap_s, vgap))
    if not pending:
        return []
    for vi, volume in enumerate(notice.volumes):
        mine = [p for p in pending if p.volume == vi]
        if not mine:
            continue
        seps = separations(
            volume.outline.shape, [p.other.volumes[p.other_volume].outline.shape for p in mine]
        )
        for pair, found in zip(mine, seps, strict=True):
            pair.lateral = found
    worst: dict[str, _Pair] = {}
    for pair in pending:
        sep = pair.lateral
        assert sep is not None
        if not (sep.overlap or sep.distance < pair.terms.lateral_m):
            continue
        best = worst.get(pair.other.id)
        if best is None or _severity(pair) < _severity(best):
            worst[pair.other.id] = pair
    return [_finding(notice, pair, roster, series_of) for _, pair in sorted(worst.items())]


def _severity(pair: _Pair) -> tuple[float, float, float]:
    assert pair.lateral is not None
    lateral = -1.0 if pair.lateral.overlap else pair.lateral.distance
    return (lateral, pair.vertical.gap_m, pair.gap_s)


def _describe(roster: Roster, n: Notice) -> str:
    return f"{roster.name(n.author)} {n.kind.value.replace('_', ' ')} {n.id}"


def _finding(
    notice: Notice, pair: _Pair, roster: Roster, series_of: Callable[[str], str]
) -> Finding:
    other = pair.other
    sep = pair.lateral
    assert sep is not None
    v = notice.volumes[pair.volume]
    w = other.volumes[pair.other_volume]
    lateral_text = (
        "their outlines overlap"
        if sep.overlap
        else f"their outlines come within {metres_and_nm(sep.distance)}"
    )
    if not pair.vertical.assessed:
        vertical_text = f"vertically {pair.vertical.note}"
        vertical_ft: float | None = None
    elif pair.vertical.gap_m < 0:
        depth = -pair.vertical.gap_m
        vertical_text = (
            "their altitude bands overlap"
            if math.isinf(depth)
            else f"their altitude bands overlap by {feet(depth)}"
        )
        vertical_ft = None if math.isinf(depth) else round(-depth / FOOT, 1)
    else:
        vertical_text = f"their altitude bands are {feet(pair.vertical.gap_m)} apart"
        vertical_ft = round(pair.vertical.gap_m / FOOT, 1)
    if pair.vertical.assessed and pair.vertical.note:
        vertical_text += f" ({pair.vertical.note})"
    start = max(v.window.start, w.window.start)
    end = min(v.window.end, w.window.end)
    if pair.gap_s < 0:
        time_text = f"both active from {when(start)} to {when(end)}"
    else:
        time_text = f"{pair.gap_s / 60:.0f} min apart in time ({when(end)} to {when(start)})"
    terms = pair.terms
    explanation = (
        f"{_describe(roster, notice)} and {_describe(roster, other)}: {lateral_text} near "
        f"{format_position(sep.lon, sep.lat)}, {vertical_text}, {time_text}. "
        f"Margins under {', '.join(terms.agreements)}: {terms.lateral} laterally, "
        f"{terms.vertical} vertically" + (f", {terms.time} in time." if terms.time_s else ".")
    )
    series = sorted((series_of(notice.id), series_of(other.id)))
    figures: dict[str, float | int | str | None] = {
        "lateral_separation_m": round(sep.distance, 1),
        "lateral_separation_nm": round(sep.distance / NAUTICAL_MILE, 3),
        "outlines_overlap": int(sep.overlap),
        "vertical_separation_ft": vertical_ft,
        "vertical_assessed": int(pair.vertical.assessed),
        "overlap_start": start.isoformat() if pair.gap_s < 0 else None,
        "overlap_end": end.isoformat() if pair.gap_s < 0 else None,
        "time_gap_s": round(pair.gap_s, 1),
        "margin_lateral_m": round(terms.lateral_m, 1),
        "margin_vertical_ft": round(terms.vertical_m / FOOT, 1),
        "near_lat": round(sep.lat, 5),
        "near_lon": round(sep.lon, 5),
        "agreements": ",".join(terms.agreements),
    }
    return Finding(
        kind=AlertKind.notice_overlap,
        key=finding_key(AlertKind.notice_overlap, *series),
        parties=pair.informed,
        subjects=tuple(sorted((notice.id, other.id))),
        explanation=explanation,
        raised_at=notice.filed_at,
        figures=figures,
    )
