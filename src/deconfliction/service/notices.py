"""Notices over the wire: file, replace, cancel, list and read them.

The server names every notice (``n-`` and random hex) and stamps ``filed_at`` with its own
clock inside the write transaction: lead time is measured from the server's receipt, not from
a time the client claims.  A notice is accepted and recorded, never approved or denied; what it
conflicts with is told to the parties concerned as alerts.

A party sees its own notices and those addressed to it; any other answers as if it did not
exist.  Every read of another party's notice is recorded, and the author can list them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from shapely import intersects
from shapely.geometry import shape as to_shapely

from deconfliction.engine.errors import ConflictingRecord, Forbidden, InvalidInput, NotFound
from deconfliction.engine.hotline import Delivery, ItemType
from deconfliction.engine.model import Notice, NoticeAction, NoticeKind
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.service.alerts import AlertView, Outcome, outcome, view_alert
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.filters import BBox, TimeRange
from deconfliction.service.geojson import outline_geometry
from deconfliction.service.hotline import mark_item_read
from deconfliction.service.instants import status_at, successor_at
from deconfliction.service.permissions import Action, require
from deconfliction.service.visibility import Visibility
from deconfliction.store import hotline as hotline_store

__all__ = [
    "Filing",
    "NoticeQuery",
    "NoticeReads",
    "NoticeStatus",
    "NoticeView",
    "Preview",
    "cancel_notice",
    "file_notice",
    "list_notices",
    "notice_reads",
    "notice_versions",
    "preview_notice",
    "read_notice",
    "replace_notice",
    "view_notice",
]

T = TypeVar("T")


class Run(Protocol):
    """Runs a command on the writer and waits for its commit (``Writer.execute``)."""

    def __call__(self, command: Callable[[Tx], T], /) -> T: ...


class NoticeStatus(StrEnum):
    """Which versions a list shows."""

    current = "current"
    replaced = "replaced"
    cancelled = "cancelled"
    all = "all"


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice version with where it stands in its series."""

    notice: Notice
    series: str
    status: str
    superseded_by: str | None


@dataclass(frozen=True, slots=True)
class Filing:
    """What filing, replacing or cancelling did, as the caller may see it."""

    notice: NoticeView
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class NoticeReads:
    """Who read a notice, and where each delivery of it stands (for its author)."""

    notice_id: str
    reads: list[dict[str, object]]
    deliveries: list[Delivery]


def view_notice(tx: Tx, notice: Notice, at: datetime | None = None) -> NoticeView:
    """The version as it stands now, or as it stood at ``at``."""
    situation = tx.situation
    successor = successor_at(situation, notice, at)
    return NoticeView(
        notice,
        situation.series_of(notice.id),
        status_at(situation, notice, at),
        successor.id if successor is not None else None,
    )


def _visible(tx: Tx, principal: Principal, notice_id: str) -> Notice:
    """The notice if the caller may see it; NotFound, exactly as for a missing id, if not."""
    notice = tx.situation.notices.get(notice_id)
    if notice is None or not Visibility(tx.situation, principal.party).notice(notice):
        raise NotFound("notice", notice_id)
    return notice


def _build(tx: Tx, data: dict[str, Any]) -> Notice:
    """Validate a notice with the server's limits; problems are located in the request."""
    try:
        return Notice.model_validate(data, context={"limits": tx.coordinator.limits})
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None


def _filed(tx: Tx, principal: Principal, notice: Notice) -> Filing:
    filed = file_as(tx, principal, notice)
    return Filing(view_notice(tx, notice), outcome(tx, principal, filed))


def _new_id() -> str:
    return f"n-{secrets.token_hex(8)}"


