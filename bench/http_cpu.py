"""Benchmark: the event loop's CPU per ``POST /v1/notices``, without sockets or streams.

The application (``create_app``, its middleware, routes and writer) is driven in-process
through ASGI: ``--notices`` filings by the duty officers of ``bench/server_push.py``'s store,
``--concurrency`` at a time.  Prints the CPU of the event loop's thread per filing (the HTTP
path: middleware, routing, authentication, the body read and validated, the answer built and
serialised) beside the process's (the writer's thread too), and the garbage collector's
passes.  The sockets are left out (``bench/server_push.py`` measures the whole server); with
``--streams`` every party also holds a live stream (``GET /v1/stream`` through ASGI), so the
loop's CPU includes handing each notice to its recipients' streams, framing and sending it.
``--uvloop`` runs on uvloop, as the server does.  Before/after in one run::

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


class _Stream:
    """One party's live stream through ASGI: what it was sent, until :meth:`close`."""

    def __init__(self, app: Any, token: str) -> None:
        self.events = 0
        self.status = 0
        self._closed = asyncio.Event()
        scope = {**_scope(token, b""), "method": "GET", "path": "/v1/stream"}
        scope["raw_path"] = b"/v1/stream"
        scope["headers"] = [h for h in scope["headers"] if h[0] in (b"host", b"authorization")]
        self.task = asyncio.ensure_future(app(scope, self._receive, self._send))

    async def _receive(self) -> dict[str, Any]:
        await self._closed.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.events += message.get("body", b"").count(b"\nevent: ")

    async def close(self) -> None:
        self._closed.set()
        await self.task


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
    parser.add_argument("--streams", action="store_true", help="a live stream per party")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop, as the server")
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

            async def run() -> tuple[float, float, float, list[int], int]:
                async with app.router.lifespan_context(app):
                    streams = [_Stream(app, t) for t in tokens] if args.streams else []
                    await asyncio.sleep(0.5)  # every stream joined

                    async def some(part: list[tuple[str, bytes]]) -> None:
                        for start in range(0, len(part), args.concurrency):
                            batch = part[start : start + args.concurrency]
                            await asyncio.gather(*(_post(app, t, b) for t, b in batch))

                    await some(work[: args.warmup])
                    passes = [s["collections"] for s in gc.get_stats()]
                    loop, cpu, wall = time.thread_time(), time.process_time(), time.perf_counter()
                    # The thread's CPU clock: time spent waiting (for the GIL, in the poll) is
                    # not the loop's work.
                    profile = cProfile.Profile(time.thread_time) if args.cprofile else None
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
                    wall = time.perf_counter() - wall
                    await asyncio.sleep(0.5)  # the last notices reach the streams
                    for stream in streams:
                        await stream.close()
                    if any(s.status != 200 for s in streams):
                        raise SystemExit("a live stream was refused")
                    return loop, cpu, wall, passes, sum(s.events for s in streams)

            runner = asyncio.run
            if args.uvloop:
                import uvloop

                runner = uvloop.run
            loop, cpu, wall, passes, carried = runner(run())
    n = args.notices
    print(
        f"{n} filings, {args.concurrency} at a time, {args.group - 1} recipients each: "
        f"event loop {loop / n * 1000:.3f} ms CPU per filing, process {cpu / n * 1000:.3f} ms "
        f"({wall / n * 1000:.3f} ms wall); collector passes by generation {passes}"
        + (f"; {len(tokens)} live streams carried {carried} events" if args.streams else "")
        + ("; uvloop" if args.uvloop else "")
    )


if __name__ == "__main__":
    main()
