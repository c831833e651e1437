"""Benchmark: the event loop's CPU per ``POST /v1/notices``, without sockets or streams.

The application (``create_app``, its middleware, routes and writer) is driven in-process
through ASGI: ``--notices`` filings by the duty officers of ``bench/server_push.py``'s store,
``--concurrency`` at a time.  Prints the CPU of the event loop's thread per filing (the HTTP
path: middleware, routing, authentication, the body read and validated, the answer built and
serialised) beside the process's (the writer's thread too), and the garbage collector's
passes.  The sockets and the live streams are left out: ``bench/server_push.py`` measures the
whole server.  Before/after in one run::

    PYTHONPATH=/work/main/src python bench/http_cpu.py     # main's tree
    python bench/http_cpu.py
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from deconfliction.api.app import create_app
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings
from server_common import notice_body, prepare  # beside this script, on sys.path


def _scope(token: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/notices",
        "raw_path": b"/v1/notices",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }


async def _post(app: Any, token: str, body: bytes) -> int:
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    await app(_scope(token, body), receive, send)
    if status != 201:
        raise SystemExit(f"filing answered {status}: {b''.join(chunks)[:300]!r}")
    return len(b"".join(chunks))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--parties", type=int, default=100)
    parser.add_argument("--group", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cprofile", type=Path, default=None, help="profile the event loop's thread to FILE"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="deconflict-http-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'store.db'}"
        tokens = list(prepare(url, args.parties, args.group).values())
        work = [
            (rng.choice(tokens), json.dumps(notice_body(rng)).encode())
            for _ in range(args.warmup + args.notices)
        ]
        with Coordinator.open(url) as coordinator:
            app = create_app(coordinator, Settings(), background=False)

            async def run() -> tuple[float, float, float, list[int]]:
                async with app.router.lifespan_context(app):

                    async def some(part: list[tuple[str, bytes]]) -> None:
                        for start in range(0, len(part), args.concurrency):
                            batch = part[start : start + args.concurrency]
                            await asyncio.gather(*(_post(app, t, b) for t, b in batch))

                    await some(work[: args.warmup])
                    passes = [s["collections"] for s in gc.get_stats()]
                    loop, cpu, wall = time.thread_time(), time.process_time(), time.perf_counter()
                    profile = cProfile.Profile() if args.cprofile else None
                    if profile is not None:
                        profile.enable()  # this thread only: the event loop's
                    await some(work[args.warmup :])
                    if profile is not None:
                        profile.disable()
                        profile.dump_stats(args.cprofile)
                    loop, cpu = time.thread_time() - loop, time.process_time() - cpu
                    passes = [
                        s["collections"] - p for s, p in zip(gc.get_stats(), passes, strict=True)
                    ]
                    return loop, cpu, time.perf_counter() - wall, passes

            loop, cpu, wall, passes = asyncio.run(run())
    n = args.notices
    print(
        f"{n} filings, {args.concurrency} at a time, {args.group - 1} recipients each: "
        f"event loop {loop / n * 1000:.3f} ms CPU per filing, process {cpu / n * 1000:.3f} ms "
        f"({wall / n * 1000:.3f} ms wall); collector passes by generation {passes}"
    )


if __name__ == "__main__":
    main()
