"""What stood at an instant: the one definition behind every ``?at=`` answer and the
console's replay.

* A notice version stands from its ``filed_at`` until the ``filed_at`` of the version that
  replaced or cancelled it; its status at an instant is the status it had then.
* An alert is open at an instant when its last change at or before it left it open.
* A zone agreement has no validity period of its own: each version holds from the server's
  time of recording it until the next version's, and the first also before it was recorded
  (an agreement pre-dates the record that learns of it).

A :class:`Span` is half-open, ``[start, end)``; ``None`` is open-ended.  The console decides
"stands at T" with the server's spans and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus

if TYPE_CHECKING:  # the notices' use cases ask this module: no import back at run time
    from deconfliction.service.notices import NoticeView

__all__ = [
    "Span",
    "alert_spans",
    "notice_span",
    "stood_at",
    "version_spans",
]


@dataclass(frozen=True, slots=True)
class Span:
    """From ``start`` (inclusive; None: since ever) to ``end`` (exclusive; None: still).

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 24, 10, tzinfo=UTC)
    >>> Span(t, None).contains(t), Span(None, t).contains(t)
    (True, False)
    """

    start: datetime | None
    end: datetime | None

    def contains(self, instant: datetime) -> bool:
        return (self.start is None or self.start <= instant) and (
            self.end is None or instant < self.end
        )


def stood_at(view: NoticeView, successor_filed: datetime | None, at: datetime) -> NoticeView:
    """A notice version as it stood at ``at``, given when its successor (if any) was filed:
    ``current`` until then (a cancellation is always ``cancellation``)."""
    if successor_filed is None or successor_filed <= at or view.superseded_by is None:
        return view
    status = "cancellation" if view.status == "cancellation" else "current"
    return replace(view, status=status, superseded_by=None)


def notice_span(view: NoticeView, successor_filed: datetime | None) -> Span:
    """When the version stood: from its filing to its successor's."""
    return Span(view.notice.filed_at, successor_filed)


def alert_spans(
    history: Iterable[AlertChange], party: str | None
) -> dict[str, list[tuple[Span, Alert]]]:
    """For each alert, the spans in which it was open, with the alert as it stood in each
    (only states naming ``party``; every state for None).

    The rule is ``store/alerts.py:alerts_as_of``'s: at an instant, the change last in the record
    among those at or before it decides.  Changes need not come in time order, so the state
    is evaluated at each distinct change time.
    """
    by_alert: dict[str, list[AlertChange]] = {}
    for change in history:
        by_alert.setdefault(change.alert.id, []).append(change)
    out: dict[str, list[tuple[Span, Alert]]] = {}
    for alert_id, changes in by_alert.items():
        times = sorted({c.at for c in changes})
        states: list[AlertChange] = []
        for t in times:
            last = None
            for c in changes:  # in record order: the last one at or before t decides
                if c.at <= t:
                    last = c
            assert last is not None  # t is the time of one of them
            states.append(last)
        spans: list[tuple[Span, Alert]] = []
        for i, (t, state) in enumerate(zip(times, states, strict=True)):
            alert = state.alert
            if alert.status is not AlertStatus.open:
                continue
            if party is not None and party not in alert.parties:
                continue
            end = times[i + 1] if i + 1 < len(times) else None
            if spans and spans[-1][0].end == t and spans[-1][1] == alert:
                spans[-1] = (Span(spans[-1][0].start, end), alert)  # unchanged: one span
            else:
                spans.append((Span(t, end), alert))
        if spans:
            out[alert_id] = spans
    return out


def version_spans(recorded: list[datetime]) -> list[Span]:
    """Spans of successive versions recorded at ``recorded`` (in record order): each holds
    until the next; the first also before it was recorded.

    >>> from datetime import UTC, datetime
    >>> a, b = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    >>> [(s.start is None, s.end == b) for s in version_spans([a, b])]
    [(True, True), (False, False)]
    """
    return [
        Span(None if i == 0 else t, recorded[i + 1] if i + 1 < len(recorded) else None)
        for i, t in enumerate(recorded)
    ]
