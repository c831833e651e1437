"""Shared by the server benchmarks: a fresh store, parties and tokens, a real server process,
random notices, the machine's description and percentiles.

Loopback only: the server listens on 127.0.0.1 on a free port and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa

from deconfliction.engine.model import Agreement, Party
from deconfliction.service.auth import Role, create_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file

__all__ = [
    "Connection",
    "CpuMeter",
    "Server",
    "add_server_options",
    "cpu_seconds",
    "critical_section",
    "describe_machine",
    "fresh_store",
    "main_threads_seconds",
    "notice_body",
    "percentile",
    "prepare",
    "server_pids",
    "servers",
    "wait_for_quiet",
]

REGION_KM = 1000.0
LAT0, LON0 = 34.0, 38.0


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The options both server benchmarks take: the store, the servers and their workers, and
    how long to wait for the machine to be idle."""
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--servers", type=int, default=1, help="server processes on the same store")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes per server (serve --workers)"
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=300.0,
        help="seconds to wait at most for the machine to be idle before the run",
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _postgres_version(url: str) -> str:
    """The server's version and whether a commit waits for the disk: figures made with
    ``fsync`` or ``synchronous_commit`` off (the tests' throw-away cluster) are not a durable
    deployment's, and say so."""
    engine = sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    try:
        with engine.connect() as connection:
            shown = [
                str(connection.execute(sa.text(f"SHOW {name}")).scalar_one())
                for name in ("server_version", "fsync", "synchronous_commit")
            ]
    finally:
        engine.dispose()
    version, fsync, synchronous = shown
    return f"{version}, fsync {fsync}, synchronous_commit {synchronous}"


def describe_machine(store: str) -> str:
    """CPU, cores, memory, Python and the versions that matter, on a few lines."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="ascii") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="ascii") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("fastapi", "starlette", "uvicorn", "httptools", "uvloop", "SQLAlchemy")
    )
    if store.startswith("postgres"):
        database = f"PostgreSQL {_postgres_version(store)} (psycopg {metadata.version('psycopg')})"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} "
        f"{platform.release()}\nPython {platform.python_version()}, {versions}; {database}"
    )


@contextlib.contextmanager
def fresh_store(store: str) -> Iterator[str]:
    """A fresh, empty store: a SQLite file in a temporary directory for ``sqlite``, or a new
    database on the PostgreSQL server at ``store`` (dropped afterwards)."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory(prefix="deconflict-bench-") as scratch:
            yield str(Path(scratch) / "bench.sqlite3")
        return
    if not store.startswith(("postgresql://", "postgres://")):
        raise SystemExit(f"--db: 'sqlite' or a postgresql:// URL, not {store!r}")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        "postgresql+psycopg://" + store.split("://", 1)[1], isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield store.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def party_ids(count: int) -> list[str]:
    return [f"p{i:03d}" for i in range(count)]


def prepare(url: str, parties: int, group: int) -> dict[str, str]:
    """Record ``parties`` armed forces and agreements binding them in groups of ``group``
    (each notice goes to the other ``group - 1`` parties of its author's group), and a duty
    officer token for each party.  Returns the tokens by party."""
    names = party_ids(parties)
    items: list[Party | Agreement] = [
        Party.model_validate(
            {
                "id": p,
                "name": f"Party {p}",
                "kind": "armed_force",
                "duty_contacts": [{"name": f"{p} duty officer"}],
            }
        )
        for p in names
    ]
    for start in range(0, parties, group):
        members = names[start : start + group]
        if len(members) >= 2:
            items.append(
                Agreement.model_validate(
                    {"id": f"g{start // group:03d}", "name": f"Group {start}", "parties": members}
                )
            )
    now = datetime.now(UTC)
    with Coordinator.open(url) as coordinator:
        with coordinator.transaction() as tx:
            for item in items:
                file(tx, item)
        return {
            p: create_token(coordinator.db, party=p, role=Role.duty_officer, now=now)[1]
            for p in names
        }


def notice_body(rng: random.Random) -> dict[str, Any]:
    """A new air operation notice as ``POST /v1/notices`` takes it: a 2 km circle somewhere in
    a 1000 km x 1000 km region, 1 hour some time in the next 30 days (so filings rarely
    conflict)."""
    lat = LAT0 + rng.uniform(-REGION_KM / 2, REGION_KM / 2) / 110.95
    lon = LON0 + rng.uniform(-REGION_KM / 2, REGION_KM / 2) / (111.32 * math.cos(math.radians(lat)))
    start = time.time() + 86400 + rng.uniform(0, 30 * 86400)
    window = {
        "start": datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": datetime.fromtimestamp(start + 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {
        "kind": "air_operation",
        "title": "bench",
        "volumes": [
            {
                "outline": {
                    "type": "circle",
                    "center": [round(lon, 5), round(lat, 5)],
                    "radius": "2 km",
                },
                "altitude": {"lower": "SFC", "upper": "FL100"},
                "window": window,
            }
        ],
    }


