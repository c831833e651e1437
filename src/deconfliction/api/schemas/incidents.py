"""Incidents, accounts, evidence: what is reported after the fact, and every side's account.
Nothing here decides who is right: an incident is a report, an account a party's statement."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import Geometry, Input, Output, Receipted
from deconfliction.api.schemas.ledger import TreeHeadPublic
from deconfliction.engine.incidents.linking import Link
from deconfliction.engine.incidents.questions import Answers
from deconfliction.engine.model.incidents import (
    Account,
    AccountStatement,
    EvidenceRef,
    Incident,
    IncidentReport,
)
from deconfliction.engine.model.sites import PointLocation
from deconfliction.service.geojson import outline_geometry, point
from deconfliction.service.incident_view import IncidentView
from deconfliction.service.incidents import IncidentRecorded

__all__ = [
    "AccountAnswer",
    "AccountCreate",
    "EvidenceAnswer",
    "EvidenceUpload",
    "IncidentAnswer",
    "IncidentCreate",
    "IncidentList",
    "IncidentPublic",
    "IncidentQuestions",
]


class IncidentCreate(IncidentReport):
    """An incident reported by the caller's party (the server names it, stamps the time and
    the reporter).  Cite attachments by the reference ``POST /v1/evidence`` answered."""


class IncidentPublic(Incident):
    """An incident version exactly as recorded, and its place as GeoJSON."""

    geometry: Geometry

    @classmethod
    def of(cls, incident: Incident) -> IncidentPublic:
        place = incident.place
        shape = (
            point(place.position) if isinstance(place, PointLocation) else outline_geometry(place)
        )
        return cls.model_construct(**dict(incident), geometry=shape)


class IncidentAnswer(Receipted):
    """The incident version as recorded, and the links the caller may see, with the ledger's
    receipt.  Whom else it concerns is not said: each is told in its own inbox."""

    incident: IncidentPublic
    links: list[Link] = Field(description="What the record links to it, each explained.")

    @classmethod
    def of(cls, recorded: IncidentRecorded) -> IncidentAnswer:
        return cls.model_construct(
            incident=IncidentPublic.of(recorded.incident), links=list(recorded.links)
        )


class IncidentList(Output):
    incidents: list[IncidentPublic] = Field(description="Newest first.")

    @classmethod
    def of(cls, found: list[Incident]) -> IncidentList:
        return cls.model_construct(incidents=[IncidentPublic.of(i) for i in found])


class IncidentQuestions(Output):
    """The incident questions answered from the entries the caller may read, each answer
    with the indexes of the entries that prove it (``GET /v1/ledger/entries/{index}``)."""

    answers: Answers
    tree_head: TreeHeadPublic

    @classmethod
    def of(cls, view: IncidentView) -> IncidentQuestions:
        return cls.model_construct(
            answers=view.answers, tree_head=TreeHeadPublic.model_validate(view.head.to_dict())
        )


class AccountCreate(AccountStatement):
    """The caller's party's account (a new version if it gave one before): its statement,
    its evidence, and where it agrees with or disputes the facts."""


class AccountAnswer(Account, Receipted):
    @classmethod
    def of(cls, account: Account) -> AccountAnswer:
        return cls.model_construct(**dict(account))


class EvidenceUpload(Input):
    """What an upload was (its fingerprint for idempotent retries)."""

    sha256: str
    size: int
    media_type: str
    name: str


class EvidenceAnswer(Receipted):
    """The attachment's reference, to cite as it is in an incident's or an account's
    ``evidence``.  The attachment is kept apart from the ledger: no entry is written for it
    (the entry citing it will hold the reference)."""

    evidence: EvidenceRef

    @classmethod
    def of(cls, ref: EvidenceRef) -> EvidenceAnswer:
        return cls.model_construct(evidence=ref)
