"""The notices: every version, the chains they form, and the current volumes' index.

A notice chain (a *series*) is named by its first version; each replacement or cancellation
supersedes the current version.  The index holds the volumes of the current version of every
series, with the numbers the overlap check needs (window in microseconds, band, position in its
notice, author and kind as codes) and each volume's outline as a :class:`Shape`, so that a
check against a million notices handles no notice object at all: the words of its findings
come from those columns (:class:`~.overlap.OtherVolume`).

The book keeps every version as the JSON of its fields, deflated (about 175 bytes), not as a
``Notice`` (five pydantic models a volume, about 2.1 KB): a reader that asks for a version by
id gets it rebuilt from those bytes (150-265 µs here; the last few hundred are remembered), and
the readers that walk many versions read columns first (:meth:`NoticeBook.versions_near`,
:meth:`NoticeBook.kind_of`) and rebuild only what those keep.  ``docs/design/spatial-index.md``,
*What each active notice costs*, gives the figures.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import cast

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.overlap import OtherVolume, epoch_us
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.screen import VolumeRows
from deconfliction.engine.detection.vertical import band_terms, exact_bits
from deconfliction.engine.errors import ConflictingRecord, InvalidInput
from deconfliction.engine.geodesy.gathered import ShapeColumns, shape_numbers
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex, boxes_meet
from deconfliction.engine.journal import Journal
from deconfliction.engine.model import AltitudeBand, Notice, NoticeAction, NoticeKind
from deconfliction.engine.model.notices import chain_problems
from deconfliction.engine.situation.reach import Box, check_reach, epoch_s

__all__ = ["NoticeBook"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_REMEMBERED = 512
"""Rebuilt versions remembered (by their bytes): a replacement, a read after a filing, the
site check's few neighbours."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_WORDS = (
    '{"type":"corridor","route":[[,"half_width":" km"}{"type":"circle","center":[,"radius":'
    '" m"},{"type":"polygon","vertices":[[],['
    + "".join(f'"{k.value}",' for k in NoticeKind)
    + '"altitude":{"lower":"SFC","upper":"UNL"," m AGL"," ft AGL"," ft AMSL","FL0{"id":"",'
    '"author":"","kind":"","action":"new","replace","cancel","replaces":null,"filed_at":"",'
    '"title":"","volumes":[{"label":"","outline":"window":{"start":"T00:00:00.000000Z","end":"}}]}'
).encode()
"""What a notice's JSON repeats (its field names, kinds, units), given to deflate as a preset
dictionary: a version of one volume then takes about 175 bytes instead of 495 (measured on the
notices of ``bench/filing.py``), for about 15 µs when recorded and 5 µs when rebuilt.  The
dictionary is part of the format of nothing that outlives the process: the book is rebuilt
from the store's log at every start."""


def _pack(notice: Notice) -> bytes:
    """What :meth:`NoticeBook.record` keeps of a version: the JSON of all its fields (not
    ``exclude_unset``: a field left at its default is unset, and an outline built in code
    leaves its ``type`` so, which the rebuild needs to tell the outline's kind; nothing reads
    a notice's set of fields set, and equality ignores it), deflated (raw, with
    :data:`_WORDS`, which holds the defaults' words too)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, _WORDS)
    data = notice.__pydantic_serializer__.to_json(notice)
    return packer.compress(data) + packer.flush()


def _unpack(packed: bytes) -> bytes:
    """The JSON :func:`_pack` deflated."""
    unpacker = zlib.decompressobj(-15, _WORDS)
    return unpacker.decompress(packed) + unpacker.flush()


def _rebuild(packed: bytes) -> Notice:
    """A version from what :func:`_pack` kept, validated again: the same checks as when it
    was filed, so the same models, outlines' shapes included."""
    return Notice.model_validate_json(_unpack(packed))


