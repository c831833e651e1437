"""What bench/console.py needs around the browser: a ``deconflict serve`` process (of this
checkout, or of another source tree for a before/after comparison in one run), the CPU time of
the browser's and the server's processes, and the page's own main-thread time (CDP
``Performance.getMetrics``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from server_common import cpu_seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    printed: str
    pid: int

    def cpu(self) -> float:
        """CPU seconds the server process has used so far."""
        return cpu_seconds(self.pid)


@contextlib.contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None, source: Path | None = None
) -> Iterator[Served]:
    """``deconflict serve ARGS`` on a free port.  ``source``: another checkout's root whose
    ``src`` (with its built console) is served instead of this one's."""
    port = _free_port()
    extra = dict(env or {})
    if source is not None:
        extra["PYTHONPATH"] = str(source / "src")
    with tempfile.TemporaryDirectory() as scratch:
        log_path = Path(scratch) / "serve.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "deconfliction", "serve", "--port", str(port)),
                    *("--log-level", "warning", *args),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "COLUMNS": "400", **extra},
            )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                if process.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.1)
            yield Served(url, log_path.read_text(), process.pid)
        finally:
            process.terminate()
            process.wait(30)


def _descendants(root: int) -> list[int]:
    """Processes below ``root`` (the browser: Playwright's driver, Chromium and its children)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with (
                contextlib.suppress(OSError),
                open(f"/proc/{entry}/stat", encoding="ascii") as stat,
            ):
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def browser_cpu(exclude: set[int] | frozenset[int] = frozenset()) -> float:
    """CPU seconds (user + system) spent so far by the browser's processes (every process
    below this one but ``exclude``: the renderer, and the GPU process where SwiftShader draws)."""
    total = 0.0
    for pid in _descendants(os.getpid()):
        if pid in exclude:
            continue
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def browser_cpu_by_process() -> dict[str, float]:
    """CPU seconds so far of the browser's GPU process (where SwiftShader draws WebGL), its
    renderers (the page), and the rest."""
    found = {"gpu": 0.0, "renderer": 0.0, "other": 0.0}
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            # Chromium rewrites its children's command lines (one string, spaces between).
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                arguments = cmdline.read()
            kind = (
                "gpu"
                if b"--type=gpu-process" in arguments
                else "renderer"
                if b"--type=renderer" in arguments
                else "other"
            )
            found[kind] += cpu_seconds(pid)
    return found


class PageMeter:
    """The page's main-thread time (CDP ``Performance`` domain: ``TaskDuration``, of which
    ``ScriptDuration`` ran JavaScript) and the browser's CPU, between ``start`` and ``stop``."""

    def __init__(self, page: Any, exclude: set[int]) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.exclude = exclude
        self._start: dict[str, float] = {}
        self._cpu = 0.0

    def _metrics(self) -> dict[str, float]:
        answer = self.cdp.send("Performance.getMetrics")
        return {m["name"]: float(m["value"]) for m in answer["metrics"]}

    def start(self) -> None:
        self._start = self._metrics()
        self._cpu = browser_cpu(self.exclude)

    def stop(self, moves: int) -> tuple[float, float, float]:
        """(browser CPU, page main-thread task time, of which script) in ms a move."""
        cpu = browser_cpu(self.exclude) - self._cpu
        end = self._metrics()
        task = end["TaskDuration"] - self._start["TaskDuration"]
        script = end["ScriptDuration"] - self._start["ScriptDuration"]
        return (cpu * 1000 / moves, task * 1000 / moves, script * 1000 / moves)
