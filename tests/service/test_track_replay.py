"""The air picture at an instant, against a brute-force reading of the same samples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.service.track_replay import Sample, standing_at


def _samples(times: list[float]) -> list[Sample]:
    return [Sample(t, 35.0, 33.0, 9144.0, 90.0, None, None, None, "X") for t in sorted(times)]


def _brute(samples: list[Sample], t: float, max_age: float) -> int | None:
    found = None
    for i, s in enumerate(samples):
        if s.t <= t:
            found = i
    if found is None or t - samples[found].t > max_age:
        return None
    return found


times = st.lists(st.integers(0, 200).map(float), max_size=40, unique=True)


@given(times, st.integers(-10, 230).map(float), st.sampled_from([0.0, 5.0, 20.0]))
def test_standing_at_is_the_last_sample_at_or_before_no_older_than_the_age(
    ts: list[float], t: float, max_age: float
) -> None:
    samples = _samples(ts)
    assert standing_at(samples, t, max_age) == _brute(samples, t, max_age)


def test_the_boundaries_a_sample_at_the_instant_and_one_exactly_the_age_old() -> None:
    samples = _samples([100.0, 105.0])
    assert standing_at(samples, 105.0, 20.0) == 1  # at the instant itself: that sample
    assert standing_at(samples, 125.0, 20.0) == 1  # exactly the age old: still stands
    assert standing_at(samples, 125.000001, 20.0) is None
    assert standing_at(samples, 99.999999, 20.0) is None  # before the first
