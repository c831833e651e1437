"""``zone-entry`` and ``zone-violation``.

* ``zone-entry``: a volume of a notice enters an area where a ``no_presence`` rule of a zone
  agreement forbids its author's activity.  Only parties bound by the zone agreement (its
  signatories) are held to its rules.
* ``zone-violation``: an observation breaks a rule: a forbidden presence, a forbidden weapon
  class in the area, a weapon whose declared range reaches the rule's target (wherever the
  weapon stands), or counts summed over one time slice above a cap.

Every finding goes to the zone's signatories and monitors; a notice finding only to those of
them who may see the notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from deconfliction.engine.detection.explain import km, label, when
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.matching import (
    rule_applies_to_notice,
    rule_applies_to_observation,
)
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.zone_areas import CompiledArea, Reach
from deconfliction.engine.geodesy.lines import GeodesicPolyline
from deconfliction.engine.model import (
    CapRule,
    NoPresenceRule,
    Notice,
    NoWeaponsRule,
    Observation,
    RangeRule,
    ZoneAgreement,
)
from deconfliction.engine.times import format_time
from deconfliction.engine.units import exact_decimal

__all__ = [
    "CompiledZone",
    "NamedLine",
    "cap_violation",
    "observation_violations",
    "slice_bounds",
    "zone_entries",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, eq=False)
class NamedLine:
    """A line's name and geometry, for range rules that target it."""

    name: str
    geometry: GeodesicPolyline


@dataclass(frozen=True, eq=False)
class CompiledZone:
    zone: ZoneAgreement
    area: CompiledArea


