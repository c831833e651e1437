"""The spatio-temporal index returns exactly the entries whose box and span intersect the query
(every one, and only those), including entries in the overflow list and after removals."""

from __future__ import annotations

import os
from collections.abc import Hashable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex

SCALE = int(os.environ.get("DECONFLICTION_HYPOTHESIS_SCALE", "1"))

# Coordinates on a coarse grid, so that edges often coincide exactly (touching boxes and
# spans must be found: the test is inclusive) and cells are often shared.
coords = st.integers(-40, 40).map(lambda k: k * 0.25)
times = st.integers(-20, 60).map(lambda k: k * 900.0)


@st.composite
def boxes(draw: st.DrawFn) -> tuple[float, float, float, float, float, float]:
    west = draw(coords)
    south = draw(coords)
    t0 = draw(times)
    # Mostly small boxes, sometimes huge ones (more cells than max_keys: the overflow list).
    huge = draw(st.integers(0, 4)) == 0
    width = draw(st.integers(0, 80 if huge else 4)) * 0.25
    height = draw(st.integers(0, 80 if huge else 4)) * 0.25
    span = draw(st.integers(0, 200 if huge else 8)) * 900.0
    return west, south, west + width, south + height, t0, t0 + span


def _intersects(box, q) -> bool:
    west, south, east, north, t0, t1 = box
    qw, qs, qe, qn, q0, q1 = q
    return west <= qe and east >= qw and south <= qn and north >= qs and t0 <= q1 and t1 >= q0


class IndexMachine(RuleBasedStateMachine):
    """Adds, removes and queries, checked against a plain list."""

    @initialize(
        cell=st.sampled_from([0.25, 0.5, 1.0]),
        bucket=st.sampled_from([900.0, 3600.0, 6 * 3600.0]),
        max_keys=st.sampled_from([1, 4, 64]),
    )
    def start(self, cell: float, bucket: float, max_keys: int) -> None:
        self.index = SpatioTemporalIndex(cell_deg=cell, bucket_s=bucket, max_keys=max_keys)
        self.entries: dict[Hashable, list[tuple[float, ...]]] = {}
        self.counter = 0

    @rule(box=boxes(), share=st.booleans())
    def add(self, box, share) -> None:
        if share and self.entries:
            payload = sorted(self.entries, key=str)[self.counter % len(self.entries)]
        else:
            payload = f"p{self.counter}"
        self.counter += 1
        self.index.add(IndexEntry(*box, payload))
        self.entries.setdefault(payload, []).append(box)

    @rule(data=st.data())
    def remove(self, data) -> None:
        if not self.entries:
            self.index.remove("never-added")
            return
        payload = data.draw(st.sampled_from(sorted(self.entries, key=str)))
        self.index.remove(payload)
        del self.entries[payload]

    @rule(q=boxes())
    def query(self, q) -> None:
        found = self.index.query(*q)
        expected = {p for p, bs in self.entries.items() if any(_intersects(b, q) for b in bs)}
        assert len(found) == len(set(found)), "a payload is returned once"
        assert set(found) == expected

    @invariant()
    def counts(self) -> None:
        if hasattr(self, "index"):
            assert len(self.index) == sum(len(bs) for bs in self.entries.values())
            assert set(self.index.payloads()) == set(self.entries)
            # One slot is held as itself and several as a list: both answer the same way.
            for payload, bs in self.entries.items():
                slots = self.index.slots_of(payload)
                assert len(slots) == len(set(slots)) == len(bs)
                assert all(self.index.payload_of(s) == payload for s in slots)


