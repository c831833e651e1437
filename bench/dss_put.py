"""DSS operational-intent PUT latency with many references in the planning area.

    python bench/dss_put.py [--references 10000] [--probes 500]
                            [--code LABEL=SRC_DIR ...]

Loads ``--references`` operational intent references through the DSS use case (in process,
500 per transaction, before the server starts): 200 m squares on a 100 × 100 grid over a
30 km × 30 km planning area, each 30 minutes long within one day, so that they do not
intersect one another.  Then starts ``deconflict serve`` with the DSS enabled in a child
process (loopback, a key pair made for the run) and measures, one request at a time:

* **create**: a new intent in the gap between four grid squares, with its implicit
  subscription, whose candidate search finds its neighbours but intersects none;
* **update**: a new version of an existing intent (with its OVN);
* **conflict**: a create that intersects one intent without its OVN (the 409 answer).

Each PUT also files or replaces the intent's notice (with its conflict check) and writes its
ledger entries.  Wall times per request (client side) and the server's CPU per request.

``--per-probe PREFIX`` writes each probe's wall time and the server's CPU during it
(``PREFIX.LABEL.tsv``); ``--profile PREFIX`` records the server with py-spy (``pip install
py-spy``: not a dependency of the package) during the probes, every thread, idle included.

``--code LABEL=SRC_DIR`` (repeatable) serves each copy of the package in turn (``PYTHONPATH``:
e.g. the code before a change, exported with ``git archive``), each on its own copy of the same
loaded store, with the same probes: before and after in one run.  Every server first answers
``--warmup`` queries (untimed).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import load_scenario_file
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import DssConfig
from deconfliction.service.dss.oirs import put_oir
from deconfliction.service.loading import load_scenario
from server_common import Server, describe_machine, percentile

WORLD = Path(__file__).resolve().parent / "dss_world.yaml"
GRID = 100
STEP = 0.003  # degrees: about 300 m
SIDE = 0.0018  # about 200 m
LAT0, LON0 = 31.0, 34.8


def _time(t: datetime) -> dict[str, str]:
    return {"value": t.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def _extent(lat: float, lon: float, side: float, start: datetime) -> dict[str, Any]:
    return {
        "volume": {
            "outline_polygon": {
                "vertices": [
                    {"lat": lat, "lng": lon},
                    {"lat": lat, "lng": lon + side},
                    {"lat": lat + side, "lng": lon + side},
                    {"lat": lat + side, "lng": lon},
                ]
            },
            "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": 150, "reference": "W84", "units": "M"},
        },
        "time_start": _time(start),
        "time_end": _time(start + timedelta(minutes=30)),
    }


def _body(
    extent: dict[str, Any], key: list[str] | None = None, sub: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extents": [extent],
        "state": "Accepted",
        "uss_base_url": "https://uss.example",
        "key": key or [],
    }
    if sub:
        body["new_subscription"] = {"uss_base_url": "https://uss.example"}
    return body


Placed = list[tuple[str, str, dict[str, Any]]]
"""Each reference loaded: its id, its current OVN and its extent."""


def load_references(coordinator: Coordinator, count: int, day: datetime) -> Placed:
    """The benchmark's world and ``count`` references on the grid (500 per transaction)."""
    load_scenario(coordinator, load_scenario_file(WORLD))
    loader = DssClient("uss1", frozenset({Scope.strategic_coordination.value}))
    config = DssConfig("utm")
    placed: Placed = []
    for first in range(0, count, 500):

        def batch(tx: Any, first: int = first) -> None:
            for n in range(first, min(first + 500, count)):
                i, j = divmod(n, GRID)
                start = day + timedelta(minutes=30 * (n % 48))
                extent = _extent(LAT0 + i * STEP, LON0 + j * STEP, SIDE, start)
                oid = str(uuid.uuid4())
                _, answer = put_oir(tx, loader, oid, "", _body(extent), config)
                placed.append((oid, answer["operational_intent_reference"]["ovn"], extent))

        coordinator.run(batch)
    return placed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--references", type=int, default=10_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--per-probe",
        metavar="PREFIX",
        help="write each probe's wall time and server CPU to PREFIX.LABEL.tsv",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="record the server with py-spy (--idle, native) during the probes: PREFIX.LABEL.txt",
    )
    parser.add_argument("--code", action="append", default=[], metavar="LABEL=SRC_DIR")
    args = parser.parse_args()
    if not 0 < args.probes <= (GRID - 1) ** 2:
        parser.error(f"--probes: between 1 and {(GRID - 1) ** 2} (one grid gap each)")
    codes = [tuple(c.split("=", 1)) for c in args.code] or [("installed", "")]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory() as scratch:
        pem = Path(scratch) / "auth.pem"
        pem.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        (Path(scratch) / "loaded").mkdir()
        store = str(Path(scratch) / "loaded" / "dss.sqlite3")
        day = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        t0 = time.perf_counter()
        with Coordinator.open(store) as coordinator:
            placed = load_references(coordinator, args.references, day)
        loaded_s = time.perf_counter() - t0
        print(describe_machine(store))
        print(f"\nloaded {len(placed):,} references in {loaded_s:.1f} s (in process)")
        for label, src in codes:
            copy = Path(scratch) / label
            shutil.copytree(Path(store).parent, copy)
            _serve(args, label, src, str(copy / Path(store).name), pem, key, list(placed), day)


