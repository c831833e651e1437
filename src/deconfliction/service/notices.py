"""Notices over the wire: file, replace and cancel (duty officers); list and read them.

Filing is a write: the server names the version, sets its author (the caller's party) and
stamps ``filed_at`` with its own clock (the lead time counts from the server's receipt).  The
volumes come in already validated (a request, a file); the server holds them to its limits and
records the version.  Reading is need to know: a party reads its own notices and those
addressed to it; any other answers as if it did not exist, and every read is recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shapely import intersects
from shapely.geometry import shape as to_shapely

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.errors import Forbidden, NotFound
from deconfliction.engine.hotline import Delivery, ItemType
from deconfliction.engine.items import kind_named
from deconfliction.engine.model import Notice, NoticeAction, NoticeKind, Volume
from deconfliction.engine.model.limits import check_limits
from deconfliction.service.alerts import AlertView, Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.filters import BBox, TimeRange
from deconfliction.service.geojson import alert_geometry, outline_geometry
from deconfliction.service.instants import stood_at
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import deliveries as delivery_store
from deconfliction.store import history as history_store
from deconfliction.store import items as item_store
from deconfliction.store.notices import PLACED, STATUS, select_notices
from deconfliction.store.reads import reads_of
from deconfliction.store.schema import notices as table

__all__ = [
    "NoticeFiling",
    "NoticeQuery",
    "NoticeReads",
    "NoticeStatus",
    "NoticeView",
    "all_versions",
    "cancel_notice",
    "file_notice",
    "list_notices",
    "notice_reads",
    "notice_versions",
    "preview_notice",
    "read_notice",
    "replace_notice",
]

NOTICE = kind_named("notice")


class NoticeStatus(StrEnum):
    """Which versions a list shows."""

    current = "current"
    replaced = "replaced"
    cancelled = "cancelled"
    all = "all"


_STATUSES = {
    NoticeStatus.current: frozenset({"current"}),
    NoticeStatus.replaced: frozenset({"replaced"}),
    NoticeStatus.cancelled: frozenset({"cancelled", "cancellation"}),
    NoticeStatus.all: None,
}


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice version with where it stands in its series."""

    notice: Notice
    series: str
    status: str
    superseded_by: str | None


@dataclass(frozen=True, slots=True)
class NoticeFiling:
    """What filing, replacing or cancelling did, as the caller may see it."""

    notice: NoticeView
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class NoticeReads:
    """Who read a notice, and where each delivery of it stands (for its author)."""

    notice_id: str
    reads: list[tuple[str, Any]]
    """``(party, read_at)`` of every read, oldest first."""
    deliveries: list[Delivery]


# -- filing --------------------------------------------------------------------------------------


def _filed(tx: Tx, principal: Principal, notice: Notice) -> NoticeFiling:
    filed = file_as(tx, principal, notice)
    series = filed.recorded.assessment.series or notice.id
    status = "cancellation" if notice.action is NoticeAction.cancel else "current"
    view = NoticeView(notice, series, status, None)
    return NoticeFiling(view, outcome(tx, principal, filed))


def _new_id() -> str:
    return f"n-{secrets.token_hex(8)}"


def file_notice(
    tx: Tx,
    principal: Principal,
    *,
    kind: NoticeKind,
    volumes: Sequence[Volume],
    title: str = "",
) -> NoticeFiling:
    """File a new notice authored by the caller's party, at the server's time."""
    require(principal, Action.file_notice)
    return _filed(tx, principal, _draft(tx, principal, kind, title, volumes))


def _draft(
    tx: Tx,
    principal: Principal,
    kind: NoticeKind,
    title: str,
    volumes: Sequence[Volume],
    **chain: Any,
) -> Notice:
    """A new version authored by the caller's party, stamped with the server's time."""
    return Notice(
        id=_new_id(),
        author=principal.party,
        kind=kind,
        filed_at=tx.now,
        title=title,
        volumes=list(volumes),
        **chain,
    )


