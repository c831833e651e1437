"""Python's cycle collector paused while a report is computed.

A busy day's report holds a quarter of a million decoded entries -- millions of dicts, lists
and strings -- at once.  The cycle collector walks every live container each time enough new
ones have been made since its last pass, so while those entries are read and counted it walks
millions of objects again and again: more than half the report's CPU time on the 10,000-notice
day (bench/RESULTS.md).  None of it is cyclic garbage (decoded JSON holds no cycles; reference
counting frees it when the report is done), so the collector is paused while a report is made
and resumed after; cycles made meanwhile (by the charts) are collected at its next pass.

The collector is one per process: the pause is counted, so that two reports made at once in
two threads resume it only when both are done, and a collector someone else turned off stays
off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the duration (counted across threads).

    >>> gc.isenabled()
    True
    >>> with collector_paused():
    ...     with collector_paused():
    ...         gc.isenabled()
    ...     gc.isenabled()
    False
    False
    >>> gc.isenabled()
    True
    """
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
