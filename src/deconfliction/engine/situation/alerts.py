"""The alert book: every alert in its current state, and what each is anchored to.

An alert is anchored to its subjects (a notice through its series, so that a replacement finds
the alerts of the version it replaces).  Recomputing a subject's findings and diffing them with
the alerts open on it gives the changes: opened, updated, closed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import datetime

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind, Finding
from deconfliction.engine.journal import Journal

__all__ = ["AlertBook"]


class AlertBook(Mapping[str, Alert]):
    """Alerts by id, and the ids of those open on each anchor."""

    def __init__(self, anchor_of: Callable[[str], str]) -> None:
        self.alerts: dict[str, Alert] = {}
        self._open_by_anchor: dict[str, set[str]] = {}
        self._anchor_of = anchor_of
        """The anchor of a subject id (a notice's series; any other id itself)."""

    def __getitem__(self, key: str) -> Alert:
        return self.alerts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.alerts)

    def __len__(self) -> int:
        return len(self.alerts)

    def open_on(self, anchor: str, kinds: Collection[AlertKind]) -> set[str]:
        """Ids of the open alerts of ``kinds`` anchored to ``anchor``."""
        return {
            aid for aid in self._open_by_anchor.get(anchor, ()) if self.alerts[aid].kind in kinds
        }

    def open_among(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are open alerts."""
        return {
            aid
            for aid in ids
            if (found := self.alerts.get(aid)) is not None and found.status is AlertStatus.open
        }

    def diff(
        self, findings: Iterable[Finding], previous_open: set[str], at: datetime, reason: str
    ) -> list[AlertChange]:
        """The changes that make the book agree with ``findings``: new ones opened (or
        reopened), changed ones updated, and those of ``previous_open`` no longer found closed
        with ``reason``."""
        changes: list[AlertChange] = []
        keys: set[str] = set()
        for finding in findings:
            if finding.key in keys:
                continue
            keys.add(finding.key)
            existing = self.alerts.get(finding.key)
            if existing is None or existing.status is AlertStatus.closed:
                opened = Alert.from_finding(finding, at)
                changes.append(AlertChange(action=ChangeAction.opened, alert=opened, at=at))
            elif not existing.same_content(finding):
                updated = existing.updated(finding, at)
                changes.append(AlertChange(action=ChangeAction.updated, alert=updated, at=at))
        for aid in sorted(previous_open - keys):
            closed = self.alerts[aid].closed(at, reason)
            changes.append(AlertChange(action=ChangeAction.closed, alert=closed, at=at))
        return changes

    def record(self, change: AlertChange, journal: Journal) -> None:
        """Record one alert change (from an assessment, or from the trusted log)."""
        previous = self.alerts.get(change.alert.id)
        self._put(change.alert.id, change.alert)
        journal.on_undo(lambda: self._put(change.alert.id, previous))

    def _put(self, alert_id: str, alert: Alert | None) -> None:
        old = self.alerts.get(alert_id)
        if old is not None:
            for anchor in self._anchors(old):
                self._open_by_anchor.get(anchor, set()).discard(alert_id)
        if alert is None:
            self.alerts.pop(alert_id, None)
            return
        self.alerts[alert_id] = alert
        if alert.status is AlertStatus.open:
            for anchor in self._anchors(alert):
                self._open_by_anchor.setdefault(anchor, set()).add(alert_id)

    def _anchors(self, alert: Alert) -> set[str]:
        return {self._anchor_of(s) for s in alert.subjects}
