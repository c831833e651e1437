"""``notice-overlap``: volumes of different parties that come within their agreement's margins.

Two volumes conflict when, all at once, their outlines come closer than the lateral margin,
their altitude bands closer than the vertical margin, and their windows closer than the time
margin (with no time margin, the windows must overlap; a window that ends as the other starts
does not).  The margins are those of the agreements binding the two authors, the most
protective of each when several do.  A pair of notices gives one finding, for its closest pair
of volumes, sent to each author that may see the other's notice.

The check screens, measures and chooses in bulk over columns (:mod:`.screen`, answering
:class:`~.conflicts.OverlapConflicts`); what it shares with the per-pair path is here: what a
finding says of the other volume, the vertical test at the margin, and :func:`findings_of`,
the per-pair measure and choice of the worst pair that ``tests/engine/overlap_reference.py``
keeps as the reference the columns are checked against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from deconfliction.engine.detection.findings import Finding
from deconfliction.engine.detection.overlap_words import Words, overlap_finding
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import (
    VerticalGap,
    exactly_closer,
)
from deconfliction.engine.geodesy.shapes import Separation, Shape, separations
from deconfliction.engine.model import AltitudeBand, Notice, NoticeKind, TimeWindow

__all__ = [
    "OtherVolume",
    "VolumePair",
    "epoch_us",
    "findings_of",
    "time_gap",
    "vertically_near",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


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


@dataclass(frozen=True, slots=True)
class OtherVolume:
    """What a finding says of the other notice's volume in a pair: its notice's id, author and
    kind, and its window; its band as written (``altitude``) is asked only at an exact
    vertical margin.  The check makes these from the index's columns, with no ``Notice``
    (``situation/notices.py``); the reference from the notices."""

    id: str
    author: str
    kind: NoticeKind
    start: datetime
    end: datetime
    altitude: Callable[[], AltitudeBand]


@dataclass(slots=True)
class VolumePair:
    """A volume of the notice checked (``volume``) and one of ``other``'s, close enough in
    time and altitude to be measured laterally; ``lateral`` once measured."""

    other: OtherVolume
    terms: PairTerms
    informed: tuple[str, ...]
    volume: int
    other_volume: int
    gap_s: float
    vertical: VerticalGap
    shape: Shape
    lateral: Separation | None = None


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


def vertically_near(
    vgap: VerticalGap,
    terms: PairTerms,
    rounded: float,
    mine: AltitudeBand,
    theirs: Callable[[], AltitudeBand],
) -> bool:
    """Whether two bands ``vgap`` apart are closer than the vertical margin of ``terms``:
    the floats decide outside ``rounded`` of the margin; within it, the bands as written
    (:func:`~.vertical.exactly_closer`; ``theirs`` is asked only then)."""
    return not (
        vgap.gap_m >= terms.vertical_m - rounded
        and (
            vgap.gap_m > terms.vertical_m + rounded
            or not exactly_closer(mine, theirs(), terms.vertical)
        )
    )


def _severity(pair: VolumePair, notice_first: bool) -> tuple[float, float, float, tuple[int, int]]:
    """Closest first; equally close pairs of volumes are told apart by their indices, taken in
    the order of the two series, so that the same pair is reported whichever was filed first."""
    assert pair.lateral is not None
    lateral = -1.0 if pair.lateral.overlap else pair.lateral.distance
    volumes = (pair.volume, pair.other_volume) if notice_first else (pair.other_volume, pair.volume)
    return (lateral, pair.vertical.gap_m, pair.gap_s, volumes)
