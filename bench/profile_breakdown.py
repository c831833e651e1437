"""Where a server's CPU goes: a breakdown of py-spy's collapsed stacks by step of a filing.

``bench/server_push.py --profile FILE`` samples the server with py-spy (``--format raw``: one
line per distinct stack, ``frame;frame;... count``).  This script puts each sample that was
on a CPU in one step, the innermost step whose marker appears on its stack, and prints the
share of each step and its CPU per filed notice::

    python bench/profile_breakdown.py FILE --cpu-ms 7.7

``--cpu-ms`` is the server's CPU per filed notice that the same run measured (its last lines);
each step gets its share of it.  Samples of threads waiting (a lock, a queue, the event loop's
poll) are left out: py-spy sometimes takes a thread that is about to sleep as running.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

# (step, markers): a frame whose text contains a marker belongs to the step.  A sample goes to
# the step of its innermost marked frame; steps are listed from the request's start to the
# stream's end.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("HTTP server and framework (uvicorn, Starlette, FastAPI routing)", ("run_asgi",)),
    ("authentication (token lookup)", ("authenticate (", "get_principal (", "TokenTable")),
    (
        "request body validation (JSON -> NoticeCreate)",
        ("request_body_to_args", "_validate_", "FastRoute._read"),
    ),
    ("writer: transaction begin, catch-up, commit", ("Coordinator.transaction", "_catch_up")),
    ("writer: conflict check (Situation.assess)", ("Situation.assess", "assess (")),
    ("writer: move the situation (apply, index)", ("Situation.apply",)),
    ("writer: notice canonical JSON, payload", ("record_body", "canonical (", "payload (")),
    ("writer: ledger leaves (entry bytes, hashes)", ("Ledger.add",)),
    ("writer: log and feed inserts", ("append_many", "add_to_feeds")),
    ("writer: notice projection and private fields", ("write_item", "write_private")),
    ("writer: deliveries (plan, canonical JSON, insert)", ("deliver (", "notice_deliveries")),
    ("writer: idempotency", ("remember (", "replay (")),
    ("writer: signing the tree head", ("Ledger.sign",)),
    ("writer: savepoints", ("Savepoint",)),
    ("answer: model (NoticeFiled, GeoJSON outline)", ("NoticeFiled.of", "outcome (")),
    ("answer: receipts and inclusion proofs", ("receipts_for", "_with_proofs")),
    (
        "answer: JSON serialisation of the response",
        ("serialize_response", "_prepare_response", "TypeAdapter.dump_json"),
    ),
    ("live push: reading new feed rows", ("FeedHub._fetch", "FeedHub._read", "LiveFeed")),
    ("live push: SSE frames and sends", ("live_feed", "EventStream", "frame (")),
    ("timers: escalation, proposals, heartbeat", ("_timers", "escalate_due", "sign_head_now")),
    ("reads recorded through the writer", ("record_reads",)),
]

WAITING = (
    "Condition.wait",
    "Queue.get",
    "Runner.run (asyncio/runners.py",
    "Event.wait",
    "select (",
    "Thread.join",
)


def breakdown(path: Path) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        frames = stack.split(";")
        if not frames or any(w in frames[-1] for w in WAITING):
            continue
        n = int(number)
        total += n
        step = "other (imports, logging, garbage collection, ...)"
        for frame in reversed(frames):
            found = next((name for name, marks in STEPS if any(m in frame for m in marks)), None)
            if found is not None:
                step = found
                break
        counts[step] += n
    return counts, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--cpu-ms", type=float, default=None, help="server CPU per notice")
    args = parser.parse_args()
    counts, total = breakdown(args.profile)
    order = [name for name, _ in STEPS] + ["other (imports, logging, garbage collection, ...)"]
    print(f"{total} samples on a CPU")
    print("| step | share | ms per notice |")
    print("|---|---|---|")
    for name in order:
        share = counts.get(name, 0) / max(1, total)
        ms = f"{share * args.cpu_ms:.2f}" if args.cpu_ms is not None else ""
        print(f"| {name} | {share * 100:.1f} % | {ms} |")


if __name__ == "__main__":
    main()
