"""The writer: commands from many threads run on one writing thread, a batch per transaction.

Each batch is one transaction of the :class:`~deconfliction.service.coordinator.Coordinator`
(one commit, one fsync, one signed tree head for the whole batch); each command runs in a
savepoint at its own instant, so a command that raises is undone alone and its caller gets the
exception.  A command's result is handed back only after its batch has committed.  While
commands arrive close together the writer waits a moment before a transaction, for more of
them to share it (:class:`Gathering`, the setting ``write_gather_s``).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.ledger import WriteProof
from deconfliction.store.database import connection_lost

__all__ = ["Gathering", "Writer"]

T = TypeVar("T")

SWITCH_INTERVAL_S = 0.0005
"""How long the writing thread waits at most for the GIL while the process is running.

The writing thread gives the GIL up at each call into the database driver, and under load the
event loop takes it; Python's default lets the loop keep it for 5 ms before the writer may have
it back.  A command made a dozen such calls, so the writer's place (which every other write
waits for) was held mostly waiting for the GIL: 7.5 ms of lock per notice for under 3 ms of the
writer's own CPU.  A shorter interval gives it back sooner; the loop switches more often, which
costs it little.  (The hot inserts of a batch are now written together, a handful of calls a
batch: :mod:`deconfliction.store.deferred`.)"""


class _Interval:
    """The process's switch interval while any writer runs (the first to start sets it, the
    last to stop puts the previous one back)."""

    _lock = threading.Lock()
    _running = 0
    _before = 0.0

    @classmethod
    def take(cls) -> None:
        with cls._lock:
            if cls._running == 0:
                cls._before = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._before, SWITCH_INTERVAL_S))
            cls._running += 1

    @classmethod
    def give_back(cls) -> None:
        with cls._lock:
            cls._running -= 1
            if cls._running == 0:
                sys.setswitchinterval(cls._before)


class Gathering:
    """When the writing thread, about to begin a transaction, waits a moment for more commands.

    At a steady 200 filings a second the writer found one filing waiting each time and
    committed it alone, so every filing paid the whole per-transaction part (the lock, the
    catch-up, the signed head, the commit and its fsync: about half of the writer's CPU for a
    filing; bench/RESULTS.md).  As PostgreSQL's ``commit_delay``/``commit_siblings`` do, the
    writer then waits, before it takes the lock, until ``window_s`` after the first command of
    the batch arrived, for the others that recent traffic says are coming.  It waits only when
    a wait is likely to gather something:

    * the last arrivals came on average at most :data:`SPREAD` windows apart (the silence since
      the last one counts as a gap too: on a quiet line it never waits, and one long silence is
      enough to make it so).  Two windows was too loose: filings every 10 ms with a 5 ms
      window (100 a second) made it wait after each one and meet none, since with evenly
      spaced arrivals a wait of one window meets the next only if the gap is at most a window;
      one and a half keeps it engaging at 200 a second (a gap of one window), whose gaps
      scatter around the mean;
    * and its recent waits gathered something: after :data:`FRUITLESS` waits in a row that met
      no other command (traffic whose mean gap says "soon" but whose arrivals never fall in the
      window), it stops waiting, and tries again once every :data:`PROBE` batches that would
      have waited; a wait that gathers starts it waiting again.

    A command waits at most ``window_s`` from its arrival for company (one that already waited
    that long for the writer, behind another batch, waits no more); none waits while the lock
    is held, so other nodes are not kept from it.  ``clock`` is the monotonic clock of the
    arrivals and the deadline (the waiting itself is in real time)."""

    HISTORY = 8
    """Arrivals whose mean gap tells the recent traffic."""
    SPREAD = 1.5
    """The mean gap, in windows, up to which another arrival is expected within a window."""
    FRUITLESS = 6
    """Waits in a row that gathered nothing, after which the writer stops waiting.  At 200 a
    second with a 5 ms window about one wait in three meets nobody (bench/RESULTS.md): three in
    a row would come every thirty waits or so and stop a useful window a fifth of the time;
    six in a row, about once in a thousand."""
    PROBE = 8
    """While stopped: one batch in this many that would have waited waits, to find out
    whether waiting gathers again."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self._arrivals: deque[float] = deque(maxlen=self.HISTORY)
        self._fruitless = 0
        """Waits in a row that gathered nothing (only the writing thread counts them)."""
        self._passed = 0
        """Batches that would have waited and did not, since the writer stopped waiting."""
        self.waits = 0
        """Batches for which the writer waited (a count for tests and benchmarks)."""
        self.gathered = 0
        """Of those, the batches whose wait gathered at least one more command."""

    def arrived(self) -> float:
        """Note a command's arrival (on the caller's thread); its time."""
        now = self.clock()
        if self.window_s > 0:
            self._arrivals.append(now)  # deque.append is atomic: callers need no lock
        return now

    def busy(self) -> bool:
        """Whether recent traffic says another command is likely within the window."""
        arrivals = self._arrivals
        count = len(arrivals)
        if self.window_s <= 0 or count < 2:
            return False
        last, first = arrivals[-1], arrivals[0]
        # The silence since the last arrival counts as a gap too: a burst long over says
        # nothing about now.
        span = max(last, self.clock()) - first
        return span <= self.SPREAD * self.window_s * (count - 1)

    def deadline(self, first_arrived: float) -> float | None:
        """Until when (on ``clock``) to gather commands for a batch whose first command
        arrived at ``first_arrived``; None: begin at once.  A deadline given is a wait: the
        writer tells how it went (:meth:`waited`)."""
        if not self.busy():
            return None
        end = first_arrived + self.window_s
        if end <= self.clock():
            return None
        if self._fruitless >= self.FRUITLESS:
            self._passed += 1
            if self._passed % self.PROBE:
                return None
        self.waits += 1
        return end

    def waited(self, gathered: bool) -> None:
        """The wait of the last :meth:`deadline` met another command (``gathered``) or not."""
        if gathered:
            self.gathered += 1
            self._fruitless = self._passed = 0
        else:
            self._fruitless += 1


