"""DSS operational-intent PUT latency with many references in the planning area.

    python bench/dss_put.py [--references 10000] [--probes 500] [--store sqlite|URL]

Starts ``deconflict serve`` with the DSS enabled in a child process (loopback, a key pair made
for the run), loads ``--references`` operational intent references through the DSS API: 200 m
squares on a 100 × 100 grid over a 30 km × 30 km planning area, each 30 minutes long within one
day, so that they do not intersect one another.  Then measures, one request at a time:

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
from server_common import Server, describe_machine, percentile  # noqa: E402

from deconfliction.service.coordinator import Coordinator  # noqa: E402
from deconfliction.service.documents import load_scenario_file  # noqa: E402
from deconfliction.service.loading import load_scenario  # noqa: E402

WORLD = Path(__file__).resolve().parents[1] / "scripts" / "interuss" / "world.yaml"
GRID = 100
STEP = 0.003  # degrees: about 300 m
SIDE = 0.0018  # about 200 m
LAT0, LON0 = 31.0, 34.8


def _time(t: datetime) -> dict[str, str]:
    return {"value": t.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def _extent(lat: float, lon: float, side: float, start: datetime) -> dict[str, Any]:
    return {
        "volume": {
            "outline_polygon": {"vertices": [
                {"lat": lat, "lng": lon}, {"lat": lat, "lng": lon + side},
                {"lat": lat + side, "lng": lon + side}, {"lat": lat + side, "lng": lon}]},
            "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": 150, "reference": "W84", "units": "M"},
        },
        "time_start": _time(start),
        "time_end": _time(start + timedelta(minutes=30)),
    }


def _body(extent: dict[str, Any], key: list[str] | None = None, sub: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"extents": [extent], "state": "Accepted", "uss_base_url": "https://uss.example", "key": key or []}
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
        pem.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        store = str(Path(scratch) / "dss.sqlite3")
        with Coordinator.open(store) as coordinator:
            load_scenario(coordinator, load_scenario_file(WORLD))
        env = {"DECONFLICT_DSS_ENABLED": "true", "DECONFLICT_DSS_PUBLIC_KEY": str(pem), "DECONFLICT_DSS_AUDIENCE": "127.0.0.1,localhost"}
        print(describe_machine(store))
        now = int(time.time())
        token = jwt.encode({"sub": "uss1", "aud": "127.0.0.1", "exp": now + 3 * 3600, "scope": "utm.strategic_coordination utm.conformance_monitoring_sa"}, key, algorithm="RS256")
        day = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        with Server(store, env) as server, httpx.Client(base_url=server.base_url + "/dss/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            t0 = time.perf_counter()
            placed: list[tuple[str, str, dict[str, Any]]] = []
            for n in range(args.references):
                i, j = divmod(n, GRID)
                start = day + timedelta(minutes=30 * (n % 48))
                extent = _extent(LAT0 + i % GRID * STEP, LON0 + j * STEP, SIDE, start)
                oid = str(uuid.uuid4())
                r = client.put(f"/operational_intent_references/{oid}", json=_body(extent))
                if r.status_code != 201:
                    raise SystemExit(f"load failed at {n}: {r.status_code} {r.text[:300]}")
                placed.append((oid, r.json()["operational_intent_reference"]["ovn"], extent))
            print(f"\nloaded {len(placed):,} references in {time.perf_counter() - t0:.1f} s\n")
            print("| operation | probes | median ms | p95 ms | **p99 ms** | max ms | server CPU ms/request |")
            print("|---|---|---|---|---|---|---|")
            for label in ("create", "update", "conflict"):
                times = []
                cpu0 = server.cpu()
                for _ in range(args.probes):
                    if label == "create":
                        i, j = rng.randrange(GRID - 1), rng.randrange(GRID - 1)
                        start = day + timedelta(minutes=30 * rng.randrange(48))
                        extent = _extent(LAT0 + i * STEP + SIDE + 0.0002, LON0 + j * STEP + SIDE + 0.0002, 0.0006, start)
                        url, body, want = f"/operational_intent_references/{uuid.uuid4()}", _body(extent, sub=True), 201
                    elif label == "update":
                        k = rng.randrange(len(placed))
                        oid, ovn, extent = placed[k]
                        url, body, want = f"/operational_intent_references/{oid}/{ovn}", _body(extent), 200
                    else:
                        oid, ovn, extent = placed[rng.randrange(len(placed))]
                        url, body, want = f"/operational_intent_references/{uuid.uuid4()}", _body(extent), 409
                    w = time.perf_counter()
                    r = client.put(url, json=body)
                    times.append((time.perf_counter() - w) * 1000)
                    if r.status_code != want:
                        raise SystemExit(f"{label}: {r.status_code} {r.text[:300]}")
                    if label == "update":
                        placed[k] = (oid, r.json()["operational_intent_reference"]["ovn"], extent)
                cpu = (server.cpu() - cpu0) * 1000 / args.probes
                print(f"| {label} | {args.probes} | {percentile(times, 50):.2f} | {percentile(times, 95):.2f} | **{percentile(times, 99):.2f}** | {max(times):.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
