"""The one adapter between the interoperability formats (NOTAM, DSS) and the core.

Everything these formats record goes through here: a notice version filed for a configured
party by the existing filing use case (so audience, deliveries and alerts are exactly those of
a notice a duty officer types), and a ledger entry of their own.  Nothing else of the NOTAM or
DSS modules reaches into the coordinator, the situation or the filing code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.items import kind_named
from deconfliction.engine.model import Notice, NoticeAction, NoticeKind, Volume
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import Filed, file_as
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store

__all__ = [
    "FiledVersion",
    "append_entry",
    "current_version",
    "file_version",
    "has_party",
    "lateral_margin_of",
    "notice_of",
    "own_audience",
]

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class FiledVersion:
    """A notice version filed for a party, and what filing it did."""

    notice: Notice
    filed: Filed
    audience: tuple[str, ...]


def has_party(tx: Tx, party: str) -> bool:
    return party in tx.situation.roster.parties


def notice_of(tx: Tx, notice_id: str) -> Notice | None:
    return tx.situation.notices.get(notice_id)


def current_version(tx: Tx, notice_id: str) -> str | None:
    """The current version of ``notice_id``'s series (None once it is cancelled)."""
    book = tx.situation.notices
    return book.current.get(book.series_of(notice_id))


def own_audience(tx: Tx, notice: Notice) -> tuple[str, ...]:
    """The parties that may see ``notice`` (its author and addressees, fixed when filed)."""
    return tuple(sorted(tx.situation.audience(notice)))


def lateral_margin_of(reader: Reader, party: str) -> float:
    """The widest lateral margin, in metres, of the agreements ``party`` is bound by (as the
    record holds them, whoever reads)."""
    kind = kind_named("agreement")
    found = item_store.load(
        reader.connection, reader.cache, kind, item_store.select_items(kind, None)
    )
    return max(
        (s.item.margins.lateral.metres for s in found if party in s.item.parties),
        default=0.0,
    )


def file_version(
    tx: Tx,
    party: str,
    *,
    notice_id: str,
    kind: NoticeKind,
    title: str,
    volumes: Sequence[Volume] = (),
    supersedes: str | None = None,
    cancel: bool = False,
) -> FiledVersion:
    """File a notice version for ``party``: new, a replacement of ``supersedes`` or (with
    ``cancel``) its cancellation, through the filing use case.

    ``filed_at`` is the server's time, or one microsecond after the version superseded when
    that was filed in this same transaction, so that a chain filed in one batch stays ordered.
    """
    earlier = tx.situation.notices.get(supersedes) if supersedes is not None else None
    filed_at = tx.now
    if earlier is not None and earlier.filed_at >= filed_at:
        filed_at = earlier.filed_at + _TICK
    action = (
        NoticeAction.new
        if supersedes is None
        else NoticeAction.cancel
        if cancel
        else NoticeAction.replace
    )
    data: dict[str, Any] = {
        "id": notice_id,
        "author": party,
        "kind": kind,
        "action": action.value,
        "replaces": supersedes,
        "filed_at": filed_at,
        "title": title,
        "volumes": [] if cancel else list(volumes),
    }
    try:
        notice = Notice.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    filed = file_as(tx, Principal(party, Role.duty_officer), notice)
    return FiledVersion(notice, filed, own_audience(tx, notice))


def append_entry(
    tx: Tx, type: str, subject: str, payload: dict[str, Any], audience: Sequence[str]
) -> int:
    """Append one ledger entry (and log event); returns its sequence number."""
    return tx.append(type, subject, payload, audience)
