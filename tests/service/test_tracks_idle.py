"""An idle round of live tracks (no aircraft, no open tactical alert, nothing pending) reads
nothing of the situation: with thousands of notices, that read, in the writer, twice a second,
was the tail of every other write (bench/RESULTS.md, DSS)."""

from __future__ import annotations

from datetime import UTC, datetime

from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings
from deconfliction.service.tracks import TrackService
from deconfliction.service.writer import Writer


def test_an_idle_round_reads_nothing_of_the_situation(tmp_path) -> None:
    store = str(tmp_path / "idle.sqlite3")
    with Coordinator.open(store) as coordinator:
        writer = Writer(coordinator)
        writer.start()
        try:
            tracks = TrackService(writer, Settings(db=store), FixedClock(datetime.now(UTC)))
            tracks.start()
            for _ in range(3):
                stats = tracks.tick(wait=False)
                # No phase ran (a round that reads the situation times its "context" phase),
                # and nothing was handed to the writer for the next round.
                assert (stats.aircraft, stats.changes, stats.phases) == (0, 0, {})
                assert writer.depth() == 0
        finally:
            writer.stop()
