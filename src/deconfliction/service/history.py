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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deconfliction.engine.alerts import Alert
from deconfliction.engine.items import kind_named
from deconfliction.engine.model import Line, Observation, ProtectedSite, ZoneAgreement
from deconfliction.service.alerts import AlertView, alert_views
from deconfliction.service.configuration import ZoneView, list_zones, zone_view
from deconfliction.service.instants import Span, alert_spans, notice_span, version_spans
from deconfliction.service.notices import NoticeView, all_versions
from deconfliction.service.reading import Reader
from deconfliction.store import events as event_store
from deconfliction.store import history as history_store
from deconfliction.store import items as item_store
from deconfliction.store import ledger as ledger_store
from deconfliction.store.alerts import current_alerts
from deconfliction.store.codec import item_from_payload

__all__ = ["AlertHistory", "History", "history", "zones_at"]


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


def _changed_since(reader: Reader, after: int) -> dict[str, set[str]]:
    """Subjects of each kind the record changed after sequence ``after`` (a notice filed
    also changes the span of the version it replaced)."""
    changed: dict[str, set[str]] = {k: set() for k in _KINDS}
    for event in event_store.since(reader.connection, after):
        kind = event.type.split(".", 1)[0]
        if kind in changed:
            changed[kind].add(event.subject)
        if kind == "notice":
            replaces = event.payload().get("item", {}).get("replaces")
            if isinstance(replaces, str):
                changed["notice"].add(replaces)
    return changed


def _zone_versions(
    reader: Reader, zones: Iterable[ZoneView]
) -> dict[str, list[tuple[Span, ZoneView]]]:
    """Every version of each zone agreement the reader may read, from the log, with its span
    (a version's entry is on a party's feed exactly when that version was for it)."""
    current = {z.compiled.zone.id for z in zones}
    if not current:
        return {}
    zone_event = kind_named("zone").event
    recorded: dict[str, list[tuple[datetime, int, ZoneAgreement]]] = {}
    for entry in ledger_store.by_subjects(reader.connection, sorted(current)):
        if entry.type != zone_event:
            continue
        version = item_from_payload(json.loads(entry.body))
        assert isinstance(version, ZoneAgreement)
        recorded.setdefault(entry.subject, []).append((entry.recorded_at, entry.index, version))
    out: dict[str, list[tuple[Span, ZoneView]]] = {}
    for zone_id, versions in recorded.items():
        spans = version_spans([t for t, _, _ in versions])
        shown = [
            (span, zone_view(reader, zone))
            for span, (_, index, zone) in zip(spans, versions, strict=True)
            if reader.party is None
            or ledger_store.is_visible(reader.connection, reader.party, index)
        ]
        if shown:
            out[zone_id] = shown
    return out


def zones_at(reader: Reader, at: datetime) -> list[ZoneView]:
    """The zone agreements the caller may see, each as it stood at ``at``."""
    versions = _zone_versions(reader, list_zones(reader))
    return [
        view
        for zone_id in sorted(versions)
        for span, view in versions[zone_id]
        if span.contains(at)
    ]


def _items(reader: Reader, name: str, wanted: set[str] | None) -> list[Any]:
    kind = kind_named(name)
    query = item_store.select_items(kind, reader.party)
    return [
        s.item
        for s in item_store.load(reader.connection, reader.cache, kind, query)
        if wanted is None or s.item.id in wanted
    ]


def _alerts(reader: Reader, changed: set[str] | None) -> dict[str, AlertHistory]:
    party = reader.party
    changes = history_store.alert_history(
        reader.connection, None if changed is None else sorted(changed)
    )
    spans = alert_spans(changes, party)
    current = {
        a.id: a
        for a in current_alerts(
            reader.connection, party, ids=None if changed is None else sorted(changed)
        )
    }
    states: list[Alert] = [state for opened in spans.values() for _, state in opened]
    views = alert_views(reader, [*current.values(), *states], opened=False)
    by_state = {
        id(alert): view for alert, view in zip([*current.values(), *states], views, strict=True)
    }
    out: dict[str, AlertHistory] = {}
    for alert_id in sorted(set(current) | set(spans)):
        alert = current.get(alert_id)
        out[alert_id] = AlertHistory(
            None if alert is None else by_state[id(alert)],
            [(span, by_state[id(state)]) for span, state in spans.get(alert_id, [])],
        )
    return out


def _select(reader: Reader, after: int | None) -> History:
    changed = None if after is None else _changed_since(reader, after)

    def wanted(kind: str) -> set[str] | None:
        return None if changed is None else changed[kind]

    position = event_store.last_seq(reader.connection)
    versions = all_versions(reader)
    successors = history_store.filed_times(
        reader.connection, (v.superseded_by for v in versions if v.superseded_by)
    )
    notices = [
        (view, notice_span(view, successors.get(view.superseded_by or "")))
        for view in versions
        if changed is None or view.notice.id in changed["notice"]
    ]
    for view, _ in notices:
        reader.show("notice", view.notice.id, view.notice.author, opened=False)
    zones = [
        z for z in list_zones(reader) if changed is None or z.compiled.zone.id in changed["zone"]
    ]
    sites = sorted(_items(reader, "site", wanted("site")), key=lambda s: s.id)
    for site in sites:
        reader.show("site", site.id, site.owner, opened=False)
    return History(
        position=position,
        server_time=reader.now,
        notices=notices,
        alerts=_alerts(reader, wanted("alert")),
        zones=_zone_versions(reader, zones),
        sites=sites,
        observations=sorted(
            _items(reader, "observation", wanted("observation")),
            key=lambda o: (o.observed_at, o.id),
        ),
        lines=sorted(_items(reader, "line", wanted("line")), key=lambda line: line.id),
    )


def history(reader: Reader, after: int | None = None) -> History:
    """Everything the reader's party may see (what changed after ``after`` when given), with
    spans; each read is recorded, no delivery is marked read."""
    return _select(reader, after)
