"""When the round loop starts the next round of live tracks (``TrackService.tick``)."""

from __future__ import annotations

__all__ = ["ARRIVAL_POLL_S", "round_wait"]

ARRIVAL_POLL_S = 0.02
"""How often the round loop looks for new reports once a round may start (a counter read)."""


def round_wait(now: float, last: float, arrived: bool, least: float, most: float) -> float:
    """Seconds the round loop waits before the next round (0: start it now), at ``now``, the
    last round having started at ``last``; ``arrived``: reports came since it started.

    A round starts as soon as reports arrived, but no sooner than ``least`` after the last
    start (``tracks_round_min_s``), and at the latest ``most`` after it (``tracks_tick_s``:
    tracks go stale and volumes start without any report).  Starts are counted from the last
    start, not its end: a round that ran late is followed at once.  A report then waits for a
    round at most ``least`` (plus one poll), not a whole fixed tick."""
    if now < last + least:
        return last + least - now
    if arrived or now >= last + most:
        return 0.0
    return min(ARRIVAL_POLL_S, last + most - now)
