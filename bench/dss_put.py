"""DSS operational-intent PUT latency with many references in the planning area.

    python bench/dss_put.py [--references 10000] [--probes 500] [--store sqlite|URL]

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
"""

from __future__ import annotations

import argparse
import random
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--references", type=int, default=10_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory() as scratch:
        pem = Path(scratch) / "auth.pem"
        pem.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        store = str(Path(scratch) / "dss.sqlite3")
        day = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        placed: list[tuple[str, str, dict[str, Any]]] = []
        t0 = time.perf_counter()
        with Coordinator.open(store) as coordinator:
            load_scenario(coordinator, load_scenario_file(WORLD))
            loader = DssClient("uss1", frozenset({Scope.strategic_coordination.value}))
            config = DssConfig("utm")
            for first in range(0, args.references, 500):

                def batch(tx: Any, first: int = first) -> None:
                    for n in range(first, min(first + 500, args.references)):
                        i, j = divmod(n, GRID)
                        extent = _extent(
                            LAT0 + i * STEP,
                            LON0 + j * STEP,
                            SIDE,
                            day + timedelta(minutes=30 * (n % 48)),
                        )
                        oid = str(uuid.uuid4())
                        _, answer = put_oir(tx, loader, oid, "", _body(extent), config)
                        placed.append((oid, answer["operational_intent_reference"]["ovn"], extent))

                coordinator.run(batch)
        loaded_s = time.perf_counter() - t0
        env = {
            "DECONFLICT_DSS_ENABLED": "true",
            "DECONFLICT_DSS_PUBLIC_KEY": str(pem),
            "DECONFLICT_DSS_AUDIENCE": "127.0.0.1,localhost",
        }
        print(describe_machine(store))
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
            Server(store, env) as server,
            httpx.Client(
                base_url=server.base_url + "/dss/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as client,
        ):
            print(f"\nloaded {len(placed):,} references in {loaded_s:.1f} s (in process)\n")
            print(
                "| operation | probes | median ms | p95 ms | **p99 ms** | max ms | server CPU ms/request |"
            )
            print("|---|---|---|---|---|---|---|")
            used: set[tuple[int, int, int]] = set()
            for label in ("create", "update", "conflict"):
                times = []
                cpu0 = server.cpu()
                for _ in range(args.probes):
                    if label == "create":
                        i, j, slot = (
                            rng.randrange(GRID - 1),
                            rng.randrange(GRID - 1),
                            rng.randrange(48),
                        )
                        while (i, j, slot) in used:  # a gap and slot not taken by an earlier probe
                            i, j, slot = (
                                rng.randrange(GRID - 1),
                                rng.randrange(GRID - 1),
                                rng.randrange(48),
                            )
                        used.add((i, j, slot))
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
                    w = time.perf_counter()
                    r = client.put(url, json=body)
                    times.append((time.perf_counter() - w) * 1000)
                    if r.status_code != want:
                        raise SystemExit(f"{label}: {r.status_code} {r.text[:300]}")
                    if label == "update":
                        placed[k] = (oid, r.json()["operational_intent_reference"]["ovn"], extent)
                cpu = (server.cpu() - cpu0) * 1000 / args.probes
                print(
                    f"| {label} | {args.probes} | {percentile(times, 50):.2f} | {percentile(times, 95):.2f} | **{percentile(times, 99):.2f}** | {max(times):.2f} | {cpu:.2f} |"
                )


if __name__ == "__main__":
    main()
