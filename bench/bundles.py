"""Evidence bundles of the Golan day's two incidents: their size, and the time to check them.

    python bench/bundles.py [--repeat 5]

Builds the Golan day in a temporary SQLite store (every item at its own time, the hotline
worked, the Il-20 with Israel's account, the struck hospital), writes the bundle of each
incident for each party that sees it, and times ``verify_bundle`` (the function behind
``deconflict verify bundle``) on each: the best of ``--repeat`` runs, in CPU time, with the
public keys as a third party holds them.  A bundle that does not verify fails the run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.golan_record import golan_record
from tests.support.ledger_world import public_keyring

from deconfliction.engine.errors import NotFound
from deconfliction.engine.incidents.bundles import verify_bundle
from deconfliction.service.bundles import incident_bundle
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.reading import read


def bundle_for(coordinator: Coordinator, ident: str, party: str) -> dict[str, Any]:
    return read(
        coordinator, None, lambda r: incident_bundle(r, coordinator.ledger, ident), party=party
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| incident | party | entries | attachments | KiB | verify: CPU ms (best) |")
    print("| --- | --- | --: | --: | --: | --: |")
    with tempfile.TemporaryDirectory() as scratch:
        store, keys = str(Path(scratch) / "golan.sqlite3"), str(Path(scratch) / "keys")
        for record in golan_record(store, keys):
            coordinator = record.coordinator
            keyring = public_keyring(coordinator)
            for name, ident in sorted(record.ids.items()):
                for party in ("idf", "rus", "sarc", "undof"):
                    try:
                        bundle = bundle_for(coordinator, ident, party)
                    except NotFound:
                        continue  # the incident does not concern it
                    text = json.dumps(bundle)
                    best = float("inf")
                    for _ in range(args.repeat):
                        data = json.loads(text)
                        start = time.process_time()
                        check = verify_bundle(data, keyring)
                        best = min(best, time.process_time() - start)
                        if not check.ok:
                            raise SystemExit(f"{name} for {party}: {check.problems}")
                    print(
                        f"| {name} | {party} | {len(bundle['entries'])} | "
                        f"{len(bundle['evidence'])} | {len(text) // 1024} | {best * 1000:.1f} |"
                    )


if __name__ == "__main__":
    main()
