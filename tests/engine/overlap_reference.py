"""An independent reference for the bulk screen of ``detection/screen.py``: the time and
altitude tests over a table whose every row carries its notice, the agreement terms grouped
by walking the candidate notices (the engine's path before the screen read the index's
columns).  ``test_screen_reference.py`` checks that the screen finds the same findings, with
the same figures and words; the lateral measure and the words are the engine's
(``findings_of``), each checked against its own references elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.findings import Finding
from deconfliction.engine.detection.overlap import (
    OtherVolume,
    VolumePair,
    epoch_us,
    findings_of,
    vertically_near,
)
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import (
    AGL_BOUND,
    MSL_BOUND,
    ROUNDING,
    band_terms,
    gap_between,
)
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.model import Notice, NoticeKind
from deconfliction.engine.situation.notices import NoticeBook

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
_EXACT = 2**53


def candidates(book: NoticeBook, notice: Notice, series: str, roster: Roster) -> list[Notice]:
    """The current notices the index finds near ``notice``, in the screen's order (by the
    first index slot of their series)."""
    found = book.candidate_series(notice, series, roster)
    return sorted(found, key=lambda n: min(book.index.slots_of(book.series_of(n.id))))


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
    return findings_of(notice, pending_pairs(notice, candidates, roster), roster, series_of)


def pending_pairs(notice: Notice, table: CandidateVolumes, roster: Roster) -> list[VolumePair]:
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
        theirs = other.volumes[wi]
        if not vertically_near(
            vgap, terms, rounded, notice.volumes[vi].altitude, lambda v=theirs: v.altitude
        ):
            continue
        shape = theirs.outline.shape if shapes is None else shapes[row]
        told = OtherVolume(
            other.id,
            other.author,
            other.kind,
            theirs.window.start,
            theirs.window.end,
            lambda v=theirs: v.altitude,
        )
        pending.append(VolumePair(told, terms, informed_by[g], vi, wi, gap, vgap, shape))
    return pending
