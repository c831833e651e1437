"""``notice-overlap`` screened in bulk over columns, with no Python object touched for a volume
that fails the time or altitude test.

The index hands over numbers only (:class:`VolumeRows`: window in exact microseconds, band,
author and kind as codes, the position of the row's notice among the candidates), the
agreement terms are asked once per (author, kind) code, the time and altitude tests run over
the columns, and only the rows that pass are turned into what a finding says of their notice
(:class:`~.overlap.OtherVolume`, from the same columns) and their outline (``items``), to be
measured laterally and explained (:func:`~.overlap.findings_of`).

``tests/engine/overlap_reference.py`` keeps an independent reference (a table whose every row
carries its notice, the terms grouped by walking the notices), and ``tests/engine`` checks that
both give the same findings, figures and words: the rows reach :func:`~.overlap.findings_of`
in the reference's order (by candidate notice, then volume checked, then candidate volume), so
that every separation is measured in the same frame, to the last digit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

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

__all__ = ["VolumeRows", "screen_overlaps"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_EXACT = 2**53


@dataclass(frozen=True, slots=True)
class VolumeRows:
    """Candidate volumes as columns, one row per volume, ordered by notice (the notices by
    their first index slot) and then by volume.  ``owner`` numbers the rows' notices in that
    order; windows are exact microseconds since the epoch; ``party`` and ``kind`` are codes
    into ``parties`` and ``kinds``; ``items(rows)`` gives what a finding says of some rows'
    notices and their outlines (the only Python objects a check asks for)."""

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


def _terms(
    notice: Notice, rows: VolumeRows, roster: Roster
) -> tuple[IntArray, list[PairTerms | None], list[tuple[str, ...]]]:
    """Each row's (author, kind) group, and each group's terms and parties informed (as the
    reference asks them: terms per author, who is informed per author and kind)."""
    width = len(rows.kinds)
    codes, group = np.unique(rows.party * width + rows.kind, return_inverse=True)
    audience = frozenset(roster.notice_audience(notice))
    terms_by: list[PairTerms | None] = []
    informed_by: list[tuple[str, ...]] = []
    for code in codes.tolist():
        author = rows.parties[code // width]
        kind = rows.kinds[code % width]
        # The same few answers for every check (a handful of parties and kinds): remembered
        # by the roster until a party or an agreement changes.
        terms, informed = roster.remembered(
            ("overlap-terms", notice.author, audience, author, kind),
            partial(_group_terms, notice.author, audience, author, kind, roster),
        )
        terms_by.append(terms)
        informed_by.append(informed)
    return np.asarray(group, np.int64).reshape(-1), terms_by, informed_by


def _group_terms(
    me: str, audience: frozenset[str], author: str, kind: NoticeKind, roster: Roster
) -> tuple[PairTerms | None, tuple[str, ...]]:
    """The terms between ``me`` and ``author``, and who of the two is informed of a conflict
    with a notice of ``kind`` by ``author`` (``me`` if it may see that notice, ``author`` if it
    is in the ``audience`` of the notice checked)."""
    terms = None if author == me else roster.terms(me, author)
    seen_by = {author} | roster.addressees(author, kind)
    informed = tuple(
        sorted(({me} if me in seen_by else set()) | ({author} if author in audience else set()))
    )
    return terms, informed


def screen_overlaps(
    notice: Notice, rows: VolumeRows, roster: Roster, series_of: Callable[[str], str]
) -> list[Finding]:
    """The ``notice-overlap`` findings of ``notice`` against ``rows`` (see the module)."""
    if not rows.owner.size:
        return []
    group, terms_by, informed_by = _terms(notice, rows, roster)
    allowed = np.array(
        [t is not None and bool(i) for t, i in zip(terms_by, informed_by, strict=True)]
    )
    time_us = np.array([0 if t is None else t.time.exact_microseconds for t in terms_by])
    vertical_m = np.array([0.0 if t is None else t.vertical_m for t in terms_by])
    rows_allowed = allowed[group]
    if not rows_allowed.any():
        return []
    time_limit = time_us[group]
    vertical_limit = vertical_m[group]
    kept_rows: list[IntArray] = []
    kept_volume: list[IntArray] = []
    kept_gap: list[FloatArray] = []
    kept_rounding: list[FloatArray] = []
    mine = [band_terms(v.altitude) for v in notice.volumes]
    for vi, v in enumerate(notice.volumes):
        gap_us = np.maximum(epoch_us(v.window.start), rows.start_us) - np.minimum(
            epoch_us(v.window.end), rows.end_us
        )
        lower, upper, datums = mine[vi]
        both = (rows.datums | datums) & (AGL_BOUND | MSL_BOUND) == AGL_BOUND | MSL_BOUND
        lo = np.maximum(lower, rows.lower_m)
        hi = np.minimum(upper, rows.upper_m)
        rounding = ROUNDING * (np.abs(lo) + np.abs(hi) + vertical_limit)
        near = np.flatnonzero(
            rows_allowed & (gap_us < time_limit) & (both | (lo - hi < vertical_limit + rounding))
        )
        gap_s = gap_us[near] / 1e6
        far = np.abs(gap_us[near]) >= _EXACT
        if far.any():  # beyond 285 years, divide exact integers in Python
            gap_s[far] = [int(g) / 10**6 for g in gap_us[near][far].tolist()]
        kept_rows.append(near)
        kept_volume.append(np.full(near.shape[0], vi, np.int64))
        kept_gap.append(gap_s)
        kept_rounding.append(rounding[near])
    found = np.concatenate(kept_rows)
    if not found.size:
        return []
    volume = np.concatenate(kept_volume)
    # The reference's order: by candidate notice, then volume checked, then candidate volume.
    order = np.lexsort((found, volume, rows.owner[found]))
    found, volume = found[order], volume[order]
    gaps = np.concatenate(kept_gap)[order].tolist()
    roundings = np.concatenate(kept_rounding)[order].tolist()
    needed, where = np.unique(found, return_inverse=True)
    items = rows.items(needed)
    # Every column the loop reads, as Python numbers in one call each (not a NumPy scalar per
    # row and column).
    bands = zip(
        rows.lower_m[found].tolist(),
        rows.upper_m[found].tolist(),
        rows.datums[found].tolist(),
        strict=True,
    )
    columns = zip(
        where.tolist(),
        group[found].tolist(),
        volume.tolist(),
        rows.volume[found].tolist(),
        gaps,
        roundings,
        bands,
        strict=True,
    )
    pending = []
    for k, g, vi, wi, gap, rounded, band in columns:
        other, shape = items[k]
        if other.id == notice.id:
            continue
        terms = terms_by[g]
        assert terms is not None
        vgap = gap_between(mine[vi], band)
        if not vertically_near(vgap, terms, rounded, notice.volumes[vi].altitude, other.altitude):
            continue
        pending.append(VolumePair(other, terms, informed_by[g], vi, wi, gap, vgap, shape))
    return findings_of(notice, pending, roster, series_of)
