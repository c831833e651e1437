"""Need to know: what one party may see of the record."""

from __future__ import annotations

from deconfliction.engine.alerts import Alert
from deconfliction.engine.model import Notice, Observation, ProtectedSite, ZoneAgreement
from deconfliction.engine.situation import Situation

__all__ = ["Visibility"]


class Visibility:
    """Answers "may this party see that?" against a situation.

    A notice: its author and addressees.  A protected site: its owner and every party bound by
    an agreement with the owner.  A zone agreement: its signatories and monitors.  An
    observation: its reporter and the signatories and monitors of every zone agreement.  An
    alert: the parties it names.  ``party=None`` sees everything (the operator's own view).
    """

    def __init__(self, situation: Situation, party: str | None) -> None:
        self.situation = situation
        self.party = party

    def notice(self, notice: Notice) -> bool:
        return self.party is None or self.party in self.situation.roster.notice_audience(notice)

    def site(self, site: ProtectedSite) -> bool:
        return self.party is None or self.party in self.situation.roster.site_audience(site)

    def zone(self, zone: ZoneAgreement) -> bool:
        return self.party is None or self.party in set(zone.signatories) | set(zone.monitors)

    def observation(self, obs: Observation) -> bool:
        if self.party is None or obs.reported_by == self.party:
            return True
        return any(self.zone(cz.zone) for cz in self.situation.zones.values())

    def alert(self, alert: Alert) -> bool:
        return self.party is None or self.party in alert.parties
