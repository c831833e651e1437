"""Summarise a uss_qualifier report: checks passed, failed and skipped per scenario, totals.

Usage: python summarize.py REPORT.json [--json]
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _scenarios(node: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "test_suite" in node:
        for action in node["test_suite"].get("actions", []):
            out += _scenarios(action)
    elif "action_generator" in node:
        for action in node["action_generator"].get("actions", []):
            out += _scenarios(action)
    elif "test_scenario" in node:
        s = node["test_scenario"]
        passed, failed = 0, []
        steps = [st for case in s.get("cases", []) for st in case.get("steps", [])]
        if s.get("cleanup"):
            steps.append(s["cleanup"] | {"name": "cleanup"})
        for step in steps:
            passed += len(step.get("passed_checks", []))
            failed += [
                f"{step.get('name')}: {f.get('name')} ({f.get('severity')}): {f.get('details', '')[:300]}"
                for f in step.get("failed_checks", [])
            ]
        out.append(
            {
                "scenario": s.get("scenario_type", "?").split(".")[-1],
                "passed": passed,
                "failed": len(failed),
                "failures": failed,
                "execution_error": bool(s.get("execution_error")),
                "error": (s.get("execution_error") or {}).get("message", "")[:300]
                if s.get("execution_error")
                else "",
            }
        )
    elif "skipped_action" in node:
        s = node["skipped_action"]
        declaration = s.get("declaration", {})
        name = declaration.get("test_scenario", {}).get("scenario_type", "?").split(".")[-1]
        out.append({"scenario": name, "skipped": s.get("reason", "")[:200]})
    return out


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as file:
        report = json.load(file)
    rows = _scenarios(report["report"])
    totals = {
        "passed": sum(r.get("passed", 0) for r in rows),
        "failed": sum(r.get("failed", 0) for r in rows),
        "scenarios_run": sum(1 for r in rows if "skipped" not in r),
        "scenarios_skipped": sum(1 for r in rows if "skipped" in r),
        "execution_errors": sum(1 for r in rows if r.get("execution_error")),
    }
    if "--json" in sys.argv:
        print(json.dumps({"totals": totals, "scenarios": rows}, indent=2))
        return 0
    for r in rows:
        if "skipped" in r:
            print(f"SKIPPED  {r['scenario']}: {r['skipped']}")
            continue
        flag = "ERROR " if r["execution_error"] else ""
        print(f"{flag}{r['scenario']}: passed {r['passed']}, failed {r['failed']}")
        for f in r["failures"]:
            print(f"    FAIL {f}")
        if r["error"]:
            print(f"    ERROR {r['error']}")
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
