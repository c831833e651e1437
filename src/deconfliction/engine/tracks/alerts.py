"""Tactical alerts: findings from tracks into alert changes, each with the reports it used.

The tactical kinds live beside the notice alerts (same :class:`Alert`, same log), but their
findings come from the air picture every tick rather than from a filing, so their life is kept
here: :class:`TacticalAlerts` knows the open tactical alerts and turns a tick's findings into
opened, updated and closed changes.  Updates of an alert whose parties and subjects are
unchanged are written at most every ``update_every_s`` seconds, unless its time to loss fell
below half of what was last written: the record holds the alert's life, not every second of it.

A round hands its findings over as :class:`Seen`: what decides whether a change is due (key,
parties, subjects, time to loss) and a way to write the finding.  Most standing conflicts are
not due in a given round (one update per ten seconds), so their explanation and evidence are
written only for the changes that are made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind, Finding
from deconfliction.engine.tracks.reports import TrackReport

__all__ = ["TACTICAL_KINDS", "Evidenced", "Seen", "TacticalAlerts"]

TACTICAL_KINDS = frozenset(
    {
        AlertKind.track_conflict,
        AlertKind.track_outside_volume,
        AlertKind.track_outside_band,
        AlertKind.track_before_window,
        AlertKind.track_overrun,
        AlertKind.track_unnotified,
        AlertKind.cannot_clear,
    }
)


@dataclass(frozen=True, slots=True)
class Evidenced:
    """A change to record, with the reports it was computed from."""

    change: AlertChange
    reports: tuple[TrackReport, ...] = ()


@dataclass(frozen=True, slots=True)
class Seen:
    """A finding of a round before it is written: what decides whether its alert changes now,
    and ``build``, which writes it (the explanation, the figures) with its reports.  ``build``
    must give a finding with the same key, parties and subjects, and ``time_to_loss`` as its
    figure ``time_to_loss_s`` (None without one)."""

    key: str
    parties: tuple[str, ...]
    subjects: tuple[str, ...]
    time_to_loss: float | None
    build: Callable[[], tuple[Finding, Sequence[TrackReport]]]

    @classmethod
    def of(cls, finding: Finding, reports: Sequence[TrackReport]) -> Seen:
        """A finding already written."""
        ttl = finding.figures.get("time_to_loss_s")
        return cls(
            finding.key,
            finding.parties,
            finding.subjects,
            ttl if isinstance(ttl, int | float) else None,
            lambda: (finding, reports),
        )


@dataclass
class TacticalAlerts:
    update_every_s: float = 10.0
    open: dict[str, Alert] = field(default_factory=dict)
    _written: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_alerts(cls, alerts: Iterable[Alert], update_every_s: float = 10.0) -> TacticalAlerts:
        """Resume from the record: the open alerts of tactical kinds."""
        out = cls(update_every_s)
        for a in alerts:
            if a.kind in TACTICAL_KINDS and a.status is AlertStatus.open:
                out.open[a.id] = a
                out._written[a.id] = a.updated_at.timestamp()
        return out

    def of_kind(self, *kinds: AlertKind) -> list[Alert]:
        return [a for a in self.open.values() if a.kind in kinds]

    @staticmethod
    def _urgent(old: Alert, seen: Seen) -> bool:
        """Whether an update says something new enough to be written at once: other parties
        or aircraft, or the time to loss fallen below half of what was written."""
        if old.parties != seen.parties or old.subjects != seen.subjects:
            return True
        before = old.figures.get("time_to_loss_s")
        now = seen.time_to_loss
        return isinstance(before, int | float) and now is not None and now < 0.5 * before

    def changes(
        self,
        at: datetime,
        upsert: Sequence[Seen],
        close: Sequence[tuple[str, str, Sequence[TrackReport]]] = (),
        *,
        updates: int | None = None,
    ) -> list[Evidenced]:
        """The changes for findings to open or update, and for open alerts to close (id,
        reason, reports).  Changes nothing: :meth:`applied` does, once they are recorded.

        ``updates`` caps the routine updates of this round (those due by age alone), the
        longest unwritten first: alerts opened together fall due together, and hundreds of
        updates in one commit would delay the openings behind them.  Openings, closings and
        updates that change who or what an alert names, or halve its time to loss, are
        never deferred."""
        out: list[Evidenced] = []
        routine: list[tuple[float, Seen, Alert]] = []
        now = at.timestamp()
        for seen in upsert:
            old = self.open.get(seen.key)
            if old is None:
                finding, reports = seen.build()
                alert = Alert.from_finding(finding, at)
                out.append(
                    Evidenced(
                        AlertChange(action=ChangeAction.opened, alert=alert, at=at), tuple(reports)
                    )
                )
            elif self._urgent(old, seen):
                change = self._update(old, seen, at)
                if change is not None:
                    out.append(change)
            else:
                written = self._written.get(old.id, 0.0)
                if now - written >= self.update_every_s:  # due by age: written below if room
                    routine.append((written, seen, old))
        # The longest unwritten first; a finding is written (built) only until the cap is met.
        routine.sort(key=lambda r: r[0])
        taken = 0
        for _, seen, old in routine:
            if updates is not None and taken >= updates:
                break
            change = self._update(old, seen, at)
            if change is not None:
                out.append(change)
                taken += 1
        for alert_id, reason, reports in close:
            old = self.open.get(alert_id)
            if old is None:
                continue
            closed = old.closed(at, reason)
            out.append(
                Evidenced(
                    AlertChange(action=ChangeAction.closed, alert=closed, at=at), tuple(reports)
                )
            )
        return out

    @staticmethod
    def _update(old: Alert, seen: Seen, at: datetime) -> Evidenced | None:
        """The update of ``old`` to what ``seen`` says, None when it says the same."""
        finding, reports = seen.build()
        if old.same_content(finding):
            return None
        alert = old.updated(finding, at)
        return Evidenced(
            AlertChange(action=ChangeAction.updated, alert=alert, at=at), tuple(reports)
        )

    def applied(self, changes: Iterable[Evidenced]) -> None:
        """Record that ``changes`` were written."""
        for e in changes:
            alert = e.change.alert
            if e.change.action is ChangeAction.closed:
                self.open.pop(alert.id, None)
                self._written.pop(alert.id, None)
            else:
                self.open[alert.id] = alert
                self._written[alert.id] = e.change.at.timestamp()