def _serve(
    args: argparse.Namespace,
    code: str,
    src: str,
    store: str,
    pem: Path,
    key: rsa.RSAPrivateKey,
    placed: Placed,
    day: datetime,
) -> None:
    """Time the probes against a server of ``src`` (the installed package when empty)."""
    rng = random.Random(args.seed)
    env = {
        "DECONFLICT_DSS_ENABLED": "true",
        "DECONFLICT_DSS_PUBLIC_KEY": str(pem),
        "DECONFLICT_DSS_AUDIENCE": "127.0.0.1,localhost",
    }
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": "uss1",
            "aud": "127.0.0.1",
            "exp": now + 3 * 3600,
            "scope": "utm.strategic_coordination utm.conformance_monitoring_sa",
        },
        key,
        algorithm="RS256",
    )
    with (
        Server(store, env, start_timeout_s=600) as server,
        httpx.Client(
            base_url=server.base_url + "/dss/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        ) as client,
    ):
        w = time.perf_counter()
        cpu0 = server.cpu()
        for n in range(args.warmup):
            area = _extent(LAT0 + n * STEP, LON0, SIDE, day)
            client.post(
                "/operational_intent_references/query", json={"area_of_interest": area}
            ).raise_for_status()
        print(
            f"\n**{code}** (`{src or 'installed package'}`): {args.warmup} warm-up queries "
            f"{time.perf_counter() - w:.2f} s, server CPU {server.cpu() - cpu0:.2f} s\n"
        )
        print(
            "| operation | probes | median ms | p95 ms | **p99 ms** | max ms | server CPU ms/request |"
        )
        print("|---|---|---|---|---|---|---|")
        # Every create probe takes a gap of its own: two probes in one gap at adjacent slots
        # touch in time and intersect (a 409), and a gap lies at least 200 m from any other.
        spy = (
            subprocess.Popen(
                [
                    *("py-spy", "record", "--idle", "--threads", "--format", "raw"),
                    *(
                        "--rate",
                        "250",
                        "-o",
                        f"{args.profile}.{code}.txt",
                        "--pid",
                        str(server.pid),
                    ),
                ],
                stdout=subprocess.DEVNULL,
            )
            if args.profile
            else None
        )
        gaps = rng.sample(range((GRID - 1) ** 2), args.probes)
        per_probe: list[tuple[str, int, float, float]] = []
        for label in ("create", "update", "conflict"):
            times = []
            cpu0 = server.cpu()
            for n in range(args.probes):
                if label == "create":
                    (i, j), slot = divmod(gaps[n], GRID - 1), rng.randrange(48)
                    start = day + timedelta(minutes=30 * slot)
                    extent = _extent(
                        LAT0 + i * STEP + SIDE + 0.0002,
                        LON0 + j * STEP + SIDE + 0.0002,
                        0.0006,
                        start,
                    )
                    url, body, want = (
                        f"/operational_intent_references/{uuid.uuid4()}",
                        _body(extent, sub=True),
                        201,
                    )
                elif label == "update":
                    k = rng.randrange(len(placed))
                    oid, ovn, extent = placed[k]
                    url, body, want = (
                        f"/operational_intent_references/{oid}/{ovn}",
                        _body(extent),
                        200,
                    )
                else:
                    oid, ovn, extent = placed[rng.randrange(len(placed))]
                    url, body, want = (
                        f"/operational_intent_references/{uuid.uuid4()}",
                        _body(extent),
                        409,
                    )
                c = server.cpu()
                w = time.perf_counter()
                r = client.put(url, json=body)
                times.append((time.perf_counter() - w) * 1000)
                per_probe.append((label, n, times[-1], (server.cpu() - c) * 1000))
                if r.status_code != want:
                    raise SystemExit(f"{label}: {r.status_code} {r.text[:300]}")
                if label == "update":
                    placed[k] = (oid, r.json()["operational_intent_reference"]["ovn"], extent)
            cpu = (server.cpu() - cpu0) * 1000 / args.probes
            print(
                f"| {label} | {args.probes} | {percentile(times, 50):.2f} | {percentile(times, 95):.2f} | **{percentile(times, 99):.2f}** | {max(times):.2f} | {cpu:.2f} |"
            )
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        if args.per_probe:
            with open(f"{args.per_probe}.{code}.tsv", "w", encoding="utf-8") as out:
                out.write("operation\tprobe\twall_ms\tserver_cpu_ms\n")
                out.writelines(f"{o}\t{n}\t{w:.3f}\t{c:.1f}\n" for o, n, w, c in per_probe)


if __name__ == "__main__":
    main()
