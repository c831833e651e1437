"""A scenario: everything one file describes, checked as a whole.

:func:`parse_scenario` turns a plain mapping (already read from YAML or JSON by the caller)
into a :class:`Scenario`, or raises :class:`~deconfliction.engine.errors.InvalidInput` listing
every problem with its path inside the document, for example
``notices[3].volumes[0].outline: polygon crosses itself near 33.12N 35.81E``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import Field, ValidationError

from deconfliction.engine.errors import InvalidInput, Problem
from deconfliction.engine.items import KINDS, Item
from deconfliction.engine.model import (
    Agreement,
    BandArea,
    CapRule,
    CircleOutline,
    CorridorOutline,
    Limits,
    Line,
    NoPresenceRule,
    Notice,
    NoticeAction,
    NoWeaponsRule,
    Observation,
    Party,
    PolygonArea,
    PolygonOutline,
    ProtectedSite,
    RangeRule,
    ZoneAgreement,
    limit_problems,
)
from deconfliction.engine.model.common import DomainModel
from deconfliction.engine.model.notices import chain_problems
from deconfliction.engine.model.red_lines import RedLine
from deconfliction.engine.model.sites import PointLocation

__all__ = [
    "KnownIds",
    "Scenario",
    "ScenarioInfo",
    "ordered_items",
    "parse_scenario",
    "problems_from_errors",
    "problems_from_validation",
]


class ScenarioInfo(DomainModel):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(default_factory=list)


class Scenario(DomainModel):
    """The parties, agreements, lines, zones, red lines, sites, notices and observations of
    one file."""

    scenario: ScenarioInfo
    parties: list[Party] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    zones: list[ZoneAgreement] = Field(default_factory=list)
    red_lines: list[RedLine] = Field(default_factory=list)
    sites: list[ProtectedSite] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)


_UNION_FIELDS = frozenset({"outline", "location", "area", "rules", "place"})
_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (not part of the format: check its spelling)",
    "union_tag_not_found": "'type' is missing: it says which kind of item this is",
}


def _union_tags() -> frozenset[str]:
    """The ``type`` of every member of a discriminated union, as pydantic puts it in paths."""
    members = (
        PolygonOutline,
        CircleOutline,
        CorridorOutline,
        PointLocation,
        PolygonArea,
        BandArea,
        NoPresenceRule,
        CapRule,
        NoWeaponsRule,
        RangeRule,
    )
    return frozenset(str(m.model_fields["type"].default) for m in members)


_TAGS: Final = _union_tags()


def _clean_loc(loc: Iterable[str | int]) -> tuple[str | int, ...]:
    """Drop the tags pydantic inserts for discriminated unions (``outline.circle.radius``)."""
    out: list[str | int] = []
    parts = list(loc)
    for i, part in enumerate(parts):
        prev = parts[i - 1] if i else None
        before = parts[i - 2] if i > 1 else None
        tagged = part in _TAGS and (
            prev in _UNION_FIELDS or (isinstance(prev, int) and before == "rules")
        )
        if tagged and part not in {"type"} and i + 1 < len(parts):
            continue
        # A trailing tag is a model-level error of the tagged item (a rule's too): the path
        # ends at the item.  "[key]" marks an error in a mapping's key, which the path names.
        if (tagged and i + 1 == len(parts)) or part == "[key]":
            continue
        out.append(part)
    return tuple(out)


def problems_from_validation(error: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` with our paths and plain reasons."""
    return problems_from_errors(error.errors(include_url=False))