def cpu_seconds(pid: int, thread: int | None = None, *, kernel_only: bool = False) -> float:
    """User + system CPU time of process ``pid`` so far, or of its thread ``thread`` (Linux:
    a process's main thread has the process's id); ``kernel_only``: the system time alone."""
    where = f"/proc/{pid}" if thread is None else f"/proc/{pid}/task/{thread}"
    with open(f"{where}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[12]) + (0 if kernel_only else int(fields[11]))) / ticks


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (all cores; Linux)."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _postgres_pids(store: str) -> list[int]:
    """The processes of the PostgreSQL server at ``store`` (its backends and workers), when
    the store is PostgreSQL; other PostgreSQL servers on the machine count as other load."""
    if not store.startswith("postgres"):
        return []
    engine = sa.create_engine("postgresql+psycopg://" + store.split("://", 1)[1])
    try:
        with engine.connect() as connection:
            pids = [
                int(p)
                for p in connection.execute(sa.text("SELECT pid FROM pg_stat_activity")).scalars()
            ]
            directory = connection.execute(sa.text("SHOW data_directory")).scalar_one()
    finally:
        engine.dispose()
    with contextlib.suppress(OSError, ValueError), open(f"{directory}/postmaster.pid") as pid:
        pids.append(int(pid.readline()))
    return pids


def _cpu_of(pids: Sequence[int], *, main_threads: bool = False, kernel_only: bool = False) -> float:
    """CPU seconds of the processes ``pids`` still running (of their main threads only; in the
    kernel only)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += cpu_seconds(pid, pid if main_threads else None, kernel_only=kernel_only)
    return total


def main_threads_seconds(pids: Sequence[int], *, kernel_only: bool = False) -> float:
    """CPU seconds of the main threads of ``pids``: a server's event loop (HTTP, answers,
    live streams), apart from its writer's and its other threads.  ``kernel_only``: their
    system time (the sockets' reads and writes: on loopback a write also runs the receiving
    side's TCP and wakes the reader)."""
    return _cpu_of(pids, main_threads=True, kernel_only=kernel_only)


class CpuMeter:
    """CPU used between two snapshots by the processes of the benchmark, by PostgreSQL, and by
    everything else on the machine (other work skews the figures: it is reported)."""

    def __init__(self, processes: dict[str, int | list[int]], store: str) -> None:
        self.processes = {
            name: [pids] if isinstance(pids, int) else pids for name, pids in processes.items()
        }
        self.postgres = _postgres_pids(store)
        self._start = self._snapshot()
        self.seconds: dict[str, float] = {}
        """CPU seconds of each between the two snapshots (after :meth:`report`)."""

    def _snapshot(self) -> dict[str, float]:
        out = {name: _cpu_of(pids) for name, pids in self.processes.items()}
        if self.postgres:
            out["postgres"] = _cpu_of(self.postgres)
        out["machine"] = _machine_busy_seconds()
        out["wall"] = time.monotonic()
        return out

    def report(self) -> str:
        end = self._snapshot()
        delta = {k: end[k] - self._start[k] for k in end}
        self.seconds = dict(delta)
        wall = delta.pop("wall")
        machine = delta.pop("machine")
        ours = sum(delta.values())
        parts = [f"{name} {seconds / wall * 100:.0f}%" for name, seconds in delta.items()]
        parts.append(f"anything else {max(0.0, machine - ours) / wall * 100:.0f}%")
        return ", ".join(parts) + f" (of one core; {os.cpu_count()} cores in all)"


def wait_for_quiet(limit_s: float = 300.0, busy: float = 0.25) -> str:
    """Wait (at most ``limit_s``) until the machine has been less than ``busy`` cores busy for
    two seconds, so that other work does not skew the figures; says what it found."""
    deadline = time.monotonic() + limit_s
    while True:
        before = _machine_busy_seconds()
        time.sleep(2.0)
        used = (_machine_busy_seconds() - before) / 2.0
        if used < busy:
            return f"machine idle before the run ({used:.2f} cores busy)"
        if time.monotonic() > deadline:
            return f"machine NOT idle before the run ({used:.2f} cores busy after {limit_s:.0f} s)"


_IDLE_S = 3.0
"""A connection idle longer than this is not reused (uvicorn closes idle ones after 5 s)."""


class Connection:
    """One keep-alive HTTP/1.1 connection, written and read by hand: a load generator light
    enough not to take the server's CPU (httpx spends milliseconds of CPU per request)."""

    def __init__(self, base_url: str) -> None:
        split = urlsplit(base_url)
        self.host = split.hostname or "127.0.0.1"
        self.port = split.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._used = 0.0

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        """(status, body) of one request."""
        if self._streams is not None and time.monotonic() - self._used > _IDLE_S:
            self.close()  # the server may have closed it (uvicorn: after 5 s idle)
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        try:
            writer.write(head.encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            fields = {
                k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
            }
            content = await reader.readexactly(int(fields.get("content-length", "0")))
        except BaseException:
            self.close()
            raise
        if fields.get("connection", "").lower() == "close":
            self.close()
        self._used = time.monotonic()
        return status, content

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """``deconflict serve`` in a child process, on a free loopback port."""

    url: str
    extra_env: dict[str, str] | None = None
    extra_args: Sequence[str] = ()
    """More ``deconflict serve`` options (``--workers 2``)."""
    cprofile: str | None = None
    """Run the server through ``cprofile_serve.py``, its profile written to this file."""
    start_timeout_s: float = 60.0
    """How long to wait for the server to answer (a store of thousands of entities is read,
    and indexed, before it does; longer on a busy machine)."""
    process: subprocess.Popen[bytes] | None = None
    base_url: str = ""
    pid: int = 0

    def __enter__(self) -> Server:
        port = _free_port()
        env = dict(os.environ, **(self.extra_env or {}))
        command = [sys.executable, "-m", "deconfliction", "serve", "--db", self.url]
        if self.cprofile:
            command[1:3] = [str(Path(__file__).with_name("cprofile_serve.py")), self.cprofile]
        command += ["--port", str(port), "--log-level", "warning", *self.extra_args]
        self.process = subprocess.Popen(command, env=env)
        self.pid = self.process.pid
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.1)
        self.__exit__()
        raise SystemExit(f"the server did not start within {self.start_timeout_s:g} s")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def pids(self) -> list[int]:
        """The server's processes: itself and its workers (``--workers N``)."""
        return [self.pid, *_children(self.pid)]

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` (Linux)."""
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found += [int(c) for c in children.read().split()]
    return found


@contextlib.contextmanager
def servers(
    url: str,
    count: int,
    env: dict[str, str] | None = None,
    *,
    extra_args: Sequence[str] = (),
    cprofile: str | None = None,
) -> Iterator[list[Server]]:
    """``count`` server processes on the same store (started one after the other);
    ``cprofile``: the first through ``cprofile_serve.py``, its profile written there."""
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(
                Server(url, env, extra_args=extra_args, cprofile=cprofile if i == 0 else None)
            )
            for i in range(count)
        ]


def server_pids(running: Sequence[Server]) -> dict[str, list[int]]:
    """Each server's processes (a server with workers counts them all)."""
    pids = {}
    for i, server in enumerate(running):
        pids["server" if len(running) == 1 else f"server {i + 1}"] = server.pids()
    return pids


def _metric(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith((name + " ", name + "{")):
            total += float(line.rsplit(" ", 1)[1])
    return total


def critical_section(base_urls: Sequence[str], filed: int, seconds: float) -> str:
    """The write critical section as the servers' /metrics count it (every write transaction
    since they started, warm-up included): transactions, mean time held, and the share of
    the run the database's writer lock was held, the figure that bounds the throughput of
    every node together."""
    held = transactions = held_cpu = 0.0
    for base in base_urls:
        answer = httpx.get(base + "/metrics", timeout=30)
        if answer.status_code != 200:
            return "not measured (the server has no /metrics)"
        text = answer.text
        held += _metric(text, "deconfliction_write_critical_section_seconds_sum")
        transactions += _metric(text, "deconfliction_write_critical_section_seconds_count")
        held_cpu += _metric(text, "deconfliction_write_critical_section_cpu_seconds_total")
    if not transactions:
        return "no write transaction counted"
    mean = held / transactions * 1000
    per_notice = held / max(1, filed) * 1000
    return (
        f"{transactions:.0f} write transactions, {mean:.2f} ms held each on average "
        f"({filed / transactions:.1f} filings per transaction), {per_notice:.2f} ms of lock "
        f"per filed notice ({held_cpu / max(1, filed) * 1000:.2f} ms of it the writing "
        "thread's CPU; 0 from a server that does not count it), "
        f"lock held {held / seconds * 100:.0f} % of the run: at most "
        f"{1000 / per_notice:.0f} filings/s at this batching"
    )