@dataclass
class _Command:
    run: Callable[[Tx], Any]
    future: Future[Any] = field(default_factory=Future)
    party: str | None = None
    """Whose receipts to make: the entries this party may read (None: none at all)."""
    receipts: list[Receipt] = field(default_factory=list)
    proof_only: bool = False
    """Make only :attr:`proof` (the answer's receipt), not a receipt for every entry."""
    proof: WriteProof = field(default_factory=lambda: WriteProof(None))
    waiter: asyncio.Future[Any] | None = None
    """The caller's future in its event loop, when it waits there (:meth:`Writer.run_receipted`):
    settled in that loop, with the others of its batch (:func:`_settle`)."""
    arrived: float = 0.0
    """When it was queued (:attr:`Writer.gathering`'s clock)."""


class Writer:
    """Runs commands from many threads on one writing thread, in batches.

    Each batch is one transaction; each command runs in a savepoint at its own instant, so a
    command that raises is undone alone and its caller gets the exception.  A command's result
    is handed back only after its batch has committed.
    """

    def __init__(
        self, coordinator: Coordinator, *, max_batch: int = 128, gather_s: float = 0.0
    ) -> None:
        self.coordinator = coordinator
        self.max_batch = max_batch
        self.gathering = Gathering(gather_s)
        """When to wait for more commands before a transaction (``gather_s``: the window, the
        server's ``write_gather_s``; 0 never waits)."""
        self._queue: queue.Queue[_Command | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            _Interval.take()
            self.coordinator.db.start_checkpoints()
            self._thread = threading.Thread(
                target=self._loop, name="deconfliction-writer", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
            _Interval.give_back()
            self.coordinator.db.stop_checkpoints()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def depth(self) -> int:
        """Commands waiting for the writing thread."""
        return self._queue.qsize()

    def _put(self, job: _Command) -> None:
        job.arrived = self.gathering.arrived()
        self._queue.put(job)

    def submit(self, command: Callable[[Tx], T]) -> Future[T]:
        job = _Command(command)
        self._put(job)
        return job.future

    def execute(self, command: Callable[[Tx], T]) -> T:
        """Run ``command`` and wait for its batch to commit."""
        return self.submit(command).result()

    def execute_receipted(
        self, command: Callable[[Tx], T], party: str | None
    ) -> tuple[T, list[Receipt]]:
        """Run ``command``, wait for its batch to commit, and return its result with a receipt
        (under the batch's signed tree head) for every ledger entry it appended that ``party``
        may read."""
        job = _Command(command, party=party)
        self._put(job)
        return job.future.result(), job.receipts

    async def run_receipted(
        self, command: Callable[[Tx], T], party: str | None
    ) -> tuple[T, WriteProof]:
        """Run ``command`` as :meth:`execute_receipted` does, waiting in the event loop (the
        writer wakes it when the batch has committed, no worker thread held meanwhile), and
        return its result with its :class:`~deconfliction.service.ledger.WriteProof`: what an
        API answer carries."""
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        job = _Command(command, party=party, proof_only=True, waiter=waiter)
        self._put(job)
        value = await waiter
        return value, job.proof

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = self._gather(batch, None)
            if not stop and len(batch) < self.max_batch:
                deadline = self.gathering.deadline(first.arrived)
                if deadline is not None:
                    size = len(batch)
                    stop = self._gather(batch, deadline)
                    self.gathering.waited(len(batch) > size)
            self._run_batch(batch)
            if stop:
                return

    def _gather(self, batch: list[_Command], deadline: float | None) -> bool:
        """Add queued commands to ``batch`` up to :attr:`max_batch`: those waiting now, or with
        a ``deadline`` those arriving until then.  True when the writer is to stop after it."""
        clock = self.gathering.clock
        while len(batch) < self.max_batch:
            try:
                if deadline is None:
                    job = self._queue.get_nowait()
                else:
                    left = deadline - clock()
                    if left <= 0:
                        return False
                    job = self._queue.get(timeout=left)
            except queue.Empty:
                return False
            if job is None:
                return True
            batch.append(job)
        return False

    def _run_batch(self, batch: list[_Command]) -> None:
        outcomes: list[tuple[bool, Any, int, int]] = []
        coordinator = self.coordinator
        try:
            with coordinator.transaction() as tx:
                for job in batch:
                    start = len(tx.entries)
                    try:
                        with tx.command(coordinator.tick()):
                            result = job.run(tx)
                    except BaseException as exc:
                        if connection_lost(exc):
                            raise  # the whole batch is lost: every caller is told (503)
                        outcomes.append((False, exc, start, start))
                    else:
                        outcomes.append((True, result, start, len(tx.entries)))
        except BaseException as exc:
            _finish([(job, False, exc) for job in batch])
            return
        ledger = coordinator.ledger
        done: list[tuple[_Command, bool, Any]] = []
        for job, (ok, value, start, end) in zip(batch, outcomes, strict=True):
            if ok and job.party is not None and tx.head is not None:
                if job.proof_only:
                    job.proof = ledger.write_proof(tx.entries[start:end], tx.head, job.party)
                else:
                    job.receipts = ledger.receipts_for(tx.entries[start:end], tx.head, job.party)
            done.append((job, ok, value))
        _finish(done)


def _finish(done: list[tuple[_Command, bool, Any]]) -> None:
    """Hand each command's result (``ok``) or exception to its caller.

    Callers waiting in an event loop are woken once per loop for the whole batch: waking a loop
    from another thread writes to its socket, a call into the kernel for which the writing
    thread gives up the GIL, and under load waits to have it back (a batch of twenty filings
    made twenty such waits before the next batch could begin)."""
    loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
    for job, ok, value in done:
        if job.waiter is not None:
            loops.setdefault(job.waiter.get_loop(), []).append((job.waiter, ok, value))
        elif job.future.done():
            continue  # cancelled by its caller, who no longer waits
        elif ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)
    for loop, settled in loops.items():
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits there
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """In the waiters' loop: each waiter's result or exception (one cancelled meanwhile, its
    caller gone, is left as it is)."""
    for waiter, ok, value in settled:
        if waiter.done():
            continue
        if ok:
            waiter.set_result(value)
        else:
            waiter.set_exception(value)
