"""When the round loop starts a round: as soon as reports arrived, within bounds."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.service.track_rounds import ARRIVAL_POLL_S, round_wait

times = st.floats(0.0, 1000.0, allow_nan=False)
intervals = st.floats(0.01, 10.0, allow_nan=False)


@given(times, times, st.booleans(), intervals, intervals)
def test_a_round_starts_when_due_and_the_wait_never_passes_the_moment_it_falls_due(
    now: float, last: float, arrived: bool, least: float, extra: float
) -> None:
    most = least + extra
    wait = round_wait(now, last, arrived, least, most)
    assert wait >= 0.0
    # Due: no sooner than `least` after the last start; then on arrival, or `most` after it.
    due_at = last + least if arrived else last + most
    if wait == 0.0:
        assert now >= last + least
        assert arrived or now >= last + most
    else:
        assert now + wait <= max(due_at, now + ARRIVAL_POLL_S) + 1e-9
        assert wait <= max(last + least - now, ARRIVAL_POLL_S) + 1e-9


def test_the_first_round_starts_at_once_and_reports_start_the_next_after_the_least_interval():
    assert round_wait(5.0, -math.inf, False, 0.25, 0.5) == 0.0
    assert math.isclose(round_wait(10.1, 10.0, True, 0.25, 0.5), 0.15)  # too soon: wait
    assert round_wait(10.3, 10.0, True, 0.25, 0.5) == 0.0  # reports waiting: start
    assert round_wait(10.3, 10.0, False, 0.25, 0.5) == ARRIVAL_POLL_S  # none: look again
    assert math.isclose(round_wait(10.49, 10.0, False, 0.25, 0.5), 0.01)  # not past the tick
    assert round_wait(10.5, 10.0, False, 0.25, 0.5) == 0.0  # the longest interval: start
