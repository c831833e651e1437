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
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze_once"]

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
