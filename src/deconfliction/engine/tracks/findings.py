"""Tactical findings, explained for a duty officer: predicted conflicts, conformance
offences, and aircraft that cannot clear a notified volume in time.

Each finding comes with the reports it was computed from (see :mod:`.alerts`).  Keys are
stable: the same pair of aircraft, the same aircraft and kind, the same aircraft and notice
volume, so a finding that persists updates its alert instead of raising another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.model import Notice
from deconfliction.engine.tracks.alerts import Seen
from deconfliction.engine.tracks.clearance import Clearance
from deconfliction.engine.tracks.conformance import Offence
from deconfliction.engine.tracks.predict import PredictedConflict, predict_conflicts
from deconfliction.engine.tracks.reports import TrackReport
from deconfliction.engine.tracks.state import Snapshot, TrackState
from deconfliction.engine.units import FOOT, NAUTICAL_MILE, format_duration

__all__ = [
    "Minima",
    "clearance_finding",
    "conflict_findings",
    "conflict_key",
    "conformance_finding",
    "describe",
]

Minima = tuple[float, float, float]
"""Horizontal (m), vertical (m), look-ahead (s)."""


def describe(state: TrackState, party: str | None) -> str:
    """``RFF7032 (icao:154a2b, ru)``; an aircraft nobody declared says so."""
    who = party if party is not None else "unattributed"
    sign = state.callsign
    return f"{sign} ({state.key}, {who})" if sign else f"{state.key} ({who})"


def conflict_key(a: str, b: str) -> str:
    return finding_key(AlertKind.track_conflict, *sorted((a, b)))


def _alt_text(state: TrackState) -> str:
    alt = state.altitude
    return str(alt) if alt is not None else "no altitude"


def conflict_findings(
    snap: Snapshot,
    owners: Sequence[str | None],
    minima_for: Callable[[str | None, str | None], Minima | None],
    at: datetime,
) -> list[Seen]:
    """Predicted conflicts between aircraft of different parties (and with unattributed
    aircraft where terms include them), under each pair's minima.  Each is explained only if
    its alert changes (:class:`~.alerts.Seen`): a round sees well over a thousand standing
    conflicts at 10,000 aircraft and writes a hundred or so."""
    parties = sorted({p for p in owners if p is not None})
    index = {p: i for i, p in enumerate(parties)}
    unattributed = len(parties)
    groups = np.array(
        [index[p] if p is not None else unattributed for p in owners], np.int32
    ).reshape(-1)
    size = len(parties) + 1
    table = np.zeros((size, size, 3), np.float64)
    every = [*parties, None]
    for gi, pa in enumerate(every):
        for gj, pb in enumerate(every):
            m = minima_for(pa, pb)
            if m is not None:
                table[gi, gj] = m
    if not (table[..., 0] > 0).any():
        return []
    out = []
    for c in predict_conflicts(snap, groups, table):
        ka, kb = snap.keys[c.a], snap.keys[c.b]
        pa, pb = owners[c.a], owners[c.b]
        out.append(
            Seen(
                conflict_key(ka, kb),
                tuple(sorted({p for p in (pa, pb) if p is not None})),
                tuple(sorted((ka, kb))),
                round(c.t_loss, 1),
                partial(_conflict_finding, snap, c, pa, pb, table[groups[c.a], groups[c.b]], at),
            )
        )
    return out


def _conflict_finding(
    snap: Snapshot,
    c: PredictedConflict,
    pa: str | None,
    pb: str | None,
    minima: NDArray[np.float64],
    at: datetime,
) -> tuple[Finding, list[TrackReport]]:
    """The conflict ``c`` explained, with the reports the round used for both aircraft."""
    sa, sb = snap.states[c.a], snap.states[c.b]
    h, v, t = (float(m) for m in minima)
    when = (
        "in loss of separation now"
        if c.in_loss
        else f"loss of separation predicted in {format_duration(c.t_loss)}"
    )
    explanation = (
        f"{describe(sa, pa)} at {snap.altitude(c.a)} and {describe(sb, pb)} at "
        f"{snap.altitude(c.b)}: {when}; closest {c.min_h_m / NAUTICAL_MILE:.1f} NM and "
        f"{c.min_v_m / FOOT:.0f} ft apart in {format_duration(c.t_min)} "
        f"(minima {h / NAUTICAL_MILE:g} NM, {v / FOOT:.0f} ft, look-ahead "
        f"{format_duration(t)}; state-based: both keep their velocities)"
    )
    figures: dict[str, Any] = {
        "time_to_loss_s": round(c.t_loss, 1),
        "loss_ends_s": round(c.t_end, 1),
        "closest_in_s": round(c.t_min, 1),
        "min_horizontal_m": round(c.min_h_m, 1),
        "min_vertical_m": round(c.min_v_m, 1),
        "horizontal_minimum_m": h,
        "vertical_minimum_m": v,
        "lookahead_s": t,
        "a_lon": float(snap.lon[c.a]),
        "a_lat": float(snap.lat[c.a]),
        "b_lon": float(snap.lon[c.b]),
        "b_lat": float(snap.lat[c.b]),
    }
    finding = Finding(
        AlertKind.track_conflict,
        conflict_key(sa.key, sb.key),
        tuple(sorted({p for p in (pa, pb) if p is not None})),
        tuple(sorted((sa.key, sb.key))),
        explanation,
        at,
        figures,
    )
    return finding, [*snap.evidence(c.a), *snap.evidence(c.b)]


_WHAT = {
    AlertKind.track_outside_volume: "outside every volume of its notice",
    AlertKind.track_outside_band: "outside the altitude band of its notice",
    AlertKind.track_before_window: "in a notified volume before its window opens",
    AlertKind.track_overrun: "still in a notified volume after its window closed",
    AlertKind.track_unnotified: "flying with no current notice of its party",
}


def conformance_finding(
    state: TrackState, party: str, offence: Offence, audience: Sequence[str], at: datetime
) -> Finding:
    kind = AlertKind(offence.kind.value)
    pos = state.position
    where = format_position(pos.lon, pos.lat) if pos and pos.lon is not None and pos.lat else "?"
    detail = ""
    if kind in (AlertKind.track_outside_volume, AlertKind.track_outside_band):
        detail = f", {offence.distance_m:,.0f} m beyond it with the margin"
    elif kind in (AlertKind.track_before_window, AlertKind.track_overrun):
        late = "early" if kind is AlertKind.track_before_window else "late"
        detail = f", {format_duration(offence.distance_m)} {late}"
    notice = f" {offence.notice}" if offence.notice else ""
    explanation = (
        f"{describe(state, party)} at {where}, {_alt_text(state)}: "
        f"{_WHAT[kind].replace('its notice', f'notice{notice}' if notice else 'its notice')}"
        f"{detail}{'; ' + offence.note if offence.note else ''}"
    )
    subjects = (state.key, offence.notice) if offence.notice else (state.key,)
    return Finding(
        kind,
        finding_key(kind, state.key),
        tuple(sorted({party, *audience})),
        subjects,
        explanation,
        at,
        # No position here: the figures must not change with every report (the evidence
        # holds the positions), or an open alert would be rewritten all the time.
        {"excess": round(offence.distance_m, -1), "volume": offence.volume},
    )


def clearance_finding(
    state: TrackState,
    party: str | None,
    notice: Notice,
    volume: int,
    clearance: Clearance,
    at: datetime,
) -> Finding:
    pos = state.position
    where = format_position(pos.lon, pos.lat) if pos and pos.lon is not None and pos.lat else "?"
    situation = (
        "inside the volume"
        if clearance.inside_now
        else "outside the volume, but its track enters it before the start"
    )
    explanation = (
        f"notice {notice.id} of {notice.author} (volume {volume}) starts in "
        f"{format_duration(clearance.time_given)}; {describe(state, party)} at {where}, "
        f"{_alt_text(state)}, is {situation} and needs "
        f"{format_duration(clearance.time_needed)} to get out ({clearance.way}; on its track "
        f"{format_duration(clearance.along_track_s)}, the shortest way "
        f"{format_duration(clearance.shortest_s)}, vertically "
        f"{format_duration(clearance.vertical_s)}): it cannot clear in time"
    )

    def finite(x: float) -> float | None:
        return round(x, 1) if np.isfinite(x) else None

    return Finding(
        AlertKind.cannot_clear,
        finding_key(AlertKind.cannot_clear, notice.id, str(volume), state.key),
        tuple(sorted({notice.author} | ({party} if party else set()))),
        (notice.id, state.key),
        explanation,
        at,
        {
            "time_given_s": round(clearance.time_given, 1),
            "time_needed_s": finite(clearance.time_needed),
            "way": clearance.way,
            "along_track_s": finite(clearance.along_track_s),
            "shortest_s": finite(clearance.shortest_s),
            "vertical_s": finite(clearance.vertical_s),
            "inside_now": int(clearance.inside_now),
            "volume": volume,
            "lon": pos.lon if pos else None,
            "lat": pos.lat if pos else None,
        },
    )
