"""GeoJSON in: record the lines, zones, sites and notices of a FeatureCollection.

All or nothing, in one transaction, in the order a scenario load uses (lines and zones first,
then sites and notices by their own times), through the same filing as every other item: a
notice imported is delivered and checked for conflicts like one typed by a duty officer.  A
caller with a token files as itself (a party imports its own sites and notices; lines and zones
need an administrator); the command line files as the operator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from deconfliction.engine.errors import ConflictingRecord, Forbidden, InvalidInput
from deconfliction.engine.geojson_in import read_collection
from deconfliction.engine.model import Line, Notice, ProtectedSite, ZoneAgreement
from deconfliction.engine.scenario import Scenario, ScenarioInfo, ordered_items
from deconfliction.service import proposals
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import Filed, file, file_as
from deconfliction.service.loading import LoadReport
from deconfliction.service.permissions import Action, require

__all__ = ["GeoJsonReport", "import_collection"]


@dataclass(frozen=True, slots=True)
class GeoJsonReport:
    """What an import recorded (as a scenario load reports it), and the features skipped."""

    load: LoadReport = field(default_factory=LoadReport)
    skipped: Counter[str] = field(default_factory=Counter)
    proposed: Counter[str] = field(default_factory=Counter)
    """Lines and zones a party proposed: in force once every party they bind consents."""

    def to_dict(self) -> dict[str, dict[str, int]]:
        return self.load.to_dict() | {
            "skipped": dict(self.skipped),
            "proposed": dict(self.proposed),
        }


_ACTION = {
    "lines": Action.configure,
    "zones": Action.configure,
    "sites": Action.register_site,
    "notices": Action.file_notice,
}
"""Whose role imports what: a party's duty officers its sites and notices, its admins the
lines and zone agreements it proposes."""


def import_collection(tx: Tx, principal: Principal | None, data: Any) -> GeoJsonReport:
    """Record every item of the FeatureCollection ``data``; InvalidInput (every problem, each
    at its feature and property) and nothing recorded when any is wrong."""
    collection = read_collection(data)
    if collection.problems:
        raise InvalidInput(collection.problems)
    where = {id(item): index for index, item in collection.items}
    items = [item for _, item in collection.items]
    scenario = Scenario(
        scenario=ScenarioInfo(name="GeoJSON import"),
        lines=[i for i in items if isinstance(i, Line)],
        zones=[i for i in items if isinstance(i, ZoneAgreement)],
        sites=[i for i in items if isinstance(i, ProtectedSite)],
        notices=[i for i in items if isinstance(i, Notice)],
    )
    report = GeoJsonReport(skipped=collection.skipped)
    load = report.load
    for section, _, item in ordered_items(scenario):
        index = where[id(item)]
        try:
            if principal is not None:
                require(principal, _ACTION[section])
            if principal is not None and isinstance(item, Line | ZoneAgreement):
                # What binds parties changes only with their consent: a party's import
                # proposes it (the operator's command line records it).
                outcome = proposals.propose(tx, principal, item)
                if outcome.in_force is None:
                    report.proposed[section] += 1
                    continue
                load.recorded[section] += 1
                continue
            filed: Filed = (
                file(tx, item, ("features", index), tx.limits)
                if principal is None
                else file_as(tx, principal, item)
            )
        except InvalidInput as exc:
            raise exc if principal is None else exc.under("features", index) from None
        except (ConflictingRecord, Forbidden) as exc:
            raise type(exc)(f"features[{index}]: {exc}") from None
        (load.unchanged if filed.recorded.seq is None else load.recorded)[section] += 1
        for change in filed.recorded.assessment.changes:
            load.alert_changes[change.action.value] += 1
    return report