def problems_from_errors(errors: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """The same for pydantic's error dictionaries (``loc``, ``type``, ``msg``), as a web
    framework hands them over."""
    problems = []
    for item in errors:
        message = _MESSAGES.get(item["type"], str(item["msg"]))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        if item["type"] == "union_tag_invalid":
            message = message.replace("Input tag", "type")
        problems.append(Problem(_clean_loc(item["loc"]), message))
    return problems


@dataclass(frozen=True, slots=True)
class KnownIds:
    """Identifiers already recorded elsewhere (in a store) that a document may refer to."""

    parties: frozenset[str] = frozenset()
    lines: frozenset[str] = frozenset()
    zones: frozenset[str] = frozenset()
    notices: frozenset[str] = frozenset()


def parse_scenario(
    data: Mapping[str, Any], limits: Limits | None = None, known: KnownIds | None = None
) -> Scenario:
    """Validate a scenario document; raise :class:`InvalidInput` with every problem found.

    References must resolve inside the document or, when ``known`` is given, to identifiers
    already recorded.  With ``limits``, every item is held to them (a document for an empty
    record is new input through and through; for a record that already holds some of its
    items, the loading holds only the new ones to the limits).
    """
    if not isinstance(data, Mapping):
        raise InvalidInput.at((), "a scenario is a mapping with a 'scenario' section at the top")
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    problems = check_references(scenario, known or KnownIds())
    if limits is not None:
        problems.extend(
            problem.under(kind.section, index)
            for kind in KINDS
            for index, item in enumerate(getattr(scenario, kind.section))
            for problem in limit_problems(item, limits)
        )
    if problems:
        raise InvalidInput(problems)
    return scenario


def check_references(s: Scenario, known: KnownIds | None = None) -> list[Problem]:
    """Problems that only the whole document shows: duplicate identifiers, references to
    things that do not exist, notice chains that fork or go back in time."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}

    def register(section: str, index: int, ident: str) -> None:
        where = f"{section}[{index}]"
        if ident in seen:
            problems.append(
                Problem((section, index, "id"), f"'{ident}' is already used by {seen[ident]}")
            )
        else:
            seen[ident] = where

    for kind in KINDS:
        for i, item in enumerate(getattr(s, kind.section)):
            register(kind.section, i, item.id)

    known = known or KnownIds()
    parties = {p.id for p in s.parties} | known.parties
    lines = {line.id for line in s.lines} | known.lines
    zones = {z.id for z in s.zones} | known.zones

    def need_party(path: tuple[str | int, ...], ident: str | None) -> None:
        if ident is not None and ident not in parties:
            problems.append(Problem(path, f"no party '{ident}' in this scenario"))

    for i, a in enumerate(s.agreements):
        for j, p in enumerate(a.parties):
            need_party(("agreements", i, "parties", j), p)
        for j, m in enumerate(a.monitors):
            need_party(("agreements", i, "monitors", j), m)
    for i, site in enumerate(s.sites):
        need_party(("sites", i, "owner"), site.owner)
    for i, z in enumerate(s.zones):
        for j, p in enumerate(z.signatories):
            need_party(("zones", i, "signatories", j), p)
        for j, p in enumerate(z.monitors):
            need_party(("zones", i, "monitors", j), p)
        if isinstance(z.area, BandArea) and z.area.line not in lines:
            problems.append(Problem(("zones", i, "area", "line"), f"no line '{z.area.line}'"))
        for j, rule in enumerate(z.rules):
            for k, p in enumerate(rule.applies_to.parties):
                need_party(("zones", i, "rules", j, "applies_to", "parties", k), p)
            if isinstance(rule, NoPresenceRule) and rule.except_ is not None:
                for k, p in enumerate(rule.except_.parties):
                    need_party(("zones", i, "rules", j, "except", "parties", k), p)
            if isinstance(rule, RangeRule):
                if rule.target_line is not None and rule.target_line not in lines:
                    problems.append(
                        Problem(
                            ("zones", i, "rules", j, "target_line"), f"no line '{rule.target_line}'"
                        )
                    )
                if rule.target_zone is not None and rule.target_zone not in zones:
                    problems.append(
                        Problem(
                            ("zones", i, "rules", j, "target_zone"), f"no zone '{rule.target_zone}'"
                        )
                    )
    for i, r in enumerate(s.red_lines):
        need_party(("red_lines", i, "declared_by"), r.declared_by)
        for j, p in enumerate(r.audience.parties):
            need_party(("red_lines", i, "audience", "parties", j), p)
        if isinstance(r.area, BandArea) and r.area.line not in lines:
            problems.append(Problem(("red_lines", i, "area", "line"), f"no line '{r.area.line}'"))
    for i, o in enumerate(s.observations):
        need_party(("observations", i, "reported_by"), o.reported_by)
        need_party(("observations", i, "party"), o.party)

    problems.extend(_check_notice_chains(s.notices, parties, known.notices))
    return problems


def _check_notice_chains(
    notices: list[Notice], parties: set[str], recorded: frozenset[str]
) -> list[Problem]:
    """Chains inside the document (by the one chain rule, :func:`chain_problems`); a
    replacement of an already recorded notice is checked when it is recorded, against the
    store's own chain."""
    problems: list[Problem] = []
    by_id = {n.id: n for n in notices}
    successor: dict[str, str] = {}
    for i, n in enumerate(notices):
        if n.author not in parties:
            problems.append(
                Problem(("notices", i, "author"), f"no party '{n.author}' in this scenario")
            )
        if n.action is NoticeAction.new or n.replaces is None:
            continue
        if n.replaces not in by_id and n.replaces in recorded:
            continue
        found = chain_problems(n, by_id.get(n.replaces), successor.get(n.replaces))
        problems.extend(f.problem.under("notices", i) for f in found)
        successor.setdefault(n.replaces, n.id)
    return problems


def ordered_items(scenario: Scenario) -> list[tuple[str, int, Item]]:
    """Every item with its section and index, in the order it happened.

    Parties, agreements, lines and zones come first, in file order; then sites, notices and
    observations by their own times (``valid_from``, ``filed_at``, ``observed_at``), ties kept
    in that order of sections and then file order.
    """
    out: list[tuple[str, int, Item]] = []
    for kind in KINDS:
        if kind.time_field is None:
            items = getattr(scenario, kind.section)
            out.extend((kind.section, i, item) for i, item in enumerate(items))
    timed = [
        (getattr(item, kind.time_field), rank, i, kind.section, item)
        for rank, kind in enumerate(KINDS)
        if kind.time_field is not None
        for i, item in enumerate(getattr(scenario, kind.section))
    ]
    timed.sort(key=lambda row: row[:3])
    out.extend((section, i, item) for _, _, i, section, item in timed)
    return out
