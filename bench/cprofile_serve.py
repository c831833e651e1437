"""Run ``deconflict`` with its main thread (the server's event loop) profiled on its CPU clock.

``bench/server_push.py --cprofile FILE`` starts the server through this script: SIGUSR1 starts
the profile (after the warm-up), SIGUSR2 stops it and writes it to FILE (``pstats``).  The
clock is the thread's CPU time (``time.thread_time``), so waiting (for the GIL, in the poll)
counts for nothing, unlike a wall-clock profile or a sampler that cannot tell a thread waiting
for the GIL from one running::

    python bench/cprofile_serve.py FILE serve --db ... --port ...
    python -c "import pstats; pstats.Stats('FILE').sort_stats('cumulative').print_stats(60)"

The profiler's own cost inflates functions that make many small calls: compare shares between
profiles taken the same way, and the CPU per notice only with an unprofiled run.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time
from types import FrameType


def main() -> None:
    output = sys.argv[1]
    sys.argv = ["deconflict", *sys.argv[2:]]
    profile = cProfile.Profile(time.thread_time)

    def start(signum: int, frame: FrameType | None) -> None:
        profile.enable()  # signal handlers run on the main thread: the one profiled

    def stop(signum: int, frame: FrameType | None) -> None:
        profile.disable()
        profile.dump_stats(output)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    runpy.run_module("deconfliction", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
