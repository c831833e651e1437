"""Benchmark: notices filed per second over HTTP, with 50 concurrent clients.

Issue 3, item 11: "notices filed per second and p50/p99 latency with 50 concurrent clients".

What runs: a real server process (``deconflict serve``) on a fresh store (SQLite in a temporary
directory, or a new database on the PostgreSQL server given with ``--db``), with ``--parties``
parties bound by agreements in groups of ``--group`` (each notice is delivered to the other
members of its author's group).  ``--clients`` clients, each for one party with its own
connection, file new notices (``POST /v1/notices``) one after another for ``--duration``
seconds after a warm-up: a closed loop, so the figure is the server's capacity.  Notices are 2
km circles spread over a 1000 km x 1000 km region and 30 days, so they rarely conflict.

Latency is measured by the client from sending the request to reading the whole answer
(``201`` with the notice, its alerts and its deliveries), on the same machine as the server.
The clients write HTTP/1.1 by hand over keep-alive connections (httpx would take a good share of
the two cores); the machine's other load is reported, and each run first waits for the machine
to be idle.

Usage::

    python bench/server_throughput.py [--db sqlite|postgresql://...] [--clients 50]
        [--duration 20] [--parties 50] [--group 5] [--servers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time

from server_common import (  # beside this script, on sys.path when it runs
    Connection,
    CpuMeter,
    Server,
    add_server_options,
    critical_section,
    describe_machine,
    fresh_store,
    notice_body,
    percentile,
    prepare,
    server_pids,
    servers,
    wait_for_quiet,
)

FILED = [0]
"""Every notice filed, warm-up included (for the write lock's figures)."""


async def _client(
    base_url: str,
    token: str,
    seed: int,
    start: float,
    stop: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = Connection(base_url)
    try:
        while (now := time.perf_counter()) < stop:
            body = json.dumps(notice_body(rng)).encode()
            began = time.perf_counter()
            try:
                status, answer = await connection.request("POST", "/v1/notices", headers, body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                continue
            ended = time.perf_counter()
            if status != 201:
                errors.append(f"{status} {answer[:200]!r}")
                continue
            FILED[0] += 1
            if now >= start:  # count only what was sent after the warm-up
                latencies.append(ended - began)
    finally:
        connection.close()


async def _run(
    running: list[Server],
    store: str,
    tokens: dict[str, str],
    clients: int,
    warmup: float,
    duration: float,
) -> tuple[list[float], list[str], float, str]:
    """(latencies, errors, seconds measured, CPU used meanwhile)."""
    parties = sorted(tokens)
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter() + warmup
    stop = start + duration
    cpu: list[str] = []
    window: list[float] = []

    async def sample() -> None:
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        meter = CpuMeter(server_pids(running) | {"clients": os.getpid()}, store)
        window.append(time.perf_counter())
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        cpu.append(meter.report())
        window.append(time.perf_counter())

    await asyncio.gather(
        sample(),
        *(
            _client(
                running[i % len(running)].base_url,
                tokens[parties[i % len(parties)]],
                i,
                start,
                stop,
                latencies,
                errors,
            )
            for i in range(clients)
        ),
    )
    return latencies, errors, window[1] - window[0], cpu[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_options(parser)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--parties", type=int, default=50)
    parser.add_argument("--group", type=int, default=5, help="parties per agreement")
    args = parser.parse_args(argv)

    print("server throughput benchmark")
    print(describe_machine(args.db))
    with fresh_store(args.db) as url:
        tokens = prepare(url, args.parties, args.group)
        quiet = wait_for_quiet(args.idle_wait)
        extra = ["--workers", str(args.workers)] if args.workers > 1 else []
        with servers(url, args.servers, extra_args=extra) as running:
            latencies, errors, elapsed, cpu = asyncio.run(
                _run(running, url, tokens, args.clients, args.warmup, args.duration)
            )
            lock = critical_section([r.base_url for r in running], FILED[0], elapsed + args.warmup)
    store = "PostgreSQL" if args.db.startswith("postgres") else "SQLite"
    count = len(latencies)
    print(
        f"\n{store}, {args.servers} server process{'es' if args.servers > 1 else ''}"
        + (f" of {args.workers} workers" if args.workers > 1 else "")
        + ": "
        f"{args.clients} clients, {args.parties} parties in agreements of "
        f"{args.group} (each notice delivered to {args.group - 1}), {elapsed:.1f} s measured"
    )
    print(f"  filed           {count} notices, {count / elapsed:.0f} per second")
    print(
        "  latency         "
        f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms, "
        f"max {max(latencies, default=float('nan')) * 1000:.1f} ms"
    )
    print(f"  CPU             {cpu}")
    print(f"  write lock      {lock}")
    print(f"  before the run  {quiet}")
    print(f"  errors          {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
