"""Benchmark: time from filing a notice to its arrival on the live streams of the parties.

Issue 3, item 11: "p99 time from a notice being filed to its arrival on the SSE streams of 100
connected parties.  Goal: p99 under 100 ms from filing to delivery at 200 notices per second on
this 2-core machine, on both stores."

What runs, all on this machine over loopback:

* a real server process (``deconflict serve``) on a fresh store (SQLite in a temporary
  directory, or a new database on the PostgreSQL server given with ``--db``), with
  ``--parties`` parties bound by agreements in groups of ``--group``: each notice is delivered
  to the ``group - 1`` other members of its author's group.  With the defaults (100 parties, one
  agreement binding all of them) every notice goes to 99 parties;
* a listener process holding one ``GET /v1/stream`` per party (raw HTTP/1.1 over asyncio, to
  keep the measuring client light), which notes when each ``delivery.created`` of a notice
  arrives (``time.monotonic_ns``, the same clock in every process), and checks that each
  stream's sequence numbers only go up (nothing twice);
* this process, which files ``POST /v1/notices`` at ``--rate`` per second on an open-loop
  schedule for ``--duration`` seconds (a random author each time, over keep-alive connections
  written by hand, as light as the listener), noting when each request starts and which
  deliveries its answer reports.  When ``--max-inflight`` filings already wait for an answer
  (the server is saturated), scheduled filings are skipped and counted, so that a run stays
  bounded; the achieved rate is what the server sustained.

The machine's other load is reported (``anything else``): each run first waits (up to five
minutes) for the machine to be idle.  ``--servers N`` runs N server processes on the same store
(filings and streams spread over them: a stream then also carries what another process wrote,
found by polling every ``--poll`` seconds).

For every (notice, recipient) pair the figure is arrival time minus the start of the filing
request: the whole path (HTTP, validation, conflict check, group commit, wake-up, feed read,
SSE write, client read) under the load of every other filing and stream.  Pairs never received
are reported as missing.  The first ``--warmup`` seconds of filings are not counted.

Usage::

    python bench/server_push.py [--db sqlite|postgresql://...] [--rate 200] [--duration 20]
        [--parties 100] [--group 100] [--servers 1] [--poll SECONDS]
        [--profile FILE (py-spy) | --cprofile FILE (the event loop on its CPU clock)]

Beside the server's CPU per filed notice it prints its main threads' (the event loops'), and
how much of that was in the kernel (the sockets' reads and writes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from server_common import (  # beside this script, on sys.path when it runs
    Connection,
    CpuMeter,
    add_server_options,
    critical_section,
    describe_machine,
    fresh_store,
    main_threads_seconds,
    notice_body,
    percentile,
    prepare,
    server_pids,
    servers,
    wait_for_quiet,
)

try:
    import uvloop
except ImportError:  # pragma: no cover - optional
    uvloop = None

_FRAME = re.compile(rb"id: (\d+)\nevent: delivery\.created\ndata: ([^\n]*)")
_NOTICE = re.compile(rb'"item_id":"([^"]+)","item_type":"notice"')
_RECIPIENT = re.compile(rb'"recipient":"([^"]+)"')


# -- the listener (a child process) ------------------------------------------------------------


async def _listen_one(
    host: str,
    port: int,
    token: str,
    party: str,
    ready: asyncio.Event,
    out: list[bytes],
    stats: dict[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"stream for {party}: {head[:100]!r}")
    if b"chunked" not in head.lower():
        raise SystemExit("expected a chunked response")
    pending = b""
    last = -1
    name = party.encode()
    try:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                return
            chunk = await reader.readexactly(size + 2)
            now = time.monotonic_ns()
            pending += chunk[:-2]
            if b"\n\n" not in pending:
                continue
            complete, _, pending = pending.rpartition(b"\n\n")
            if not ready.is_set() and complete.startswith(b"retry:"):
                stats["ready"] += 1
                ready.set()
            for match in _FRAME.finditer(complete):
                seq = int(match.group(1))
                if seq <= last:
                    stats["twice"] += 1
                last = seq
                # The sender's stream carries its notice's deliveries too: count only the
                # recipient's own.
                found = _NOTICE.search(match.group(2))
                recipient = _RECIPIENT.search(match.group(2))
                if found is not None and recipient is not None and recipient.group(1) == name:
                    out.append(b"%s %s %d" % (name, found.group(1), now))
    except (asyncio.IncompleteReadError, ConnectionError):
        return
    finally:
        writer.close()


async def _listen(base_urls: list[str], tokens: dict[str, str], output: Path) -> None:
    """One stream per party, spread over the servers."""
    places = [urlsplit(u) for u in base_urls]
    out: list[bytes] = []
    stats = {"ready": 0, "twice": 0}
    readies = {p: asyncio.Event() for p in tokens}
    tasks = []
    for i, party in enumerate(sorted(tokens)):
        place = places[i % len(places)]
        host, port = place.hostname or "127.0.0.1", place.port or 80
        tasks.append(
            asyncio.create_task(
                _listen_one(host, port, tokens[party], party, readies[party], out, stats)
            )
        )
    await asyncio.gather(*(r.wait() for r in readies.values()))
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    # Lines on stdin: "EXPECT n" (stop once n arrivals came, or after the drain time).
    line = await loop.run_in_executor(None, sys.stdin.readline)
    expected, drain = (int(x) for x in line.split()[1:3])
    deadline = time.monotonic() + drain
    while len(out) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    output.write_bytes(b"\n".join(out))
    print(json.dumps(stats), flush=True)


# -- the filer (this process) ------------------------------------------------------------------


async def _file(
    base_urls: list[str],
    tokens: dict[str, str],
    rate: float,
    warmup: float,
    duration: float,
    seed: int,
    max_inflight: int,
) -> tuple[dict[str, int], dict[str, list[str]], list[float], list[str], set[str], float, int]:
    """Filings on schedule: (start ns by notice id, recipients by notice id, answer latencies,
    errors, notice ids counted, achieved rate of counted filings, filings skipped because
    ``max_inflight`` requests were already waiting)."""
    rng = random.Random(seed)
    parties = sorted(tokens)
    starts: dict[str, int] = {}
    recipients: dict[str, list[str]] = {}
    latencies: list[float] = []
    errors: list[str] = []
    counted: set[str] = set()
    inflight, skipped = [0], [0]
    pools: list[list[Connection]] = [[] for _ in base_urls]

    async def one(author: str, body: bytes, measured: bool, place: int) -> None:
        headers = {
            "Authorization": f"Bearer {tokens[author]}",
            "Content-Type": "application/json",
        }
        idle = pools[place]
        connection = idle.pop() if idle else Connection(base_urls[place])
        inflight[0] += 1
        began = time.monotonic_ns()
        try:
            status, content = await connection.request("POST", "/v1/notices", headers, body)
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors.append(type(exc).__name__)
            return
        finally:
            inflight[0] -= 1
        ended = time.monotonic_ns()
        idle.append(connection)
        if status != 201:
            errors.append(f"{status} {content[:200]!r}")
            return
        answer = json.loads(content)
        ident = answer["notice"]["id"]
        starts[ident] = began
        recipients[ident] = [
            d["recipient"]
            for d in answer["deliveries"]
            if d["item_type"] == "notice" and d["status"] == "delivered"
        ]
        if measured:
            counted.add(ident)
            latencies.append((ended - began) / 1e9)

    total = int((warmup + duration) * rate)
    begin = time.monotonic() + 0.2
    tasks = []
    for i in range(total):
        at = begin + i / rate
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        body = json.dumps(notice_body(rng)).encode()
        author = rng.choice(parties)
        if inflight[0] >= max_inflight:  # the server is saturated: do not pile up
            skipped[0] += 1
            continue
        measured = i >= warmup * rate
        tasks.append(asyncio.create_task(one(author, body, measured, i % len(base_urls))))
    await asyncio.gather(*tasks)
    achieved = len(counted) / max(1e-9, time.monotonic() - begin - warmup)
    for idle in pools:
        for connection in idle:
            connection.close()
    return starts, recipients, latencies, errors, counted, achieved, skipped[0]


def _arrivals(path: Path) -> Iterable[tuple[str, str, int]]:
    for line in path.read_bytes().splitlines():
        party, notice, at = line.split()
        yield party.decode(), notice.decode(), int(at)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_options(parser)
    parser.add_argument("--rate", type=float, default=200.0, help="notices filed per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--parties", type=int, default=100, help="parties, one stream each")
    parser.add_argument("--group", type=int, default=100, help="parties per agreement")
    parser.add_argument("--drain", type=int, default=30, help="seconds to wait for stragglers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--poll",
        type=float,
        default=None,
        help="DECONFLICT_STREAM_POLL_S for the servers (how soon a stream sees another "
        "server's writes)",
    )
    parser.add_argument(
        "--max-inflight",
        type=int,
        default=200,
        help="filings waiting for an answer beyond which scheduled ones are skipped",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="sample the server with py-spy (collapsed stacks to FILE; the first server, all its "
        "workers)",
    )
    parser.add_argument(
        "--cprofile",
        metavar="FILE",
        help="profile the first server's event loop on its CPU clock over the measured "
        "filings (cProfile, pstats to FILE; see bench/cprofile_serve.py)",
    )
    parser.add_argument(
        "--listen", nargs=3, metavar=("URL", "TOKENS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    run = uvloop.run if uvloop is not None else asyncio.run

    if args.listen:
        base_urls, tokens_file, output = args.listen
        run(_listen(base_urls.split(","), json.loads(Path(tokens_file).read_text()), Path(output)))
        return

    print("server push benchmark")
    print(describe_machine(args.db))
    with (
        fresh_store(args.db) as url,
        tempfile.TemporaryDirectory(prefix="deconflict-push-") as scratch,
    ):
        tokens = prepare(url, args.parties, args.group)
        tokens_file = Path(scratch) / "tokens.json"
        tokens_file.write_text(json.dumps(tokens))
        arrivals_file = Path(scratch) / "arrivals.txt"
        quiet = wait_for_quiet(args.idle_wait)
        env = {"DECONFLICT_STREAM_POLL_S": str(args.poll)} if args.poll else None
        extra = ["--workers", str(args.workers)] if args.workers > 1 else []
        with servers(url, args.servers, env, extra_args=extra, cprofile=args.cprofile) as running:
            urls = [server.base_url for server in running]
            listener = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--listen",
                    ",".join(urls),
                    str(tokens_file),
                    str(arrivals_file),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert listener.stdin is not None
            assert listener.stdout is not None
            try:
                if listener.stdout.readline().strip() != "READY":
                    raise SystemExit("the listener failed")
                meter = CpuMeter(
                    server_pids(running) | {"listener": listener.pid, "filer": os.getpid()},
                    url,
                )
                loops = [pid for server in running for pid in server.pids()]
                loops_before = main_threads_seconds(loops)
                loops_kernel_before = main_threads_seconds(loops, kernel_only=True)
                if args.cprofile:
                    os.kill(running[0].pid, signal.SIGUSR1)
                profiler = None
                if args.profile:
                    sampled = int(args.warmup + args.duration)
                    profiler = subprocess.Popen(
                        [
                            *("py-spy", "record", "--nonblocking", "--threads", "--rate", "200"),
                            "--subprocesses",
                            *("--format", "raw", "--output", args.profile),
                            *("--pid", str(running[0].pid), "--duration", str(sampled)),
                        ],
                        stdout=subprocess.DEVNULL,
                    )
                starts, recipients, latencies, errors, counted, achieved, skipped = run(
                    _file(
                        urls,
                        tokens,
                        args.rate,
                        args.warmup,
                        args.duration,
                        args.seed,
                        args.max_inflight,
                    )
                )
                cpu = meter.report()
                if args.cprofile:
                    os.kill(running[0].pid, signal.SIGUSR2)
                loop_seconds = main_threads_seconds(loops) - loops_before
                loop_kernel = main_threads_seconds(loops, kernel_only=True) - loops_kernel_before
                lock = critical_section(urls, len(starts), meter.seconds["wall"])
                if profiler is not None:
                    profiler.wait(60)
                server_seconds = sum(v for k, v in meter.seconds.items() if k.startswith("server"))
                postgres_seconds = meter.seconds.get("postgres", 0.0)
                expected = sum(len(r) for r in recipients.values())
                listener.stdin.write(f"EXPECT {expected} {args.drain}\n")
                listener.stdin.flush()
                stats = json.loads(listener.stdout.readline())
                listener.wait(60)
            finally:
                if listener.poll() is None:
                    listener.kill()
        arrived: dict[tuple[str, str], int] = {}
        for party, notice, at in _arrivals(arrivals_file):
            if (notice, party) in arrived:
                stats["twice"] += 1
            arrived[(notice, party)] = at
    delays: list[float] = []
    missing = 0
    for notice in counted:
        for party in recipients[notice]:
            at = arrived.get((notice, party))
            if at is None:
                missing += 1
            else:
                delays.append((at - starts[notice]) / 1e6)
    all_missing = sum(
        1 for notice, parties in recipients.items() for p in parties if (notice, p) not in arrived
    )
    store = "PostgreSQL" if args.db.startswith("postgres") else "SQLite"
    fanout = sum(len(recipients[n]) for n in counted) / max(1, len(counted))
    print(
        f"\n{store}, {args.servers} server process{'es' if args.servers > 1 else ''}"
        + (f" of {args.workers} workers" if args.workers > 1 else "")
        + ": "
        f"{args.parties} streams, agreements of {args.group} "
        f"({fanout:.0f} recipients per notice), {args.rate:.0f} notices/s asked, "
        f"{achieved:.0f}/s achieved, {args.duration:.0f} s measured"
        + (f", {skipped} skipped (server saturated)" if skipped else "")
    )
    print(f"  notices counted {len(counted)}, deliveries counted {len(delays) + missing}")
    print(
        "  filing -> SSE   "
        f"p50 {percentile(delays, 50):.1f} ms, p95 {percentile(delays, 95):.1f} ms, "
        f"p99 {percentile(delays, 99):.1f} ms, max {max(delays, default=float('nan')):.1f} ms"
    )
    print(
        "  filing answer   "
        f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms"
    )
    print(f"  CPU (all filing) {cpu}")
    filed = len(starts)
    print(
        f"  CPU per filed notice: server {server_seconds / max(1, filed) * 1000:.2f} ms"
        + (
            f", PostgreSQL {postgres_seconds / max(1, filed) * 1000:.2f} ms"
            if postgres_seconds
            else ""
        )
        + f" ({filed} filed while measured, warm-up included); of the server's, its main "
        f"threads' (event loops) {loop_seconds / max(1, filed) * 1000:.2f} ms, "
        f"{loop_kernel / max(1, filed) * 1000:.2f} ms of it in the kernel"
    )
    print(f"  write lock      {lock}")
    print(f"  before the run  {quiet}")
    print(
        f"  missing {all_missing}, received twice {stats['twice']}, errors {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )
    if all_missing or stats["twice"] or errors:
        sys.exit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
