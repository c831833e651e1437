"""Agreements between parties: who notifies whom, how early, with which margins."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from deconfliction.engine.model.common import DomainModel, Identifier, at_least, located
from deconfliction.engine.model.notices import NoticeKind
from deconfliction.engine.units import Duration, Length

__all__ = ["Acknowledgement", "Agreement", "Margins", "NotificationDuty", "TrackTerms"]


class NotificationDuty(DomainModel):
    """``from_party`` notifies ``to`` of its notices of ``kinds`` (every kind when empty)."""

    from_party: Identifier = Field(alias="from")
    to: list[Identifier] = Field(min_length=1)
    kinds: list[NoticeKind] = Field(default_factory=list)

    def covers(self, kind: NoticeKind) -> bool:
        return not self.kinds or kind in self.kinds


class Margins(DomainModel):
    """Margins kept around every volume.  Two volumes conflict when they come closer than the
    lateral margin, the vertical margin and the time margin, all at once."""

    lateral: Length = Field(default=Length.parse("3 NM"))
    vertical: Length = Field(default=Length.parse("500 ft"))
    time: Duration = Field(
        default=Duration(0.0),
        description="Volumes closer in time than this count as simultaneous.",
    )


_AT_LEAST_A_SECOND = at_least(
    "1 s", "the server looks for items due for escalation once a second at most"
)


class Acknowledgement(DomainModel):
    """How quickly an addressee must acknowledge receipt, and how escalation proceeds."""

    deadline: Annotated[Duration, _AT_LEAST_A_SECOND] = Field(
        default=Duration(600.0), description="Time to acknowledge before escalation starts."
    )
    step: Annotated[Duration, _AT_LEAST_A_SECOND] | None = Field(
        default=None,
        description="Time between escalation steps; the deadline again when unset.",
    )


class TrackTerms(DomainModel):
    """What an agreement says about live tracks: the minima of conflict prediction between
    its parties' aircraft, whether aircraft nobody declared are predicted against theirs, and
    who may see those unattributed aircraft.  Part of the agreement: they change only with
    the consent of every party it binds."""

    horizontal: Length = Field(default=Length.parse("5 NM"))
    vertical: Length = Field(default=Length.parse("1000 ft"))
    lookahead: Annotated[
        Duration, at_least("10 s", "a conflict predicted sooner leaves no time to act")
    ] = Field(default=Duration(300.0))
    include_unattributed: bool = Field(
        default=False,
        description="Predict conflicts between the parties' aircraft and unattributed ones.",
    )
    unattributed_visible_to: list[Identifier] = Field(
        default_factory=list,
        description="Parties and monitors that may see aircraft nobody declared.",
    )


class Agreement(DomainModel):
    """A bilateral or multilateral notification agreement.

    Without ``notifications``, every party notifies every other of every kind of notice.
    ``lead_times`` gives, per notice kind, how long before the start of a volume its notice
    must be filed.  ``monitors`` are the parties to whom unanswered items escalate last.
    """

    id: Identifier
    name: str = Field(min_length=1)
    parties: list[Identifier] = Field(min_length=2)
    notifications: list[NotificationDuty] | None = None
    lead_times: dict[NoticeKind, Duration] = Field(default_factory=dict)
    margins: Margins = Field(default_factory=Margins)
    acknowledgement: Acknowledgement = Field(default_factory=Acknowledgement)
    monitors: list[Identifier] = Field(default_factory=list)
    tracks: TrackTerms = Field(default_factory=TrackTerms)
    source: str = ""
    ended: bool = Field(
        default=False,
        description="Ended (a party left it with fewer than two parties): it binds no one now.",
    )

    @model_validator(mode="after")
    def _duties_within_parties(self) -> Self:
        for j, party in enumerate(self.parties):
            if party in self.parties[:j]:
                raise located(("parties", j), f"'{party}' is listed twice", party)
        members = set(self.parties)
        for i, duty in enumerate(self.notifications or []):
            if duty.from_party not in members:
                raise located(
                    ("notifications", i, "from"),
                    f"'{duty.from_party}' notifies but is not one of the parties",
                    duty.from_party,
                )
            for j, target in enumerate(duty.to):
                if target not in members:
                    raise located(
                        ("notifications", i, "to", j),
                        f"'{target}' is notified but is not one of the parties",
                        target,
                    )
                if target == duty.from_party:
                    raise located(
                        ("notifications", i, "to", j), f"'{target}' cannot notify itself", target
                    )
        return self

    def addressees(self, author: str, kind: NoticeKind) -> set[str]:
        """The parties that ``author`` must notify of a notice of ``kind`` under this
        agreement."""
        if author not in self.parties:
            return set()
        if self.notifications is None:
            return {p for p in self.parties if p != author}
        return {
            target
            for duty in self.notifications
            if duty.from_party == author and duty.covers(kind)
            for target in duty.to
        }

    def lead_time(self, kind: NoticeKind) -> Duration | None:
        return self.lead_times.get(kind)

    def binds(self, a: str, b: str) -> bool:
        return a in self.parties and b in self.parties
