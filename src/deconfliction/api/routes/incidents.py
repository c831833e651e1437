"""Incidents: reported by any party or monitor, linked to the record, answered from it; each
concerned party's account beside the others; the evidence bundle for offline checking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from deconfliction.api.deps import ReadsDep, ServicesDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.incidents import (
    AccountAnswer,
    AccountCreate,
    IncidentAnswer,
    IncidentCreate,
    IncidentList,
    IncidentQuestions,
)
from deconfliction.service import incidents
from deconfliction.service.bundles import incident_bundle
from deconfliction.service.incident_view import incident_view

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/incidents", tags=["incidents"], dependencies=[Depends(storable_text)]
)


@router.post(
    "",
    status_code=201,
    response_model=IncidentAnswer,
    responses=errors(400, 401, 403, 422),
    summary="Report an incident (duty officer or monitor)",
)
async def report_incident(body: IncidentCreate, writes: WritesDep) -> IncidentAnswer:
    """Linked at once to the notices, deliveries, alerts, sites, zones and observations that
    bear on it (each link explained), and told to the parties it concerns."""
    return await writes(
        IncidentAnswer,
        body,
        lambda tx: IncidentAnswer.of(incidents.report(tx, writes.principal, body)),
    )


@router.put(
    "/{incident_id}",
    response_model=IncidentAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Correct one's own report: a new version, linked again (the reporter)",
)
async def correct_incident(
    incident_id: str, body: IncidentCreate, writes: WritesDep
) -> IncidentAnswer:
    """Every earlier version stays in the record; a party that saw one sees the next."""
    return await writes(
        IncidentAnswer,
        body,
        lambda tx: IncidentAnswer.of(incidents.correct(tx, writes.principal, incident_id, body)),
    )


@router.get(
    "", response_model=IncidentList, responses=ERRORS, summary="Incidents the caller may see"
)
async def list_incidents(reads: ReadsDep) -> IncidentList:
    return IncidentList.of(await reads(incidents.list_incidents))


@router.get(
    "/{incident_id}",
    response_model=IncidentQuestions,
    responses=ERRORS,
    summary="The incident questions, answered from the record with the entries that prove them",
)
async def get_incident(incident_id: str, reads: ReadsDep) -> IncidentQuestions:
    """Which notices covered the place and time, their lead time, who received, read and
    acknowledged them, the alerts raised before, the protected sites there, and which accounts
    agree or disagree on what; only what the caller's party may read.  404, exactly as for
    an unknown id, when the incident does not concern it."""
    return IncidentQuestions.of(await reads(lambda r: incident_view(r, incident_id)))


@router.post(
    "/{incident_id}/accounts",
    status_code=201,
    response_model=AccountAnswer,
    responses=errors(400, 401, 403, 404, 422),
    summary="Give the caller's party's account of an incident (a new version each time)",
)
async def add_account(incident_id: str, body: AccountCreate, writes: WritesDep) -> AccountAnswer:
    """No account overwrites another: each is kept, in every version, with its receipt."""
    return await writes(
        AccountAnswer,
        body,
        lambda tx: AccountAnswer.of(incidents.add_account(tx, writes.principal, incident_id, body)),
    )


@router.get(
    "/{incident_id}/bundle",
    response_model=dict[str, Any],
    responses=ERRORS,
    summary="The evidence bundle: the answers, every cited entry with its proof, attachments",
)
async def get_bundle(incident_id: str, reads: ReadsDep, services: ServicesDep) -> dict[str, Any]:
    """Check it offline with `deconflict verify bundle FILE --key KEYS`."""
    ledger = services.coordinator.ledger
    found: dict[str, Any] = await reads(lambda r: incident_bundle(r, ledger, incident_id))
    return found
