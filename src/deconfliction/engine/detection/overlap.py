"""``notice-overlap``: volumes of different parties that come within their agreement's margins.

Two volumes conflict when, all at once, their outlines come closer than the lateral margin,
their altitude bands closer than the vertical margin, and their windows closer than the time
margin (with no time margin, the windows must overlap; a window that ends as the other starts
does not).  The margins are those of the agreements binding the two authors, the most
protective of each when several do.  A pair of notices gives one finding, for its closest pair
of volumes, sent to each author that may see the other's notice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.findings import Finding
from deconfliction.engine.detection.overlap_words import Words, overlap_finding
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import (
    AGL_BOUND,
    MSL_BOUND,
    ROUNDING,
    VerticalGap,
    band_terms,
    exactly_closer,
    gap_between,
)
from deconfliction.engine.geodesy.shapes import Separation, Shape, separations
from deconfliction.engine.model import AltitudeBand, Notice, NoticeKind, TimeWindow

__all__ = [
    "CandidateVolumes",
    "VolumePair",
    "epoch_us",
    "findings_of",
    "notice_overlaps",
    "overlaps_among",
    "time_gap",
    "vertically_near",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EXACT = 2**53
"""Integers below this are exact as doubles."""


def time_gap(a: TimeWindow, b: TimeWindow) -> float:
    """Seconds between two windows: positive when apart, negative for the length of their
    overlap."""
    return (max(a.start, b.start) - min(a.end, b.end)).total_seconds()


def epoch_us(t: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exactly.

    >>> epoch_us(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC))
    1000005
    """
    return (t - _EPOCH) // _MICROSECOND


IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CandidateVolumes:
    """The volumes of candidate notices as columns, one row per volume, rows in the order of
    ``notices`` and then of the volumes in each notice.

    ``owner`` is the row's index in ``notices``, ``volume`` its index among the notice's
    volumes; windows are in microseconds since the epoch (:func:`epoch_us`) and bands as
    :func:`~.vertical.band_terms` gives them.  A store of many notices can keep these numbers
    (and the outlines) next to its index and pass them without touching a Python object per
    volume.
    """

    notices: Sequence[Notice]
    owner: IntArray
    volume: IntArray
    start_us: IntArray
    end_us: IntArray
    lower_m: FloatArray
    upper_m: FloatArray
    datums: IntArray
    shapes: Sequence[Shape] | None = None
    """The rows' outlines, when the caller has them at hand (else read from ``notices``)."""

    @classmethod
    def of(cls, notices: Sequence[Notice]) -> CandidateVolumes:
        """The table of the given notices' volumes."""
        rows = [
            (i, j, epoch_us(v.window.start), epoch_us(v.window.end), *band_terms(v.altitude))
            for i, n in enumerate(notices)
            for j, v in enumerate(n.volumes)
        ]
        if not rows:
            empty = np.empty(0, np.int64)
            return cls(notices, empty, empty, empty, empty, np.empty(0), np.empty(0), empty)
        owner, volume, start, end, lower, upper, datums = zip(*rows, strict=True)
        return cls(
            notices,
            np.array(owner, np.int64),
            np.array(volume, np.int64),
            np.array(start, np.int64),
            np.array(end, np.int64),
            np.array(lower, np.float64),
            np.array(upper, np.float64),
            np.array(datums, np.int64),
        )


@dataclass(slots=True)
class VolumePair:
    """A volume of the notice checked (``volume``) and one of ``other``'s, close enough in
    time and altitude to be measured laterally; ``lateral`` once measured."""

    other: Notice
    terms: PairTerms
    informed: tuple[str, ...]
    volume: int
    other_volume: int
    gap_s: float
    vertical: VerticalGap
    shape: Shape
    lateral: Separation | None = None


def notice_overlaps(
    notice: Notice,
    candidates: Sequence[Notice],
    roster: Roster,
    series_of: Callable[[str], str],
) -> list[Finding]:
    """Findings for ``notice`` against current notices of other parties."""
    return overlaps_among(notice, CandidateVolumes.of(candidates), roster, series_of)


def overlaps_among(
    notice: Notice,
    candidates: CandidateVolumes,
    roster: Roster,
    series_of: Callable[[str], str],
) -> list[Finding]:
    """:func:`notice_overlaps` over candidates given as a :class:`CandidateVolumes` table."""
    return findings_of(notice, _pending(notice, candidates, roster), roster, series_of)


def findings_of(
    notice: Notice,
    pending: list[VolumePair],
    roster: Roster,
    series_of: Callable[[str], str],
) -> list[Finding]:
    """The findings of the pairs screened in time and altitude: each probe volume's pairs are
    measured together (one frame, in the order given: a caller that wants the same figures
    to the centimetre passes the same pairs in the same order), and each other notice gives
    one finding, for its worst pair within the lateral margin."""
    if not pending:
        return []
    for vi, volume in enumerate(notice.volumes):
        mine = [p for p in pending if p.volume == vi]
        if not mine:
            continue
        seps = separations(
            volume.outline.shape, [p.shape for p in mine], [p.terms.lateral_m for p in mine]
        )
        for pair, found in zip(mine, seps, strict=True):
            pair.lateral = found
    worst: dict[str, VolumePair] = {}
    for pair in pending:
        sep = pair.lateral
        assert sep is not None
        if not (sep.overlap or sep.distance < pair.terms.lateral_m):
            continue
        best = worst.get(pair.other.id)
        first = series_of(notice.id) < series_of(pair.other.id)
        if best is None or _severity(pair, first) < _severity(best, first):
            worst[pair.other.id] = pair
    words = Words(notice, roster, series_of)
    return [overlap_finding(words, pair) for _, pair in sorted(worst.items())]


