"""The bulk screen (``detection/screen.py``, what the situation runs: conflicts as columns,
their findings made from the columns) finds exactly what the per-pair reference
(``overlap_reference.py``: ``overlaps_among`` over ``CandidateVolumes``, then ``findings_of``)
finds: same findings, same figures, same words, on generated scenes and on the exact-threshold
cases of ``test_thresholds_*`` (pairs a millimetre inside, exactly at and a millimetre outside
the lateral and vertical margins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.engine.detection.overlap import epoch_us
from deconfliction.engine.detection.screen import screen_overlaps
from deconfliction.engine.model import Agreement, Notice, Party
from deconfliction.engine.situation import Situation
from deconfliction.engine.situation.notices import _exact_us, _split_us
from tests.engine.overlap_reference import CandidateVolumes, candidates, overlaps_among
from tests.engine.test_detection_properties import margins, notices
from tests.engine.test_thresholds_lateral import _notice as wide_notice
from tests.engine.test_thresholds_lateral import _separation, pairs
from tests.engine.test_thresholds_vertical import BOUNDS, CIRCLE, vertical_cases
from tests.engine.thresholds import MM, cases, notice, volume, world

AUTHORS = "abch"
# Hypothesis takes naive bounds and attaches the zone itself.
EARLY = datetime(1900, 1, 1)  # noqa: DTZ001
LATE = datetime(2999, 12, 31, 23, 59, 59, 999999)  # noqa: DTZ001


def assert_same(s: Situation, *probes: Notice) -> int:
    """Every current notice, and each probe (not recorded), checked both ways; returns the
    number of findings compared."""
    book, roster = s.notices, s.roster
    compared = 0
    for n in [*book.current_versions(), *probes]:
        series = book.series_of(n.id)

        def series_of(notice_id: str, n: Notice = n, series: str = series) -> str:
            return series if notice_id == n.id else book.series_of(notice_id)

        rows = book.candidate_rows(n, series, roster)
        table = CandidateVolumes.of(candidates(book, n, series, roster))
        reference = overlaps_among(n, table, roster, series_of)
        assert screen_overlaps(n, rows, roster, series_of) == reference, n.id
        compared += len(reference)
    return compared


def _scene(margin: dict[str, str], filed: list[Notice]) -> Situation:
    s = Situation()
    for p in AUTHORS:
        kind = "humanitarian" if p == "h" else "armed_force"
        s.file(Party(id=p, name=p.upper(), kind=kind))
    s.file(
        Agreement.model_validate(
            {"id": "all", "name": "All", "parties": list(AUTHORS), "margins": margin}
        )
    )
    s.file(
        Agreement.model_validate(
            {"id": "ab", "name": "A-B", "parties": ["a", "b"], "margins": {"lateral": "2 km"}}
        )
    )
    for n in filed:
        s.restore(n)
    return s


@st.composite
def scenes(draw: st.DrawFn) -> tuple[dict[str, str], list[Notice], Notice]:
    """Two to seven notices by four parties (one or two volumes each, near one another,
    some replaced or cancelled), margins, and a probe by one of them."""
    count = draw(st.integers(2, 7))
    filed = [draw(notices(f"n-{i}", draw(st.sampled_from(AUTHORS)))) for i in range(count)]
    for i in draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True)):
        earlier = filed[i]
        changed = draw(notices(f"{earlier.id}-r", earlier.author))
        action = draw(st.sampled_from(["replace", "cancel"]))
        update: dict[str, Any] = {"action": action, "replaces": earlier.id}
        if action == "cancel":
            update["volumes"] = []
        # Validated, as every recorded version is (the book rebuilds versions from their JSON).
        filed.append(Notice.model_validate(changed.model_dump(exclude_unset=True) | update))
    probe = draw(notices("probe", draw(st.sampled_from(AUTHORS))))
    return draw(margins), filed, probe


@cases(60)
@given(scenes())
def test_the_screen_finds_what_the_reference_finds(scene):
    margin, filed, probe = scene
    assert_same(_scene(margin, filed), probe)


@cases(30)
@given(pairs(), st.sampled_from([-MM, 0.0, MM]))
def test_the_screen_agrees_at_the_lateral_margin(ref, case, offset):
    gap = _separation(ref, case)
    assume(gap > 10 * MM)
    s = world(
        {"margins": {"lateral": f"{round(gap + offset, 6):.6f} m", "vertical": "500 ft"}},
        wide_notice("n-a", "a", case["first"]["outline"]),
    )
    assert_same(s, wide_notice("n-b", "b", case["second"]["outline"]))


@cases(60)
@given(vertical_cases(BOUNDS))
def test_the_screen_agrees_at_the_vertical_margin(case):
    s = world(
        {"margins": {"lateral": "1 km", "vertical": str(case["margin"]), "time": "0 min"}},
        notice("n-a", "a", volume(CIRCLE, *case["a"])),
    )
    found = assert_same(s, notice("n-b", "b", volume(CIRCLE, *case["b"])))
    assert found == int(case["conflict"])


def test_the_screen_sees_the_scene_of_many_notices():
    """Not an empty comparison: a scene where the reference finds overlaps."""
    outline = {"type": "circle", "center": "33.1N 35.9E", "radius": "5 km"}
    filed = [notice(f"n-{p}", p, volume(outline)) for p in "abc"]
    s = _scene({"lateral": "3 NM", "vertical": "500 ft"}, filed)
    assert assert_same(s, notice("probe", "h", volume(outline))) >= 6


def test_the_screen_is_exact_beyond_the_year_2255():
    """Windows whose microseconds since 1970 pass 2**53 (after 2255) are exact in the index's
    columns too: a window ending a microsecond before the other starts does not overlap it,
    one ending a microsecond after does."""
    outline = {"type": "circle", "center": "33.1N 35.9E", "radius": "5 km"}

    def late(ident: str, author: str, start: str, end: str) -> Notice:
        return notice(
            ident,
            author,
            {**volume(outline), "window": {"start": start, "end": end}},
        )

    s = _scene(
        {"lateral": "3 NM", "vertical": "500 ft"},
        [late("n-a", "a", "2990-03-01T10:00:00Z", "2990-03-01T12:00:00.000001Z")],
    )
    after = late("n-b", "b", "2990-03-01T12:00:00.000001Z", "2990-03-01T13:00:00Z")
    touching = late("n-c", "c", "2990-03-01T12:00:00Z", "2990-03-01T13:00:00Z")
    assert assert_same(s, after) == 0
    assert assert_same(s, touching) == 1


@given(st.lists(st.datetimes(min_value=EARLY, max_value=LATE, timezones=st.just(UTC)), min_size=1))
def test_the_index_keeps_every_window_exact(times):
    """Each end of a window is kept as whole seconds and the microseconds left over, both
    exact in doubles, and read back as the exact count of microseconds, for every year."""
    exact = [epoch_us(t) for t in times]
    seconds, left = zip(*(_split_us(us) for us in exact), strict=True)
    back = _exact_us(np.array(seconds, np.float64), np.array(left, np.float64))
    assert back.tolist() == exact
