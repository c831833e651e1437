"""A world of four parties, a server killed and restarted, and every check a party can make
of the record afterwards: shared by the crash test (tests/ledger/test_crash.py) and the
several-node fault tests (tests/nodes).

See tests/ledger/test_crash.py for what the checks prove.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from deconfliction.engine.ledger.heads import Keyring, TreeHead, keyring_from_text
from deconfliction.engine.ledger.merkle import MerkleTree, verify_consistency
from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from deconfliction.engine.ledger.verify import verify_export
from deconfliction.engine.model import Agreement, Party
from deconfliction.service import records
from deconfliction.service.auth import Role, create_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.store import ledger as ledger_store

PARTIES = ("alpha", "bravo", "charlie", "delta")
MONITOR = "umpire"
LOAD_CYCLES = 10
"""Cycles with the server killed under load (at least 10, as the issue asks)."""
STARTUP_KILLS = 2
"""Further cycles with the server killed while it starts (migrating, catching up, binding)."""
START_TIMEOUT_S = 60.0


# -- the world -----------------------------------------------------------------------------------


def prepare_world(url: str, keys: Path) -> dict[str, str]:
    """Four parties under one agreement (a two-second acknowledgement deadline, a monitor to
    escalate to), the ledger's key, and a duty officer's token for each party."""
    items: list[Party | Agreement] = [
        Party.model_validate(
            {
                "id": p,
                "name": p.title(),
                "kind": "humanitarian" if p == "charlie" else "armed_force",
                "duty_contacts": [{"name": f"{p} duty officer"}, {"name": f"{p} watch chief"}],
            }
        )
        for p in PARTIES
    ]
    items.append(
        Party.model_validate(
            {"id": MONITOR, "name": "Umpire", "kind": "monitor", "duty_contacts": [{"name": "u"}]}
        )
    )
    items.append(
        Agreement.model_validate(
            {
                "id": "crash-agreement",
                "name": "Everyone tells everyone",
                "parties": list(PARTIES),
                "monitors": [MONITOR],
                "acknowledgement": {"deadline": "2 s", "step": "2 s"},
            }
        )
    )
    with Coordinator.open(url, keys_directory=str(keys)) as coordinator:
        coordinator.run(lambda tx: [file(tx, item) for item in items])
        now = coordinator.clock.now()
        return {
            p: create_token(coordinator.db, party=p, role=Role.duty_officer, now=now)[1]
            for p in PARTIES
        }


def admin_token(url: str, keys: Path) -> str:
    """An admin's token for the first party (signing a head on demand is an admin's)."""
    with Coordinator.open(url, keys_directory=str(keys)) as coordinator:
        now = coordinator.clock.now()
        return create_token(coordinator.db, party=PARTIES[0], role=Role.admin, now=now)[1]


def notice_body(rng: random.Random, title: str) -> dict[str, Any]:
    """A 5 km circle somewhere in a 60 km square, one hour some time in the next two days:
    filings overlap now and then, so alerts are opened and delivered too."""
    start = datetime.now(UTC) + timedelta(hours=2 + rng.uniform(0, 48))
    return {
        "kind": "air_operation",
        "title": title,
        "volumes": [
            {
                "outline": {
                    "type": "circle",
                    "center": [
                        round(36.0 + rng.uniform(0, 0.6), 5),
                        round(33.0 + rng.uniform(0, 0.5), 5),
                    ],
                    "radius": "5 km",
                },
                "altitude": {"lower": "SFC", "upper": "FL100"},
                "window": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                },
            }
        ],
    }


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``deconflict serve`` in a child process; killed, never asked to stop."""

    def __init__(self, url: str, keys: Path, log: Path, *args: str) -> None:
        """``args``: more options of ``deconflict serve`` (``--workers 2``)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ,
            DECONFLICT_LEDGER_KEYS=str(keys),
            DECONFLICT_LEDGER_SIGN_INTERVAL_S="0.25",
            DECONFLICT_ESCALATION_INTERVAL_S="0.2",
        )
        command = [sys.executable, "-m", "deconfliction", "serve", "--db", url]
        command += ["--port", str(self.port), "--log-level", "warning", *args]
        with log.open("ab") as out:
            # A session of its own: killing it kills its worker processes too (``--workers``),
            # as a machine that dies would; a worker whose supervisor was killed alone lives on.
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=out, start_new_session=True
            )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited ({self.process.returncode})"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.base + "/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), as an operator would; killed if it does not."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


# -- what the clients saw ------------------------------------------------------------------------


@dataclass
class Request:
    party: str
    path: str
    body: dict[str, Any] | None
    key: str
    kind: str
    """notice, ack or message."""
    tag: str
    """What makes its entry recognisable: the notice's title, the delivery id, the message."""


