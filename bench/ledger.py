"""Benchmark: the ledger (issue 4, item 9).

Three measures:

* **Receipted appends per second** on a store (SQLite in a temporary directory, or a new
  database on the PostgreSQL server given with ``--db``): ``--threads`` threads submit commands
  to the real group-commit :class:`~deconfliction.service.writer.Writer`, each command
  appending one small event with :meth:`Tx.append` (on the feed of the submitting party), and
  wait for its commit and its receipt (``Writer.execute_receipted``): the entry, its leaf hash,
  the batch's signed tree head (signed inside the transaction, stored with it) and the
  inclusion proof.  Closed loop: the figure is the writer's capacity.  Batch sizes are read
  from the receipts (one signed head per batch).  A sample of the receipts is verified offline
  afterwards, and every receipt must be under a head the store holds.
* **Proof sizes**: inclusion and consistency proofs (RFC 9162) at 1k, 10k, 100k and 1M leaves:
  hashes and bytes, the largest and the mean over random indexes and sizes, and the size of a
  receipt as JSON.
* **Verifying a 1M-entry export** end to end with ``verify_export``: a realistic export built
  synthetically with the engine's own ``entry_bytes``, ``leaf_hash`` and ``sign_head`` (entries
  of the sizes the service writes: notices, deliveries, acknowledgements, messages; a signed
  head every ~1000 entries, as a busy server signs one per batch; one entry in five hidden, as in
  a party's export), written to a file and read back line by line as ``deconflict verify
  export`` does.

Usage::

    python bench/ledger.py [--db sqlite|postgresql://...] [--threads 64] [--duration 10]
        [--sizes 1000,10000,100000,1000000] [--entries 1000000] [--only appends,proofs,verify]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.heads import Keyring, TreeHead, public_key_text, sign_head
from deconfliction.engine.ledger.merkle import MerkleTree, leaf_hash
from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from deconfliction.engine.ledger.verify import ExportHeader, verify_export
from deconfliction.engine.model import Agreement, Party
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import file
from deconfliction.service.writer import Writer
from deconfliction.store import ledger as ledger_store
from server_common import describe_machine, fresh_store, percentile  # beside this script

# -- receipted appends -------------------------------------------------------------------------


def _parties(count: int) -> list[Any]:
    names = [f"p{i:03d}" for i in range(count)]
    items: list[Any] = [
        Party.model_validate(
            {"id": p, "name": p, "kind": "armed_force", "duty_contacts": [{"name": "duty"}]}
        )
        for p in names
    ]
    items.append(Agreement.model_validate({"id": "all", "name": "all", "parties": names}))
    return items


def appends(store: str, threads: int, duration: float, warmup: float) -> dict[str, Any]:
    """Receipted appends per second through the real writer."""
    with (
        fresh_store(store) as url,
        tempfile.TemporaryDirectory(prefix="deconflict-bench-keys-") as keys,
    ):
        coordinator = Coordinator.open(url, keys_directory=keys)
        items = _parties(min(threads, 50))
        coordinator.run(lambda tx: [file(tx, item) for item in items])
        parties = [item.id for item in items if isinstance(item, Party)]
        writer = Writer(coordinator)
        writer.start()
        start = time.perf_counter() + warmup
        stop = start + duration
        results: list[list[tuple[float, Receipt]]] = [[] for _ in range(threads)]
        failures: list[BaseException] = []

        def submit(number: int) -> None:
            party = parties[number % len(parties)]
            count = 0
            out = results[number]
            try:
                while (began := time.perf_counter()) < stop:
                    count += 1
                    payload = {"thread": number, "n": count, "note": "ping"}

                    def command(tx: Tx, payload: dict[str, Any] = payload) -> int:
                        return tx.append("bench.appended", f"b-{number}", payload, [party])

                    _, receipts = writer.execute_receipted(command, party)
                    if began >= start:
                        out.append((time.perf_counter() - began, receipts[0]))
            except BaseException as exc:
                failures.append(exc)

        workers = [threading.Thread(target=submit, args=(i,)) for i in range(threads)]
        cpu0 = time.process_time()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        cpu = time.process_time() - cpu0
        writer.stop()
        if failures:
            raise failures[0]
        done = [pair for out in results for pair in out]
        latencies = [seconds for seconds, _ in done]
        receipts = [receipt for _, receipt in done]
        batches = Counter(r.tree_head.tree_size for r in receipts)
        # Every receipt's head is stored, and a sample verifies offline.
        with coordinator.db.reading() as connection:
            stored = {h.tree_size: h for h in ledger_store.heads(connection)}
        missing = sum(1 for size in batches if size not in stored)
        ring = coordinator.ledger.keys.keyring()
        sample = random.Random(1).sample(receipts, min(500, len(receipts)))
        bad = sum(1 for r in sample if not verify_receipt(r, ring).ok)
        coordinator.close()
    sizes = list(batches.values())
    return {
        "appends": len(receipts),
        "per_second": len(receipts) / duration,
        "latency_p50_ms": percentile(latencies, 50) * 1000,
        "latency_p99_ms": percentile(latencies, 99) * 1000,
        "batches": len(batches),
        "batch_mean": statistics.fmean(sizes) if sizes else math.nan,
        "batch_p50": percentile(sizes, 50),
        "batch_max": max(sizes, default=0),
        "process_cpu_percent": cpu / (duration + warmup) * 100,
        "heads_not_stored": missing,
        "sample_failing": bad,
        "sample": len(sample),
    }


# -- proof sizes -------------------------------------------------------------------------------


def _random_tree(size: int, rng: random.Random) -> MerkleTree:
    tree = MerkleTree()
    for _ in range(size):
        tree.append(rng.randbytes(32))
    return tree


def proofs(sizes: list[int], probes: int = 200) -> list[dict[str, Any]]:
    rng = random.Random(3)
    key = Ed25519PrivateKey.generate()
    out = []
    largest = max(sizes)
    tree = _random_tree(largest, rng)
    entry = entry_bytes(
        largest - 1,
        datetime(2026, 11, 24, 9, 59, 10, tzinfo=UTC),
        "delivery.acknowledged",
        "d-0123456789abcdef",
        '{"delivery":{"acknowledged_at":"2026-11-24T10:00:10+00:00","id":"d-0123456789abcdef"}}',
    )
    for n in sizes:
        inclusion = [len(tree.inclusion_proof(rng.randrange(n), n)) for _ in range(probes)]
        consistency = [
            len(tree.consistency_proof(rng.randrange(1, n), n)) for _ in range(probes)
        ] + [len(tree.consistency_proof(n // 2 + 1, n))]
        head = sign_head(key, n, tree.root(n), datetime(2026, 11, 24, 10, tzinfo=UTC))
        receipt = Receipt(
            n - 1, leaf_hash(entry), entry, head, tuple(tree.inclusion_proof(n - 1, n))
        )
        out.append(
            {
                "leaves": n,
                "inclusion_max": max(inclusion),
                "inclusion_mean": statistics.fmean(inclusion),
                "consistency_max": max(consistency),
                "consistency_mean": statistics.fmean(consistency),
                "receipt_json_bytes": len(json.dumps(receipt.to_dict(), separators=(",", ":"))),
            }
        )
    return out


# -- verifying an export -----------------------------------------------------------------------

_KINDS = (
    # (type, weight, event body): sizes as the service writes them.
    (
        "notice.filed",
        1,
        '{{"item":{{"action":"new","author":"p{a:03d}","filed_at":"{t}","id":"n-{i:016x}",'
        '"kind":"air_operation","replaces":null,"title":"bench","volumes":[{{"altitude":'
        '{{"lower":{{"kind":"surface"}},"upper":{{"kind":"flight_level","level":100}}}},'
        '"label":"","outline":{{"center":{{"lat":33.91234,"lon":38.12345}},"radius":'
        '{{"unit":"km","value":2}},"type":"circle"}},"window":{{"end":"{t}","start":"{t}"}}}}]}},'
        '"kind":"notice"}}',
    ),
    (
        "delivery.created",
        9,
        '{{"delivery":{{"acknowledged_at":null,"created_at":"{t}","due_at":"{t}","id":'
        '"d-{i:016x}","item_id":"n-{i:016x}","item_type":"notice","level":0,"monitors":[],'
        '"read_at":null,"recipient":"p{a:03d}","reply":null,"sender":"p000","status":'
        '"delivered"}}}}',
    ),
    (
        "delivery.acknowledged",
        3,
        '{{"delivery":{{"acknowledged_at":"{t}","created_at":"{t}","due_at":"{t}","id":'
        '"d-{i:016x}","item_id":"n-{i:016x}","item_type":"notice","level":0,"monitors":[],'
        '"read_at":"{t}","recipient":"p{a:03d}","reply":"received","sender":"p000","status":'
        '"acknowledged"}}}}',
    ),
    (
        "message.sent",
        1,
        '{{"message":{{"body":"Confirm the corridor is clear before 10:00.","id":'
        '"m-{i:016x}","notice_id":null,"recipient":"p001","sender":"p{a:03d}","sent_at":"{t}"}}}}',
    ),
)


def build_export(path: Path, entries: int, head_every: int, hidden: float) -> Keyring:
    """Write a synthetic export of ``entries`` entries; returns the keyring that checks it."""
    rng = random.Random(5)
    key = Ed25519PrivateKey.generate()
    kinds = [k for k in _KINDS for _ in range(k[1])]
    start = datetime(2026, 11, 24, tzinfo=UTC)
    tree = MerkleTree()
    heads: list[TreeHead] = []
    body = bytearray()
    next_head = head_every
    for index in range(entries):
        kind, _, template = kinds[index % len(kinds)]
        at = start + timedelta(microseconds=index * 5000)
        text = at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        event = template.format(a=index % 100, t=text, i=index)
        entry = entry_bytes(index, at, kind, f"x-{index:016x}", event)
        leaf = leaf_hash(entry)
        tree.append(leaf)
        shown = b"" if rng.random() < hidden else entry
        body += b"%d\t%s\t%s\n" % (index, leaf.hex().encode(), shown)
        if index + 1 == next_head or index + 1 == entries:
            heads.append(sign_head(key, index + 1, tree.root(), at))
            next_head += rng.randint(head_every // 2, head_every * 3 // 2)
    header = ExportHeader("p001", entries, tuple(heads)).to_dict(
        [{"key_id": heads[0].key_id, "public_key": public_key_text(key.public_key())}]
    )
    with path.open("wb") as out:
        out.write(json.dumps(header, separators=(",", ":")).encode() + b"\n")
        out.write(body)
    return Keyring([key.public_key()])


def verify(entries: int, head_every: int, hidden: float, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="deconflict-bench-export-") as scratch:
        path = Path(scratch) / "export.txt"
        began = time.perf_counter()
        ring = build_export(path, entries, head_every, hidden)
        built = time.perf_counter() - began
        size = path.stat().st_size
        times, cpus = [], []
        check = None
        for _ in range(repeats):
            began, cpu0 = time.perf_counter(), time.process_time()
            with path.open("rb") as lines:
                check = verify_export(lines, ring)
            times.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu0)
        assert check is not None
        if not check.ok:
            raise SystemExit(f"the synthetic export does not verify: {check.problems[:3]}")
    return {
        "entries": entries,
        "bytes": size,
        "heads": check.facts["tree_heads_checked"],
        "readable": check.facts["readable_entries"],
        "build_s": built,
        "verify_s": min(times),
        "verify_all_s": times,
        "verify_cpu_s": min(cpus),
    }


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--threads", type=int, default=64, help="submitting threads")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not measured")
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="tree sizes")
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries to verify")
    parser.add_argument("--head-every", type=int, default=1000, help="entries per signed head")
    parser.add_argument("--hidden", type=float, default=0.2, help="share of hidden entries")
    parser.add_argument("--repeats", type=int, default=3, help="verification runs (best kept)")
    parser.add_argument("--only", default="appends,proofs,verify", help="which measures")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))

    print("ledger benchmark")
    print(describe_machine(args.db))
    if "appends" in only:
        store = "PostgreSQL" if args.db.startswith("postgres") else "SQLite"
        r = appends(args.db, args.threads, args.duration, args.warmup)
        print(
            f"\nreceipted appends, {store}, {args.threads} threads, {args.duration:.0f} s measured"
        )
        print(f"  appended        {r['appends']} ({r['per_second']:.0f} per second)")
        print(
            f"  latency         p50 {r['latency_p50_ms']:.1f} ms, p99 {r['latency_p99_ms']:.1f} ms"
        )
        print(
            f"  batches         {r['batches']} (a signed head each); appends per batch: mean "
            f"{r['batch_mean']:.1f}, median {r['batch_p50']}, max {r['batch_max']}"
        )
        print(f"  process CPU     {r['process_cpu_percent']:.0f}% of one core")
        print(
            f"  checks          heads not stored: {r['heads_not_stored']}; receipts failing "
            f"offline: {r['sample_failing']} of {r['sample']}"
        )
        if r["heads_not_stored"] or r["sample_failing"]:
            sys.exit(1)
    if "proofs" in only:
        sizes = [int(s) for s in args.sizes.split(",")]
        print("\nproof sizes (32 bytes per hash)")
        print("  leaves     inclusion max (mean)         consistency max (mean)      receipt JSON")
        for r in proofs(sizes):
            print(
                f"  {r['leaves']:>9,}  {r['inclusion_max']:>2} hashes, {r['inclusion_max'] * 32:>4} B"
                f" ({r['inclusion_mean']:.1f})   "
                f"{r['consistency_max']:>2} hashes, {r['consistency_max'] * 32:>4} B"
                f" ({r['consistency_mean']:.1f})   {r['receipt_json_bytes']} B"
            )
    if "verify" in only:
        r = verify(args.entries, args.head_every, args.hidden, args.repeats)
        print(
            f"\nverify_export, {r['entries']:,} entries ({r['bytes'] / 2**20:.0f} MiB, "
            f"{r['readable']:,} readable, {r['heads']} signed heads); built in {r['build_s']:.1f} s"
        )
        print(
            f"  verified in     {r['verify_s']:.2f} s (CPU {r['verify_cpu_s']:.2f} s; runs: "
            + ", ".join(f"{t:.2f}" for t in r["verify_all_s"])
            + f"); {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
