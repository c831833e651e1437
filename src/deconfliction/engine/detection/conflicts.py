"""``notice-overlap`` conflicts as columns, and their findings made on demand.

A check against a dense situation finds dozens of conflicts (about 30 a notice at the density
of a million notices over 1,000 km, 100 and more at its 99th percentile).  The check answers
them as :class:`OverlapConflicts`: one row per other notice in conflict, with the volumes of
its worst pair, their lateral, vertical and time gaps and the place between them, all as NumPy
columns.  Nothing is written in words until a :class:`~.findings.Finding` is asked for
(:meth:`OverlapConflicts.findings`, :meth:`OverlapConflicts.finding`): the alert writer asks
for them (a filed notice's conflicts all become alerts, opened or updated), a reader of
conflict pairs need not.

The findings are byte for byte those of the per-pair path kept as the reference
(``tests/engine/overlap_reference.py``, :func:`~.overlap.findings_of`): the same pairs are
measured in the same frames, in the same order, the worst pair of each notice is chosen by the
same severity (:func:`~.overlap.findings_of`'s ``_severity``, here a ``lexsort``), and the words
are those of :func:`~.overlap_words.overlap_finding`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.findings import Finding
from deconfliction.engine.detection.overlap import VolumePair
from deconfliction.engine.detection.overlap_words import Words, overlap_finding
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import band_terms, gap_between
from deconfliction.engine.geodesy.shapes import Separation
from deconfliction.engine.model import Notice

if TYPE_CHECKING:  # the screen makes the conflicts: imported for typing only
    from deconfliction.engine.detection.screen import VolumeRows

__all__ = ["NoticeConflicts", "OverlapConflicts"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class OverlapConflicts:
    """The ``notice-overlap`` conflicts of ``notice``, one row per other notice (in the order
    of ``rows``' notices): ``row`` is the other volume of the worst pair among ``rows``,
    ``volume`` the notice's own; ``group`` indexes ``terms`` and ``informed`` (the pair's
    agreement terms and who is told); ``gap_s`` the time between their windows (negative: the
    length of their overlap), ``vertical_m`` between their bands (``-inf``: not comparable or
    unbounded), ``lateral_m`` between their outlines (zero when they meet; ``overlap`` whether
    their interiors do) and ``near_lon, near_lat`` a point between them."""

    notice: Notice
    rows: VolumeRows
    row: IntArray
    volume: IntArray
    group: IntArray
    gap_s: FloatArray
    vertical_m: FloatArray
    lateral_m: FloatArray
    overlap: BoolArray
    near_lon: FloatArray
    near_lat: FloatArray
    terms: Sequence[PairTerms | None]
    informed: Sequence[tuple[str, ...]]
    roster: Roster
    series_of: Callable[[str], str]

    def __len__(self) -> int:
        return int(self.row.shape[0])

    def ids(self) -> list[str]:
        """The other notices' ids, row by row."""
        return self.rows.ids(self.row)

    def findings(self) -> list[Finding]:
        """Every conflict's finding, in the order of the other notices' ids."""
        if not len(self):
            return []
        ids = self.ids()
        order = sorted(range(len(ids)), key=ids.__getitem__)
        return self._made(np.asarray(order, np.int64))

    def finding(self, i: int) -> Finding:
        """The finding of row ``i`` alone."""
        return self._made(np.asarray([i], np.int64))[0]

    def _made(self, which: IntArray) -> list[Finding]:
        """The findings of rows ``which``: the words said once for them all (:class:`Words`)."""
        notice, rows = self.notice, self.rows
        words = Words(notice, self.roster, self.series_of)
        items = rows.items(self.row[which])
        found = self.row[which]
        bands = [band_terms(v.altitude) for v in notice.volumes]
        columns = zip(
            items,
            self.group[which].tolist(),
            self.volume[which].tolist(),
            rows.volume[found].tolist(),
            self.gap_s[which].tolist(),
            rows.lower_m[found].tolist(),
            rows.upper_m[found].tolist(),
            rows.datums[found].tolist(),
            self.lateral_m[which].tolist(),
            self.overlap[which].tolist(),
            self.near_lon[which].tolist(),
            self.near_lat[which].tolist(),
            strict=True,
        )
        out = []
        for (other, shape), g, vi, wi, gap, lo, hi, datums, d, o, lon, lat in columns:
            terms = self.terms[g]
            assert terms is not None
            pair = VolumePair(
                other,
                terms,
                self.informed[g],
                vi,
                wi,
                gap,
                gap_between(bands[vi], (lo, hi, datums)),
                shape,
                Separation(d, o, lon, lat),
            )
            out.append(overlap_finding(words, pair))
        return out


@dataclass(frozen=True, slots=True)
class NoticeConflicts:
    """What a check of one notice finds: its overlaps with other notices as columns (None for
    a cancellation, which conflicts with nothing), and the rarer findings (protected sites,
    lateness, zones), already made."""

    overlaps: OverlapConflicts | None
    others: list[Finding]

    def __len__(self) -> int:
        return (0 if self.overlaps is None else len(self.overlaps)) + len(self.others)

    def findings(self) -> list[Finding]:
        """Every finding: the overlaps' (:meth:`OverlapConflicts.findings`), then the others."""
        made = [] if self.overlaps is None else self.overlaps.findings()
        return made + self.others
