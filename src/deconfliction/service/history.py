"""The record as spans of time, for replay: everything a party may see, each item with the
span in which it stood (``service/instants.py`` defines the spans).

The console draws any instant from this answer alone, and what it draws equals the ``?at=``
lists of the API, which use the same definitions.  ``after`` gives only what the record
changed after a position (a sequence number), so a live page stays current without reloading
everything.

Reading is recorded as every read is (who, which token, what, when), but no delivery is
marked read: an item drawn on a map among a hundred has not been read.  A delivery is read
when its recipient opens it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.detection.zones import CompiledZone
from deconfliction.engine.model import Line, Observation, ProtectedSite, ZoneAgreement
from deconfliction.service.alerts import AlertView, view_alert
from deconfliction.service.auth import Principal
from deconfliction.service.configuration import ZoneView
from deconfliction.service.coordinator import Tx
from deconfliction.service.hotline import record_read
from deconfliction.service.instants import Span, alert_spans, notice_span, version_spans
from deconfliction.service.notices import NoticeView, view_notice
from deconfliction.service.visibility import Visibility
from deconfliction.store import events as event_store
from deconfliction.store import ledger as ledger_store
from deconfliction.store.codec import item_event_type

__all__ = ["AlertHistory", "History", "history", "zones_at"]

T = TypeVar("T")


class Run(Protocol):
    """Runs a command on the writer and waits for its commit (``Writer.execute``)."""

    def __call__(self, command: Callable[[Tx], T], /) -> T: ...


@dataclass(frozen=True, slots=True)
class AlertHistory:
    """An alert as it stands now (None if it no longer names the party) and the spans in
    which it was open, as it stood in each."""

    current: AlertView | None
    open: list[tuple[Span, AlertView]]


@dataclass(frozen=True, slots=True)
class History:
    """What a party may see, with spans; ``position`` is the record's sequence number it
    covers (ask again with ``after=position``)."""

    position: int
    server_time: datetime
    notices: list[tuple[NoticeView, Span]] = field(default_factory=list)
    alerts: dict[str, AlertHistory] = field(default_factory=dict)
    zones: dict[str, list[tuple[Span, ZoneView]]] = field(default_factory=dict)
    sites: list[ProtectedSite] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


_KINDS = ("notice", "alert", "zone", "site", "observation", "line")


def _changed_since(tx: Tx, after: int) -> dict[str, set[str]]:
    """Subjects of each kind the record changed after sequence ``after`` (a notice filed
    also changes the span of the version it replaced)."""
    changed: dict[str, set[str]] = {k: set() for k in _KINDS}
    for event in event_store.since(tx.connection, after):
        kind = event.type.split(".", 1)[0]
        if kind in changed:
            changed[kind].add(event.subject)
        if event.type == "notice.filed":
            filed = tx.situation.notices.get(event.subject)
            if filed is not None and filed.replaces is not None:
                changed["notice"].add(filed.replaces)
    return changed


def _zone_versions(
    tx: Tx, zones: Iterable[ZoneAgreement], see: Visibility
) -> dict[str, list[tuple[Span, ZoneView]]]:
    """Every version of each zone agreement, from the record, with its span."""
    current = {z.id: z for z in zones}
    if not current:
        return {}
    recorded: dict[str, list[tuple[datetime, ZoneAgreement]]] = {}
    for entry in ledger_store.by_subjects(tx.connection, sorted(current)):
        zone = current.get(entry.subject)
        if zone is None or entry.type != item_event_type(zone):
            continue
        version = ZoneAgreement.model_validate(json.loads(entry.body)["item"])
        recorded.setdefault(entry.subject, []).append((entry.recorded_at, version))
    lines = tx.situation.lines
    out: dict[str, list[tuple[Span, ZoneView]]] = {}
    for zone_id, versions in recorded.items():
        spans = version_spans([t for t, _ in versions])
        shown = []
        for span, (_, zone) in zip(spans, versions, strict=True):
            if not see.zone(zone):
                continue
            line_id = getattr(zone.area, "line", None)
            line = lines.get(line_id) if isinstance(line_id, str) else None
            view = ZoneView(
                CompiledZone(zone, compile_area(zone, lines)),
                {} if line is None else {line.id: line},
            )
            shown.append((span, view))
        if shown:
            out[zone_id] = shown
    return out


def zones_at(tx: Tx, principal: Principal, at: datetime) -> list[ZoneView]:
    """The zone agreements the caller may see, each as it stood at ``at``."""
    see = Visibility(tx.situation, principal.party)
    versions = _zone_versions(tx, (z.zone for z in tx.situation.zones.values()), see)
    return [
        view
        for zone_id in sorted(versions)
        for span, view in versions[zone_id]
        if span.contains(at)
    ]


def _select(tx: Tx, principal: Principal, after: int | None) -> History:
    situation = tx.situation
    see = Visibility(situation, principal.party)
    changed = None if after is None else _changed_since(tx, after)

    def wanted(kind: str, ident: str) -> bool:
        return changed is None or ident in changed[kind]

    notices: list[tuple[NoticeView, Span]] = [
        (view_notice(tx, n), notice_span(situation, n))
        for n in sorted(situation.notices.values(), key=lambda n: (n.filed_at, n.id))
        if wanted("notice", n.id) and see.notice(n)
    ]
    history = (
        situation.history
        if changed is None
        else [c for c in situation.history if c.alert.id in changed["alert"]]
    )
    spans = alert_spans(history, principal.party)
    alerts: dict[str, AlertHistory] = {}
    for alert in situation.alerts.values():
        opened = spans.get(alert.id, [])
        if not wanted("alert", alert.id) or not (opened or see.alert(alert)):
            continue
        alerts[alert.id] = AlertHistory(
            view_alert(tx, alert) if see.alert(alert) else None,
            [(span, view_alert(tx, state)) for span, state in opened],
        )
    zones = _zone_versions(
        tx, (z.zone for z in situation.zones.values() if wanted("zone", z.zone.id)), see
    )
    return History(
        position=event_store.last_seq(tx.connection),
        server_time=tx.now,
        notices=notices,
        alerts=alerts,
        zones=zones,
        sites=sorted(
            (s for s in situation.sites.values() if wanted("site", s.id) and see.site(s)),
            key=lambda s: s.id,
        ),
        observations=sorted(
            (
                o
                for o in situation.observations.values()
                if wanted("observation", o.id) and see.observation(o)
            ),
            key=lambda o: (o.observed_at, o.id),
        ),
        lines=sorted(
            (line for line in situation.lines.values() if wanted("line", line.id)),
            key=lambda line: line.id,
        ),
    )


def _reads(found: History) -> Iterable[tuple[str, str, str | None]]:
    """(item type, id, owner) of everything in the answer that the read log records."""
    for view, _ in found.notices:
        yield "notice", view.notice.id, view.notice.author
    for alert_id in found.alerts:
        yield "alert", alert_id, None
    for site in found.sites:
        yield "site", site.id, site.owner


def history(run: Run, principal: Principal, after: int | None = None) -> History:
    """Everything ``principal``'s party may see (what changed after ``after`` when given),
    with spans; each read is recorded, no delivery is marked read."""
    found: History = run(lambda tx: _select(tx, principal, after))
    items = list(_reads(found))

    def record(tx: Tx) -> None:
        for item in items:
            record_read(tx, principal, *item)

    if items:
        run(record)
    return found
