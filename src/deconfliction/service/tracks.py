"""Live tracks in the service: the air picture in memory, rounds as reports arrive, tactical
alerts through the one writer.

Reports never go through the record (``docs/design/tracks.md``): :meth:`TrackService.feed`
parses what a feeder posts and merges it into an in-memory :class:`TrackTable`.  A round (as
soon as reports arrived, within the bounds of :func:`~deconfliction.service.track_rounds.round_wait`) reads what it needs of the
situation in one short writer command,
predicts conflicts, checks conformance and time to clear outside the writer, and records only
the alert changes, each after a ``track.evidence`` entry holding the reports it used, in one
more writer command.  Declarations are recorded like any configuration (track terms are part of the agreements) and read
back when the service starts.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deconfliction.engine.detection.findings import AlertKind, finding_key
from deconfliction.engine.errors import Forbidden, InvalidInput
from deconfliction.engine.model import Agreement, Notice, NoticeKind
from deconfliction.engine.tracks.alerts import TACTICAL_KINDS, Evidenced, Seen, TacticalAlerts
from deconfliction.engine.tracks.attribution import Attributed, Attribution, Declaration
from deconfliction.engine.tracks.clearance import time_to_clear
from deconfliction.engine.tracks.conformance import ConformanceMonitor, Tolerances
from deconfliction.engine.tracks.context import AirNoticeKeeper, AirNotices
from deconfliction.engine.tracks.findings import (
    clearance_finding,
    conflict_findings,
    conformance_finding,
)
from deconfliction.engine.tracks.formats import Parser
from deconfliction.engine.tracks.reports import ParseResult, Rejected, TrackReport
from deconfliction.engine.tracks.state import Snapshot, TrackState, TrackTable
from deconfliction.engine.tracks.terms import DeclarationIn
from deconfliction.service.auth import Principal, Role
from deconfliction.service.clock import Clock
from deconfliction.service.collector import freeze_once
from deconfliction.service.coordinator import Tx
from deconfliction.service.permissions import Action, require
from deconfliction.service.settings import Settings
from deconfliction.service.track_archive import TrackArchive
from deconfliction.service.track_conformance import ConformanceRound
from deconfliction.service.track_evidence import record_with_evidence
from deconfliction.service.track_formats import FORMATS, make_parser
from deconfliction.service.track_replay import (
    Kept,
    Sample,
    TrackHistory,
    may_see,
    subjects_open_at,
)
from deconfliction.service.track_terms import minima_between, widest_margins
from deconfliction.service.track_view import TrackView
from deconfliction.service.writer import Writer
from deconfliction.store import tracks as track_store

__all__ = [
    "FORMATS",
    "FeedResult",
    "TickStats",
    "TrackService",
    "make_parser",
]

log = logging.getLogger("deconfliction.tracks")

_FEEDERS = frozenset({Role.admin, Role.duty_officer, Role.monitor})


@dataclass(frozen=True, slots=True)
class FeedResult:
    reports: int
    ignored: int
    rejected: int
    reasons: dict[str, int]
    first_rejected: list[Rejected]


@dataclass
class TickStats:
    at: datetime | None = None
    aircraft: int = 0
    conflicts: int = 0
    changes: int = 0
    seconds: float = 0.0
    cpu_s: float = 0.0
    """CPU seconds of the round's own thread (the writer's recording is not in it)."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each part of the tick (context, snapshot, conflicts, conformance,
    clearance, record)."""


@dataclass
class _Context:
    """What a tick reads of the situation (immutable models only)."""

    agreements: list[Agreement]
    air: AirNotices
    """The current air notices (kept between rounds: ``engine/tracks/context.py``)."""
    addressees: dict[str, set[str]]
    audiences: dict[str, set[str]] = field(default_factory=dict)
    tolerances: dict[str, Tolerances] = field(default_factory=dict)
    """The widest margins binding each party, found once per tick."""


class TrackService:
    def __init__(self, writer: Writer, settings: Settings, clock: Clock) -> None:
        self.writer = writer
        self.settings = settings
        self.clock = clock
        self.table = TrackTable()
        self.attribution = Attribution()
        self.conformance = ConformanceRound(
            ConformanceMonitor(
                settings.tracks_conformance_confirm, settings.tracks_conformance_clear
            )
        )
        self.alerts = TacticalAlerts(settings.tracks_alert_update_s)
        self.last = TickStats()
        self.rejected: Counter[str] = Counter()
        self._declarations: dict[str, Declaration] = {}
        self._agreements: list[Agreement] = []
        """The agreements in force as of the last tick (their track terms)."""
        self._parsers: dict[tuple[str, str, str], tuple[Parser, threading.Lock]] = {}
        self._lock = threading.Lock()
        self._tick_lock = threading.Lock()
        self._seen_notices: set[str] = set()
        self._audiences: dict[str, set[str]] = {}
        self._air = AirNoticeKeeper()
        """The current air notices, changed where the notice book changed (the writer's)."""
        self._last_air: AirNotices | None = None
        """The air notices of the last round (a round with the same has no new notice)."""
        self.history = TrackHistory(settings.tracks_history_step_s, settings.tracks_history_s)
        self.archive = TrackArchive(writer, self.history, settings)
        self._started = False
        self._pending: tuple[Future[None], list[Evidenced]] | None = None
        """The alert changes handed to the writer by the last round, not yet taken as open."""
        self._next_context: Future[_Context] | None = None
        self._view = TrackView()
        self._warmed = False
        self.fed = 0
        """Posts that brought reports (the round loop starts a round when it changes)."""

    # -- configuration ---------------------------------------------------------------------

    def start(self) -> None:
        """Read declarations, terms and open tactical alerts back from the record."""

        def load(tx: Tx) -> tuple[list[tuple[str, str, dict[str, Any]]], list[Any]]:
            alerts = [a for a in tx.situation.alerts.values() if a.kind in TACTICAL_KINDS]
            return track_store.configuration(tx.connection), alerts

        config, alerts = self.writer.execute(load)
        for kind, subject, payload in config:
            self._apply_config(kind, subject, payload)
        self.alerts = TacticalAlerts.from_alerts(alerts, self.settings.tracks_alert_update_s)
        self._publish()
        self._started = True

    def stop(self) -> None:
        """Write what memory kept since the last batch to the record and wait for it (the
        server stopping, its writer still running).  Waits for a round under way first."""
        with self._tick_lock:
            future = self.archive.flush(self.clock.now().timestamp(), force=True)
        if future is not None:
            try:
                future.result()
            except Exception:
                log.exception("writing the last track history at stop failed")

    def _apply_config(self, kind: str, subject: str, payload: dict[str, Any]) -> None:
        if kind == track_store.DECLARED:
            body = payload["declaration"]
            declared = DeclarationIn.model_validate(body["aircraft"])
            self._declarations[subject] = declared.declaration(body["party"])
            self.attribution = Attribution(self._declarations.values())

    def declare(self, tx: Tx, principal: Principal, aircraft: DeclarationIn) -> dict[str, Any]:
        """Record the caller's party's aircraft (replacing its earlier declaration for the same
        notice, or for no notice)."""
        require(principal, Action.file_notice)
        if aircraft.notice is not None:
            notice = tx.situation.notices.get(aircraft.notice)
            if notice is None or notice.author != principal.party:
                raise InvalidInput.at(
                    ("notice",), f"no notice '{aircraft.notice}' of {principal.party}"
                )
        subject = f"{principal.party}/{aircraft.notice or '-'}"
        body = {"party": principal.party, "aircraft": aircraft.model_dump(mode="json")}
        audience = self._bound_parties(tx, principal.party)
        tx.append(track_store.DECLARED, subject, {"declaration": body}, sorted(audience))
        self._apply_config(track_store.DECLARED, subject, {"declaration": body})
        return {"subject": subject, **body}

    @staticmethod
    def _bound_parties(tx: Tx, party: str) -> set[str]:
        out = {party}
        for agreement in tx.situation.roster.agreements.values():
            if party in agreement.parties:
                out |= set(agreement.parties) | set(agreement.monitors)
        return out

    # -- feeding -----------------------------------------------------------------------------

    def feed(
        self, principal: Principal, fmt: str, source: str, data: bytes, **options: Any
    ) -> FeedResult:
        """Parse ``data`` from the caller's source and merge it into the air picture."""
        if principal.role not in _FEEDERS:
            raise Forbidden(f"the {principal.role.value} role may not feed tracks")
        key = (principal.party, fmt, source)
        received = self.clock.now().timestamp()
        with self._lock:
            entry = self._parsers.get(key)
            if entry is None:
                parser = make_parser(fmt, f"{principal.party}:{source}", **options)
                entry = self._parsers[key] = (parser, threading.Lock())
        parser, parsing = entry
        # Parsing holds only its own source's lock: the round's snapshot never waits on it.
        with parsing:
            result: ParseResult = parser.feed(data, received)
        with self._lock:
            self.table.ingest(result.reports)
            self.rejected.update(result.reasons())
            if result.reports:
                self.fed += 1
        return FeedResult(
            len(result.reports),
            result.ignored,
            len(result.rejected),
            dict(result.reasons()),
            result.rejected[:20],
        )

    # -- the tick ------------------------------------------------------------------------------

    def _context(self, tx: Tx) -> _Context:
        s = tx.situation
        air = self._air.update(s.notices.current, s.notices, s.notices.kind_of)
        addressees = {p: s.roster.addressees(p, NoticeKind.air_operation) for p in s.roster.parties}
        self._agreements = list(s.roster.agreements.values())
        for n in self._air.entered:
            if n.id not in self._audiences:
                self._audiences[n.id] = s.roster.notice_audience(n)
        return _Context(self._agreements, air, addressees)

    def _tolerances(self, ctx: _Context, party: str) -> Tolerances:
        found = ctx.tolerances.get(party)
        if found is None:
            found = ctx.tolerances[party] = widest_margins(ctx.agreements, party)
        return found

    def owner(self, state: TrackState) -> Attributed:
        return self.attribution.of(state.key, state.callsign)

    def tick(self, now: datetime | None = None, *, wait: bool = True) -> TickStats:
        """One round: predict, check, record.  Safe to call from one thread at a time.

        With ``wait`` false the round hands its alert changes to the writer and returns
        without waiting for them to commit: the next round predicts while the writer records,
        and waits for that commit only where it needs it, to diff its own findings against
        the open alerts (``docs/design/tracks.md``, "Latency")."""
        with self._tick_lock:
            if wait:  # a caller that waits reads the situation as of now, not a round ago
                self._next_context = None
            stats = self._tick(now or self.clock.now())
            if wait:
                self._settle(raise_errors=True)
            return stats

    def _update_budget(self) -> int | None:
        """Routine updates a round may write: twice the steady rate (every open alert once per
        update interval), plus some; no cap when every change is to be written at once."""
        every = self.settings.tracks_alert_update_s
        if every <= 0:
            return None
        steady = math.ceil(len(self.alerts.open) * self.settings.tracks_tick_s / every)
        return 2 * steady + 16

    def _take_context(self) -> _Context:
        """What the round reads of the situation: read by the writer right after the last
        round handed over its changes (the situation as of that commit, at most one round
        old), so that the round does not queue behind the writer to begin."""
        future, self._next_context = self._next_context, None
        if future is not None:
            try:
                return future.result()
            except Exception:
                log.exception("reading the situation for live tracks failed")
        return self.writer.execute(self._context)

    def _settle(self, *, raise_errors: bool = False) -> None:
        """Wait for the alert changes of the previous round to commit, and take them as the
        open alerts.  Changes that failed to commit are not taken: the next round finds them
        again."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        future, changes = pending
        try:
            future.result()
        except Exception:
            if raise_errors:
                raise
            log.exception("recording tactical alert changes failed")
            return
        self.alerts.applied(changes)
        self._publish()

    def _tick(self, now: datetime) -> TickStats:
        import time

        began, cpu = time.perf_counter(), time.thread_time()
        phases: dict[str, float] = {}
        mark = [began]

        def lap(name: str) -> None:
            now_s = time.perf_counter()
            phases[name] = round(now_s - mark[0], 4)
            mark[0] = now_s

        settings = self.settings
        t = now.timestamp()
        with self._lock:
            for key in self.table.forget_before(t - settings.tracks_forget_s):
                self.history.forget(key)
                self.conformance.forget(key)
            snap = self.table.snapshot(t, settings.tracks_max_age_s)
        if not snap.keys and not self.alerts.open and self._pending is None:
            # Idle: no walk over every notice in the writer; the first round with aircraft sees them
            self.archive.flush(t)  # what the last rounds with aircraft kept
            self._next_context, self.last = None, TickStats(now)
            return self.last
        ctx = self._take_context()
        self._publish()  # the agreements (their track terms) may have changed
        lap("context")
        owners_found = [self.owner(s) for s in snap.states]
        owners = [o.party for o in owners_found]
        self.history.remember(snap, t)
        lap("snapshot")
        upsert: list[Seen] = []
        close: list[tuple[str, str, Sequence[TrackReport]]] = []
        # Conflicts.
        conflicts = conflict_findings(snap, owners, minima_between(ctx.agreements), now)
        upsert.extend(conflicts)
        found = {f.key for f in conflicts}
        present = set(snap.keys)
        for alert in self.alerts.of_kind(AlertKind.track_conflict):
            if alert.id not in found:
                gone = [s for s in alert.subjects if s not in present]
                reason = f"track of {gone[0]} lost" if gone else "geometry cleared"
                close.append((alert.id, reason, []))
        lap("conflicts")
        # Conformance, for attributed aircraft with a new position (one screen per group).
        by_id = ctx.air.by_id
        for moved in self.conformance.run(
            snap, owners_found, ctx.air, lambda p: self._tolerances(ctx, p), now
        ):
            state, party, transition = moved.state, moved.party, moved.transition
            if transition.raised and transition.offence is not None:
                named = transition.offence.notice
                audience = (
                    self._audiences.get(named, set()) if named else ctx.addressees.get(party, set())
                )
                finding = conformance_finding(
                    state, party, transition.offence, sorted(audience), now
                )
                upsert.append(Seen.of(finding, state.evidence()))
            else:
                key = finding_key(AlertKind(transition.kind.value), state.key)
                close.append((key, "back in conformance", state.evidence()))
        lap("conformance")
        # Time to clear, for notices not seen before.
        fresh: list[Notice] = []
        if ctx.air is not self._last_air:  # the same air notices as the last round: none new
            fresh = [n for n in ctx.air.notices if n.id not in self._seen_notices]
            self._seen_notices.update(n.id for n in fresh)
            self._last_air = ctx.air
        for notice in fresh if snap.keys else ():  # no aircraft, nothing to clear
            upsert.extend(self._clearances(ctx, notice, snap, owners, now))
        for alert in self.alerts.of_kind(AlertKind.cannot_clear):
            filed = by_id.get(alert.subjects[0])
            volume = alert.figures.get("volume")
            if filed is None:
                close.append((alert.id, "the notice was replaced or cancelled", []))
            elif isinstance(volume, int) and filed.volumes[volume].window.start <= now:
                close.append((alert.id, "the volume started", []))
        lap("clearance")
        self._settle()
        lap("settle")
        changes = self.alerts.changes(now, upsert, close, updates=self._update_budget())
        if changes:
            self._pending = (
                self.writer.submit(lambda tx: record_with_evidence(tx, changes)),
                changes,
            )
        self._next_context = self.writer.submit(self._context)
        # The history's samples to the record in one batch, behind the alert changes: at
        # 10,000 aircraft a batch holds the writer for tens of milliseconds.
        self.archive.flush(t)
        lap("record")
        if not self._warmed:  # what the first round loaded lives as long as the process
            self._warmed = True
            freeze_once("tracks")
        self.last = TickStats(now, len(snap.keys), len(conflicts), len(changes),
                              time.perf_counter() - began, time.thread_time() - cpu,
                              phases)  # fmt: skip
        return self.last

    def _clearances(
        self, ctx: _Context, notice: Notice, snap: Snapshot, owners: list[str | None], now: datetime
    ) -> list[Seen]:
        out: list[Seen] = []
        tol = self._tolerances(ctx, notice.author)
        for vi, volume in enumerate(notice.volumes):
            given = (volume.window.start - now).total_seconds()
            if given <= 0:
                continue
            reach = tol.lateral_m + 300.0 * given + 1000.0
            west, south, east, north = volume.outline.shape.bbox(reach)
            near = (
                (snap.lon >= west) & (snap.lon <= east) & (snap.lat >= south) & (snap.lat <= north)
            ).nonzero()[0]
            for row in near.tolist():
                party = owners[row]
                if party == notice.author or party is None:
                    continue
                state = snap.states[row]
                c = time_to_clear(
                    float(snap.lon[row]),
                    float(snap.lat[row]),
                    state.altitude,
                    float(snap.speed[row]),
                    float(snap.track[row]),
                    volume,
                    now,
                    margin_m=tol.lateral_m,
                    vertical_margin_m=tol.vertical_m,
                )
                if c is not None and c.cannot_clear:
                    finding = clearance_finding(state, party, notice, vi, c, now)
                    out.append(Seen.of(finding, snap.evidence(row)))
        return out

    # -- history and what a party may see ---------------------------------------------------

    def trail(self, key: str) -> list[tuple[float, float, float, float | None]]:
        return self.history.trail(key)

    def visible_at(
        self, party: str, at: datetime, *, trails: bool = True
    ) -> list[tuple[str, Sample, list[Kept], Attributed]]:
        """What ``party`` may see as it stood at ``at``, with trails (``track_replay.py``)."""
        concerned = subjects_open_at(self.writer.coordinator, party, at)
        unattributed = party in self._view.unattributed

        def wanted(key: str, callsign: str | None) -> bool:
            who = self.attribution.of(key, callsign)
            return may_see(party, key, who, concerned, unattributed)

        max_age = self.settings.tracks_max_age_s
        picture = self.archive.picture_at(at.timestamp(), max_age, wanted, trails=trails)
        return [(k, s, trail, self.attribution.of(k, s.callsign)) for k, s, trail in picture]

    def _publish(self) -> None:
        """Swap in a new view of what the open alerts and the agreements expose (the round's
        thread, after the open alerts or the agreements change)."""
        self._view = TrackView.of(self.alerts.open.values(), self._agreements)

    def visible(self, party: str) -> list[tuple[TrackState, Attributed]]:
        """The aircraft ``party`` may see: its own; another party's while an open tactical
        alert names both; unattributed ones where track terms let it.  Reads one immutable
        view (never the round's live alerts) and the table under its lock."""
        view, attribution = self._view, self.attribution
        concerned = view.concerned.get(party, frozenset())
        unattributed = party in view.unattributed
        out = []
        with self._lock:
            states = list(self.table.tracks.values())
        for state in states:
            who = attribution.of(state.key, state.callsign)
            if may_see(party, state.key, who, concerned, unattributed):
                out.append((state, who))
        return out
