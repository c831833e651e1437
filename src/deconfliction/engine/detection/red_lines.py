"""``red-line``: an observation crosses a red line a party declared.

A red line speaks the zone agreements' rule language, so it is checked by the zone detectors
(:mod:`.zones`) on a zone agreement that stands in for it; their findings become ``red-line``
findings, told to the declarer and the audience it chose.  Only observations are checked:
a red line binds nobody, and is never applied to a notice.

Need to know: a finding names only members of the red line's audience that may already see
every observation it cites.  Declaring a red line gives a party sight of nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.detection.zones import (
    CompiledZone,
    NamedLine,
    cap_violation,
    observation_violations,
    slice_bounds,
)
from deconfliction.engine.model import CapRule, Line, Observation, ZoneAgreement
from deconfliction.engine.model.red_lines import RedLine

__all__ = ["CompiledRedLine", "compile_red_line", "crossings"]


@dataclass(frozen=True, eq=False)
class CompiledRedLine:
    """A red line, its area compiled (as the zone agreement that stands in for it), and its
    audience as resolved when it was recorded."""

    red_line: RedLine
    zone: CompiledZone
    audience: frozenset[str]


def compile_red_line(
    red_line: RedLine, lines: Mapping[str, Line], roster: Roster
) -> CompiledRedLine:
    """Compile ``red_line`` against the lines (InvalidInput when a line it names is missing)."""
    stand_in = ZoneAgreement(
        id=red_line.id,
        name=f"red line '{red_line.name}'",
        signatories=[red_line.declared_by],
        area=red_line.area,
        rules=red_line.rules,
    )
    return CompiledRedLine(
        red_line,
        CompiledZone(stand_in, compile_area(stand_in, lines)),
        frozenset(roster.red_line_audience(red_line)),
    )


def _as_crossing(
    finding: Finding, crl: CompiledRedLine, seen: Sequence[Observation], roster: Roster
) -> Finding:
    """A zone finding on the stand-in, as the red line's own finding."""
    parties = tuple(
        sorted(p for p in crl.audience if all(p in roster.observation_audience(o) for o in seen))
    )
    figures = {("red_line" if k == "zone" else k): v for k, v in finding.figures.items()}
    figures["declared_by"] = crl.red_line.declared_by
    return replace(
        finding,
        kind=AlertKind.red_line,
        key=finding_key(AlertKind.red_line, finding.key),
        parties=parties,
        explanation=(
            f"Red line crossed (declared by {roster.name(crl.red_line.declared_by)}; watched, "
            f"not enforced): {finding.explanation}"
        ),
        figures=figures,
    )


def crossings(
    obs: Observation,
    red_lines: Iterable[CompiledRedLine],
    roster: Roster,
    lines: Mapping[str, NamedLine],
    zones: Mapping[str, CompiledZone],
    observed_between: Callable[[datetime, datetime], list[Observation]],
) -> tuple[list[Finding], list[str]]:
    """Every red-line finding for a new observation, and the keys of the cap findings it may
    change (so that a cap back within bounds closes its alert).  ``observed_between`` gives
    the observations already recorded in a time slice."""
    findings: list[Finding] = []
    cap_keys: list[str] = []
    for crl in red_lines:
        declared = crl.red_line.declared_at
        if crl.red_line.ended or obs.observed_at < declared:
            continue
        for found in observation_violations(crl.zone, obs, roster, lines, zones):
            findings.append(_as_crossing(found, crl, [obs], roster))
        for ri, rule in enumerate(crl.red_line.rules):
            if not isinstance(rule, CapRule):
                continue
            start, end = slice_bounds(obs.observed_at, rule.slice.seconds)
            watched = [o for o in observed_between(max(start, declared), end) if o.id != obs.id]
            in_slice = [*watched, obs]
            capped = cap_violation(crl.zone, ri, start, in_slice, roster)
            cap_keys.append(
                finding_key(
                    AlertKind.red_line,
                    finding_key(
                        AlertKind.zone_violation, crl.red_line.id, str(ri), start.isoformat()
                    ),
                )
            )
            if capped is not None:
                cited = [o for o in in_slice if o.id in set(capped.subjects)]
                findings.append(_as_crossing(capped, crl, cited, roster))
    return findings, cap_keys