def _own(tx: Tx, principal: Principal, notice_id: str, verb: str) -> Notice:
    """The caller's own notice ``notice_id`` (the chain rule itself is the engine's)."""
    require(principal, Action.file_notice)
    earlier = tx.situation.notices.get(notice_id)
    if earlier is None or not may_see(principal.party, tx.situation.audience(earlier)):
        raise NotFound("notice", notice_id)
    if earlier.author != principal.party:
        raise Forbidden(
            f"notice '{notice_id}' is a notice of '{earlier.author}': only its author may {verb} it"
        )
    return earlier


def replace_notice(
    tx: Tx,
    principal: Principal,
    notice_id: str,
    *,
    volumes: Sequence[Volume],
    kind: NoticeKind | None = None,
    title: str = "",
) -> NoticeFiling:
    """File a new version of the caller's current notice ``notice_id``."""
    earlier = _own(tx, principal, notice_id, "replace")
    notice = Notice(
        id=_new_id(),
        author=principal.party,
        kind=kind or earlier.kind,
        action=NoticeAction.replace,
        replaces=notice_id,
        filed_at=tx.now,
        title=title,
        volumes=list(volumes),
    )
    return _filed(tx, principal, notice)


def cancel_notice(tx: Tx, principal: Principal, notice_id: str, *, title: str = "") -> NoticeFiling:
    """Cancel the caller's current notice ``notice_id``; its alerts close with the reason."""
    earlier = _own(tx, principal, notice_id, "cancel")
    notice = Notice(
        id=_new_id(),
        author=principal.party,
        kind=earlier.kind,
        action=NoticeAction.cancel,
        replaces=notice_id,
        filed_at=tx.now,
        title=title,
    )
    return _filed(tx, principal, notice)


@dataclass(frozen=True, slots=True)
class Preview:
    """What filing a notice would do now, recorded nowhere: the notice as the server would
    take it, its lead time from the server's time, its addressees, and the alerts it would
    raise or update that name the caller.  Informative only: nothing is ever refused for a
    conflict."""

    notice: NoticeView
    lead_time_s: float | None
    addressees: list[str]
    alerts: list[AlertView]


def preview_notice(
    tx: Tx,
    principal: Principal,
    *,
    kind: NoticeKind,
    volumes: Sequence[Volume],
    title: str = "",
    replaces: str | None = None,
) -> Preview:
    """Check a draft notice (or a draft replacement of ``replaces``) as filing would, at the
    server's time, without recording it: the situation's assessment changes nothing."""
    require(principal, Action.file_notice)
    chain: dict[str, Any] = {}
    if replaces is not None:
        earlier = _own(tx, principal, replaces, "replace")
        chain = {"action": NoticeAction.replace, "replaces": earlier.id}
    notice = _draft(tx, principal, kind, title, volumes, **chain)
    check_limits(notice, tx.limits)
    situation = tx.situation
    assessment = situation.assess(notice)

    def subject(ident: str) -> Any:
        return situation.sites.get(ident) or situation.observations.get(ident)

    start = notice.start
    return Preview(
        NoticeView(notice, assessment.series or notice.id, "current", None),
        None if start is None else (start - tx.now).total_seconds(),
        sorted(situation.roster.addressees(notice.author, notice.kind)),
        [
            AlertView(c.alert, alert_geometry(c.alert, subject))
            for c in assessment.changes
            if principal.party in c.alert.parties
        ],
    )


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeQuery:
    window: TimeRange = field(default_factory=TimeRange)
    bbox: BBox | None = None
    status: NoticeStatus = NoticeStatus.current
    author: str | None = None
    limit: int = 1000
    at: datetime | None = None
    """The notices as they stood then: versions filed by then, each with its status then."""


@dataclass(frozen=True, slots=True)
class _Found:
    view: NoticeView
    placed: Notice
    """The version whose volumes place it (a cancellation: the version it cancels)."""


def _find(reader: Reader, query: Any) -> list[_Found]:
    out = []
    for stored in item_store.load(reader.connection, reader.cache, NOTICE, query):
        notice: Notice = stored.item
        columns = stored.columns
        placed = notice
        if columns["placed_body"] is not None:
            placed = Notice.model_validate_json(columns["placed_body"])
        view = NoticeView(notice, columns["series"], columns["status"], columns["superseded_by"])
        out.append(_Found(view, placed))
    return out


