"""Benchmark: the writer's CPU per filed notice, without HTTP.

The same store and notices as ``bench/server_push.py`` (``--parties`` parties in agreements of
``--group``: each notice goes to ``group - 1`` recipients), filed through the server's own
writer (:class:`~deconfliction.service.writer.Writer`) in batches of ``--batch`` commands, as
the HTTP route files them (``file_notice`` with the caller's receipts).  Prints the process's
CPU per notice (the writing thread does nearly all of it: the caller only waits) and the
critical section (the writer's place held, wall and CPU), so that the write path can be
measured on a busy machine, apart from the HTTP framework.  ``--busy`` adds a thread that runs
Python all along, as a loaded server's event loop does, to show what waiting for the GIL adds
to the critical section (``--switch-ms 5`` is Python's default interval).  ``--db`` a
PostgreSQL URL files on a new database there; ``--nodes N`` opens N coordinators on the store,
each with its writer, and hands them the batches in turn (each waits for the one before), so
that every transaction first catches up with the other nodes' batch, as two workers taking
turns on the write lock do.  Profile it with ``py-spy record -- python
bench/writer_cpu.py``.

``--rate R`` files instead at R a second on an open-loop schedule (each filing queued on its
own, as the HTTP route does, and the writer batching what it finds), with the writer's
gathering window ``--gather-ms`` (the server's ``write_gather_s``): it prints the filings per
transaction and the time from queueing to the answer (p50, p99) beside the CPU.

Usage::

    python bench/writer_cpu.py [--notices 3000] [--batch 70] [--parties 100] [--group 10]
        [--db sqlite|postgresql://...] [--nodes 1] [--rate R --gather-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import threading
import time

from deconfliction.api.schemas.notices import NoticeCreate
from deconfliction.service import notices
from deconfliction.service.auth import Principal, Role
from deconfliction.service.collector import freeze_once, serve_thresholds
from deconfliction.service.coordinator import Commit, Coordinator
from deconfliction.service.writer import Writer, _Command
from server_common import fresh_store, notice_body, prepare  # beside this script, on sys.path


def _spin(done: threading.Event) -> None:
    while not done.is_set():
        sum(range(1000))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--batch", type=int, default=70)
    parser.add_argument("--parties", type=int, default=100)
    parser.add_argument("--group", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite", help="sqlite or a postgresql:// server URL")
    parser.add_argument("--nodes", type=int, default=1, help="coordinators taking turns")
    parser.add_argument(
        "--busy",
        action="store_true",
        help="a thread of the same process running Python all along, as the event loop of a "
        "loaded server does: the writer must win the GIL from it",
    )
    parser.add_argument(
        "--switch-ms",
        type=float,
        default=None,
        help="the GIL switch interval while the writer runs (default: the writer's own)",
    )
    parser.add_argument(
        "--one-thread",
        action="store_true",
        help="run each batch on this thread (no writing thread, no event loop), after a "
        "collection and gc.freeze() with the server's collector thresholds: what to count "
        "instructions of, e.g. under valgrind's cachegrind, when the machine is too busy for "
        "CPU times to compare",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="file at this many notices a second, one command at a time (--batch is ignored)",
    )
    parser.add_argument(
        "--gather-ms",
        type=float,
        default=0.0,
        help="the writer's gathering window with --rate (the server's write_gather_s, in ms)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with fresh_store(args.db) as url:
        prepare(url, args.parties, args.group)
        parties = sorted({f"p{i:03d}" for i in range(args.parties)})
        bodies = [
            NoticeCreate.model_validate(notice_body(rng)) for _ in range(args.warmup + args.notices)
        ]
        coordinators = [Coordinator.open(url) for _ in range(args.nodes)]
        with contextlib.ExitStack() as stack:
            for coordinator in coordinators:
                stack.enter_context(coordinator)
            held: list[tuple[float, float]] = []

            def on_commit(commit: Commit) -> None:
                held.append(
                    (commit.held_s, getattr(commit, "held_cpu_s", 0.0))
                )  # older trees: none

            writers = []
            for coordinator in coordinators:
                coordinator.on_commit(on_commit)
                gathering = {"gather_s": args.gather_ms / 1000} if args.gather_ms else {}
                writers.append(Writer(coordinator, **gathering))  # older trees: no window
                if not args.one_thread:
                    writers[-1].start()
            if args.switch_ms is not None:
                sys.setswitchinterval(args.switch_ms / 1000)
            interval_ms = sys.getswitchinterval() * 1000
            done = threading.Event()
            if args.busy:
                threading.Thread(target=_spin, args=(done,), daemon=True).start()
            try:

                async def run(bodies: list[NoticeCreate]) -> None:
                    for start in range(0, len(bodies), args.batch):
                        writer = writers[start // args.batch % len(writers)]
                        waits = []
                        for body in bodies[start : start + args.batch]:
                            principal = Principal(rng.choice(parties), Role.duty_officer, "t")
                            waits.append(
                                writer.run_receipted(
                                    lambda tx, p=principal, b=body: notices.file_notice(
                                        tx, p, kind=b.kind, title=b.title, volumes=b.volumes
                                    ),
                                    principal.party,
                                )
                            )
                        for _, receipts in await asyncio.gather(*waits):
                            assert receipts, "every filing is answered with its receipts"

                waited: list[float] = []

                async def at_rate(bodies: list[NoticeCreate]) -> None:
                    loop = asyncio.get_running_loop()
                    start = loop.time()

                    async def one(writer: Writer, body: NoticeCreate) -> None:
                        principal = Principal(rng.choice(parties), Role.duty_officer, "t")
                        queued = time.perf_counter()
                        _, proof = await writer.run_receipted(
                            lambda tx, p=principal, b=body: notices.file_notice(
                                tx, p, kind=b.kind, title=b.title, volumes=b.volumes
                            ),
                            principal.party,
                        )
                        waited.append(time.perf_counter() - queued)
                        assert proof.receipt, "every filing is answered with its receipt"

                    tasks = []
                    for n, body in enumerate(bodies):
                        await asyncio.sleep(max(0.0, start + n / args.rate - loop.time()))
                        tasks.append(asyncio.ensure_future(one(writers[n % len(writers)], body)))
                    await asyncio.gather(*tasks)

                if args.rate is not None:
                    run = at_rate  # the same signature, another schedule

                def one_thread(bodies: list[NoticeCreate]) -> None:
                    for start in range(0, len(bodies), args.batch):
                        batch = []
                        for body in bodies[start : start + args.batch]:
                            principal = Principal(rng.choice(parties), Role.duty_officer, "t")
                            batch.append(
                                _Command(
                                    lambda tx, p=principal, b=body: notices.file_notice(
                                        tx, p, kind=b.kind, title=b.title, volumes=b.volumes
                                    ),
                                    party=principal.party,
                                    proof_only=True,
                                )
                            )
                        writers[start // args.batch % len(writers)]._run_batch(batch)
                        for job in batch:
                            job.future.result()
                            assert job.proof.receipt, "every filing is answered with its receipt"

                if args.one_thread:
                    one_thread(bodies[: args.warmup])
                    freeze_once("startup")
                    serve_thresholds()
                else:
                    asyncio.run(run(bodies[: args.warmup]))
                held.clear()
                waited.clear()
                for writer in writers if args.gather_ms else ():
                    writer.gathering.waits = 0  # the warm-up's do not count
                    if hasattr(writer.gathering, "gathered"):  # older trees: not counted
                        writer.gathering.gathered = 0
                cpu, wall = time.process_time(), time.perf_counter()
                if args.one_thread:
                    one_thread(bodies[args.warmup :])
                else:
                    asyncio.run(run(bodies[args.warmup :]))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                done.set()
                for writer in writers:
                    writer.stop()
    n = args.notices
    if args.rate is not None:
        ordered = sorted(waited)
        print(
            f"at {args.rate:g}/s with a gathering window of {args.gather_ms:g} ms: "
            f"{n / max(len(held), 1):.2f} filings per transaction, queued -> answered "
            f"p50 {ordered[len(ordered) // 2] * 1000:.1f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:.1f} ms, the writer waited for "
            f"company {sum(w.gathering.waits for w in writers) if args.gather_ms else 0} times"
            f" ({sum(getattr(w.gathering, 'gathered', 0) for w in writers)} of them met some)"
        )
    print(
        f"{'with a busy thread, ' if args.busy else ''}switch interval "
        f"{interval_ms:g} ms: "
        f"{n} notices {'one at a time' if args.rate else f'in batches of {args.batch}'}, {args.group - 1} recipients each, "
        f"{args.nodes} node(s) on {'SQLite' if args.db == 'sqlite' else 'PostgreSQL'}: "
        f"{cpu / n * 1000:.2f} ms CPU per notice ({wall / n * 1000:.2f} ms wall); "
        f"writer's place held {sum(h for h, _ in held) / n * 1000:.2f} ms per notice "
        f"({sum(c for _, c in held) / n * 1000:.2f} ms of it on the CPU), "
        f"{len(held)} transactions"
    )


if __name__ == "__main__":
    sys.exit(main())
