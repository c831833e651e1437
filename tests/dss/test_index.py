"""The DSS index of footprints against a brute force over the stored rows: after creations,
updates, deletions, subscriptions, commands that fail and roll back, and writes by another
coordinator on the same store (both stores)."""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from deconfliction.engine.dss import AirspaceConflict, footprint
from deconfliction.engine.dss.wire import Volume4DIn
from deconfliction.engine.errors import DeconflictionError
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import DssConfig, find
from deconfliction.service.dss.index import row_footprint
from deconfliction.service.dss.oirs import delete_oir, put_oir
from deconfliction.service.dss.subscriptions import put_subscription
from deconfliction.store import dss as store
from tests.dss.conftest import square, t
from tests.formats.conftest import world
from tests.support.server import NOW

CLIENT = DssClient(
    "uss1", frozenset({Scope.strategic_coordination.value, Scope.constraint_processing.value})
)
CONFIG = DssConfig("utm")
URL = "https://uss.example/utm"


def _extent(rng: random.Random, scale: float = 1.0) -> dict[str, Any]:
    """A random square or circle among a few dozen neighbours (many near misses); ``scale``
    makes it wider and longer."""
    lat, lng = 33.0 + rng.uniform(0, 0.3), 35.5 + rng.uniform(0, 0.3)
    if rng.random() < 0.3:
        outline: dict[str, Any] = {
            "outline_circle": {
                "center": {"lat": lat, "lng": lng},
                "radius": {"value": scale * rng.uniform(50, 3000), "units": "M"},
            }
        }
    else:
        outline = square(lat, lng, half=scale * rng.uniform(0.001, 0.03))
    start = rng.uniform(10, 600)
    lo = rng.choice([0, 50, 100, 150])
    return {
        "volume": {
            **outline,
            "altitude_lower": {"value": lo, "reference": "W84", "units": "M"},
            "altitude_upper": {
                "value": lo + rng.choice([0, 30, 60]),
                "reference": "W84",
                "units": "M",
            },
        },
        "time_start": t(start),
        "time_end": t(start + scale * rng.uniform(0, 120)),
    }


@pytest.fixture
def coordinator(store_url: str) -> Iterator[Coordinator]:
    with Coordinator.open(store_url, clock=FixedClock(NOW)) as opened:
        opened.record_many(world())
        yield opened


def _brute(tx: Tx, kind: str, extent: dict[str, Any]) -> list[str]:
    fp = footprint([Volume4DIn.model_validate(extent)], max_area_km2=1e9)
    return sorted(
        r["id"] for r in store.all_rows(tx.connection, kind) if row_footprint(r).intersects(fp)
    )


def _check(coordinator: Coordinator, rng: random.Random, queries: int = 15) -> int:
    """Compare ``find`` with the brute force for random queries; returns the hits seen."""
    hits = 0
    with coordinator.transaction() as tx:
        for _ in range(queries):
            extent = _extent(rng, scale=rng.choice([1.0, 3.0]))
            fp = footprint([Volume4DIn.model_validate(extent)], max_area_km2=1e9)
            for kind in ("oir", "subscription"):
                got = [r["id"] for r in find(tx, kind, fp, CONFIG)]
                assert got == _brute(tx, kind, extent)
                hits += len(got)
    return hits


def _command(coordinator: Coordinator, run: Any) -> Any:
    """One command in its own savepoint, as the server's writer runs it (a failure is undone
    alone, the transaction commits what came before)."""
    with coordinator.transaction() as tx:
        try:
            with tx.command(coordinator.tick()):
                return run(tx)
        except DeconflictionError as exc:
            return exc


