"""Protected sites: places the parties have been told must not be struck."""

from __future__ import annotations

from deconfliction.api.schemas.alerts import Filed
from deconfliction.api.schemas.common import Geometry, Output
from deconfliction.engine.model import ProtectedSite
from deconfliction.engine.model.sites import SiteDetails
from deconfliction.service.geojson import site_geometry
from deconfliction.service.sites import SiteFiling

__all__ = ["SiteCreate", "SiteFiled", "SiteList", "SitePublic", "SiteReplace"]


class SiteCreate(SiteDetails):
    """A protected site owned by the caller's party (the server names it).  Sites expire:
    after ``valid_until`` it raises no alert until its owner files it again (``PUT``).  The
    location is a point or a polygon, in our form or as a GeoJSON Point or Polygon."""


class SiteReplace(SiteDetails):
    """The site's new details, e.g. a later ``valid_until`` to recertify it (owner only)."""


class SitePublic(ProtectedSite):
    """A site exactly as recorded, and its location as GeoJSON."""

    geometry: Geometry

    @classmethod
    def of(cls, site: ProtectedSite) -> SitePublic:
        return cls.model_construct(**dict(site), geometry=site_geometry(site))


class SiteList(Output):
    sites: list[SitePublic]

    @classmethod
    def of(cls, sites: list[ProtectedSite]) -> SiteList:
        return cls.model_construct(sites=[SitePublic.of(s) for s in sites])


class SiteFiled(Filed):
    """The site as recorded, the alerts it opened, updated or closed (those naming the
    caller), and the deliveries concerning the caller, with the ledger's receipt."""

    site: SitePublic

    @classmethod
    def of(cls, filing: SiteFiling) -> SiteFiled:
        return cls.model_construct(site=SitePublic.of(filing.site), **Filed.outcome(filing.outcome))