def _pending(notice: Notice, table: CandidateVolumes, roster: Roster) -> list[VolumePair]:
    """Pairs of volumes (of ``notice`` and of a candidate) close enough in time and altitude
    to be measured laterally, by candidate, then volume of ``notice``, then candidate volume.

    The agreement terms and who is informed depend only on the other notice's author and
    kind: they are asked once per author (and kind), then the time and vertical tests run
    over every candidate volume at once, in the same arithmetic as :func:`time_gap` (exact
    microseconds) and :func:`~.vertical.gap_between`.
    """
    others = table.notices
    if not others or not table.owner.size:
        return []
    audience = roster.notice_audience(notice)
    # Candidates by (author, kind): terms and who is informed are asked once per group.
    groups: dict[tuple[str, NoticeKind], int] = {}
    group = np.array([groups.setdefault((o.author, o.kind), len(groups)) for o in others], np.int64)
    allowed = np.zeros(len(groups), bool)
    time_us = np.zeros(len(groups), np.int64)
    vertical_m = np.zeros(len(groups))
    terms_by: list[PairTerms | None] = []
    informed_by: list[tuple[str, ...]] = []
    terms_of: dict[str, PairTerms | None] = {}
    for g, (author, kind) in enumerate(groups):
        if author in terms_of:
            terms = terms_of[author]
        else:
            terms = terms_of[author] = (
                None if author == notice.author else roster.terms(notice.author, author)
            )
        seen_by = {author} | roster.addressees(author, kind)
        informed = tuple(
            sorted(
                ({notice.author} if notice.author in seen_by else set())
                | ({author} if author in audience else set())
            )
        )
        terms_by.append(terms)
        informed_by.append(informed)
        if terms is not None and informed:
            allowed[g] = True
            time_us[g] = terms.time.exact_microseconds
            vertical_m[g] = terms.vertical_m
    owner = table.owner
    row_group = group[owner]
    rows_allowed = allowed[row_group]
    if notice.id in {o.id for o in others}:
        rows_allowed &= np.array([o.id != notice.id for o in others])[owner]
    if not rows_allowed.any():
        return []
    time_limit = time_us[row_group]
    vertical_limit = vertical_m[row_group]
    found: list[tuple[int, int, int, int, float, float]] = []
    for vi, v in enumerate(notice.volumes):
        gap_us = np.maximum(epoch_us(v.window.start), table.start_us) - np.minimum(
            epoch_us(v.window.end), table.end_us
        )
        gap_s = gap_us / 1e6
        if np.abs(gap_us).max() >= _EXACT:  # beyond 285 years, divide exact integers in Python
            far = np.abs(gap_us) >= _EXACT
            gap_s[far] = [int(g) / 10**6 for g in gap_us[far].tolist()]
        lower, upper, datums = band_terms(v.altitude)
        both = (table.datums | datums) & (AGL_BOUND | MSL_BOUND) == AGL_BOUND | MSL_BOUND
        lo = np.maximum(lower, table.lower_m)
        hi = np.minimum(upper, table.upper_m)
        # A superset of the pairs within the margin: those within its rounding are decided
        # exactly below (closer_than).
        rounding = ROUNDING * (np.abs(lo) + np.abs(hi) + vertical_limit)
        near = np.flatnonzero(
            rows_allowed & (gap_us < time_limit) & (both | (lo - hi < vertical_limit + rounding))
        )
        found.extend(
            zip(
                owner[near].tolist(),
                [vi] * near.shape[0],
                table.volume[near].tolist(),
                near.tolist(),
                gap_s[near].tolist(),
                rounding[near].tolist(),
                strict=True,
            )
        )
    found.sort()
    mine = [band_terms(v.altitude) for v in notice.volumes]
    rows = [f[3] for f in found]
    theirs = zip(
        table.lower_m[rows].tolist(),
        table.upper_m[rows].tolist(),
        table.datums[rows].tolist(),
        strict=True,
    )
    shapes = table.shapes
    pending = []
    for (i, vi, wi, row, gap, rounded), band in zip(found, theirs, strict=True):
        g = int(group[i])
        terms = terms_by[g]
        assert terms is not None
        vgap = gap_between(mine[vi], band)
        other = others[i]
        if not vertically_near(
            vgap, terms, rounded, notice.volumes[vi].altitude, other.volumes[wi].altitude
        ):
            continue
        shape = other.volumes[wi].outline.shape if shapes is None else shapes[row]
        pending.append(VolumePair(other, terms, informed_by[g], vi, wi, gap, vgap, shape))
    return pending


def vertically_near(
    vgap: VerticalGap, terms: PairTerms, rounded: float, mine: AltitudeBand, theirs: AltitudeBand
) -> bool:
    """Whether two bands ``vgap`` apart are closer than the vertical margin of ``terms``:
    the floats decide outside ``rounded`` of the margin; within it, the bands as written
    (:func:`~.vertical.exactly_closer`)."""
    return not (
        vgap.gap_m >= terms.vertical_m - rounded
        and (
            vgap.gap_m > terms.vertical_m + rounded
            or not exactly_closer(mine, theirs, terms.vertical)
        )
    )


def _severity(pair: VolumePair, notice_first: bool) -> tuple[float, float, float, tuple[int, int]]:
    """Closest first; equally close pairs of volumes are told apart by their indices, taken in
    the order of the two series, so that the same pair is reported whichever was filed first."""
    assert pair.lateral is not None
    lateral = -1.0 if pair.lateral.overlap else pair.lateral.distance
    volumes = (pair.volume, pair.other_volume) if notice_first else (pair.other_volume, pair.volume)
    return (lateral, pair.vertical.gap_m, pair.gap_s, volumes)