def test_the_index_finds_what_a_scan_finds(store_url: str, coordinator: Coordinator) -> None:
    rng = random.Random(5)
    live: dict[str, str] = {}  # id -> OVN
    extents: dict[str, dict[str, Any]] = {}
    subs: dict[str, str] = {}
    failed = hits = 0
    for step in range(60):
        roll = rng.random()
        if roll < 0.55 or not live:
            oid = str(uuid.uuid4())
            clash = rng.random() < 0.2 and bool(extents)
            body = {
                # A clash: the extent of a live intent, without its OVN (409, rolled back).
                "extents": [extents[rng.choice(sorted(extents))] if clash else _extent(rng)],
                "state": "Accepted",
                "uss_base_url": URL,
                "key": [] if clash else list(live.values()),
                "new_subscription": {"uss_base_url": URL},
            }
            answer = _command(
                coordinator,
                functools.partial(
                    put_oir, client=CLIENT, entity_id=oid, ovn="", body=body, config=CONFIG
                ),
            )
            if isinstance(answer, AirspaceConflict):
                failed += 1  # rolled back: the index must not keep it
            else:
                live[oid] = answer[1]["operational_intent_reference"]["ovn"]
                subs[oid] = answer[1]["operational_intent_reference"]["subscription_id"]
                extents[oid] = body["extents"][0]
        elif roll < 0.8:
            oid = rng.choice(sorted(live))
            # A clash moves it onto another live intent without that one's OVN: 409, after
            # its implicit subscription grew (rolled back with the rest).
            others = sorted(set(extents) - {oid})
            clash = rng.random() < 0.3 and bool(others)
            extent = extents[rng.choice(others)] if clash else _extent(rng)
            body = {
                "extents": [extent],
                "state": "Accepted",
                "uss_base_url": URL,
                "key": [] if clash else list(live.values()),
                "subscription_id": subs[oid],
            }
            answer = _command(
                coordinator,
                functools.partial(
                    put_oir, client=CLIENT, entity_id=oid, ovn=live[oid], body=body, config=CONFIG
                ),
            )
            if isinstance(answer, AirspaceConflict):
                failed += 1
            else:
                live[oid] = answer[1]["operational_intent_reference"]["ovn"]
                extents[oid] = extent
        elif roll < 0.9:
            oid = rng.choice(sorted(live))
            del extents[oid]
            _command(
                coordinator,
                functools.partial(
                    delete_oir, client=CLIENT, entity_id=oid, ovn=live.pop(oid), config=CONFIG
                ),
            )
        else:
            body = {
                "extents": _extent(rng),
                "uss_base_url": URL,
                "notify_for_operational_intents": True,
            }
            sub = str(uuid.uuid4())
            _command(
                coordinator,
                functools.partial(
                    put_subscription,
                    client=CLIENT,
                    sub_id=sub,
                    version="",
                    body=body,
                    config=CONFIG,
                ),
            )
        if step % 6 == 5:
            hits += _check(coordinator, rng)
    assert failed > 0
    assert hits > 20  # the queries do meet stored entities

    # Another coordinator on the same store writes; this one's index catches up from the log.
    with Coordinator.open(store_url, clock=FixedClock(NOW)) as other:
        extent = _extent(rng)
        oid = str(uuid.uuid4())
        body = {"extents": [extent], "state": "Accepted", "uss_base_url": URL, "key": []}
        body["key"] = list(live.values())
        other.run(
            functools.partial(
                put_oir, client=CLIENT, entity_id=oid, ovn="", body=body, config=CONFIG
            )
        )
        gone = rng.choice(sorted(live))
        other.run(lambda tx: delete_oir(tx, CLIENT, gone, live.pop(gone), CONFIG))
    fp = footprint([Volume4DIn.model_validate(extent)], max_area_km2=1e9)
    with coordinator.transaction() as tx:
        assert oid in [r["id"] for r in find(tx, "oir", fp, CONFIG)]
        everywhere = footprint(
            [
                Volume4DIn.model_validate(
                    {
                        "volume": {
                            "outline_circle": {
                                "center": {"lat": 33.15, "lng": 35.65},
                                "radius": {"value": 60_000, "units": "M"},
                            }
                        }
                    }
                )
            ],
            max_area_km2=1e9,
        )
        ids = {r["id"] for r in find(tx, "oir", everywhere, CONFIG)}
        assert ids == set(live) | {oid}
    _check(coordinator, rng)


def test_an_unbounded_query_meets_every_time(coordinator: Coordinator) -> None:
    rng = random.Random(9)
    created = []
    for _ in range(3):
        oid = str(uuid.uuid4())
        body = {"extents": [_extent(rng)], "state": "Accepted", "uss_base_url": URL, "key": []}
        answer = _command(
            coordinator,
            functools.partial(
                put_oir, client=CLIENT, entity_id=oid, ovn="", body=body, config=CONFIG
            ),
        )
        if not isinstance(answer, AirspaceConflict):
            created.append(oid)
    circle = {
        "outline_circle": {
            "center": {"lat": 33.15, "lng": 35.65},
            "radius": {"value": 60_000, "units": "M"},
        }
    }
    fp = footprint([Volume4DIn.model_validate({"volume": circle})], max_area_km2=1e9)
    assert fp.t0 is None
    with coordinator.transaction() as tx:
        assert sorted(r["id"] for r in find(tx, "oir", fp, CONFIG)) == sorted(created)
    # Later than anything indexed: nothing (an open end is bounded by what is indexed).
    later = Volume4DIn.model_validate({"volume": circle, "time_start": t(24 * 60)})
    with coordinator.transaction() as tx:
        assert find(tx, "oir", footprint([later], max_area_km2=1e9), CONFIG) == []
