"""Benchmark: the daily report of a busy day, and the offline checks of reports and bundles.

    python bench/report_daily.py [--notices 10000] [--observations 100000] [--seed 7]

A store (SQLite, in a temporary directory) is filled through the writer as the server fills it:
the Golan configuration (parties, agreements, lines, zone agreements without the two caps,
Israel's red line), then one day of ``--notices`` notices from three parties (circles of
1-8 km over 550 km x 550 km of Syria, windows spread over the day, lead times from minus ten
minutes to two days, so that some are late), each delivered to its addressees, filed in
batches of 500, 70 % of each batch acknowledged when the next batch is filed, and ``--observations`` observations (a tenth armed units
with heavy artillery or missiles, a twentieth Iran-backed militia, the rest quiet), each checked
against the zones and the red line.  The two cap rules are left out because checking a cap sums
every observation of its day, which makes filing 100,000 observations in one day quadratic
(bench/RESULTS.md says so): the report is what is measured.

Measured, wall time and the process's CPU time:

* ``daily_files`` for the operator (every entry) and for one party: reading the entries up to
  the head, computing every figure, drawing the map and three charts, typesetting HTML and PDF;
* ``verify_report``: recomputing the operator's report from a ledger export;
* ``verify_bundle``: checking an incident's evidence bundle (an incident over the busiest
  place of the day, so that it links many notices).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from deconfliction.engine.incidents.bundles import verify_bundle
from deconfliction.engine.ledger.heads import keyring_from_text
from deconfliction.engine.model import CapRule, Notice, Observation
from deconfliction.engine.model.incidents import IncidentReport
from deconfliction.engine.reports.verify import verify_report
from deconfliction.engine.scenario import ordered_items
from deconfliction.service import hotline, incidents, records
from deconfliction.service.auth import Principal, Role
from deconfliction.service.bundles import incident_bundle
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.filing import file
from deconfliction.service.reading import read
from deconfliction.service.reports import daily_files
from deconfliction.service.reports.collector import collector_paused
from deconfliction.store import deliveries as delivery_store

T = TypeVar("T")
DAY = datetime(2026, 11, 24, tzinfo=UTC)
AUTHORS = (("idf", "air_operation"), ("rus", "air_operation"), ("sarc", "humanitarian_movement"))
BATCH = 500


def timed(what: str, run: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    print(f"{what}: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU")
    return result


def notices(count: int, rng: random.Random) -> list[Notice]:
    out = []
    for n in range(count):
        author, kind = AUTHORS[n % 3]
        start = DAY + timedelta(seconds=rng.uniform(0, 86_400 - 3_600))
        lead = rng.choice((rng.uniform(-600, 1_800), rng.uniform(1_800, 172_800)))
        filed = min(
            max(start - timedelta(seconds=lead), DAY), DAY + timedelta(hours=23, minutes=59)
        )
        out.append(
            Notice.model_validate(
                {
                    "id": f"n-b{n:06d}",
                    "author": author,
                    "kind": kind,
                    "filed_at": filed,
                    "volumes": [
                        {
                            "outline": {
                                "type": "circle",
                                "center": [rng.uniform(35.5, 41.0), rng.uniform(32.5, 37.5)],
                                "radius": f"{rng.uniform(1, 8):.1f} km",
                            },
                            "altitude": {"lower": "SFC", "upper": "FL150"},
                            "window": {
                                "start": start,
                                "end": start + timedelta(minutes=rng.uniform(15, 180)),
                            },
                        }
                    ],
                }
            )
        )
    return sorted(out, key=lambda n: n.filed_at)


def observations(count: int, rng: random.Random) -> list[Observation]:
    out = []
    for n in range(count):
        roll = rng.random()
        body: dict[str, Any] = {
            "id": f"o-b{n:06d}",
            "reported_by": "undof",
            "observed_at": DAY + timedelta(seconds=rng.uniform(0, 86_399)),
            "position": [rng.uniform(35.5, 36.8), rng.uniform(32.6, 33.6)],
        }
        if roll < 0.05:
            body |= {"affiliation": "Iran-backed militia", "unit_category": "militia"}
        elif roll < 0.15:
            weapon = rng.choice(("heavy_artillery", "sam", "rocket_artillery"))
            body |= {
                "affiliation": rng.choice(("Syrian Arab Army", "Israel Defense Forces")),
                "unit_category": "artillery",
                "weapons": [{"class": weapon, "count": rng.randint(1, 6), "range": "40 km"}],
            }
        else:
            body |= {"affiliation": "Syrian Arab Army", "unit_category": "infantry"}
        out.append(Observation.model_validate(body))
    return sorted(out, key=lambda o: o.observed_at)


def build(store: str, args: argparse.Namespace) -> tuple[Coordinator, str]:
    rng = random.Random(args.seed)
    clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
    coordinator = Coordinator.open(store, clock=clock)
    scenario = load_scenario_file(demo_path())
    configuration = [
        item
        for _, _, item in ordered_items(scenario)
        if not isinstance(item, Notice | Observation)
        and not any(isinstance(r, CapRule) for r in getattr(item, "rules", []))
    ]
    coordinator.record_many(configuration)
    filed = notices(args.notices, rng)
    seen = observations(args.observations, rng)
    last: list[Notice] = []
    for start in range(0, len(filed), BATCH):
        batch = filed[start : start + BATCH]
        clock.set(max(clock.now(), batch[-1].filed_at))

        def record(tx: Tx, batch: list[Notice] = batch, previous: list[Notice] = last) -> None:
            for notice in batch:
                file(tx, notice)
            for notice in previous:  # the previous batch's notices: 70 % acknowledged now
                for d in delivery_store.deliveries_of_item(tx.connection, "notice", notice.id):
                    if rng.random() < 0.7 and d.status.value in ("delivered", "read"):
                        who = Principal(d.recipient, Role.duty_officer)
                        hotline.acknowledge_delivery(tx, who, d.id)

        coordinator.run(record)
        last = batch
    for start in range(0, len(seen), 5 * BATCH):
        batch2 = seen[start : start + 5 * BATCH]
        clock.set(max(clock.now(), batch2[-1].observed_at))

        def record2(tx: Tx, batch: list[Observation] = batch2) -> None:
            for obs in batch:
                file(tx, obs)

        coordinator.run(record2)
    report = IncidentReport.model_validate(
        {
            "kind": "strike",
            "title": "Strike in the busiest place of the day",
            "place": {"type": "point", "position": [36.1, 33.1]},
            "started_at": DAY + timedelta(hours=12),
        }
    )
    clock.set(DAY + timedelta(days=1))
    found = coordinator.run(
        lambda tx: incidents.report(tx, Principal("rus", Role.duty_officer), report)
    )
    return coordinator, found.incident.id


def _paused(run: Callable[[], T]) -> T:
    """As ``deconflict verify report`` runs it (the cycle collector paused)."""
    with collector_paused():
        return run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--store",
        help="measure on this store, filled by an earlier run (copy it first: opening it may "
        "migrate it), instead of filling a new one",
    )
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        if args.store:
            coordinator = Coordinator.open(args.store)
            with coordinator.reading() as connection:
                incident_id = connection.exec_driver_sql(
                    "select id from incidents order by id"
                ).scalar_one()
        else:
            store = str(Path(scratch) / "day.sqlite3")
            coordinator, incident_id = timed(
                f"filling the store ({args.notices} notices, {args.observations} observations)",
                lambda: build(store, args),
            )
        with coordinator.reading() as connection:
            size = connection.exec_driver_sql("select count(*) from events").scalar_one()
        print(f"entries in the log: {size}")
        day = date(2026, 11, 24)
        operator = timed(
            "daily report, operator (every entry)",
            lambda: read(coordinator, None, lambda r: daily_files(r, day)),
        )
        timed(
            "daily report, idf",
            lambda: read(coordinator, None, lambda r: daily_files(r, day), party="idf"),
        )
        document = json.loads(operator["report.json"])
        figures = document["report"]["summary"]
        print("figures: " + ", ".join(f"{f['id']}={f['value']}" for f in figures))
        print(
            "sizes: " + ", ".join(f"{k} {len(v) // 1024} KiB" for k, v in sorted(operator.items()))
        )
        export = Path(scratch) / "export.txt"
        export.write_bytes(b"".join(records.export(coordinator, None)))
        keys = keyring_from_text(
            json.dumps({"keys": [k.to_dict() for k in records.key_records(coordinator)]})
        )
        with export.open("rb") as handle:
            lines = handle.readlines()
        check = timed(
            "verify report (recompute from the export)",
            lambda: _paused(lambda: verify_report(document, lines, keys)),
        )
        print(f"  {check.ok} {check.problems[:1]}")
        bundle = timed(
            "incident bundle, rus",
            lambda: read(
                coordinator,
                None,
                lambda r: incident_bundle(r, coordinator.ledger, incident_id),
                party="rus",
            ),
        )
        print(f"  bundle: {len(bundle['entries'])} entries, {len(json.dumps(bundle)) // 1024} KiB")
        verified = timed(
            "verify bundle", lambda: verify_bundle(json.loads(json.dumps(bundle)), keys)
        )
        print(f"  {verified.ok} {verified.problems[:1]}")
        coordinator.close()


if __name__ == "__main__":
    main()