@dataclass
class Seen:
    """Everything the clients were told, kept across restarts."""

    receipts: list[tuple[str, Receipt]] = field(default_factory=list)
    """(party, receipt) of every answered write."""
    listed: list[tuple[int, bytes]] = field(default_factory=list)
    """(index, leaf hash) of every other entry a write answer listed."""
    heads: dict[tuple[int, bytes], TreeHead] = field(default_factory=dict)
    """Every signed head seen (receipts, ``/v1/ledger/tree-head``), by (size, root)."""
    unchecked: set[tuple[int, bytes]] = field(default_factory=set)
    """Heads not yet taken to a newer head by a consistency proof."""
    unanswered: list[Request] = field(default_factory=list)
    retried: int = 0
    unavailable: int = 0
    """Answers 503 (the database away)."""
    answered: list[Request] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """What a client thread found wrong (a failed assertion in a thread fails no test alone)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def guarded(self, target: Callable[..., None]) -> Callable[..., None]:
        """``target``, with whatever it raises kept in ``failures``."""

        def run(*args: Any) -> None:
            try:
                target(*args)
            except BaseException as error:  # reported by the test thread
                with self.lock:
                    self.failures.append(f"{target.__name__}: {error!r}"[:500])

        return run

    def head(self, head: TreeHead) -> None:
        with self.lock:
            key = (head.tree_size, head.root_hash)
            if key not in self.heads:
                self.heads[key] = head
                self.unchecked.add(key)

    def answer(self, request: Request, body: dict[str, Any]) -> None:
        receipt = Receipt.from_dict(body["receipt"])
        listed = [(e["index"], bytes.fromhex(e["leaf_hash"])) for e in body["ledger"]["entries"]]
        self.head(receipt.tree_head)
        with self.lock:
            self.receipts.append((request.party, receipt))
            self.listed.extend(listed)
            self.answered.append(request)


def send(client: httpx.Client, request: Request) -> httpx.Response:
    return client.post(request.path, json=request.body, headers={"Idempotency-Key": request.key})


def client_loop(
    base: str, party: str, token: str, seed: int, seen: Seen, stop: threading.Event
) -> None:
    """File, acknowledge and message until told to stop or the server goes away."""
    rng = random.Random(seed)
    others = [p for p in PARTIES if p != party]
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=20.0
    ) as client:
        while not stop.is_set():
            choice = rng.random()
            request: Request | None = None
            try:
                if choice < 0.5:
                    title = f"crash {uuid.uuid4().hex}"
                    request = Request(
                        party, "/v1/notices", notice_body(rng, title), title, "notice", title
                    )
                elif choice < 0.75:
                    inbox = client.get("/v1/inbox", params={"status": "delivered", "limit": 20})
                    items = inbox.json()["items"] if inbox.status_code == 200 else []
                    if not items:
                        continue
                    delivery = rng.choice(items)["id"]
                    request = Request(
                        party,
                        f"/v1/inbox/{delivery}/ack",
                        {"reply": "received"},
                        uuid.uuid4().hex,
                        "ack",
                        delivery,
                    )
                else:
                    text = f"crash message {uuid.uuid4().hex}"
                    request = Request(
                        party,
                        "/v1/messages",
                        {"to": rng.choice(others), "body": text},
                        uuid.uuid4().hex,
                        "message",
                        text,
                    )
                answer = send(client, request)
            except httpx.TransportError:
                if request is not None:
                    with seen.lock:
                        seen.unanswered.append(request)
                return  # the server is gone
            if answer.status_code == 409 and request.kind == "ack":
                continue  # acknowledged meanwhile (a retry of an earlier attempt): no entry
            if answer.status_code == 503:
                # The database is away: the answer says so and when to come back, and the
                # request is retried later with its key (it may not be half-done).
                assert answer.headers.get("Retry-After", "").isdigit(), answer.headers
                assert answer.json()["error"]["type"] == "unavailable", answer.text[:300]
                with seen.lock:
                    seen.unavailable += 1
                    seen.unanswered.append(request)
                time.sleep(0.05)
                continue
            assert answer.status_code in (200, 201), (answer.status_code, answer.text[:300])
            seen.answer(request, answer.json())


def watch_heads(base: str, token: str, seed: int, seen: Seen, stop: threading.Event) -> None:
    """Ask for the newest head, and now and then for a fresh one, until stopped."""
    rng = random.Random(seed)
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=20.0
    ) as client:
        while not stop.is_set():
            try:
                if rng.random() < 0.2:
                    answer = client.post("/v1/ledger/tree-head")
                else:
                    answer = client.get("/v1/ledger/tree-head")
            except httpx.TransportError:
                return
            assert answer.status_code == 200, answer.text[:300]
            seen.head(TreeHead.from_dict(answer.json()))
            time.sleep(rng.uniform(0.01, 0.05))


# -- the checks ----------------------------------------------------------------------------------


def export_lines(client: httpx.Client) -> list[bytes]:
    answer = client.get("/v1/ledger/export")
    assert answer.status_code == 200, answer.text[:300]
    return answer.content.splitlines()


def entries_of(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    """(leaf hash, entry or b"") of each entry line, in order (the checks ran already)."""
    out = []
    for line in lines[1:]:
        _, digest, entry = line.split(b"\t", 2)
        out.append((bytes.fromhex(digest.decode()), entry))
    return out


def check_running(base: str, tokens: dict[str, str], seen: Seen, note: str) -> TreeHead:
    """Every check the parties can make against the restarted server; the newest head."""
    clients = {
        p: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {t}"}, timeout=60.0)
        for p, t in tokens.items()
    }
    try:
        first = clients[PARTIES[0]]
        ring = keyring_from_text(first.get("/.well-known/deconfliction/ledger-keys").text)
        newest = TreeHead.from_dict(first.get("/v1/ledger/tree-head").json())
        assert ring.verify(newest), f"{note}: the newest head does not verify"
        logs: dict[str, list[tuple[bytes, bytes]]] = {}
        for party, client in clients.items():
            lines = export_lines(client)
            check = verify_export(lines, ring)
            assert check.ok, f"{note}: {party}'s export: {check.problems[:3]}"
            logs[party] = entries_of(lines)
            assert len(logs[party]) >= newest.tree_size, note
        leaves = [leaf for leaf, _ in logs[PARTIES[0]]]
        for party, receipt in seen.receipts:
            assert verify_receipt(receipt, ring).ok, f"{note}: receipt {receipt.index}"
            stored_leaf, stored_entry = logs[party][receipt.index]
            assert stored_leaf == receipt.leaf_hash, f"{note}: entry {receipt.index} changed"
            assert stored_entry == receipt.entry, f"{note}: entry {receipt.index} differs"
        for index, leaf in seen.listed:
            assert leaves[index] == leaf, f"{note}: listed entry {index} changed"
        # No fork: every head seen is a head of this log, and the server proves that the
        # newest extends it.
        tree = MerkleTree(leaves)
        with seen.lock:
            heads = list(seen.heads.values())
            unchecked = [seen.heads[k] for k in seen.unchecked]
            seen.unchecked.clear()
        for head in heads:
            assert ring.verify(head), f"{note}: head {head.tree_size} does not verify"
            assert head.tree_size <= newest.tree_size, f"{note}: head {head.tree_size} lost"
            assert tree.root(head.tree_size) == head.root_hash, (
                f"{note}: head of size {head.tree_size} is not a head of the log (a fork)"
            )
        for head in unchecked:
            answer = first.get(
                "/v1/ledger/consistency",
                params={"first": head.tree_size, "second": newest.tree_size},
            )
            assert answer.status_code == 200, (note, answer.text[:300])
            proof = [bytes.fromhex(p) for p in answer.json()["proof"]]
            assert verify_consistency(
                head.tree_size, newest.tree_size, head.root_hash, newest.root_hash, proof
            ), f"{note}: head of size {head.tree_size} is not consistent with {newest.tree_size}"
        seen.head(newest)
        with seen.lock:
            seen.unchecked.discard((newest.tree_size, newest.root_hash))
        return newest
    finally:
        for client in clients.values():
            client.close()


def retry_unanswered(base: str, tokens: dict[str, str], seen: Seen, note: str) -> None:
    """Send every write that got no answer again, with its key: performed once in all."""
    with seen.lock:
        pending, seen.unanswered = seen.unanswered, []
        seen.retried += len(pending)
    for request in pending:
        with httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {tokens[request.party]}"},
            timeout=60.0,
        ) as client:
            answer = send(client, request)
        if answer.status_code == 409 and request.kind == "ack":
            continue  # the delivery was acknowledged by another attempt: no entry for this one
        assert answer.status_code in (200, 201), (note, answer.status_code, answer.text[:300])
        seen.answer(request, answer.json())


def check_offline(url: str, keys: Path, seen: Seen, note: str, *, expect_acks: bool = True) -> None:
    """The store read directly (the server is dead): the operator's export verifies, every
    entry is covered by a stored signed head, and each write was performed exactly once."""
    with Coordinator.open(url, keys_directory=str(keys)) as coordinator:
        with coordinator.db.reading() as connection:
            size = len(ledger_store.leaf_hashes_from(connection, 0))
            latest = ledger_store.latest_head(connection)
        assert latest is not None
        assert latest.tree_size == size, f"{note}: entries {latest.tree_size}.. have no head"
        ring: Keyring = coordinator.ledger.keys.keyring()
        lines = [line.rstrip(b"\n") for line in records.export(coordinator, None)]
    check = verify_export(lines, ring)
    assert check.ok, f"{note}: {check.problems[:3]}"
    log = entries_of(lines)
    for _, receipt in seen.receipts:
        assert log[receipt.index] == (receipt.leaf_hash, receipt.entry), (
            f"{note}: entry {receipt.index}"
        )
    filed: dict[str, int] = {}
    acknowledged: dict[str, int] = {}
    messages: dict[str, int] = {}
    for _, entry in log:
        data = json.loads(entry)
        event, kind = data["event"], data["type"]
        if kind == "notice.filed":
            title = event["item"]["title"]
            filed[title] = filed.get(title, 0) + 1
        elif kind == "delivery.acknowledged":
            ident = event["delivery"]["id"]
            acknowledged[ident] = acknowledged.get(ident, 0) + 1
        elif kind == "message.sent":
            text = event["message"]["body"]
            messages[text] = messages.get(text, 0) + 1
    assert acknowledged or not expect_acks, (
        "nothing to check: the assertion below would pass on nothing"
    )
    assert all(n == 1 for n in acknowledged.values()), f"{note}: acknowledged twice"
    for request in seen.answered:
        counts = {"notice": filed, "ack": acknowledged, "message": messages}[request.kind]
        assert counts.get(request.tag) == 1, (
            f"{note}: {request.kind} {request.tag} recorded {counts.get(request.tag, 0)} times"
        )
    assert filed, note
    assert sum(filed.values()) == len({r.tag for r in seen.answered if r.kind == "notice"})
