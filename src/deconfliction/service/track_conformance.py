"""Conformance in a round: every attributed aircraft with a new position, in one screen per group.

A *group* is the set of notices an aircraft is checked against: its party's current air
notices, or the one notice it was declared for.  Each group's volumes are kept in columns
(:class:`~deconfliction.engine.tracks.conformance_bulk.NotifiedVolumes`), joined again only
when the group's notices or its party's lateral margin change; each notice's own columns are
built once per version and margin, so a new notice filed among 100,000 volumes costs its own
columns and a join, not a rebuild.  The hysteresis (:class:`ConformanceMonitor`) is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from deconfliction.engine.model import Notice
from deconfliction.engine.tracks.attribution import Attributed
from deconfliction.engine.tracks.conformance import ConformanceMonitor, Tolerances, Transition
from deconfliction.engine.tracks.conformance_bulk import NoticeColumns, NotifiedVolumes, assess_many
from deconfliction.engine.tracks.context import AirNotices
from deconfliction.engine.tracks.state import Snapshot, TrackState

__all__ = ["ConformanceRound", "Transitioned"]


@dataclass(frozen=True, slots=True)
class Transitioned:
    state: TrackState
    party: str
    transition: Transition


@dataclass(frozen=True, eq=False)
class _Group:
    notices: tuple[Notice, ...]
    lateral_m: float
    volumes: NotifiedVolumes

    def holds(self, notices: tuple[Notice, ...], lateral_m: float) -> bool:
        return self.lateral_m == lateral_m and (
            self.notices is notices  # the air notices kept between rounds: unchanged
            or (
                len(self.notices) == len(notices)
                and all(a is b for a, b in zip(self.notices, notices, strict=True))
            )
        )


class ConformanceRound:
    """What conformance keeps between rounds: the hysteresis, the time of the last position
    assessed per aircraft, and the groups' columns.  Used by the round's thread only."""

    def __init__(self, monitor: ConformanceMonitor) -> None:
        self.monitor = monitor
        self._assessed: dict[str, float] = {}
        self._groups: dict[tuple[str, str], _Group] = {}
        self._columns: dict[tuple[str, float], NoticeColumns] = {}
        self._rebuilt = False

    def forget(self, key: str) -> None:
        self._assessed.pop(key, None)

    def _volumes(
        self, group: tuple[str, str], notices: tuple[Notice, ...], margin: float
    ) -> NotifiedVolumes:
        held = self._groups.get(group)
        if held is not None and held.holds(notices, margin):
            return held.volumes
        self._rebuilt = True
        parts = []
        for n in notices:
            part = self._columns.get((n.id, margin))
            if part is None or part.notice is not n:
                part = self._columns[(n.id, margin)] = NoticeColumns.of(n, margin)
            parts.append(part)
        self._groups[group] = _Group(notices, margin, NotifiedVolumes.join(parts, margin))
        return self._groups[group].volumes

    def run(
        self,
        snap: Snapshot,
        owners: Sequence[Attributed],
        air: AirNotices,
        tolerances: Callable[[str], Tolerances],
        now: datetime,
    ) -> list[Transitioned]:
        """Assess every attributed aircraft of ``snap`` whose position is new since the last
        round, against its group at ``now``; the hysteresis transitions that follow."""
        by_author, by_id = air.by_author, air.by_id
        rows: dict[tuple[str, str], list[int]] = {}
        for row, state in enumerate(snap.states):
            who = owners[row]
            pos = state.position
            if who.party is None or pos is None or self._assessed.get(state.key) == pos.t:
                continue
            self._assessed[state.key] = pos.t
            group = ("notice", who.notice) if who.notice is not None else ("party", who.party)
            rows.setdefault(group, []).append(row)
        out: list[tuple[int, Transitioned]] = []
        self._rebuilt = False
        for group, members in rows.items():
            party = owners[members[0]].party
            assert party is not None
            if group[0] == "notice":
                mine: tuple[Notice, ...] = (by_id[group[1]],) if group[1] in by_id else ()
            else:
                mine = by_author.get(party, ())
            tol = tolerances(party)
            volumes = self._volumes(group, mine, tol.lateral_m)
            offences = assess_many(
                volumes,
                snap.lon[members],
                snap.lat[members],
                [snap.states[r].altitude for r in members],
                now,
                tol,
            )
            for row, offence in zip(members, offences, strict=True):
                state = snap.states[row]
                party_of = owners[row].party
                assert party_of is not None
                for transition in self.monitor.update(state.key, offence):
                    out.append((row, Transitioned(state, party_of, transition)))
        if self._rebuilt:
            self._prune(by_id)
        out.sort(key=lambda t: t[0])  # in the snapshot's order, as aircraft by aircraft
        return [t for _, t in out]

    def _prune(self, by_id: Mapping[str, Notice]) -> None:
        """Drop the columns of notices that are no longer current."""
        stale = [k for k, part in self._columns.items() if by_id.get(k[0]) is not part.notice]
        for k in stale:
            del self._columns[k]
