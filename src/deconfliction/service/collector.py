"""The cycle collector and what lives as long as the process.

Every full pass of the cycle collector walks every object it tracks, holding every thread
meanwhile.  Modules, the situation read back from the record (100,000 notices are millions of
objects), the configuration, and what the first round of live tracks loads (numba's compiled
kernel and its typing machinery, the projection) live as long as the process: at 10,000
aircraft reporting at 1 Hz, passes over them came every few seconds and took 0.2-0.3 s of CPU
each, a report's alert waiting behind them (``docs/design/tracks.md``, "Latency").  Frozen
(``gc.freeze``), they are left out of every later pass.

Garbage is collected first, so that none is frozen; a frozen object is still freed when its
last reference goes, and only a reference cycle formed later among frozen objects would be
kept.  Each stage freezes once per process (a test suite builds many servers).

A server also collects its youngest generation less often (:func:`serve_thresholds`).  Python
passes over the objects allocated since the last pass every 700 net allocations; a filing
allocates thousands (its models, rows, answer and frames) that nearly all die by reference
counting before a pass could find them, so the passes found almost nothing and cost the most:
measured in one server at 100 filings a second (``gc.callbacks``, the passes' CPU), about
0.25 ms a filing in the young and middle generations, and a full pass (tens of ms, the whole
heap not frozen) every few seconds, another 0.2 ms a filing.  With a threshold of 5,000 they
were a third of that (``bench/RESULTS.md``, "Lighter filing path").
"""

from __future__ import annotations

import gc
import threading

__all__ = ["YOUNG_THRESHOLD", "freeze_once", "serve_thresholds"]

YOUNG_THRESHOLD = 5000
"""Net allocations between two passes over the youngest generation, in a server (Python: 700)."""

_done: set[str] = set()
_lock = threading.Lock()


def freeze_once(stage: str) -> bool:
    """Collect, then freeze every object alive, the first time ``stage`` is named in this
    process (``"startup"``: the server has started; ``"tracks"``: the first round with
    aircraft has run).  True if it froze."""
    with _lock:
        if stage in _done:
            return False
        _done.add(stage)
    gc.collect()
    gc.freeze()
    return True


def serve_thresholds() -> None:
    """The collector's thresholds for a server process: the youngest generation collected
    every :data:`YOUNG_THRESHOLD` net allocations, the older ones as Python does."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
