"""Benchmark: where a PostgreSQL write transaction's time with the lock held goes.

Runs ``bench/writer_cpu.py`` (same arguments: ``--db postgresql://... --nodes 2 --batch 1``,
``--busy``, ``--switch-ms``) with its writers timed part by part, per transaction after the
warm-up:

* **take**: from asking for the lock to the catch-up query's rows (the lock's wait, the first
  round trip, the GIL after it).  Not in the ``held`` the servers report, which starts when the
  rows are in;
* **held**: the servers' own figure (``Commit.held_s``) and the writing thread's CPU in it;
* **catch-up**: restoring the other nodes' events (``Coordinator._follow``), wall and CPU;
* **the commit's pipeline**: the waits of the driver once the rows are sent (the statements
  run by PostgreSQL, its commit, the GIL after the answer), wall and the thread's CPU in them;
* the calls into psycopg's poller (each gives the GIL up) and the writing thread's context
  switches from asking for the lock to the commit (``getrusage(RUSAGE_THREAD)``: voluntary
  ones are waits, for the server or for the GIL);
* the writer's PostgreSQL backend's own CPU (``/proc``, same machine only).

It wraps a few functions of the package (psycopg's ``Connection.wait`` and ``waiting.wait``,
``Database._take_place``, ``Coordinator._follow``, ``Database.announce``) for the run: a
measuring tool, not a model of the server.  Usage::

    bash scripts/postgres bash -c 'python bench/lock_parts.py --db "$DECONFLICT_TEST_POSTGRES_URL" \\
        --nodes 2 --notices 400 --warmup 40 --batch 1 [--busy]'
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import psycopg.waiting

import writer_cpu  # beside this script, on sys.path
from deconfliction.service import coordinator
from deconfliction.store import database

_local = threading.local()
_done: list[dict[str, Any]] = []
_backends: set[int] = set()


def _thread_switches() -> tuple[int, int]:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_nvcsw, usage.ru_nivcsw


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrap(owner: Any, name: str, around: Callable[..., Any]) -> None:
    inner = getattr(owner, name)
    setattr(owner, name, lambda *a, **k: around(inner, *a, **k))


def _wait(inner: Callable[..., Any], conn: Any, gen: Any, *a: Any, **k: Any) -> Any:
    tx = getattr(_local, "tx", None)
    if tx is None:
        return inner(conn, gen, *a, **k)
    _backends.add(conn.info.backend_pid)
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        return inner(conn, gen, *a, **k)
    finally:
        part = tx["parts"].setdefault(tx["phase"], [0, 0.0, 0.0])
        part[0] += 1
        part[1] += time.perf_counter() - wall
        part[2] += time.thread_time() - cpu


def _counted(gen: Any) -> Any:
    tx = getattr(_local, "tx", None)
    try:
        wanted = next(gen)
        while True:
            if tx is not None:
                tx["polls"][tx["phase"]] = tx["polls"].get(tx["phase"], 0) + 1
            wanted = gen.send((yield wanted))
    except StopIteration as end:
        return end.value


def _take(inner: Callable[..., Any], *a: Any, **k: Any) -> Any:
    tx = _local.tx = {"parts": {}, "polls": {}, "phase": "take", "switches": _thread_switches()}
    wall = time.perf_counter()
    try:
        return inner(*a, **k)
    finally:
        tx["take"] = time.perf_counter() - wall
        tx["phase"] = "body"


def _follow(inner: Callable[..., Any], self: Any, connection: Any, rows: Any) -> Any:
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        return inner(self, connection, rows)
    finally:
        tx = getattr(_local, "tx", None)
        if tx is not None:
            tx["follow"] = (time.perf_counter() - wall, time.thread_time() - cpu, len(rows))


def _announce(inner: Callable[..., Any], *a: Any) -> Any:
    tx = getattr(_local, "tx", None)
    if tx is not None:
        tx["phase"] = "commit"
    return inner(*a)


def _commit(inner: Callable[..., Any], self: Any, *a: Any, **k: Any) -> None:
    inner(self, *a, **k)
    tx, _local.tx = getattr(_local, "tx", None), None
    if tx is None or "follow" not in tx:
        return
    voluntary, involuntary = _thread_switches()
    tx |= {
        "held": self.held_s,
        "cpu": self.held_cpu_s,
        "switches": (voluntary - tx["switches"][0], involuntary - tx["switches"][1]),
    }
    tx["backends"] = sum(_proc_cpu(pid) for pid in _backends)  # after the commit: unlocked
    _done.append(tx)


def report(txs: list[dict[str, Any]]) -> str:
    n = max(len(txs), 1)

    def ms(get: Callable[[dict[str, Any]], float]) -> float:
        return sum(get(t) for t in txs) / n * 1000

    def waits(phase: str, i: int) -> float:
        return sum(t["parts"].get(phase, [0, 0.0, 0.0])[i] for t in txs) / n

    backend = txs[-1]["backends"] - txs[0]["backends"]
    lines = [
        f"{len(txs)} transactions after the warm-up, per transaction:",
        f"  take (lock wait + first round trip, not in held) {ms(lambda t: t['take']):.2f} ms, "
        f"{waits('take', 1) * 1000:.2f} of it in the driver's waits, "
        f"{sum(t['polls'].get('take', 0) for t in txs) / n:.1f} polls",
        f"  held {ms(lambda t: t['held']):.2f} ms, the writing thread's CPU "
        f"{ms(lambda t: t['cpu']):.2f} ms",
        f"    catch-up {ms(lambda t: t['follow'][0]):.2f} ms ({ms(lambda t: t['follow'][1]):.2f}"
        f" CPU) for {sum(t['follow'][2] for t in txs) / n:.1f} events",
        f"    the commit's pipeline: waits {waits('commit', 1) * 1000:.2f} ms "
        f"({waits('commit', 2) * 1000:.2f} CPU: sending), "
        f"{sum(t['polls'].get('commit', 0) for t in txs) / n:.1f} polls",
        f"    the rest, neither CPU nor the driver's waits (the GIL, a core): "
        f"{ms(lambda t: t['held'] - t['cpu'] - sum(p[1] - p[2] for k, p in t['parts'].items() if k != 'take')):.2f} ms",
        f"  the writing thread's context switches, asking for the lock to the commit: "
        f"{sum(t['switches'][0] for t in txs) / n:.1f} voluntary, "
        f"{sum(t['switches'][1] for t in txs) / n:.1f} involuntary",
        f"  the writers' PostgreSQL backends' CPU {backend / n * 1000:.2f} ms",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    _wrap(psycopg.Connection, "wait", _wait)
    _wrap(psycopg.waiting, "wait", lambda inner, gen, *a, **k: inner(_counted(gen), *a, **k))
    _wrap(database.Database, "_take_place", _take)
    _wrap(coordinator.Coordinator, "_follow", _follow)
    _wrap(database.Database, "announce", _announce)
    _wrap(coordinator.Commit, "__init__", _commit)
    notices = int(argv[argv.index("--notices") + 1]) if "--notices" in argv else 3000
    batch = int(argv[argv.index("--batch") + 1]) if "--batch" in argv else 70
    writer_cpu.main(argv)
    measured = -(-notices // batch)  # the last transactions: the warm-up's came first
    print(report(_done[-measured:]))


if __name__ == "__main__":
    main(sys.argv[1:])
