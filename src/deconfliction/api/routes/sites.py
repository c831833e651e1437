"""Protected sites: registered by their owner's duty officers, seen per need to know."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from deconfliction.api.deps import ReadsDep, WritesDep
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.sites import SiteCreate, SiteFiled, SiteList, SitePublic, SiteReplace
from deconfliction.service import sites

__all__ = ["router"]

router = APIRouter(prefix="/v1/sites", tags=["sites"], dependencies=[Depends(storable_text)])


@router.post(
    "",
    status_code=201,
    response_model=SiteFiled,
    responses=errors(400, 401, 403, 422),
    summary="Register a protected site of the caller's party (duty officer)",
)
async def register_site(body: SiteCreate, writes: WritesDep) -> SiteFiled:
    """Checked against the current notices; the answer lists the alerts it raised."""
    return await writes(
        SiteFiled, body, lambda tx: SiteFiled.of(sites.register_site(tx, writes.principal, body))
    )


@router.put(
    "/{site_id}",
    response_model=SiteFiled,
    responses=errors(400, 401, 403, 404, 422),
    summary="Update or recertify one's own site (duty officer of the owner)",
)
async def update_site(site_id: str, body: SiteReplace, writes: WritesDep) -> SiteFiled:
    """A later ``valid_until`` recertifies the site; the owner alone may file it again."""
    return await writes(
        SiteFiled,
        body,
        lambda tx: SiteFiled.of(sites.update_site(tx, writes.principal, site_id, body)),
    )


@router.get(
    "",
    response_model=SiteList,
    responses=ERRORS,
    summary="Sites the caller may see (its own, and those of parties it has an agreement with)",
)
async def list_sites(
    reads: ReadsDep,
    owner: Annotated[str | None, Query(description="Only this party's sites.")] = None,
    valid: Annotated[
        bool, Query(description="Only sites valid now (not expired, already in force).")
    ] = False,
) -> SiteList:
    """Each read of another party's site is recorded."""
    return SiteList.of(await reads(lambda r: sites.list_sites(r, owner=owner, valid_only=valid)))


@router.get(
    "/{site_id}", response_model=SitePublic, responses=ERRORS, summary="One site (read recorded)"
)
async def get_site(site_id: str, reads: ReadsDep) -> SitePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return SitePublic.of(await reads(lambda r: sites.read_site(r, site_id)))
