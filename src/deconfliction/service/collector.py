"""The cycle collector and what lives as long as the process."""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze_startup"]

_frozen = threading.Event()


def freeze_startup() -> None:
    """Take what startup built out of the cycle collector's sight, once per process.

    Modules, the situation read back from the record (100,000 notices are millions of
    objects) and the configuration live as long as the process, yet every full pass of the
    collector walks them, holding every thread meanwhile: at 10,000 aircraft such passes came
    every few seconds and took about 0.3 s of CPU each, a report's alert waiting behind them
    (``docs/design/tracks.md``, "Latency").  Garbage is collected first, so that none is frozen;
    frozen objects are still freed when their last reference goes, and only a cycle formed
    later among them would be kept.  Once per process: a test suite creates many apps."""
    if _frozen.is_set():
        return
    _frozen.set()
    gc.collect()
    gc.freeze()
