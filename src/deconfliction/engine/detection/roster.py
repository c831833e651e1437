"""Who is who: parties, agreements, zone agreements, and what each party may see.

Need to know is decided here, once, for everything (:meth:`Roster.audience`): the detectors ask
it who may be told of a finding, the service asks it who may read an item and its ledger entry.

* parties and lines: every party on the line (:data:`EVERYONE`);
* an agreement: its parties and monitors; a zone agreement: its signatories and monitors;
* a protected site: its owner and every party bound by an agreement with the owner;
* a notice: its author and the addressees it was sent to (fixed when it is recorded);
* an observation: its reporter and the signatories and monitors of the zone agreements (those
  who may be told that it breaks a zone rule);
* a red line: its declarer and the audience it chose.

A finding is sent only to parties that may see every one of its subjects.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

from deconfliction.engine.items import Item, kind_of
from deconfliction.engine.journal import Journal, or_no_journal
from deconfliction.engine.model import (
    Agreement,
    Margins,
    Notice,
    NoticeKind,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.model.red_lines import RedLine
from deconfliction.engine.units import Duration, Length

__all__ = ["EVERYONE", "PairTerms", "Roster", "may_see"]

T = TypeVar("T")

EVERYONE: Final = "*"
"""In an audience: every party, including those that join later (not a party identifier:
identifiers cannot contain it)."""


def may_see(party: str | None, audience: Iterable[str]) -> bool:
    """Whether ``party`` is in ``audience`` (``None``, whoever runs the server, sees all)."""
    if party is None:
        return True
    members = audience if isinstance(audience, frozenset | set) else set(audience)
    return party in members or EVERYONE in members


@dataclass(frozen=True, slots=True)
class PairTerms:
    """The most protective terms among the agreements binding two parties."""

    agreements: tuple[str, ...]
    lateral_m: float
    vertical_m: float
    time_s: float
    lateral: Length
    vertical: Length
    time: Duration


class Roster:
    """Parties and agreements, with the questions detection asks of them.

    Change it through :meth:`with_party` and :meth:`with_agreement`: the answers to
    :meth:`terms` and :meth:`addressees`, asked for every candidate of every check, are
    remembered until then.
    """

    def __init__(
        self,
        parties: Iterable[Party] = (),
        agreements: Iterable[Agreement] = (),
        zones: Iterable[ZoneAgreement] = (),
    ):
        self.parties: dict[str, Party] = {p.id: p for p in parties}
        self.agreements: dict[str, Agreement] = {a.id: a for a in agreements}
        self.zones: dict[str, ZoneAgreement] = {z.id: z for z in zones}
        self._affiliation_owner: dict[str, str] = {}
        self._audiences: dict[str, frozenset[str]] = {}
        self._shared_audiences: dict[frozenset[str], frozenset[str]] = {}
        self._terms: dict[tuple[str, str], PairTerms | None] = {}
        self._addressees: dict[tuple[str, NoticeKind], frozenset[str]] = {}
        self._remembered: dict[Hashable, Any] = {}
        self._reindex()

    def _reindex(self) -> None:
        self._affiliation_owner = {
            name.casefold(): p.id for p in self.parties.values() for name in p.affiliations
        }
        self._terms.clear()
        self._addressees.clear()
        self._remembered.clear()

    def with_party(self, party: Party, journal: Journal | None = None) -> None:
        journal = or_no_journal(journal)
        journal.set(self.parties, party.id, party)
        self._reindexed(journal)

    def with_agreement(self, agreement: Agreement, journal: Journal | None = None) -> None:
        """An agreement, or its new version (an ended one binds no one: it leaves the roster)."""
        journal = or_no_journal(journal)
        if agreement.ended:
            journal.pop(self.agreements, agreement.id)
        else:
            journal.set(self.agreements, agreement.id, agreement)
        self._reindexed(journal)

    def with_zone(self, zone: ZoneAgreement, journal: Journal | None = None) -> None:
        """A zone agreement, or its new version (an ended one leaves the roster)."""
        journal = or_no_journal(journal)
        if zone.ended:
            journal.pop(self.zones, zone.id)
        else:
            journal.set(self.zones, zone.id, zone)
        self._reindexed(journal)

    def _reindexed(self, journal: Journal) -> None:
        """Forget what was derived from the old roster, now and when the change is undone."""
        journal.on_undo(self._reindex)
        self._reindex()

    def name(self, party_id: str) -> str:
        party = self.parties.get(party_id)
        return party.name if party else party_id

    def party_of_affiliation(self, affiliation: str) -> str | None:
        return self._affiliation_owner.get(affiliation.casefold())

    def addressees(self, author: str, kind: NoticeKind) -> set[str]:
        """Every party ``author`` must notify of a notice of ``kind``."""
        known = self._addressees.get((author, kind))
        if known is None:
            out: set[str] = set()
            for agreement in self.agreements.values():
                out |= agreement.addressees(author, kind)
            out.discard(author)
            known = self._addressees[(author, kind)] = frozenset(out)
        return set(known)

    def remembered(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, remembered under ``key`` until the roster changes: for answers derived
        from the parties and agreements alone that are asked again and again (who a notice
        of a kind goes to, under which terms: asked for every notice filed).  The caller
        must not change the answer."""
        try:
            return cast(T, self._remembered[key])
        except KeyError:
            found = self._remembered[key] = make()
            return found

    def notice_audience(self, notice: Notice) -> set[str]:
        """Parties that may see ``notice``: its author and the addressees it was sent to.

        Once a notice is recorded its audience is fixed (:meth:`remember_audience`): amending
        an agreement later neither shows an old notice to a party it was never sent to, nor
        hides it from one that received it.
        """
        fixed = self._audiences.get(notice.id)
        if fixed is not None:
            return set(fixed)
        return {notice.author} | self.addressees(notice.author, notice.kind)

    def remember_audience(self, notice: Notice, journal: Journal | None = None) -> None:
        """Fix ``notice``'s audience as the agreements give it now (at its recording)."""
        audience = frozenset(self.notice_audience(notice))
        # One set per distinct audience, shared by every notice with it (a few hundred bytes
        # a notice otherwise, with a million notices on record).
        audience = self._shared_audiences.setdefault(audience, audience)
        or_no_journal(journal).set(self._audiences, notice.id, audience)

    def observation_audience(self, observation: Observation) -> set[str]:
        """Its reporter and the signatories and monitors of every zone agreement."""
        out = {observation.reported_by}
        for zone in self.zones.values():
            out |= self.zone_audience(zone)
        return out

    def audience(self, item: Item) -> frozenset[str]:
        """The one rule: the parties that may read ``item`` and its ledger entry, as the
        record stands now (see the module notes)."""
        return frozenset(_AUDIENCE_RULES[kind_of(item).name](self, item))

    def site_audience(self, site: ProtectedSite) -> set[str]:
        out = {site.owner}
        for agreement in self.agreements.values():
            if site.owner in agreement.parties:
                out |= set(agreement.parties)
        return out

    def red_line_audience(self, red_line: RedLine) -> set[str]:
        """Its declarer and the audience it chose (an agreement's parties as they stand)."""
        chosen = red_line.audience
        out = {red_line.declared_by, *chosen.parties}
        agreement = self.agreements.get(chosen.agreement or "")
        if agreement is not None:
            out |= set(agreement.parties)
        return out

    @staticmethod
    def zone_audience(zone: ZoneAgreement) -> set[str]:
        return set(zone.signatories) | set(zone.monitors)

    def terms(self, a: str, b: str) -> PairTerms | None:
        """The most protective margins of the agreements that bind ``a`` and ``b``."""
        if (a, b) in self._terms:
            return self._terms[(a, b)]
        found = self._terms[(a, b)] = self._binding_terms(a, b)
        return found

    def _binding_terms(self, a: str, b: str) -> PairTerms | None:
        binding = sorted(
            (ag for ag in self.agreements.values() if ag.binds(a, b)), key=lambda ag: ag.id
        )
        if not binding:
            return None
        # The widest margins, compared as written (exactly, once per pair of parties).
        lateral = max((ag.margins.lateral for ag in binding), key=lambda x: x.exact_metres)
        vertical = max((ag.margins.vertical for ag in binding), key=lambda x: x.exact_metres)
        time = max((ag.margins.time for ag in binding), key=lambda x: x.exact_seconds)
        return PairTerms(
            agreements=tuple(ag.id for ag in binding),
            lateral_m=lateral.metres,
            vertical_m=vertical.metres,
            time_s=time.seconds,
            lateral=lateral,
            vertical=vertical,
            time=time,
        )

    def widest_lateral_margin(self) -> float:
        """The largest lateral margin of any agreement (for index queries; remembered: every
        check asks it)."""
        return self.remembered(
            ("widest-lateral",),
            lambda: max(
                (ag.margins.lateral.metres for ag in self.agreements.values()),
                default=Margins().lateral.metres,
            ),
        )

    def widest_time_margin(self) -> float:
        return self.remembered(
            ("widest-time",),
            lambda: max((ag.margins.time.seconds for ag in self.agreements.values()), default=0.0),
        )

    def required_lead(
        self, author: str, kind: NoticeKind
    ) -> tuple[tuple[Agreement, Duration], ...]:
        """Agreements under which ``author`` notifies someone of ``kind`` with a lead time
        (remembered: every check asks it)."""
        return self.remembered(("required-lead", author, kind), lambda: self._leads(author, kind))

    def _leads(self, author: str, kind: NoticeKind) -> tuple[tuple[Agreement, Duration], ...]:
        out = []
        for agreement in sorted(self.agreements.values(), key=lambda ag: ag.id):
            lead = agreement.lead_time(kind)
            if lead is not None and agreement.addressees(author, kind):
                out.append((agreement, lead))
        return tuple(out)


def _everyone(roster: Roster, item: Item) -> set[str]:
    return {EVERYONE}


def _members(roster: Roster, item: Item) -> set[str]:
    assert isinstance(item, Agreement)
    return set(item.parties) | set(item.monitors)


_AUDIENCE_RULES: Final[dict[str, Callable[[Roster, Any], set[str]]]] = {
    "party": _everyone,
    "line": _everyone,
    "agreement": _members,
    "zone": lambda roster, zone: roster.zone_audience(zone),
    "site": Roster.site_audience,
    "notice": Roster.notice_audience,
    "observation": Roster.observation_audience,
    "red_line": Roster.red_line_audience,
}
"""Who may see each kind of item (see the module notes)."""
