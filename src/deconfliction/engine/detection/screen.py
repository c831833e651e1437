"""``notice-overlap`` screened in bulk over columns, with no Python object touched for a volume
that fails the time or altitude test, and none made per pair.

The index hands over numbers only (:class:`VolumeRows`: window in exact microseconds, band,
author and kind as codes, the position of the row's notice among the candidates), the
agreement terms of every (author, kind) code come from one remembered table, the time and
altitude tests run over the columns (a vertical margin met to the rounding decided in whole
ticks where the bounds allow, :func:`~.vertical.exact_bits`), the pairs that pass are measured
laterally in bulk (:func:`~.shapes.separation_columns`), and the worst pair of each other
notice is chosen by one ``lexsort``.  The answer is columns (:class:`~.conflicts.OverlapConflicts`),
whose findings are made when asked.

``tests/engine/overlap_reference.py`` keeps an independent reference (a table whose every row
carries its notice, the terms grouped by walking the notices, then the per-pair
:func:`~.overlap.findings_of`), and ``tests/engine`` checks that both give the same findings,
figures and words: the pairs are measured in the reference's order (by candidate notice, then
volume checked, then candidate volume), so that every separation is measured in the same
frame, to the last digit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.conflicts import OverlapConflicts
from deconfliction.engine.detection.findings import Finding
from deconfliction.engine.detection.overlap import OtherVolume, epoch_us
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.terms_table import terms_table
from deconfliction.engine.detection.vertical import (
    AGL_BOUND,
    EXACT_LOWER,
    EXACT_UPPER,
    MSL_BOUND,
    ROUNDING,
    TICKS,
    BandTerms,
    band_terms,
    exact_bits,
    exactly_closer,
)
from deconfliction.engine.geodesy.gathered import ShapeColumns
from deconfliction.engine.geodesy.shapes import Shape, separation_columns
from deconfliction.engine.model import Notice, NoticeKind

__all__ = ["VolumeRows", "overlap_conflicts", "screen_overlaps"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_EXACT = 2**53


@dataclass(frozen=True, slots=True)
class VolumeRows:
    """Candidate volumes as columns, one row per volume, ordered by notice (the notices by
    their first index slot) and then by volume.  ``owner`` numbers the rows' notices in that
    order; windows are exact microseconds since the epoch; ``party`` and ``kind`` are codes
    into ``parties`` and ``kinds``; ``shapes(rows)`` gives some rows' outlines (as
    :class:`~deconfliction.engine.geodesy.gathered.ShapeColumns` from the index's flat
    store, each ``Shape`` fetched only when a pair asks for it), ``ids(rows)`` their
    notices' ids, and ``items(rows)``
    what a finding says of their notices, with their outlines (asked when words are
    written, and for a band at an exact vertical margin); ``own`` marks the rows of the
    notice checked itself, if it is current in another series."""

    owner: IntArray
    volume: IntArray
    start_us: IntArray
    end_us: IntArray
    lower_m: FloatArray
    upper_m: FloatArray
    datums: IntArray
    party: IntArray
    kind: IntArray
    parties: Sequence[str]
    kinds: Sequence[NoticeKind]
    items: Callable[[IntArray], list[tuple[OtherVolume, Shape]]]
    shapes: Callable[[IntArray], Sequence[Shape]]
    ids: Callable[[IntArray], list[str]]
    own: BoolArray


def screen_overlaps(
    notice: Notice, rows: VolumeRows, roster: Roster, series_of: Callable[[str], str]
) -> list[Finding]:
    """The ``notice-overlap`` findings of ``notice`` against ``rows`` (see the module)."""
    return overlap_conflicts(notice, rows, roster, series_of).findings()


def overlap_conflicts(
    notice: Notice, rows: VolumeRows, roster: Roster, series_of: Callable[[str], str]
) -> OverlapConflicts:
    """The ``notice-overlap`` conflicts of ``notice`` against ``rows``, as columns (see the
    module): no Python object per pair, and no words."""
    group, table = terms_table(notice, rows, roster)
    terms_by, informed_by = table.terms, table.informed
    vertical_m, lateral_m = table.vertical_m, table.lateral_m
    context = (notice, rows, terms_by, informed_by, roster, series_of)
    rows_allowed = table.allowed[group]
    if not rows_allowed.any():
        return _none(*context)
    bands = [band_terms(v.altitude) for v in notice.volumes]
    pairs = _screened(notice, bands, rows, rows_allowed, (table.time_us[group], vertical_m[group]))
    if pairs is None:
        return _none(*context)
    found, volume, gap_s, rounding = pairs
    # The reference's order: by candidate notice, then volume checked, then candidate volume.
    order = np.lexsort((found, volume, rows.owner[found]))
    found, volume, gap_s, rounding = found[order], volume[order], gap_s[order], rounding[order]
    g = group[found]
    vgap = _vertical(
        notice,
        bands,
        rows,
        (found, volume, g),
        terms_by,
        (vertical_m[g], rounding, table.vertical_ticks),
    )
    keep = ~np.isnan(vgap) & ~rows.own[found]  # a notice is never in conflict with itself
    found, volume, gap_s, vgap, g = found[keep], volume[keep], gap_s[keep], vgap[keep], g[keep]
    if not found.size:
        return _none(*context)
    lateral, overlap, lon, lat = _measured(notice, rows, found, volume, lateral_m[g])
    within = overlap | (lateral < lateral_m[g])
    worst = _worst(
        notice,
        rows,
        series_of,
        (found[within], volume[within]),
        (np.where(overlap, -1.0, lateral)[within], vgap[within], gap_s[within]),
    )
    chosen = within.nonzero()[0][worst]
    return OverlapConflicts(
        notice,
        rows,
        found[chosen],
        volume[chosen],
        g[chosen],
        gap_s[chosen],
        vgap[chosen],
        lateral[chosen],
        overlap[chosen],
        lon[chosen],
        lat[chosen],
        terms_by,
        informed_by,
        roster,
        series_of,
    )


def _none(
    notice: Notice,
    rows: VolumeRows,
    terms: list[PairTerms | None],
    informed: list[tuple[str, ...]],
    roster: Roster,
    series_of: Callable[[str], str],
) -> OverlapConflicts:
    """No conflict."""
    i, f = np.empty(0, np.int64), np.empty(0, np.float64)
    return OverlapConflicts(
        notice, rows, i, i, i, f, f, f, np.empty(0, bool), f, f, terms, informed, roster, series_of
    )


def _screened(
    notice: Notice,
    bands: list[BandTerms],
    rows: VolumeRows,
    allowed: BoolArray,
    limits: tuple[IntArray, FloatArray],
) -> tuple[IntArray, IntArray, FloatArray, FloatArray] | None:
    """The (row, volume checked) pairs close enough in time and, in floats, in altitude
    (``bands``: the volumes' own; ``limits``: each row's time and vertical margins); the time
    between their windows in seconds, and the rounding of their altitudes."""
    time_limit, vertical_limit = limits
    kept: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []
    for vi, v in enumerate(notice.volumes):
        gap_us = np.maximum(epoch_us(v.window.start), rows.start_us) - np.minimum(
            epoch_us(v.window.end), rows.end_us
        )
        lower, upper, datums = bands[vi]
        both = (rows.datums | datums) & (AGL_BOUND | MSL_BOUND) == AGL_BOUND | MSL_BOUND
        lo = np.maximum(lower, rows.lower_m)
        hi = np.minimum(upper, rows.upper_m)
        rounding = ROUNDING * (np.abs(lo) + np.abs(hi) + vertical_limit)
        near = (
            allowed & (gap_us < time_limit) & (both | (lo - hi < vertical_limit + rounding))
        ).nonzero()[0]
        gap_s = gap_us[near] / 1e6
        far = np.abs(gap_us[near]) >= _EXACT
        if far.any():  # beyond 285 years, divide exact integers in Python
            gap_s[far] = [int(g) / 10**6 for g in gap_us[near][far].tolist()]
        kept.append((near, np.full(near.shape[0], vi, np.int64), gap_s, rounding[near]))
    if len(kept) == 1:  # one volume checked (most notices): its pairs as they are
        return kept[0] if kept[0][0].size else None
    found = np.concatenate([k[0] for k in kept])
    if not found.size:
        return None
    return (
        found,
        np.concatenate([k[1] for k in kept]),
        np.concatenate([k[2] for k in kept]),
        np.concatenate([k[3] for k in kept]),
    )


def _vertical(
    notice: Notice,
    bands: list[BandTerms],
    rows: VolumeRows,
    pairs: tuple[IntArray, IntArray, IntArray],
    terms: list[PairTerms | None],
    limits: tuple[FloatArray, FloatArray, IntArray],
) -> FloatArray:
    """The vertical gap of each pair (``pairs``: rows, volumes checked, groups of terms), as
    :func:`~.vertical.gap_between` gives it (Python's ``max`` and ``min`` as ``where``, so
    that even the sign of a zero is the same), NaN for the pairs not closer than the vertical
    ``margin``.  The floats decide outside ``rounded`` of the margin; within it, the bands as
    written (:func:`~.overlap.vertically_near`, whose test this is)."""
    found, volume, group = pairs
    margin, rounded, ticks = limits
    mine = np.array(bands, np.float64)
    my_lo, my_hi = mine[volume, 0], mine[volume, 1]
    their_lo, their_hi = rows.lower_m[found], rows.upper_m[found]
    lo = np.where(their_lo > my_lo, their_lo, my_lo)
    hi = np.where(their_hi < my_hi, their_hi, my_hi)
    gap = lo - hi
    bits = mine[volume, 2].astype(np.int64) | rows.datums[found]
    gap[bits & (AGL_BOUND | MSL_BOUND) == AGL_BOUND | MSL_BOUND] = -np.inf
    near = gap < margin - rounded
    unsure = (~near & (gap <= margin + rounded)).nonzero()[0]
    if unsure.size:
        exact = _exactly_closer(
            notice, bands, rows, (found[unsure], volume[unsure], group[unsure]), ticks
        )
        decided = exact >= 0
        near[unsure[decided]] = exact[decided] == 1
        unsure = unsure[~decided]
    if unsure.size:
        needed, where = np.unique(found[unsure], return_inverse=True)
        others = rows.items(needed)
        for k, i in zip(where.tolist(), unsure.tolist(), strict=True):
            pair_terms = terms[int(group[i])]
            assert pair_terms is not None
            near[i] = exactly_closer(
                notice.volumes[int(volume[i])].altitude,
                others[k][0].altitude(),
                pair_terms.vertical,
            )
    return np.where(near, gap, np.nan)


def _measured(
    notice: Notice, rows: VolumeRows, found: IntArray, volume: IntArray, margin: FloatArray
) -> tuple[FloatArray, BoolArray, FloatArray, FloatArray]:
    """Each pair's lateral separation (:func:`~.shapes.separation_columns`: distance, overlap,
    the place between), exact near its lateral ``margin``.  The pairs of each volume checked
    are measured together, in their order here, as the reference measures them (so in the same
    frame, to the last digit)."""
    n = found.shape[0]
    lateral, lon, lat = np.empty(n), np.empty(n), np.empty(n)
    overlap = np.empty(n, bool)
    shapes = rows.shapes(found)
    if not isinstance(shapes, ShapeColumns):
        shapes = ShapeColumns.of(shapes)
    for vi, v in enumerate(notice.volumes):
        mine = (volume == vi).nonzero()[0]
        if not mine.size:
            continue
        found_sep = separation_columns(v.outline.shape, shapes.take(mine), margin[mine])
        lateral[mine], overlap[mine], lon[mine], lat[mine] = found_sep
    return lateral, overlap, lon, lat


def _worst(
    notice: Notice,
    rows: VolumeRows,
    series_of: Callable[[str], str],
    pairs: tuple[IntArray, IntArray],
    severity: tuple[FloatArray, FloatArray, FloatArray],
) -> IntArray:
    """The worst pair of each other notice among ``pairs`` (rows, volumes checked), by
    ``severity`` (lateral, -1 for outlines that overlap; vertical; time), then by the two
    volumes' indices taken in the order of the two series (so that the same pair is reported
    whichever was filed first): ``overlap._severity``, over columns.  Ties keep the first
    pair, as the reference does."""
    found, volume = pairs
    if not found.size:
        return np.empty(0, np.int64)
    owner = rows.owner[found]
    if bool((owner[1:] > owner[:-1]).all()):
        # One pair a notice, in the notices' order (most checks: notices of one volume):
        # each pair is its notice's worst, and the sort below would keep the order as it is.
        return np.arange(found.shape[0], dtype=np.int64)
    theirs = rows.volume[found]
    first = np.ones(found.shape[0], bool)
    owners, counts = np.unique(owner, return_counts=True)
    several = owners[counts > 1]
    if several.size:
        # Which series comes first matters only to a notice with several pairs.
        mine = series_of(notice.id)
        at = (np.isin(owner, several)).nonzero()[0]
        needed, where = np.unique(found[at], return_inverse=True)
        before = np.array([mine < series_of(i) for i in rows.ids(needed)], bool)
        first[at] = before[where]
    lateral, vertical, gap_s = severity
    order = np.lexsort(
        (
            np.where(first, theirs, volume),
            np.where(first, volume, theirs),
            gap_s,
            vertical,
            lateral,
            owner,
        )
    )
    _, starts = np.unique(owner[order], return_index=True)
    return np.asarray(order[starts], np.int64)


def _exactly_closer(
    notice: Notice,
    bands: list[BandTerms],
    rows: VolumeRows,
    pairs: tuple[IntArray, IntArray, IntArray],
    ticks: IntArray,
) -> IntArray:
    """For pairs whose bands meet the vertical margin to the rounding: 1 where they are closer
    than it, exactly, 0 where not, and -1 where the columns cannot tell (a bound not certified
    by :func:`~.vertical.exact_bits`, or a margin that is no whole number of ticks): those
    rebuild the other's band as written.  Otherwise :func:`~.vertical.exact_gap` in whole
    ticks: the highest lower bound less the lowest upper bound, absent bounds (SFC, UNL) left
    out, and no gap at all (closer) when either side has none."""
    found, volume, group = pairs
    both = EXACT_LOWER | EXACT_UPPER
    my_bits = np.array([exact_bits(v.altitude) for v in notice.volumes], np.int64)[volume]
    margin = ticks[group]  # each group's vertical margin in ticks, -1 where it is none
    known = (my_bits & both == both) & (rows.datums[found] & both == both) & (margin >= 0)
    my = np.array([(lo, hi) for lo, hi, _ in bands], np.float64)[volume]
    # Each bound in whole ticks, as floats: a certified bound's ticks are an integer of at
    # most about 3 * 10**8 (no altitude is above FL999, ``TOP_M``), exact in a double, and
    # so is the difference of two; absent bounds (SFC, UNL) left out as infinities.
    low = np.fmax(_whole(my[:, 0], -np.inf), _whole(rows.lower_m[found], -np.inf))
    high = np.fmin(_whole(my[:, 1], np.inf), _whole(rows.upper_m[found], np.inf))
    bounded = (low > -np.inf) & (high < np.inf)
    closer = ~bounded | (low - high < margin)
    return np.where(known, closer.astype(np.int64), -1)


def _whole(metres: FloatArray, absent: float) -> FloatArray:
    """Bounds in whole ticks (``rint``: exact for a certified bound), ``absent`` for none."""
    return np.where(np.isfinite(metres), np.rint(metres * float(TICKS)), absent)
