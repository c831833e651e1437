"""Tactical alerts: findings from tracks into alert changes, each with the reports it used.

The tactical kinds live beside the notice alerts (same :class:`Alert`, same log), but their
findings come from the air picture every tick rather than from a filing, so their life is kept
here: :class:`TacticalAlerts` knows the open tactical alerts and turns a tick's findings into
opened, updated and closed changes.  Updates of an alert whose parties and subjects are
unchanged are written at most every ``update_every_s`` seconds, unless its time to loss fell
below half of what was last written: the record holds the alert's life, not every second of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind, Finding
from deconfliction.engine.tracks.reports import TrackReport

__all__ = ["TACTICAL_KINDS", "Evidenced", "TacticalAlerts"]

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

    def _due(self, old: Alert, finding: Finding, at: datetime) -> bool:
        if old.parties != finding.parties or old.subjects != finding.subjects:
            return True
        if at.timestamp() - self._written.get(old.id, 0.0) >= self.update_every_s:
            return True
        before = old.figures.get("time_to_loss_s")
        now = finding.figures.get("time_to_loss_s")
        return (
            isinstance(before, int | float) and isinstance(now, int | float) and now < 0.5 * before
        )

    def changes(
        self,
        at: datetime,
        upsert: Sequence[tuple[Finding, Sequence[TrackReport]]],
        close: Sequence[tuple[str, str, Sequence[TrackReport]]] = (),
    ) -> list[Evidenced]:
        """The changes for findings to open or update, and for open alerts to close (id,
        reason, reports).  Changes nothing: :meth:`applied` does, once they are recorded."""
        out: list[Evidenced] = []
        for finding, reports in upsert:
            old = self.open.get(finding.key)
            if old is None:
                alert = Alert.from_finding(finding, at)
                out.append(
                    Evidenced(
                        AlertChange(action=ChangeAction.opened, alert=alert, at=at), tuple(reports)
                    )
                )
            elif not old.same_content(finding) and self._due(old, finding, at):
                alert = old.updated(finding, at)
                out.append(
                    Evidenced(
                        AlertChange(action=ChangeAction.updated, alert=alert, at=at), tuple(reports)
                    )
                )
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