def _select(reader: Reader) -> Any:
    return item_store.select_items(NOTICE, reader.party, STATUS, PLACED)


def all_versions(reader: Reader) -> list[NoticeView]:
    """Every version the caller may see, oldest filed first (not shown: the caller says what
    it puts in front of the reader)."""
    query = select_notices(_select(reader)).order_by(table.c.filed_at, table.c.id)
    return [f.view for f in _find(reader, query)]


def _as_of(reader: Reader, found: list[_Found], at: datetime) -> list[_Found]:
    """Each version as it stood at ``at``."""
    successors = history_store.filed_times(
        reader.connection, (f.view.superseded_by for f in found if f.view.superseded_by)
    )
    return [
        _Found(
            stood_at(f.view, successors.get(f.view.superseded_by or ""), at),
            f.placed,
        )
        for f in found
    ]


def _show(reader: Reader, views: Sequence[NoticeView]) -> None:
    for view in views:
        reader.show("notice", view.notice.id, view.notice.author)


def read_notice(reader: Reader, notice_id: str) -> NoticeView:
    """One notice the caller may see; NotFound, exactly as for a missing id, if not."""
    found = _find(reader, select_notices(_select(reader).where(table.c.id == notice_id)))
    if not found:
        raise NotFound("notice", notice_id)
    _show(reader, [found[0].view])
    return found[0].view


def notice_versions(reader: Reader, notice_id: str) -> list[NoticeView]:
    """Every version of the notice's series the caller may see, oldest first."""
    view = read_notice(reader, notice_id)
    query = select_notices(_select(reader).where(table.c.series == view.series))
    versions = [f.view for f in _find(reader, query.order_by(table.c.filed_at, table.c.id))]
    _show(reader, versions)
    return versions


def notice_reads(reader: Reader, notice_id: str) -> NoticeReads:
    """For the author only (anyone else: NotFound): who read the notice and when, and where
    each of its deliveries stands."""
    found = item_store.load_one(reader.connection, reader.cache, NOTICE, reader.party, notice_id)
    if found is None or (reader.party is not None and found.item.author != reader.party):
        raise NotFound("notice", notice_id)
    reads = [(r.party, r.read_at) for r in reads_of(reader.connection, "notice", [notice_id])]
    deliveries = delivery_store.deliveries_of_item(
        reader.connection, ItemType.notice.value, notice_id
    )
    return NoticeReads(notice_id, reads, deliveries)


def _in_box(notice: Notice, box: BBox) -> bool:
    """Whether any volume meets the box (its outline as rendered, to about a metre)."""
    area = box.polygon()
    for volume in notice.volumes:
        west, south, east, north = volume.outline.shape.bbox()
        if west > box.east or east < box.west or south > box.north or north < box.south:
            continue
        if intersects(to_shapely(outline_geometry(volume.outline)), area):
            return True
    return False


def list_notices(reader: Reader, query: NoticeQuery) -> list[NoticeView]:
    """The notices the caller may see that match ``query``, oldest first (each shown is
    recorded as read)."""
    base = _select(reader)
    if query.author is not None:
        base = base.where(table.c.author == query.author)
    statuses = _STATUSES[query.status]
    if query.at is not None:
        base = base.where(table.c.filed_at <= query.at)
    statement = select_notices(
        base,
        statuses=statuses if query.at is None else None,
        start=query.window.start,
        end=query.window.end,
    ).order_by(table.c.filed_at, table.c.id)
    window = query.window
    candidates = _find(reader, statement)
    if query.at is not None:
        candidates = [
            f
            for f in _as_of(reader, candidates, query.at)
            if statuses is None or f.view.status in statuses
        ]
    chosen = []
    for found in candidates:
        volumes = found.placed.volumes
        if (window.start is not None or window.end is not None) and not any(
            window.overlaps(v.window.start, v.window.end) for v in volumes
        ):
            continue
        if query.bbox is not None and not _in_box(found.placed, query.bbox):
            continue
        chosen.append(found.view)
        if len(chosen) >= query.limit:
            break
    _show(reader, chosen)
    return chosen
