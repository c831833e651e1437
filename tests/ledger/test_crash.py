"""Durability (issue 4, item 7): the server killed with SIGKILL at random moments, on each store.

A real server process (``deconflict serve``) runs on a store and a key directory.  Client
threads file notices, acknowledge inbox items and send messages over HTTP, each write with an
``Idempotency-Key``, keeping every receipt the server returned; a watcher keeps every signed
tree head it sees (``GET``/``POST /v1/ledger/tree-head``); the server's own loops escalate
unacknowledged items (a two-second deadline) and sign heads (every quarter second) meanwhile.
At a random moment the server is killed with SIGKILL (in some cycles while it is still starting)
and started again on the same store and key directory.  After each restart:

* every write that returned a receipt is in the log: its entry at its index, byte for byte, with
  the same leaf hash (checked in the party's own export), and its receipt verifies offline;
* every party's export verifies end to end (``verify_export``);
* every signed tree head seen so far is a head of this log: its root is the root of the log's
  first ``tree_size`` entries, and a consistency proof from the server takes it to the newest
  head (``verify_consistency``): no fork;
* every write that got no answer (the server died under it) is sent again with its key and
  answered.

At the end the store is read offline (an operator's export): it verifies, every stored entry is
covered by a stored signed head, and each write was performed exactly once.

Bounded: a fixed number of cycles, each with at most a few seconds of load; no timing is
asserted.  ``DECONFLICT_CRASH_SEED`` replays a run's random choices (the seed is in every
failure message).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.crash import (
    LOAD_CYCLES,
    PARTIES,
    STARTUP_KILLS,
    Seen,
    Server,
    admin_token,
    check_offline,
    check_running,
    client_loop,
    prepare_world,
    retry_unanswered,
    watch_heads,
)
from tests.support.stores import STORES, make_store_url


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from make_store_url(request.param, tmp_path)


# -- the test ------------------------------------------------------------------------------------


def test_sigkill_at_random_moments_loses_no_receipted_write_and_forks_nothing(
    store: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("DECONFLICT_CRASH_SEED") or random.SystemRandom().getrandbits(32))
    rng = random.Random(seed)
    keys = tmp_path / "ledger-keys"
    log = tmp_path / "server.log"
    tokens = prepare_world(store, keys)
    admin = admin_token(store, keys)
    seen = Seen()
    cycles = ["load"] * LOAD_CYCLES + ["startup"] * STARTUP_KILLS
    rng.shuffle(cycles)
    if cycles[0] == "startup":  # begin with load, so the first restart has something to check
        cycles.remove("load")
        cycles.insert(0, "load")
    kills = 0
    for number, cycle in enumerate(cycles):
        note = f"seed {seed}, cycle {number} ({cycle}); server log {log}"
        server = Server(store, keys, log)
        if cycle == "startup":
            time.sleep(rng.uniform(0.05, 1.5))
            server.kill()
            kills += 1
            continue
        server.wait_until_up()
        if number > 0:
            check_running(server.base, tokens, seen, note)
            retry_unanswered(server.base, tokens, seen, note)
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=seen.guarded(client_loop),
                args=(server.base, p, tokens[p], rng.getrandbits(32), seen, stop),
            )
            for p in PARTIES
            for _ in range(2)
        ]
        workers.append(
            threading.Thread(
                target=seen.guarded(watch_heads),
                args=(server.base, admin, rng.getrandbits(32), seen, stop),
            )
        )
        for worker in workers:
            worker.start()
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill()
        kills += 1
        stop.set()
        for worker in workers:
            worker.join(60)
            assert not worker.is_alive(), note
        assert not seen.failures, (note, seen.failures[:3])
    # The last restart: check everything once more, answer what was left unanswered, and
    # then read the store offline.
    note = f"seed {seed}, after {kills} kills; server log {log}"
    server = Server(store, keys, log)
    try:
        server.wait_until_up()
        check_running(server.base, tokens, seen, note)
        retry_unanswered(server.base, tokens, seen, note)
        check_running(server.base, tokens, seen, note)
    finally:
        server.kill()
    assert kills >= LOAD_CYCLES
    assert len(seen.receipts) > 0, note
    check_offline(store, keys, seen, note)
    print(
        f"{kills} kills, {len(seen.receipts)} receipts, {len(seen.heads)} heads, "
        f"{seen.retried} writes retried after a kill (seed {seed})"
    )
