"""Several nodes on one PostgreSQL record (issue 10, items 2 and 3).

Real ``deconflict serve`` processes on one database:

* conflicting notices filed at the same moment on two different nodes: the conflict is found
  once, and both parties get the alert (the writers take turns through the database, each node
  catching up from the log before it checks);
* a node killed with SIGKILL under load: no receipted write is lost, a live stream that was on
  it resumes on another node from its ``Last-Event-ID`` with nothing missed and nothing twice,
  and the log verifies with every tree head seen consistent (no fork);
* PostgreSQL restarted under load: writes answer 503 with ``Retry-After`` while it is down
  (never a 500), ``/readyz`` says so, nothing is half-written, and the nodes recover by
  themselves;
* ``--workers 2``: two worker processes behind one port keep the same single order, and stop
  when their supervisor is killed alone.

PostgreSQL only (SQLite is the single-node store); skipped when no server is configured, a
failure when ``DECONFLICT_REQUIRE_POSTGRES=1``.  Bounded: a few seconds of load each, no timing
asserted.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deconfliction.service.coordinator import Coordinator
from deconfliction.store.feeds import feed_since
from tests.support.crash import (
    PARTIES,
    Request,
    Seen,
    Server,
    check_offline,
    check_running,
    client_loop,
    prepare_world,
    retry_unanswered,
    send,
)
from tests.support.nodes import SAFETY_S, client_for, nodes, overlapping
from tests.support.postgres_cluster import PostgresCluster, postgres_binaries


def _file_seen(
    client: httpx.Client, party: str, body: dict[str, Any], seen: Seen
) -> httpx.Response:
    """File ``body`` with a key, and keep its receipt among what the clients saw (so that the
    offline check counts it)."""
    request = Request(party, "/v1/notices", body, uuid.uuid4().hex, "notice", body["title"])
    answer = send(client, request)
    if answer.status_code == 201:
        seen.answer(request, answer.json())
    return answer


def test_conflicting_filings_on_two_nodes_both_get_the_alert(pg_store: str, tmp_path: Path):
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    tokens = prepare_world(pg_store, keys)
    pairs = 8
    answers: dict[tuple[int, str], dict[str, Any]] = {}
    barrier = threading.Barrier(2, timeout=SAFETY_S)
    with nodes(pg_store, keys, log, 3) as (one, two, three):

        def file(party: str, node: Server) -> None:
            with client_for(node.base, tokens[party]) as client:
                for i in range(pairs):
                    barrier.wait()  # both filings of pair i leave together
                    answer = client.post("/v1/notices", json=overlapping(i, f"{party} {i}"))
                    assert answer.status_code == 201, answer.text[:300]
                    answers[(i, party)] = answer.json()

        threads = [
            threading.Thread(target=file, args=("alpha", one)),
            threading.Thread(target=file, args=("bravo", two)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SAFETY_S)
        assert len(answers) == 2 * pairs
        inboxes = {}
        for party in ("alpha", "bravo"):
            with client_for(three.base, tokens[party]) as client:
                listed = client.get("/v1/inbox", params={"limit": 500})
                assert listed.status_code == 200, listed.text[:300]
                inboxes[party] = {
                    d["item_id"] for d in listed.json()["items"] if d["item_type"] == "alert"
                }
    for i in range(pairs):
        ours, theirs = answers[(i, "alpha")], answers[(i, "bravo")]
        notices = {ours["notice"]["id"], theirs["notice"]["id"]}
        raised = [
            a
            for answer in (ours, theirs)
            for a in answer["alerts"]
            if set(a["subjects"]) == notices
        ]
        # Found once, by whichever filing the database ordered second; never lost, never twice.
        assert len(raised) == 1, (i, [a["subjects"] for a in ours["alerts"] + theirs["alerts"]])
        alert = raised[0]
        assert set(alert["parties"]) >= {"alpha", "bravo"}
        assert alert["id"] in inboxes["alpha"], f"pair {i}: alpha was not given the alert"
        assert alert["id"] in inboxes["bravo"], f"pair {i}: bravo was not given the alert"


class Listener:
    """A live stream for one party that moves to the next node when its node goes away,
    resuming from the last id it received."""

    def __init__(self, bases: list[str], token: str) -> None:
        self.bases = bases
        self.token = token
        self.seqs: list[int] = []
        self.first: int | None = None
        """The position the stream started at (its first ``id:`` line)."""
        self.connections = 0
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        place = 0
        last: int | None = None
        while not self.stop.is_set():
            headers = {"Authorization": f"Bearer {self.token}"}
            if last is not None:
                headers["Last-Event-ID"] = str(last)
            try:
                with (
                    httpx.Client(timeout=httpx.Timeout(60, read=2.0)) as client,
                    client.stream("GET", self.bases[place] + "/v1/stream", headers=headers) as r,
                ):
                    assert r.status_code == 200
                    self.connections += 1
                    for line in r.iter_lines():
                        if line.startswith("id: "):
                            seq = int(line[4:])
                            if self.first is None:
                                self.first = seq
                                self.ready.set()
                            elif last is not None and seq <= last:
                                continue  # the position line of a resumed stream
                            else:
                                self.seqs.append(seq)
                            last = seq
                        if self.stop.is_set():
                            return
            except (httpx.TransportError, httpx.StreamError):
                if self.stop.is_set():
                    return
                place = (place + 1) % len(self.bases)  # that node is gone: the next one
                time.sleep(0.1)


def test_a_node_killed_under_load_loses_nothing_and_its_streams_resume_elsewhere(
    pg_store: str, tmp_path: Path
):
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    tokens = prepare_world(pg_store, keys)
    seen = Seen()
    rng = random.Random(int(uuid.uuid4().int % 2**32))
    with nodes(pg_store, keys, log, 3) as (one, two, three):
        listener = Listener([three.base, one.base], tokens["bravo"])
        listener.thread.start()
        assert listener.ready.wait(SAFETY_S)
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=client_loop,
                args=(node.base, party, tokens[party], rng.getrandbits(32), seen, stop),
            )
            for node in (one, two, three)
            for party in PARTIES
        ]
        for worker in workers:
            worker.start()
        time.sleep(2.0)
        three.kill()  # mid-load: its clients and its stream lose it
        time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(SAFETY_S)
        retry_unanswered(one.base, tokens, seen, "after the kill")
        newest = check_running(two.base, tokens, seen, "after the kill")
        # The stream resumed on node one and has everything up to the newest entry of its
        # feed (the log goes on growing: escalations, heads; compare up to what it received).
        deadline = time.monotonic() + SAFETY_S
        with Coordinator.open(pg_store, keys_directory=str(keys)) as coordinator:
            assert listener.first is not None
            with coordinator.db.reading() as connection:
                target = feed_since(connection, "bravo", listener.first, 10**6)[-1].seq
            while (listener.seqs or [0])[-1] < target and time.monotonic() < deadline:
                time.sleep(0.05)
            listener.stop.set()
            listener.thread.join(SAFETY_S)
            upto = listener.seqs[-1]
            with coordinator.db.reading() as connection:
                expected = [
                    e.seq
                    for e in feed_since(connection, "bravo", listener.first, 10**6)
                    if e.seq <= upto
                ]
    assert newest.tree_size > 0
    assert listener.connections >= 2, "the stream never moved to another node"
    assert len(listener.seqs) == len(set(listener.seqs)), "an event came twice"
    assert listener.seqs == expected, "the resumed stream missed events"
    assert seen.receipts
    check_offline(pg_store, keys, seen, "after the kill", expect_acks=False)


@pytest.fixture
def own_postgres() -> Iterator[PostgresCluster]:
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (scripts/check installs them)")
    cluster = PostgresCluster(binaries)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


def test_postgres_restarted_under_load(own_postgres: PostgresCluster, tmp_path: Path):
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    url = own_postgres.url
    tokens = prepare_world(url, keys)
    seen = Seen()
    rng = random.Random(7)
    with nodes(url, keys, log, 3) as (one, two, three):
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=client_loop,
                args=(node.base, party, tokens[party], rng.getrandbits(32), seen, stop),
            )
            for node in (one, two, three)
            for party in PARTIES[:2]
        ]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        own_postgres.stop()
        # While it is down: writes answer 503 (the clients check the body and Retry-After),
        # and so does readiness.
        deadline = time.monotonic() + SAFETY_S
        while seen.unavailable == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        down = httpx.get(one.base + "/readyz", timeout=30)
        assert down.status_code == 503, down.text[:300]
        assert down.headers["Retry-After"].isdigit()
        assert httpx.get(one.base + "/healthz", timeout=30).status_code == 200
        own_postgres.start()
        # Back by themselves: each node answers a write again.
        for node in (one, two, three):
            with client_for(node.base, tokens["charlie"]) as client:
                while True:
                    body = overlapping(60, f"after restart {uuid.uuid4().hex}")
                    answer = _file_seen(client, "charlie", body, seen)
                    if answer.status_code == 201 or time.monotonic() > deadline:
                        break
                    assert answer.status_code == 503, answer.text[:300]
                    time.sleep(0.1)
                assert answer.status_code == 201, answer.text[:300]
            assert httpx.get(node.base + "/readyz", timeout=30).status_code == 200
        time.sleep(0.5)
        stop.set()
        for worker in workers:
            worker.join(SAFETY_S)
        assert seen.unavailable > 0, "PostgreSQL was stopped but no write was refused"
        # What was refused was not half-done: sent again with its key, each is performed once
        # (check_offline counts every entry).
        retry_unanswered(two.base, tokens, seen, "after the restart")
        check_running(one.base, tokens, seen, "after the restart")
        # The nodes' memory is the record's: a conflict with a notice filed before the
        # restart is found by the other node.
        with (
            client_for(one.base, tokens["alpha"]) as a,
            client_for(three.base, tokens["bravo"]) as b,
        ):
            first = _file_seen(a, "alpha", overlapping(70, "first of a pair"), seen)
            second = _file_seen(b, "bravo", overlapping(70, "second of a pair"), seen)
        assert first.status_code == second.status_code == 201
        assert {first.json()["notice"]["id"]} <= {
            s for alert in second.json()["alerts"] for s in alert["subjects"]
        }
    check_offline(url, keys, seen, "after the restart", expect_acks=False)


def test_workers_share_one_order(pg_store: str, tmp_path: Path):
    """``serve --workers 2``: filings spread over both workers by the kernel, conflicts still
    found once, and /metrics sums the workers."""
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    tokens = prepare_world(pg_store, keys)
    answers: list[dict[str, Any]] = []
    with nodes(pg_store, keys, log, 1, "--workers", "2") as (node,):

        def file(party: str) -> None:
            for i in range(6):
                with client_for(node.base, tokens[party]) as client:  # a new connection each
                    answer = client.post("/v1/notices", json=overlapping(i, f"{party} {i}"))
                assert answer.status_code == 201, answer.text[:300]
                answers.append(answer.json())

        threads = [threading.Thread(target=file, args=(p,)) for p in ("alpha", "bravo")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SAFETY_S)
        metrics = httpx.get(node.base + "/metrics", timeout=30).text
    raised = {a["id"] for answer in answers for a in answer["alerts"]}
    assert len(raised) == 6, raised  # one per pair, whichever worker filed second
    filed = [
        line
        for line in metrics.splitlines()
        if line.startswith("deconfliction_http_requests_total")
        and 'route="/v1/notices"' in line
        and 'method="POST"' in line
    ]
    assert filed
    assert sum(float(line.rsplit(" ", 1)[1]) for line in filed) == 12, filed
    assert json.dumps(answers)  # answers are plain JSON


def _workers_of(supervisor: int) -> list[int]:
    """The worker processes ``supervisor`` spawned (multiprocessing's ``spawn_main``)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie, ended but not yet reaped by its new parent, does
    not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_end_with_their_supervisor(pg_store: str, tmp_path: Path):
    """``serve --workers 2`` whose supervisor alone is killed with SIGKILL (it cannot stop its
    workers): the workers stop by themselves, and the port is free again.  Before, they lived on,
    serving and taking the writer lock with nobody to restart or stop them."""
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    prepare_world(pg_store, keys)
    with nodes(pg_store, keys, log, 1, "--workers", "2") as (node,):
        workers: list[int] = []
        deadline = time.monotonic() + SAFETY_S
        while len(workers) < 2 and time.monotonic() < deadline:  # both up, not only the first
            workers = _workers_of(node.process.pid)
            time.sleep(0.05)
        assert len(workers) == 2, workers
        os.kill(node.process.pid, signal.SIGKILL)  # the supervisor only, not its group
        node.process.wait(SAFETY_S)
        try:
            while any(_running(w) for w in workers) and time.monotonic() < deadline + SAFETY_S:
                time.sleep(0.05)
            assert not [w for w in workers if _running(w)], "workers outlived their supervisor"
        finally:  # none left behind, whatever the outcome
            with contextlib.suppress(ProcessLookupError):
                os.killpg(node.process.pid, signal.SIGKILL)
        with httpx.Client(timeout=5) as client, pytest.raises(httpx.ConnectError):
            client.get(node.base + "/healthz")