class NoticeBook(Mapping[str, Notice]):
    """Every notice version (kept as bytes, rebuilt when read), their chains, and the index
    of current volumes."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}
        """Every version, as :func:`_pack` keeps it."""
        self._rebuilt = lru_cache(maxsize=_REMEMBERED)(_rebuild)
        """Keyed by the bytes, not the id: a version undone and filed again differently can
        never be answered from an old entry."""
        self.series: dict[str, str] = {}
        """The series (the id of the chain's first version) of every version that is not its
        series' first: a first version is its own series (:meth:`series_of`), and most
        notices are never replaced."""
        self.current: dict[str, str | None] = {}
        """Each series' current version (None once cancelled)."""
        self.superseded_by: dict[str, str] = {}
        self.index = SpatioTemporalIndex()
        """Volumes of current notices: payload the series; values the volume count of the
        notice, the volume's index, start and end (each as whole seconds and the microseconds
        left over, so that every window of the years 1900-2999 is exact in doubles), band
        terms, and its author and kind as codes (:attr:`parties`, :attr:`kinds`); item the
        volume's outline as a :class:`Shape`."""
        self.parties: list[str] = []
        """Authors of indexed volumes, numbered in order of first appearance."""
        self._party_code: dict[str, int] = {}
        self.kinds: tuple[NoticeKind, ...] = tuple(NoticeKind)
        self._kind_code = {k: i for i, k in enumerate(self.kinds)}
        self._order: list[str] = []
        """Every version's id, in the order recorded (a version's row in :attr:`_reach`)."""
        self._reach = np.empty((1024, 6), np.float64)
        """Per version: the box of all its volumes (west, south, east, north) and their span
        (first start, last end, in seconds since the epoch); NaN for a cancellation."""
        self.cancellations: list[str] = []
        """The cancellations' ids, in the order recorded."""

    def __getitem__(self, key: str) -> Notice:
        return self._rebuilt(self._kept[key])

    def __contains__(self, key: object) -> bool:
        return key in self._kept

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def kind_of(self, notice_id: str) -> NoticeKind:
        """A version's kind: read from the index for a current version (what the tracks'
        keeper asks), rebuilt for any other."""
        slots = self.index.slots_of(self.series_of(notice_id))
        if slots and self.current.get(self.series_of(notice_id)) == notice_id:
            return self.kinds[int(self.index.values(np.asarray(slots[:1]))[0, 10])]
        return self[notice_id].kind

    def current_versions(self) -> list[Notice]:
        """The current version of every series not cancelled (each rebuilt: for tools and
        tests, not for a service holding a million)."""
        return [self[n] for n in self.current.values() if n is not None]

    def series_of(self, notice_id: str) -> str:
        return self.series.get(notice_id, notice_id)

    def versions_near(
        self, box: tuple[float, float, float, float], t0: float, t1: float
    ) -> list[Notice]:
        """Every version (current or not, cancellations aside) with a volume that may meet
        ``box`` between ``t0`` and ``t1`` (seconds since the epoch), in the order recorded:
        a superset, tested over the versions' columns, and only those rebuilt."""
        n = len(self._order)
        reach = self._reach[:n]
        west, south, east, north = box
        # A second of slack on each side: the spans are floats, the caller's test exact.
        near = np.flatnonzero(boxes_meet(reach, west, south, east, north, t0 - 1.0, t1 + 1.0))
        order = self._order
        return [self[order[i]] for i in near.tolist()]

    # -- checking a new version -----------------------------------------------------------------

    def check(self, notice: Notice, roster: Roster) -> str:
        """Problems with a new version's references; returns its series."""
        if notice.author not in roster.parties:
            raise InvalidInput.at(("author",), f"no party '{notice.author}'")
        for i, volume in enumerate(notice.volumes):
            check_reach(("volumes", i, "outline"), volume.outline.shape, roster)
        if notice.action is NoticeAction.new or notice.replaces is None:
            return notice.id
        earlier = self.get(notice.replaces)
        found = chain_problems(
            notice, earlier, None if earlier is None else self.superseded_by.get(earlier.id)
        )
        conflicting = [f.problem for f in found if f.conflicting]
        if conflicting:
            raise ConflictingRecord(f"notice {conflicting[0].reason}")
        if found:
            raise InvalidInput(f.problem for f in found)
        return self.series_of(notice.replaces)

    # -- candidates ------------------------------------------------------------------------------

    def candidate_series(self, notice: Notice, series: str, roster: Roster) -> list[Notice]:
        """Current notices of the other series that may come near ``notice`` (index only)."""
        found: dict[str, None] = {}
        for box in self._boxes(notice, roster):
            for s in self.index.query(*box):
                found.setdefault(str(s), None)
        found.pop(series, None)
        out = []
        for s in found:
            current = self.current.get(s)
            if current is not None:
                out.append(self[current])
        return out

    def _boxes(self, notice: Notice, roster: Roster) -> list[Box]:
        margin = roster.widest_lateral_margin()
        slack = roster.widest_time_margin()
        out = []
        for volume in notice.volumes:
            west, south, east, north = volume.outline.shape.bbox(margin)
            out.append(
                (
                    west,
                    south,
                    east,
                    north,
                    epoch_s(volume.window.start) - slack,
                    epoch_s(volume.window.end) + slack,
                )
            )
        return out

    def _candidate_slots(
        self, notice: Notice, series: str, roster: Roster
    ) -> tuple[IntArray, FloatArray]:
        """Index slots of the volumes of current notices of other series near ``notice``,
        ascending, and their ``values``; every volume of a candidate with several is
        included.  (The values are read once: at a million entries each row read is a
        cache miss or two in a table of 90 MB.)"""
        index = self.index
        parts = [index.query_slots(*box) for box in self._boxes(notice, roster)]
        slots = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        own = index.slots_of(series)
        if own and slots.size:
            slots = slots[~np.isin(slots, own)]
        if not slots.size:
            return slots, np.empty((0, _VALUES))
        values = index.values(slots)
        several = values[:, 0] > 1
        if several.any():
            many = slots[several].tolist()
            extra = [o for s in many for o in index.slots_of(index.payload_of(s))]
            slots = np.unique(np.concatenate([slots, np.asarray(extra, np.int64)]))
            values = index.values(slots)
        return slots, values

    def candidate_rows(self, notice: Notice, series: str, roster: Roster) -> VolumeRows:
        """The candidates as :class:`VolumeRows`: numbers straight from the index, with no
        Python object per volume.  Rows are ordered by notice (the notices by their first
        slot) and then by volume; a candidate with several volumes is paired through all of
        them."""
        index = self.index
        slots, values = self._candidate_slots(notice, series, roster)
        # A notice is ranked by its first slot; only notices with several volumes need asking
        # for it.  With none, the slots are already in that order, one notice each.
        many = np.flatnonzero(values[:, 0] > 1)
        if many.size:
            first = slots.copy()
            for i in many.tolist():
                first[i] = min(index.slots_of(index.payload_of(int(slots[i]))))
            order = np.lexsort((values[:, 1], first))
            slots, values, first = slots[order], values[order], first[order]
            owner = np.cumsum(np.concatenate(([0], first[1:] != first[:-1])))
        else:
            owner = np.arange(slots.size)

        def ids(rows: IntArray) -> list[str]:
            current = self.current
            return [
                cast(str, current[cast(str, index.payload_of(s))]) for s in slots[rows].tolist()
            ]

        def outlines(rows: IntArray) -> list[Shape]:
            return cast(list[Shape], index.items(slots[rows]))

        def shapes(rows: IntArray) -> ShapeColumns:
            # The outlines' numbers from the index's flat store (no object touched), the
            # shapes themselves only when a pair asks for one.
            chosen = slots[rows]
            return ShapeColumns.stored(
                *index.flat(chosen), lambda i: cast(Shape, index.items(chosen[i : i + 1])[0])
            )

        def items(rows: IntArray) -> list[tuple[OtherVolume, Shape]]:
            # What the findings say of the other notice comes from the columns (its id from
            # its series, author and kind from their codes, window from the microseconds);
            # its band as written only at an exact vertical margin, from the rebuilt notice.
            return [
                (
                    OtherVolume(
                        notice_id,
                        self.parties[party],
                        self.kinds[kind],
                        _EPOCH + timedelta(microseconds=start),
                        _EPOCH + timedelta(microseconds=end),
                        partial(self._altitude, notice_id, v),
                    ),
                    shape,
                )
                for notice_id, shape, v, party, kind, start, end in zip(
                    ids(rows),
                    outlines(rows),
                    values[rows, 1].astype(np.int64).tolist(),
                    values[rows, 9].astype(np.int64).tolist(),
                    values[rows, 10].astype(np.int64).tolist(),
                    start_us[rows].tolist(),
                    end_us[rows].tolist(),
                    strict=True,
                )
            ]

        # The notice itself, when it is current in another series than the one it is checked
        # for (a check of a recorded notice): never in conflict with itself.
        own = np.zeros(slots.size, bool)
        own_series = self.series_of(notice.id)
        if own_series != series and self.current.get(own_series) == notice.id:
            own = np.isin(slots, index.slots_of(own_series))
        start_us = _exact_us(values[:, 2], values[:, 3])
        end_us = _exact_us(values[:, 4], values[:, 5])
        return VolumeRows(
            owner.astype(np.int64),
            values[:, 1].astype(np.int64),
            start_us,
            end_us,
            values[:, 6].copy(),
            values[:, 7].copy(),
            values[:, 8].astype(np.int64),
            values[:, 9].astype(np.int64),
            values[:, 10].astype(np.int64),
            self.parties,
            self.kinds,
            items,
            shapes,
            ids,
            own,
        )

    def _altitude(self, notice_id: str, volume: int) -> AltitudeBand:
        """A volume's band as written, for an exact vertical margin: validated from the kept
        JSON alone (about 20 µs; the whole notice, outlines checked again, takes ten times
        that, and bands written in hundreds of feet meet a margin often)."""
        document = json.loads(_unpack(self._kept[notice_id]))
        return AltitudeBand.model_validate(document["volumes"][volume]["altitude"])

    def current_near(self, box: Box) -> list[Notice]:
        """The current notices with a volume whose box meets ``box``."""
        out = []
        for s in self.index.query(*box):
            current = self.current.get(str(s))
            if current is not None:
                out.append(self[current])
        return out

    # -- recording ------------------------------------------------------------------------------

    def record(self, notice: Notice, journal: Journal) -> str:
        """Record a version (already checked); returns its series."""
        series = notice.id if notice.replaces is None else self.series_of(notice.replaces)
        journal.set(
            self._kept,
            notice.id,
            _pack(notice),
        )
        self._note_reach(notice)
        journal.on_undo(self._forget_reach)
        if series != notice.id:  # a chain's first version is its own series
            journal.set(self.series, notice.id, series)
        if notice.replaces is not None:
            journal.set(self.superseded_by, notice.replaces, notice.id)
        previous = self.current.get(series)
        journal.set(
            self.current, series, None if notice.action is NoticeAction.cancel else notice.id
        )
        self._index_series(series, None if notice.action is NoticeAction.cancel else notice)
        journal.on_undo(
            lambda: self._index_series(series, None if previous is None else self[previous])
        )
        return series

    def _note_reach(self, notice: Notice) -> None:
        """Append ``notice``'s row to :attr:`_reach` (see :meth:`versions_near`)."""
        row = len(self._order)
        if row == self._reach.shape[0]:
            self._reach = np.resize(self._reach, (2 * row, 6))
        self._order.append(notice.id)
        if notice.action is NoticeAction.cancel or not notice.volumes:
            self._reach[row] = np.nan
            if notice.action is NoticeAction.cancel:
                self.cancellations.append(notice.id)
            return
        boxes = [v.outline.shape.bbox() for v in notice.volumes]
        self._reach[row] = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
            min(epoch_s(v.window.start) for v in notice.volumes),
            max(epoch_s(v.window.end) for v in notice.volumes),
        )

    def _forget_reach(self) -> None:
        """Undo :meth:`_note_reach` (the last version recorded)."""
        gone = self._order.pop()
        if self.cancellations and self.cancellations[-1] == gone:
            self.cancellations.pop()

    def _index_series(self, series: str, notice: Notice | None) -> None:
        """Make ``notice``'s volumes the index's entries for ``series`` (none when None)."""
        self.index.remove(series)
        if notice is None:
            return
        count = float(len(notice.volumes))
        party = self._party_code.get(notice.author)
        if party is None:
            party = self._party_code[notice.author] = len(self.parties)
            self.parties.append(notice.author)
        kind = float(self._kind_code[notice.kind])
        for vi, volume in enumerate(notice.volumes):
            west, south, east, north = volume.outline.shape.bbox()
            lower, upper, datums = band_terms(volume.altitude)
            # Whether the bounds' floats tell them exactly: a margin met to the rounding is
            # then decided from the columns (detection/screen.py).
            datums |= exact_bits(volume.altitude)
            self.index.add(
                IndexEntry(
                    west,
                    south,
                    east,
                    north,
                    epoch_s(volume.window.start),
                    epoch_s(volume.window.end),
                    series,
                    (
                        count,
                        float(vi),
                        *_split_us(epoch_us(volume.window.start)),
                        *_split_us(epoch_us(volume.window.end)),
                        lower,
                        upper,
                        float(datums),
                        float(party),
                        kind,
                    ),
                    volume.outline.shape,
                    shape_numbers(volume.outline.shape),
                )
            )


_VALUES = 11
"""Numbers an index entry keeps (see :attr:`NoticeBook.index`)."""


def _split_us(us: int) -> tuple[float, float]:
    """Microseconds since the epoch as whole seconds and the microseconds left over: both
    exact in doubles for any time (a count of microseconds is exact only up to 2**53, the
    years 1685-2255)."""
    seconds, left = divmod(us, 1_000_000)
    return float(seconds), float(left)


def _exact_us(seconds: NDArray[np.float64], left: NDArray[np.float64]) -> IntArray:
    """The microseconds :func:`_split_us` split, as exact integers."""
    return seconds.astype(np.int64) * 1_000_000 + left.astype(np.int64)
