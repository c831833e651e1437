"""Protected sites: registered by their owner's duty officers, seen per need to know."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from deconfliction.api.deps import IdempotencyKey, PrincipalDep, ServicesDep, write
from deconfliction.api.guards import storable_text
from deconfliction.api.schemas.common import ERRORS, errors
from deconfliction.api.schemas.sites import SiteCreate, SiteFiled, SiteList, SitePublic, SiteReplace
from deconfliction.service import sites
from deconfliction.service.coordinator import Tx

__all__ = ["router"]

router = APIRouter(prefix="/v1/sites", tags=["sites"], dependencies=[Depends(storable_text)])


@router.post(
    "",
    status_code=201,
    response_model=SiteFiled,
    responses=errors(400, 401, 403, 422),
    summary="Register a protected site of the caller's party (duty officer)",
)
async def register_site(
    body: SiteCreate,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        filing = sites.register_site(tx, principal, body.data())
        return 201, SiteFiled.of(filing).model_dump(mode="json", by_alias=True)

    return await write(
        services, principal, key, f"POST {request.url.path}", body.model_dump(mode="json"), command
    )


@router.put(
    "/{site_id}",
    response_model=SiteFiled,
    responses=errors(400, 401, 403, 404, 422),
    summary="Update or recertify one's own site (duty officer of the owner)",
)
async def update_site(
    site_id: str,
    body: SiteReplace,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def command(tx: Tx) -> tuple[int, dict[str, Any]]:
        filing = sites.update_site(tx, principal, site_id, body.data())
        return 200, SiteFiled.of(filing).model_dump(mode="json", by_alias=True)

    return await write(
        services, principal, key, f"PUT {request.url.path}", body.model_dump(mode="json"), command
    )


@router.get(
    "",
    response_model=SiteList,
    responses=ERRORS,
    summary="Sites the caller may see (its own, and those of parties it has an agreement with)",
)
def list_sites(
    services: ServicesDep,
    principal: PrincipalDep,
    owner: Annotated[str | None, Query(description="Only this party's sites.")] = None,
    valid: Annotated[
        bool, Query(description="Only sites valid now (not expired, already in force).")
    ] = False,
) -> SiteList:
    """Each read of another party's site is recorded."""
    found = services.writer.execute(
        lambda tx: sites.list_sites(tx, principal, owner=owner, valid_only=valid)
    )
    return SiteList.of(found)


@router.get(
    "/{site_id}", response_model=SitePublic, responses=ERRORS, summary="One site (read recorded)"
)
def get_site(site_id: str, services: ServicesDep, principal: PrincipalDep) -> SitePublic:
    """404, exactly as for an unknown id, when the caller's party may not see it."""
    return SitePublic.of(
        services.writer.execute(lambda tx: sites.read_site(tx, principal, site_id))
    )