def slice_bounds(instant: datetime, length_s: float) -> tuple[datetime, datetime]:
    """The time slice of ``length_s`` seconds, aligned on UTC midnight, holding ``instant``.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> a, b = slice_bounds(datetime(2026, 11, 24, 15, 30, tzinfo=UTC), 86400)
    >>> a.isoformat(), b.isoformat()
    ('2026-11-24T00:00:00+00:00', '2026-11-25T00:00:00+00:00')
    """
    # In whole microseconds, exactly: an observation at a slice's first instant is in it.
    length_us = max(1, round(exact_decimal(length_s) * 1_000_000))
    offset_us = (instant - _EPOCH) // _MICROSECOND
    start = _EPOCH + timedelta(microseconds=offset_us // length_us * length_us)
    return start, start + timedelta(microseconds=length_us)


def _rule_text(cz: CompiledZone, rule_index: int) -> str:
    rule = cz.zone.rules[rule_index]
    if rule.description:
        return f"{rule.description} ({cz.zone.name}, rule {rule_index + 1})"
    who = rule.applies_to.describe()
    if isinstance(rule, NoPresenceRule):
        except_text = f", except {rule.except_.describe()}" if rule.except_ else ""
        text = f"{who} may not be present in {cz.area.describe()}{except_text}"
    elif isinstance(rule, CapRule):
        caps = ", ".join(f"{cap} {kind.value}" for kind, cap in rule.caps.items())
        text = f"{who} may have at most {caps} in {cz.area.describe()}"
    elif isinstance(rule, NoWeaponsRule):
        text = f"no {', '.join(c.value for c in rule.weapon_classes)} in {cz.area.describe()}"
    else:
        classes = ", ".join(c.value for c in rule.weapon_classes) or "weapon"
        text = f"no {classes} whose range reaches its target"
    return f"under {cz.zone.name} (rule {rule_index + 1}), {text}"


def zone_entries(
    notice: Notice,
    zones: Sequence[CompiledZone],
    roster: Roster,
    series_of: Callable[[str], str],
) -> list[Finding]:
    findings = []
    audience = roster.notice_audience(notice)
    kind = notice.kind.value.replace("_", " ")
    for cz in zones:
        if notice.author not in cz.zone.signatories:
            continue
        for ri, rule in enumerate(cz.zone.rules):
            if not isinstance(rule, NoPresenceRule) or not rule_applies_to_notice(
                rule, notice, roster
            ):
                continue
            best = None
            for volume in notice.volumes:
                entry = cz.area.entry(volume)
                if entry is not None and (best is None or entry.depth_m > best[0].depth_m):
                    best = (entry, volume)
            if best is None:
                continue
            entry, volume = best
            informed = {notice.author} | (Roster.zone_audience(cz.zone) & audience)
            closest = (
                f", coming within {km(entry.closest_m)} of {cz.area.line_name}"
                if entry.closest_m is not None
                else ""
            )
            findings.append(
                Finding(
                    kind=AlertKind.zone_entry,
                    key=finding_key(
                        AlertKind.zone_entry, series_of(notice.id), cz.zone.id, str(ri)
                    ),
                    parties=tuple(sorted(informed)),
                    subjects=(notice.id, cz.zone.id),
                    explanation=(
                        f"{roster.name(notice.author)} {kind} {notice.id} ({volume.window}) enters "
                        f"{cz.area.describe()}, reaching {km(entry.depth_m)} inside{closest}; "
                        f"{_rule_text(cz, ri)}."
                    ),
                    raised_at=notice.filed_at,
                    figures={
                        "depth_m": round(entry.depth_m, 1),
                        "closest_to_line_m": None
                        if entry.closest_m is None
                        else round(entry.closest_m, 1),
                        "zone": cz.zone.id,
                        "rule": ri + 1,
                    },
                )
            )
    return findings


def _unit_text(obs: Observation, roster: Roster) -> str:
    category = "" if obs.unit_category.value == "unknown" else f", {label(obs.unit_category.value)}"
    return (
        f"{obs.affiliation}{category} (observation {obs.id} by {roster.name(obs.reported_by)}, "
        f"{when(obs.observed_at)})"
    )


def observation_violations(
    cz: CompiledZone,
    obs: Observation,
    roster: Roster,
    lines: Mapping[str, NamedLine],
    zones: Mapping[str, CompiledZone],
) -> list[Finding]:
    """Presence, weapon-class and range findings for one observation against one zone."""
    exact = cz.area.place([obs.position.lon], [obs.position.lat])
    inside = bool(exact.inside[0])
    where = cz.area.position_text(float(exact.distance_m[0]), float(exact.side[0]))
    audience = tuple(sorted(Roster.zone_audience(cz.zone)))
    findings = []

    def add(ri: int, text: str, figures: dict[str, float | int | str | None]) -> None:
        findings.append(
            Finding(
                kind=AlertKind.zone_violation,
                key=finding_key(AlertKind.zone_violation, cz.zone.id, str(ri), obs.id),
                parties=audience,
                subjects=(cz.zone.id, obs.id),
                explanation=f"{_unit_text(obs, roster)} at {obs.position}, {where}: {text}; {_rule_text(cz, ri)}.",
                raised_at=obs.observed_at,
                figures={
                    "zone": cz.zone.id,
                    "rule": ri + 1,
                    "distance_m": round(float(exact.distance_m[0]), 1),
                    **figures,
                },
            )
        )

    for ri, rule in enumerate(cz.zone.rules):
        if not rule_applies_to_observation(rule, obs, roster):
            continue
        if isinstance(rule, NoPresenceRule) and inside:
            add(ri, f"inside {cz.area.describe()}", {})
        elif isinstance(rule, NoWeaponsRule) and inside:
            banned = [w for w in obs.weapons if w.weapon_class in rule.weapon_classes]
            if banned:
                listed = ", ".join(f"{w.count} × {label(w.weapon_class.value)}" for w in banned)
                add(ri, f"{listed} inside {cz.area.describe()}", {"weapons": listed})
        elif isinstance(rule, RangeRule):
            hit = _range_hit(rule, obs, lines, zones)
            if hit is not None:
                add(ri, hit[0], hit[1])
    return findings


def _range_hit(
    rule: RangeRule,
    obs: Observation,
    lines: Mapping[str, NamedLine],
    zones: Mapping[str, CompiledZone],
) -> tuple[str, dict[str, float | int | str | None]] | None:
    weapons = [
        w
        for w in obs.weapons
        if w.range is not None
        and (not rule.weapon_classes or w.weapon_class in rule.weapon_classes)
    ]
    if not weapons:
        return None
    lon, lat = obs.position.lon, obs.position.lat
    if rule.target_line is not None:
        line = lines.get(rule.target_line)
        if line is None:
            return None
        reach = Reach(float(line.geometry.distance([lon], [lat], exact=True)[0]))
        target = line.name
    else:
        zone = zones.get(rule.target_zone or "")
        if zone is None:
            return None
        reach = zone.area.reach(lon, lat)
        target = zone.area.describe()
    # Exact to a micrometre (geodesy/exact.py): a range equal to the distance reaches.
    reaching = [w for w in weapons if w.range is not None and w.range.metres >= reach.distance]
    if not reaching:
        return None
    weapon = max(reaching, key=lambda w: w.range.metres if w.range else 0.0)
    assert weapon.range is not None
    away = f"{km(reach.distance)} away"
    if not reach.exact:
        away = (
            f"at least {away} (the line bends around the position more tightly than the "
            "band's inner distance: counted as reaching)"
        )
    return (
        f"{label(weapon.weapon_class.value)} with a declared range of {weapon.range} reaches "
        f"{target}, {away}",
        {
            "range_m": weapon.range.metres,
            "distance_to_target_m": round(reach.distance, 1),
            "distance_exact": int(reach.exact),
            "weapon_class": weapon.weapon_class.value,
        },
    )


def cap_violation(
    cz: CompiledZone,
    rule_index: int,
    slice_start: datetime,
    observations: Sequence[Observation],
    roster: Roster,
) -> Finding | None:
    """The cap finding for one rule and one time slice, from every observation in the slice.

    Counts are summed over matching observations inside the area; when several observations
    carry the same ``unit_id``, only the latest counts.
    """
    rule = cz.zone.rules[rule_index]
    assert isinstance(rule, CapRule)
    _, slice_end = slice_bounds(slice_start, rule.slice.seconds)
    chosen: dict[str, Observation] = {}
    candidates = [
        o
        for o in observations
        if slice_start <= o.observed_at < slice_end and rule_applies_to_observation(rule, o, roster)
    ]
    if candidates:
        place = cz.area.place(
            [o.position.lon for o in candidates], [o.position.lat for o in candidates]
        )
        for obs, inside in zip(candidates, np.asarray(place.inside).tolist(), strict=True):
            if not inside:
                continue
            unit = obs.unit_id or obs.id
            current = chosen.get(unit)
            if current is None or (obs.observed_at, obs.id) > (current.observed_at, current.id):
                chosen[unit] = obs
    totals = {kind: sum(o.counts.get(kind, 0) for o in chosen.values()) for kind in rule.caps}
    exceeded = {kind: (totals[kind], cap) for kind, cap in rule.caps.items() if totals[kind] > cap}
    if not exceeded:
        return None
    counted = sorted(chosen.values(), key=lambda o: (o.observed_at, o.id))
    over = "; ".join(
        f"{total} {kind.value} against a cap of {cap}" for kind, (total, cap) in exceeded.items()
    )
    figures: dict[str, float | int | str | None] = {
        "zone": cz.zone.id,
        "rule": rule_index + 1,
        "slice_start": format_time(slice_start),
        "slice_end": format_time(slice_end),
    }
    for kind, (total, cap) in exceeded.items():
        figures[f"{kind.value}_count"] = total
        figures[f"{kind.value}_cap"] = cap
    return Finding(
        kind=AlertKind.zone_violation,
        key=finding_key(
            AlertKind.zone_violation, cz.zone.id, str(rule_index), slice_start.isoformat()
        ),
        parties=tuple(sorted(Roster.zone_audience(cz.zone))),
        subjects=(cz.zone.id, *(o.id for o in counted)),
        explanation=(
            f"From {when(slice_start)} to {when(slice_end)}, observations "
            f"({', '.join(o.id for o in counted)}) place {over} in {cz.area.describe()}; "
            f"{_rule_text(cz, rule_index)}."
        ),
        raised_at=counted[-1].observed_at,
        figures=figures,
    )