IndexMachine.TestCase.settings = settings(
    max_examples=60 * SCALE,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestIndexAgainstBruteForce = IndexMachine.TestCase


@settings(max_examples=60 * SCALE, deadline=None)
@given(
    st.lists(boxes(), max_size=60), st.lists(boxes(), min_size=1, max_size=10), st.integers(1, 8)
)
def test_query_equals_brute_force(entries, queries, max_keys):
    index = SpatioTemporalIndex(cell_deg=0.5, bucket_s=3600.0, max_keys=max_keys)
    for i, box in enumerate(entries):
        index.add(IndexEntry(*box, i))
    for q in queries:
        expected = {i for i, box in enumerate(entries) if _intersects(box, q)}
        assert set(index.query(*q)) == expected


def test_growing_past_the_initial_capacity_keeps_every_entry():
    index = SpatioTemporalIndex()
    for i in range(3000):
        index.add(
            IndexEntry(35.0 + (i % 50) * 0.01, 33.0, 35.0 + (i % 50) * 0.01, 33.0, 0.0, 60.0, i)
        )
    assert len(index) == 3000
    assert len(index.query(35.0, 33.0, 35.5, 33.0, 0.0, 0.0)) == 3000
    for i in range(0, 3000, 2):
        index.remove(i)
    assert sorted(index.query(35.0, 33.0, 35.5, 33.0, 0.0, 0.0)) == list(range(1, 3000, 2))


def test_boxes_apart_by_less_than_a_single_float_are_told_apart():
    """The cells keep boxes as single floats; the exact boxes decide: an entry a nanodegree
    or a microsecond past the query is not found, one touching it is."""
    index = SpatioTemporalIndex()
    t = 1_790_000_000.123456  # seconds since the epoch: a single float's step here is 128 s
    index.add(IndexEntry(35.1 + 1e-9, 33.1, 35.2, 33.2, t, t + 60.0, "east-of-it"))
    index.add(IndexEntry(35.0, 33.0, 35.1, 33.1 - 1e-9, t, t + 60.0, "south-of-it"))
    index.add(IndexEntry(35.0, 33.1, 35.1, 33.2, t + 1e-6, t + 60.0, "later"))
    index.add(IndexEntry(35.1, 33.1, 35.2, 33.2, t, t, "touching"))
    assert index.query(35.0, 33.1, 35.1, 33.2, t - 60.0, t) == ["touching"]


def test_a_payload_can_come_back_after_removal():
    index = SpatioTemporalIndex()
    index.add(IndexEntry(35.0, 33.0, 35.1, 33.1, 0.0, 60.0, "n"))
    index.remove("n")
    index.add(IndexEntry(36.0, 33.0, 36.1, 33.1, 0.0, 60.0, "n"))
    assert index.query(35.0, 33.0, 35.1, 33.1, 0.0, 60.0) == []
    assert index.query(36.05, 33.05, 36.05, 33.05, 30.0, 30.0) == ["n"]


def test_inverted_entries_and_bad_parameters_are_refused():
    index = SpatioTemporalIndex()
    with pytest.raises(ValueError, match="must not be inverted"):
        index.add(IndexEntry(35.1, 33.0, 35.0, 33.1, 0.0, 60.0, "x"))
    with pytest.raises(ValueError, match="must not be inverted"):
        index.add(IndexEntry(35.0, 33.0, 35.1, 33.1, 60.0, 0.0, "x"))
    with pytest.raises(ValueError, match="must be positive"):
        SpatioTemporalIndex(cell_deg=0.0)
    with pytest.raises(ValueError, match="must be positive"):
        SpatioTemporalIndex(max_keys=0)


# Edges a few nanodegrees or microseconds either side of a coarse grid: most of them round to
# the same single float as the grid's value (the cells' rows are singles), so queries meet rows
# tied with them in singles and decided only by the exact boxes, or strictly apart in singles.
_NUDGES = st.sampled_from([-3e-6, -1e-8, -1e-9, 0.0, 1e-9, 1e-8, 3e-6])
near_coords = st.builds(lambda k, d: k * 0.125 + d, st.integers(-16, 16), _NUDGES)
near_times = st.builds(
    lambda k, d: 1_790_000_000.0 + k * 600.0 + d * 1e7, st.integers(-6, 30), _NUDGES
)


@st.composite
def near_boxes(draw: st.DrawFn) -> tuple[float, float, float, float, float, float]:
    west, east = sorted((draw(near_coords), draw(near_coords)))
    south, north = sorted((draw(near_coords), draw(near_coords)))
    t0, t1 = sorted((draw(near_times), draw(near_times)))
    return west, south, east, north, t0, t1


@settings(max_examples=100 * SCALE, deadline=None)
@given(st.lists(near_boxes(), max_size=40), st.lists(near_boxes(), min_size=1, max_size=10))
def test_edges_within_a_single_float_are_decided_exactly(entries, queries):
    """A row strictly inside the query in singles is taken without its exact box; a row tied
    with the query in singles is decided by its exact box: the answer is the brute force's,
    whichever side of the query's edges by less than a single float an edge lies."""
    index = SpatioTemporalIndex(cell_deg=0.5, bucket_s=3600.0)
    for i, box in enumerate(entries):
        index.add(IndexEntry(*box, i))
    for q in queries:
        expected = sorted(i for i, box in enumerate(entries) if _intersects(box, q))
        assert sorted(index.query(*q)) == expected  # type: ignore[type-var]
