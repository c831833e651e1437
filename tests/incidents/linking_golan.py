"""Incident linking measured against the hand-checked list (``golan_links.yaml``): precision
and recall over the Golan day.  Shared by the test and ``bench/incident_linking.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deconfliction.engine.incidents.linking import link_incident
from deconfliction.engine.model.incidents import Incident
from deconfliction.engine.situation import Situation

__all__ = ["CASES", "Score", "score"]

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "golan_links.yaml").read_text(encoding="utf-8")
)["incidents"]


@dataclass(frozen=True)
class Score:
    name: str
    found: frozenset[tuple[str, str]]
    relevant: frozenset[tuple[str, str]]
    judged_not: frozenset[tuple[str, str]]

    @property
    def true_positives(self) -> int:
        return len(self.found & self.relevant)

    @property
    def unjudged(self) -> frozenset[tuple[str, str]]:
        """Links found that the list neither calls relevant nor not: it must judge them all."""
        return self.found - self.relevant - self.judged_not


def _resolve(ref: list[str], situation: Situation) -> set[tuple[str, str]]:
    kind, *rest = ref
    if kind != "alert":
        return {(kind, rest[0])}
    alert_kind, *subjects = rest
    found = {
        ("alert", a.id)
        for a in situation.alerts.values()
        if a.kind.value == alert_kind and set(subjects) <= set(a.subjects)
    }
    assert found, f"no {alert_kind} alert about {subjects}"
    return found


def score(case: dict[str, Any], situation: Situation) -> Score:
    incident = Incident.model_validate(
        {**case["incident"], "id": "inc-golan", "version": 1, "reported_at": "2026-11-24T12:00:00Z"}
    )
    found = frozenset((link.kind, link.id) for link in link_incident(incident, situation))
    relevant = frozenset(r for ref in case["relevant"] for r in _resolve(ref, situation))
    judged_not = frozenset(r for ref in case["not_relevant"] for r in _resolve(ref, situation))
    return Score(case["name"], found, relevant, judged_not)


def totals(scores: list[Score]) -> tuple[float, float]:
    """(precision, recall) over every incident together."""
    tp = sum(s.true_positives for s in scores)
    return tp / sum(len(s.found) for s in scores), tp / sum(len(s.relevant) for s in scores)
