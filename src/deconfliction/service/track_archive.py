"""Track history beyond memory: the samples memory keeps (``track_replay.TrackHistory``, one per
aircraft at most every ``tracks_history_step_s``) also written to the record, and a replay
that reads memory for the window it holds and the record before it.

Writing.  The round only appends each new sample to a list (no I/O on its path).  At most every
:data:`FLUSH_S` the round hands what gathered to the one writer as a single command, without
waiting for it: one transaction per batch (10,000 rows at 10,000 aircraft), never one per
report, and the same command deletes what is older than ``tracks_record_days`` (so an idle
server, writing no batch, deletes nothing until tracks flow again).  When the server stops,
what gathered since the last batch is written before the writer stops
(``TrackService.stop``); only a process that dies without stopping loses it (at most
:data:`FLUSH_S` of history; the alerts' evidence is in the ledger).

Reading.  For an instant ``T`` a replay needs each aircraft's samples over ``[T - span, T]``
(``span``: the trail length, ``tracks_history_s``, or only ``tracks_max_age_s`` without
trails).  Memory holds every sample from :meth:`~TrackHistory.complete_from` on; when the span
starts there or later the answer is memory's alone; otherwise the record gives the samples
before that time and memory the rest.  Both hold the same samples (the record's are memory's,
written as doubles and read back bit for bit), so the answer for an instant does not depend on
which was read (``tests/service/test_track_archive.py``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection
from concurrent.futures import Future

from deconfliction.service.coordinator import Tx
from deconfliction.service.settings import Settings
from deconfliction.service.track_replay import Kept, Sample, TrackHistory, picture
from deconfliction.service.writer import Writer
from deconfliction.store import track_history as store

__all__ = ["FLUSH_S", "TrackArchive"]

log = logging.getLogger("deconfliction.tracks.archive")

FLUSH_S = 5.0
"""Seconds between two batches: short beside memory's window (so the record always holds what
memory has dropped), long enough that a batch carries every aircraft's sample of a step."""
_DAY_S = 86_400.0


class TrackArchive:
    """Writes the history's new samples to the record in batches; reads a replay's samples
    from memory and the record."""

    def __init__(self, writer: Writer, history: TrackHistory, settings: Settings) -> None:
        self.writer = writer
        self.history = history
        self.keep_s = settings.tracks_record_days * _DAY_S
        history.record = self.keep_s > 0
        self._last = -float("inf")
        self.pending: Future[int] | None = None
        """The last batch handed to the writer."""

    def flush(self, t: float, *, force: bool = False) -> Future[int] | None:
        """Hand the samples gathered since the last batch to the writer, if :data:`FLUSH_S`
        has passed since it (or ``force``); ``t`` is the round's time."""
        if not self.history.record or (not force and t - self._last < FLUSH_S):
            return None
        self._last = t
        # A kept sample is the record's row without the aircraft (``Kept``).
        rows = [(key, *k) for key, k in self.history.take_fresh()]
        if not rows:  # an idle round hands the writer nothing
            return None
        cutoff = t - self.keep_s

        def command(tx: Tx) -> int:
            store.forget_before(tx.connection, cutoff)
            return store.insert(tx.connection, rows)

        self.pending = self.writer.submit(command)
        self.pending.add_done_callback(_log_failure)
        return self.pending

    def stored(
        self, start: float, end: float, keys: Collection[str] | None = None
    ) -> dict[str, list[Kept]]:
        """Each aircraft's samples in the record with ``start <= t <= end`` (only ``keys`` if
        given), oldest first, as memory keeps them."""
        out: dict[str, list[Kept]] = {}
        with self.writer.coordinator.reading() as connection:
            for row in store.window(connection, start, end, keys):
                values = tuple(row)
                out.setdefault(values[0], []).append(values[1:])
        return out

    def _samples(
        self, start: float, end: float, complete: float, keys: Collection[str] | None = None
    ) -> dict[str, list[Kept]]:
        """Samples over ``[start, end]``: the record's before ``complete``, memory's after."""
        samples = {
            k: [s for s in v if s[0] < complete]
            for k, v in self.stored(start, min(end, complete), keys).items()
        }
        for key, recent in self.history.between(max(start, complete), end, keys).items():
            samples.setdefault(key, []).extend(recent)
        return samples

    def picture_at(
        self,
        t: float,
        max_age_s: float,
        wanted: Callable[[str, str | None], bool],
        *,
        trails: bool = True,
        source: str = "auto",
    ) -> list[tuple[str, Sample, list[Kept]]]:
        """The picture at ``t`` (``TrackHistory.picture_at``), by aircraft key, for any instant
        the record covers.  ``source`` (for tests) forces ``"memory"`` or ``"record"``.

        Beyond memory it reads in two steps, so that a party that sees a few aircraft among
        many does not pay for every trail: who stands at ``t`` (the samples over the last
        ``max_age_s``) and may be seen; then the trails of those only."""
        history, keep = self.history, self.history.keep_s
        complete = math.inf if source == "record" else history.complete_from()
        span = max(keep, max_age_s) if trails else max_age_s
        if source == "memory" or (source == "auto" and t - span >= complete):
            found = history.picture_at(t, max_age_s, wanted, trails=trails)
        else:
            recent = self._samples(t - max_age_s, t, complete)
            found = picture(recent, t, max_age_s, keep, wanted, trails=False)
            if trails and found:
                seen = [key for key, _, _ in found]
                samples = self._samples(t - span, t, complete, seen)
                found = picture(samples, t, max_age_s, keep, _anyone, trails=True)
        return sorted(found, key=_by_key)


def _anyone(key: str, callsign: str | None) -> bool:
    return True


def _by_key(item: tuple[str, Sample, list[Kept]]) -> str:
    return item[0]


def _log_failure(future: Future[int]) -> None:
    if future.exception() is not None:
        log.error("recording track history failed", exc_info=future.exception())
