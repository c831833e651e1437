"""Benchmark: the event loop's CPU to wake one live stream with its new events.

``--streams`` subscriptions (``service/streams.py``), each with a task waiting in
``Subscription.take`` as ``live_feed`` does; each round hands every one an event and wakes
it, and waits until all have taken theirs.  Prints the loop's CPU per stream woken (a notice
to nine parties wakes ten), on uvloop as the server runs (``--asyncio``: asyncio's own
loop).  Before/after in one run::

    PYTHONPATH=/work/main/src python bench/stream_wake.py
    python bench/stream_wake.py
"""

from __future__ import annotations

import argparse
import asyncio
import time

from deconfliction.service.streams import StoredEvent, Subscription


def _wake(subscription: Subscription) -> None:
    waking = subscription._wake
    if isinstance(waking, asyncio.Event):  # trees before the wait became a future
        waking.set()
    else:
        waking()


async def run(rounds: int, streams: int) -> float:
    subscriptions = [Subscription("p") for _ in range(streams)]
    taken = 0

    async def stream(subscription: Subscription) -> None:
        nonlocal taken
        while True:
            events = await subscription.take(15.0)
            taken += len(events)  # after the wait: ``taken`` is shared

    tasks = [asyncio.create_task(stream(s)) for s in subscriptions]
    await asyncio.sleep(0.01)
    event = StoredEvent(1, None, "t", "s", "{}")  # type: ignore[arg-type]  # never read
    cpu = time.thread_time()
    for r in range(rounds):
        for subscription in subscriptions:
            subscription._pending.append(event)
            _wake(subscription)
        while taken < (r + 1) * streams:
            await asyncio.sleep(0)
    cpu = time.thread_time() - cpu
    for task in tasks:
        task.cancel()
    return cpu / (rounds * streams)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument(
        "--asyncio", action="store_true", help="asyncio's own loop (default: uvloop, as the server)"
    )
    args = parser.parse_args()
    runner = asyncio.run
    if not args.asyncio:
        import uvloop

        runner = uvloop.run
    per = runner(run(args.rounds, args.streams))
    print(
        f"{args.streams} streams, {args.rounds} rounds, "
        f"{'asyncio' if args.asyncio else 'uvloop'}: {per * 1e6:.1f} µs of CPU per stream woken"
    )


if __name__ == "__main__":
    main()
