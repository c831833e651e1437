"""Incident linking on the Golan day against the hand-checked list: precision and recall.

    python bench/incident_linking.py

Builds the Golan day in a temporary SQLite store (every item at its own time), links the five
incidents of tests/incidents/golan_links.yaml and prints, per incident and in all, the links
found, the true positives, precision and recall, and the misses.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.incidents.linking_golan import CASES, score, totals
from tests.support.golan_record import golan_record


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for record in golan_record(str(Path(scratch) / "golan.sqlite3"), incidents_too=False):
            situation = record.coordinator.situation()
            start = time.process_time()
            scores = [score(case, situation) for case in CASES]
            cpu = time.process_time() - start
            print("| incident | links found | relevant | true positives | precision | recall |")
            print("| --- | --: | --: | --: | --: | --: |")
            for s in scores:
                tp = s.true_positives
                print(
                    f"| {s.name} | {len(s.found)} | {len(s.relevant)} | {tp} | "
                    f"{tp / len(s.found):.2f} | {tp / len(s.relevant):.2f} |"
                )
            precision, recall = totals(scores)
            found = sum(len(s.found) for s in scores)
            relevant = sum(len(s.relevant) for s in scores)
            tp = sum(s.true_positives for s in scores)
            print(f"| all | {found} | {relevant} | {tp} | {precision:.2f} | {recall:.2f} |")
            print(f"\nlinking {len(CASES)} incidents: {cpu * 1000:.0f} ms CPU")
            for s in scores:
                missed = sorted(s.relevant - s.found)
                if missed:
                    print(f"missed in '{s.name}': {missed}")


if __name__ == "__main__":
    main()
