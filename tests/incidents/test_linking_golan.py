"""Incident linking on the Golan day, against the hand-checked list: precision and recall.

The list (``golan_links.yaml``) judges every link the linker returns, and names what an
analyst would want that it misses.  The figures are written to bench/RESULTS.md by
``python bench/incident_linking.py``; this test holds the floor they must not fall below and
checks the list judges everything the linker finds.
"""

from __future__ import annotations

import pytest

from tests.incidents.linking_golan import CASES, score, totals
from tests.support.golan_record import GolanRecord


@pytest.fixture(scope="module")
def scores(record: GolanRecord):
    situation = record.coordinator.situation()
    return [score(case, situation) for case in CASES]


def test_every_link_found_is_judged(scores):
    assert [(s.name, sorted(s.unjudged)) for s in scores if s.unjudged] == []


def test_precision_and_recall_over_the_golan_day(scores):
    precision, recall = totals(scores)
    # Measured (bench/RESULTS.md): precision 0.67, recall 0.92.  The misses are understood:
    # heavy artillery 20 km away with no declared range, an alert raised before the search
    # period, notices just beyond the radius; most extra links are context the linker cannot
    # weigh (a red line or zone the place lies in, sites near a shoot-down).
    assert precision >= 0.65
    assert recall >= 0.9


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c["name"] for c in CASES])
def test_what_must_be_linked_is(scores, case):
    """The links the incident questions stand on are never missed: the notices covering the
    place and time, the protected sites at the place, the observations on the spot."""
    s = scores[case]
    must = {
        ("notice", "n-idf-001") if "hospital" in s.name else None,
        ("site", "site-quneitra-hospital") if "hospital" in s.name else None,
        ("observation", "o-005") if "artillery" in s.name else None,
        ("observation", "o-006") if "launchers" in s.name else None,
        ("observation", "o-004") if "Il-20" in s.name else None,
    } - {None}
    assert must <= s.found
