"""The agreement terms the overlap screen compares: one table per author and audience.

Every candidate row carries its author and kind as codes into the book's ``parties`` and
``kinds`` (:class:`~.screen.VolumeRows`); the screen needs, for each (author, kind) code, the
terms between the author of the notice checked and that author, and who of the two is informed
of a conflict.  These depend on the roster alone, and a line has a handful of parties and kinds,
so they are worked out once per author and audience and read as columns by every check.

The book's parties only ever grow (a code, once given, keeps its party), so a table grows with
them: a party's first notice adds its own rows and leaves the others as they were.  Made again
for each new party, a table of a hundred parties cost about 0.7 ms: on a line with a hundred
parties, every author's and audience's table was made again each time a party filed its first
notice, hundreds of times at a line's start (``bench/writer_cpu.py``, cProfile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache, partial
from typing import TYPE_CHECKING

import numpy as np

from deconfliction.engine.detection.conflicts import BoolArray, FloatArray, IntArray
from deconfliction.engine.detection.roster import PairTerms, Roster
from deconfliction.engine.detection.vertical import TICKS
from deconfliction.engine.model import Notice, NoticeKind
from deconfliction.engine.units import Length

if TYPE_CHECKING:
    from deconfliction.engine.detection.screen import VolumeRows

__all__ = ["TermsTable", "terms_table"]


@dataclass(frozen=True, slots=True)
class TermsTable:
    """The terms and parties informed of every (author, kind) code, for one author and
    audience: as lists (what a finding says) and as columns (what the screen compares)."""

    terms: list[PairTerms | None]
    informed: list[tuple[str, ...]]
    allowed: BoolArray
    time_us: IntArray
    vertical_m: FloatArray
    vertical_ticks: IntArray
    """The vertical margin in whole ticks, -1 where it is none (:func:`_ticks_of`)."""
    lateral_m: FloatArray


_ARRAYS = tuple(f.name for f in fields(TermsTable)[2:])
"""The table's columns (after its two lists), grown together."""


def terms_table(notice: Notice, rows: VolumeRows, roster: Roster) -> tuple[IntArray, TermsTable]:
    """Each row's (author, kind) code, and the table of every code's terms and parties
    informed (as the reference asks them: terms per author, who is informed per author and
    kind), for ``notice``'s author and audience: remembered by the roster until a party or an
    agreement changes, and grown when the book has met a new author."""
    audience = frozenset(roster.notice_audience(notice))
    kinds = tuple(rows.kinds)
    tables = roster.remembered(
        ("overlap-table", notice.author, audience, kinds),
        partial(_Growing, notice.author, audience, kinds, roster),
    )
    return rows.party * len(kinds) + rows.kind, tables.table(rows.parties)


class _Growing:
    """The table of one author, audience and kinds, for the parties the book has met so far.

    Grown in place, remembered by the roster: no row, once made, changes (a party's code and
    the roster's answers stay until the roster changes, and then the roster forgets the whole).
    """

    __slots__ = ("_audience", "_kinds", "_me", "_parties", "_roster", "_table")

    def __init__(
        self, me: str, audience: frozenset[str], kinds: tuple[NoticeKind, ...], roster: Roster
    ) -> None:
        self._me, self._audience, self._kinds, self._roster = me, audience, kinds, roster
        self._parties: list[str] = []
        self._table = _columns([])

    def table(self, parties: Sequence[str]) -> TermsTable:
        """The table for ``parties`` (the book's codes, in order)."""
        if not isinstance(parties, list):
            parties = list(parties)
        if parties == self._parties:  # element by element: the same strings, compared by identity
            return self._table
        known = len(self._parties)
        if parties[:known] == self._parties:  # grown: only the new parties' rows
            table, new = self._table, parties[known:]
            extra = _columns([self._cell(p, k) for p in new for k in self._kinds])
            self._table = TermsTable(
                table.terms + extra.terms,
                table.informed + extra.informed,
                *(np.concatenate((getattr(table, f), getattr(extra, f))) for f in _ARRAYS),
            )
        else:  # another order than the book's (not met in practice): made again whole
            self._table = _columns([self._cell(p, k) for p in parties for k in self._kinds])
        self._parties = list(parties)
        return self._table

    def _cell(self, author: str, kind: NoticeKind) -> _Cell:
        """One (author, kind) code's row: its terms and parties informed, and the figures the
        screen compares."""
        me, roster = self._me, self._roster
        terms = None if author == me else roster.terms(me, author)
        seen_by = {author} | roster.addressees(author, kind)
        informed = tuple(
            sorted(
                ({me} if me in seen_by else set())
                | ({author} if author in self._audience else set())
            )
        )
        if terms is None:
            return None, informed, False, 0, 0.0, -1, 0.0
        return (
            terms,
            informed,
            bool(informed),
            terms.time.exact_microseconds,
            terms.vertical_m,
            _ticks_of(terms),
            terms.lateral_m,
        )


_Cell = tuple[PairTerms | None, tuple[str, ...], bool, int, float, int, float]


def _columns(cells: list[_Cell]) -> TermsTable:
    terms, informed, allowed, time_us, vertical_m, ticks, lateral_m = (
        list(zip(*cells, strict=True)) or [()] * 7
    )
    return TermsTable(
        list(terms),
        list(informed),
        np.array(allowed, bool),
        np.array(time_us, np.int64),
        np.array(vertical_m, np.float64),
        np.array(ticks, np.int64),
        np.array(lateral_m, np.float64),
    )


def _ticks_of(terms: PairTerms | None) -> int:
    """The vertical margin of ``terms`` in whole ticks, or -1 when it is none."""
    return -1 if terms is None else _length_ticks(terms.vertical)


@lru_cache(maxsize=256)
def _length_ticks(length: Length) -> int:
    """A margin in whole ticks, or -1 when it is none (remembered: a few margins recur)."""
    ticks = length.exact_metres * TICKS
    return ticks.numerator if ticks.denominator == 1 and 0 <= ticks < 2**50 else -1
