"""The kinds of item the record holds, each described once.

Every item recorded is a party, an agreement, a line, a zone agreement, a red line, a
protected site, a notice or an observation.  What each kind *is* for the rest of the product -- its short name,
its model, the event that records it, the field naming the party that files it -- is written
here once; the store, the service and the interfaces look it up instead of asking
``isinstance`` each in their own words.

Examples
--------
>>> kind_named("notice").event
'notice.filed'
>>> kind_of(Party(id="idf", name="IDF", kind="armed_force")).section
'parties'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from deconfliction.engine.model import (
    Agreement,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.model.red_lines import RedLine

__all__ = ["KINDS", "Item", "ItemKind", "commitment", "kind_named", "kind_of", "owner_of"]

Item = Party | Agreement | Line | ZoneAgreement | RedLine | ProtectedSite | Notice | Observation
"""Anything the record holds as an item (alerts, deliveries and messages are derived records)."""


@dataclass(frozen=True, slots=True)
class ItemKind:
    """One kind of item.

    ``name`` is the short name used in payloads and paths (``notice``); ``section`` the list
    that holds such items in a scenario file; ``event`` the type of the log entry recording
    one; ``owner_field`` the field naming the party that files it (None for configuration,
    which admins record); ``time_field`` the item's own time, which orders items of a scenario
    (None for configuration, which comes first).
    """

    name: str
    model: type[Item]
    section: str
    event: str
    owner_field: str | None = None
    time_field: str | None = None
    private: tuple[str, ...] = ()
    """Fields only the item's own party may read: they are kept apart from the log, which
    holds a commitment to each (see :func:`commitment`)."""

    @property
    def configuration(self) -> bool:
        """Whether it configures the mechanism (parties, agreements, lines, zones) rather
        than reporting activity."""
        return self.owner_field is None

    def owner(self, item: Item) -> str | None:
        """The party that filed ``item`` (None for configuration)."""
        return None if self.owner_field is None else str(getattr(item, self.owner_field))


KINDS: Final = (
    ItemKind("party", Party, "parties", "party.recorded", private=("duty_contacts",)),
    ItemKind("agreement", Agreement, "agreements", "agreement.recorded"),
    ItemKind("line", Line, "lines", "line.recorded"),
    ItemKind("zone", ZoneAgreement, "zones", "zone.recorded"),
    ItemKind("red_line", RedLine, "red_lines", "red_line.declared", "declared_by", "declared_at"),
    ItemKind("site", ProtectedSite, "sites", "site.recorded", "owner", "valid_from"),
    ItemKind("notice", Notice, "notices", "notice.filed", "author", "filed_at"),
    ItemKind(
        "observation",
        Observation,
        "observations",
        "observation.filed",
        "reported_by",
        "observed_at",
    ),
)
"""Every kind, in the order a scenario is loaded: configuration first."""

_BY_MODEL: Final = {k.model: k for k in KINDS}
_BY_NAME: Final = {k.name: k for k in KINDS}


def kind_of(item: Item | type[Item]) -> ItemKind:
    """The kind of an item (or of an item class)."""
    return _BY_MODEL[item if isinstance(item, type) else type(item)]


def kind_named(name: str) -> ItemKind:
    """The kind called ``name``; KeyError for an unknown name."""
    return _BY_NAME[name]


def owner_of(item: Item) -> str | None:
    """The party that filed ``item`` (None for configuration)."""
    return kind_of(item).owner(item)


def commitment(field: str, value: str, nonce: str) -> str:
    """The commitment the log holds to a private value: SHA-256 of the field's name, a random
    ``nonce`` and the value's canonical JSON, so that the log proves what was set, and when,
    without showing it (the nonce keeps a short value from being guessed by trying them all).

    >>> commitment("duty_contacts", "[]", "00")[:16]
    'b363683de39e7f97'
    """
    return hashlib.sha256(f"{field}\x1f{nonce}\x1f{value}".encode()).hexdigest()