def _new_notice(
    tx: Tx, principal: Principal, kind: NoticeKind, title: str, volumes: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A new notice's fields: named by the server, by the caller's party, at the server's time."""
    return {
        "id": _new_id(),
        "author": principal.party,
        "kind": kind,
        "filed_at": tx.now,
        "title": title,
        "volumes": list(volumes),
    }


def file_notice(
    tx: Tx,
    principal: Principal,
    *,
    kind: NoticeKind,
    volumes: Sequence[Mapping[str, Any]],
    title: str = "",
) -> Filing:
    """File a new notice authored by the caller's party, at the server's time."""
    require(principal, Action.file_notice)
    notice = _build(tx, _new_notice(tx, principal, kind, title, volumes))
    return _filed(tx, principal, notice)


def _supersedable(tx: Tx, principal: Principal, notice_id: str, verb: str) -> Notice:
    """The caller's own current notice ``notice_id``, or why it cannot be superseded."""
    require(principal, Action.file_notice)
    earlier = _visible(tx, principal, notice_id)
    if earlier.author != principal.party:
        raise Forbidden(
            f"notice '{notice_id}' is a notice of '{earlier.author}': only its author may {verb} it"
        )
    if earlier.action is NoticeAction.cancel:
        raise ConflictingRecord(f"notice '{notice_id}' is a cancellation: nothing to {verb}")
    successor = tx.situation.superseded_by.get(notice_id)
    if successor is not None:
        raise ConflictingRecord(
            f"notice '{notice_id}' was already replaced or cancelled by '{successor}': "
            f"{verb} the current version instead"
        )
    if tx.now <= earlier.filed_at:
        raise ConflictingRecord(
            f"notice '{notice_id}' was filed at {earlier.filed_at.isoformat()}, not before the "
            "server's time now: retry"
        )
    return earlier


def replace_notice(
    tx: Tx,
    principal: Principal,
    notice_id: str,
    *,
    volumes: Sequence[Mapping[str, Any]],
    kind: NoticeKind | None = None,
    title: str = "",
) -> Filing:
    """File a new version of the caller's current notice ``notice_id``."""
    earlier = _supersedable(tx, principal, notice_id, "replace")
    notice = _build(
        tx,
        {
            "id": _new_id(),
            "author": principal.party,
            "kind": kind or earlier.kind,
            "action": NoticeAction.replace.value,
            "replaces": notice_id,
            "filed_at": tx.now,
            "title": title,
            "volumes": list(volumes),
        },
    )
    return _filed(tx, principal, notice)


def cancel_notice(tx: Tx, principal: Principal, notice_id: str, *, title: str = "") -> Filing:
    """Cancel the caller's current notice ``notice_id``; its alerts close with the reason."""
    earlier = _supersedable(tx, principal, notice_id, "cancel")
    notice = _build(
        tx,
        {
            "id": _new_id(),
            "author": principal.party,
            "kind": earlier.kind,
            "action": NoticeAction.cancel.value,
            "replaces": notice_id,
            "filed_at": tx.now,
            "title": title,
        },
    )
    return _filed(tx, principal, notice)


@dataclass(frozen=True, slots=True)
class Preview:
    """What filing a notice would do now, recorded nowhere: the notice as the server would
    take it (its outlines rendered), its lead time from the server's time, its addressees,
    and the alerts it would raise or update that the caller may see.  Informative only:
    nothing is ever refused for a conflict."""

    notice: NoticeView
    lead_time_s: float | None
    addressees: list[str]
    alerts: list[AlertView]


def preview_notice(
    tx: Tx,
    principal: Principal,
    *,
    kind: NoticeKind,
    volumes: Sequence[Mapping[str, Any]],
    title: str = "",
    replaces: str | None = None,
) -> Preview:
    """Check a draft notice (or a draft replacement of ``replaces``) without recording it."""
    data = _new_notice(tx, principal, kind, title, volumes)
    if replaces is not None:
        earlier = _supersedable(tx, principal, replaces, "replace")
        data |= {"action": NoticeAction.replace.value, "replaces": earlier.id}
    else:
        require(principal, Action.file_notice)
    notice = _build(tx, data)
    assessment = tx.situation.assess(notice)
    see = Visibility(tx.situation, principal.party)
    start = notice.start
    return Preview(
        NoticeView(notice, assessment.series or notice.id, "current", None),
        None if start is None else (start - tx.now).total_seconds(),
        sorted(tx.situation.roster.addressees(notice.author, notice.kind)),
        [view_alert(tx, c.alert) for c in assessment.changes if see.alert(c.alert)],
    )


def read_notice(tx: Tx, principal: Principal, notice_id: str) -> NoticeView:
    """One notice the caller may see; the read is recorded."""
    notice = _visible(tx, principal, notice_id)
    mark_item_read(tx, principal, "notice", notice.id, notice.author)
    return view_notice(tx, notice)


def notice_versions(tx: Tx, principal: Principal, notice_id: str) -> list[NoticeView]:
    """Every version of the notice's series the caller may see, oldest first (reads
    recorded)."""
    notice = _visible(tx, principal, notice_id)
    series = tx.situation.series_of(notice.id)
    see = Visibility(tx.situation, principal.party)
    versions = sorted(
        (
            n
            for n in tx.situation.notices.values()
            if tx.situation.series_of(n.id) == series and see.notice(n)
        ),
        key=lambda n: (n.filed_at, n.id),
    )
    for n in versions:
        mark_item_read(tx, principal, "notice", n.id, n.author)
    return [view_notice(tx, n) for n in versions]


def notice_reads(tx: Tx, principal: Principal, notice_id: str) -> NoticeReads:
    """For the author only (anyone else: NotFound): who read the notice and when, and where
    each of its deliveries stands."""
    notice = tx.situation.notices.get(notice_id)
    if notice is None or notice.author != principal.party:
        raise NotFound("notice", notice_id)
    reads = [
        {"party": r["party"], "read_at": r["read_at"]}
        for r in hotline_store.reads_of(tx.connection, "notice", [notice_id])
    ]
    deliveries = hotline_store.deliveries_of_item(tx.connection, ItemType.notice.value, notice_id)
    return NoticeReads(notice_id, reads, deliveries)


# -- lists -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeQuery:
    window: TimeRange = field(default_factory=TimeRange)
    bbox: BBox | None = None
    status: NoticeStatus = NoticeStatus.current
    author: str | None = None
    limit: int = 1000
    at: datetime | None = None
    """As the record stood then: versions filed by then, each with its status then."""


def _status_matches(status: str, wanted: NoticeStatus) -> bool:
    if wanted is NoticeStatus.all:
        return True
    if wanted is NoticeStatus.cancelled:
        return status in ("cancelled", "cancellation")
    return status == wanted.value


def _candidates(
    tx: Tx, principal: Principal, query: NoticeQuery
) -> list[tuple[NoticeView, Notice]]:
    """Visible notices passing every filter but the area, with the notice whose volumes place
    each one (a cancellation is placed where the notice it cancels was)."""
    situation = tx.situation
    see = Visibility(situation, principal.party)
    out = []
    for notice in situation.notices.values():
        if query.author is not None and notice.author != query.author:
            continue
        if not see.notice(notice):
            continue
        if query.at is not None and notice.filed_at > query.at:
            continue
        view = view_notice(tx, notice, query.at)
        if not _status_matches(view.status, query.status):
            continue
        placed = notice
        if notice.action is NoticeAction.cancel and notice.replaces is not None:
            placed = situation.notices.get(notice.replaces, notice)
        window = query.window
        if (window.start is not None or window.end is not None) and not any(
            window.overlaps(v.window.start, v.window.end) for v in placed.volumes
        ):
            continue
        out.append((view, placed))
    out.sort(key=lambda pair: (pair[0].notice.filed_at, pair[0].notice.id))
    return out


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


def list_notices(run: Run, principal: Principal, query: NoticeQuery) -> list[NoticeView]:
    """The notices the caller may see that match ``query``, oldest first; each read of
    another party's notice is recorded.

    ``run`` runs a command on the writer.  The area test renders outlines, so it runs outside
    the writer, between choosing the candidates and recording the reads.
    """
    candidates: list[tuple[NoticeView, Notice]] = run(lambda tx: _candidates(tx, principal, query))
    chosen = [
        view for view, placed in candidates if query.bbox is None or _in_box(placed, query.bbox)
    ]
    chosen = chosen[: query.limit]

    def record(tx: Tx) -> None:
        for view in chosen:
            mark_item_read(tx, principal, "notice", view.notice.id, view.notice.author)

    if chosen:
        run(record)
    return chosen
