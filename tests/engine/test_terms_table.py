"""The overlap screen's table of terms, grown as the book meets new authors
(``engine/detection/terms_table.py``): the same table as one made whole, and the same findings
as the independent reference, however many times it grew."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from deconfliction.engine.detection.terms_table import TermsTable, _Growing, terms_table
from deconfliction.engine.model import NoticeKind
from tests.engine.test_screen_reference import _scene, assert_same, scenes
from tests.engine.thresholds import cases


def _same(a: TermsTable, b: TermsTable) -> None:
    assert a.terms == b.terms
    assert a.informed == b.informed
    for name in ("allowed", "time_us", "vertical_m", "vertical_ticks", "lateral_m"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype, name
        assert np.array_equal(left, right), name


@cases(40)
@given(scenes())
def test_a_table_grown_author_by_author_is_the_table_made_whole(scene):
    """Notices recorded one at a time, each author's first one growing every table already
    remembered (the probe's among them): the grown table equals a table made whole for the
    book's parties, and every check finds what the reference finds."""
    margin, filed, probe = scene
    s = _scene(margin, [])
    book, roster = s.notices, s.roster
    for n in filed:
        s.restore(n)
        rows = book.candidate_rows(probe, book.series_of(probe.id), roster)
        terms_table(probe, rows, roster)  # remembered by the roster from the first filing on
    rows = book.candidate_rows(probe, book.series_of(probe.id), roster)
    codes, table = terms_table(probe, rows, roster)
    audience = frozenset(roster.notice_audience(probe))
    whole = _Growing(probe.author, audience, tuple(rows.kinds), roster).table(list(book.parties))
    _same(table, whole)
    assert len(table.terms) == len(book.parties) * len(rows.kinds)
    assert codes.tolist() == (rows.party * len(rows.kinds) + rows.kind).tolist()
    assert_same(s, probe)


def test_a_table_for_another_order_of_parties_is_made_again():
    """A table asked for parties in another order than it grew with is made whole again, not
    grown (a code's party must be the one its row was made for)."""
    s = _scene({"lateral": "1 km"}, [])
    growing = _Growing("a", frozenset({"a", "b"}), (NoticeKind.air_operation,), s.roster)
    first = growing.table(["a", "b"])
    swapped = growing.table(["b", "a"])
    assert first.informed[::-1] == swapped.informed
    assert [t is None for t in first.terms][::-1] == [t is None for t in swapped.terms]
