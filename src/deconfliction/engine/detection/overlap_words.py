"""The words and figures of a ``notice-overlap`` finding.

A check against a dense situation explains dozens of pairs (about 30 a notice at the density
of a million notices over 1,000 km), so what recurs across one notice's findings is said once
and reused: the notice's description and series, each other party's and kind's description,
each set of terms' margins, each time as words and as a timestamp.  Every figure is rounded
with Python's ``round`` (correctly rounded, unlike NumPy's), so the figures are the same
whichever path measured the pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from deconfliction.engine.detection.explain import feet, metres_and_nm, when
from deconfliction.engine.detection.findings import AlertKind, FigureValue, Finding, finding_key
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import VerticalGap
from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.model import Notice, NoticeKind
from deconfliction.engine.times import format_time
from deconfliction.engine.units import FOOT, NAUTICAL_MILE

if TYPE_CHECKING:
    from deconfliction.engine.detection.overlap import OtherVolume, VolumePair

__all__ = ["Words", "describe", "iso_time", "overlap_finding"]

_KIND = AlertKind.notice_overlap


def describe(roster: Roster, n: Notice) -> str:
    """A notice as a duty officer names it: its author, its kind and its id."""
    return f"{roster.name(n.author)} {n.kind.value.replace('_', ' ')} {n.id}"


def iso_time(t: datetime) -> str:
    """:func:`~deconfliction.engine.times.format_time`'s text, several times faster for a UTC
    time (no ``strftime``).

    >>> iso_time(datetime(2026, 11, 24, 9, 59, 10, 5, tzinfo=UTC))
    '2026-11-24T09:59:10.000005Z'
    """
    if t.tzinfo is not UTC or t.year < 1000:
        return format_time(t)
    return (
        f"{t.year}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
        f"{t.second:02d}.{t.microsecond:06d}Z"
    )


class Words:
    """Words and figures that recur across the findings of one notice: its description and
    series, the other notices' authors and kinds, the margins of each set of terms, and the
    times (each said once, reused)."""

    __slots__ = (
        "_authors",
        "_margins",
        "_times",
        "notice",
        "roster",
        "series",
        "series_of",
        "text",
    )

    def __init__(self, notice: Notice, roster: Roster, series_of: Callable[[str], str]) -> None:
        self.notice = notice
        self.roster = roster
        self.series_of = series_of
        self.text = describe(roster, notice)
        self.series = series_of(notice.id)
        self._times: dict[datetime, tuple[str, str]] = {}
        self._margins: dict[int, tuple[PairTerms, str, float, float, str]] = {}
        self._authors: dict[tuple[str, NoticeKind], str] = {}

    def describe(self, other: OtherVolume) -> str:
        """:func:`describe`, its author's name and kind said once per check."""
        key = (other.author, other.kind)
        said = self._authors.get(key)
        if said is None:
            said = self._authors[key] = (
                f"{self.roster.name(other.author)} {other.kind.value.replace('_', ' ')} "
            )
        return said + other.id

    def times(self, t: datetime) -> tuple[str, str]:
        """``t`` as words (:func:`~.explain.when`) and as a timestamp (:func:`iso_time`),
        both worked out at the first asking and then reused."""
        said = self._times.get(t)
        if said is None or t.tzinfo is not UTC:
            # Equal instants in other offsets are written differently: not remembered.
            said = (when(t), iso_time(t))
            if t.tzinfo is UTC:
                self._times[t] = said
        return said

    def margins(self, terms: PairTerms) -> tuple[str, float, float, str]:
        """The closing sentence and the margin figures of ``terms``."""
        known = self._margins.get(id(terms))
        if known is None or known[0] is not terms:
            sentence = (
                f"Margins under {', '.join(terms.agreements)}: {terms.lateral} laterally, "
                f"{terms.vertical} vertically"
                + (f", {terms.time} in time." if terms.time_s else ".")
            )
            known = self._margins[id(terms)] = (
                terms,
                sentence,
                round(terms.lateral_m, 1),
                round(terms.vertical_m / FOOT, 1),
                ",".join(terms.agreements),
            )
        return known[1:]


def _vertical(vertical: VerticalGap) -> tuple[str, float | None]:
    """The vertical gap in words, and in feet (None when not assessed or unbounded)."""
    if not vertical.assessed:
        return f"vertically {vertical.note}", None
    if vertical.gap_m < 0:
        depth = -vertical.gap_m
        if math.isinf(depth):
            text, ft = "their altitude bands overlap", None
        else:
            text, ft = f"their altitude bands overlap by {feet(depth)}", round(-depth / FOOT, 1)
    else:
        text = f"their altitude bands are {feet(vertical.gap_m)} apart"
        ft = round(vertical.gap_m / FOOT, 1)
    if vertical.note:
        text += f" ({vertical.note})"
    return text, ft


def overlap_finding(words: Words, pair: VolumePair) -> Finding:
    """The finding of one measured pair (the worst of its two notices)."""
    notice = words.notice
    other = pair.other
    sep = pair.lateral
    assert sep is not None
    distance = sep.distance
    v = notice.volumes[pair.volume].window
    lateral_text = (
        "their outlines overlap"
        if sep.overlap
        else f"their outlines come within {metres_and_nm(distance)}"
    )
    vertical_text, vertical_ft = _vertical(pair.vertical)
    start = v.start if v.start >= other.start else other.start
    end = v.end if v.end <= other.end else other.end
    gap_s = pair.gap_s
    both = gap_s < 0
    start_words, start_iso = words.times(start)
    end_words, end_iso = words.times(end)
    if both:
        time_text = f"both active from {start_words} to {end_words}"
    else:
        time_text = f"{gap_s / 60:.0f} min apart in time ({end_words} to {start_words})"
    sentence, margin_m, margin_ft, agreements = words.margins(pair.terms)
    explanation = (
        f"{words.text} and {words.describe(other)}: {lateral_text} near "
        f"{format_position(sep.lon, sep.lat)}, {vertical_text}, {time_text}. {sentence}"
    )
    mine = words.series
    theirs = words.series_of(other.id)
    figures: dict[str, FigureValue] = {
        "lateral_separation_m": round(distance, 1),
        "lateral_separation_nm": round(distance / NAUTICAL_MILE, 3),
        "outlines_overlap": int(sep.overlap),
        "vertical_separation_ft": vertical_ft,
        "vertical_assessed": int(pair.vertical.assessed),
        "overlap_start": start_iso if both else None,
        "overlap_end": end_iso if both else None,
        "time_gap_s": round(gap_s, 1),
        "margin_lateral_m": margin_m,
        "margin_vertical_ft": margin_ft,
        "near_lat": round(sep.lat, 5),
        "near_lon": round(sep.lon, 5),
        "agreements": agreements,
    }
    return Finding(
        kind=_KIND,
        key=finding_key(_KIND, mine, theirs)
        if mine <= theirs
        else finding_key(_KIND, theirs, mine),
        parties=pair.informed,
        subjects=(notice.id, other.id) if notice.id <= other.id else (other.id, notice.id),
        explanation=explanation,
        raised_at=notice.filed_at,
        figures=figures,
    )
