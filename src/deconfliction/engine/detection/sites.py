"""``protected-site`` and ``site-duplicate``.

A notice volume covers a protected site when the site lies inside the volume or closer to it
than the lateral margin agreed between the notice's author and the site's owner, at a time when
the site is valid.  Altitude does not matter: what flies over a site can strike it.  The
finding goes to the author (who may see the site) and to the owner if the owner may see the
notice.

Two valid sites of the same category closer than a configured distance are probably one place
registered twice; the finding goes to their owners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deconfliction.engine.detection.explain import metres_and_nm, when
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.geodesy.shapes import separation, separations
from deconfliction.engine.model import Notice, ProtectedSite
from deconfliction.engine.times import format_time

__all__ = ["duplicate_sites", "site_coverage"]


def _category(site: ProtectedSite) -> str:
    return site.category.value.replace("_", " ")


def site_coverage(
    notice: Notice,
    site: ProtectedSite,
    roster: Roster,
    series_of: Callable[[str], str],
) -> Finding | None:
    """The finding for one notice and one site, or None."""
    if notice.author == site.owner or notice.author not in roster.site_audience(site):
        return None
    terms = roster.terms(notice.author, site.owner)
    if terms is None:
        return None
    volumes = [v for v in notice.volumes if site.valid_during(v.window.start, v.window.end)]
    if not volumes:
        return None
    seps = separations(
        site.location.shape, [v.outline.shape for v in volumes], [terms.lateral_m] * len(volumes)
    )
    hits = [
        (sep, v)
        for sep, v in zip(seps, volumes, strict=True)
        if sep.overlap or sep.distance < terms.lateral_m
    ]
    if not hits:
        return None
    sep, volume = min(hits, key=lambda h: (not h[0].overlap, h[0].distance))
    informed = {notice.author} | (
        {site.owner} if site.owner in roster.notice_audience(notice) else set()
    )
    where = (
        "the site lies inside the outline"
        if sep.overlap
        else f"the site is {metres_and_nm(sep.distance)} from the outline, within the "
        f"{terms.lateral} margin"
    )
    kind = notice.kind.value.replace("_", " ")
    return Finding(
        kind=AlertKind.protected_site,
        key=finding_key(AlertKind.protected_site, series_of(notice.id), site.id),
        parties=tuple(sorted(informed)),
        subjects=(notice.id, site.id),
        explanation=(
            f"{roster.name(notice.author)} {kind} {notice.id} ({volume.window}) covers "
            f"protected site '{site.name}' ({_category(site)}, registered by "
            f"{roster.name(site.owner)}, valid until {when(site.valid_until)}): {where}."
        ),
        raised_at=notice.filed_at,
        figures={
            "distance_m": round(sep.distance, 1),
            "inside": int(sep.overlap),
            "margin_lateral_m": round(terms.lateral_m, 1),
            "site_valid_until": format_time(site.valid_until),
            "agreements": ",".join(terms.agreements),
        },
    )


def duplicate_sites(
    site: ProtectedSite,
    others: Sequence[ProtectedSite],
    roster: Roster,
    threshold_m: float,
) -> list[Finding]:
    """Sites of the same category as ``site``, valid at an overlapping time, closer than
    ``threshold_m``."""
    findings = []
    for other in others:
        if other.id == site.id or other.category is not site.category:
            continue
        if not site.valid_during(other.valid_from, other.valid_until):
            continue
        sep = separation(site.location.shape, other.location.shape, threshold_m)
        if not (sep.overlap or sep.distance < threshold_m):
            continue
        owners = {site.owner, other.owner}
        informed = {
            owner
            for owner in owners
            if owner in roster.site_audience(site) and owner in roster.site_audience(other)
        }
        if not informed:
            # Neither owner may see the other's site: there is no one to tell (as for overlaps).
            continue
        distance = "overlapping" if sep.overlap else f"{sep.distance:,.0f} m apart"
        findings.append(
            Finding(
                kind=AlertKind.site_duplicate,
                key=finding_key(AlertKind.site_duplicate, *sorted((site.id, other.id))),
                parties=tuple(sorted(informed)),
                subjects=tuple(sorted((site.id, other.id))),
                explanation=(
                    f"Sites '{site.name}' ({roster.name(site.owner)}) and '{other.name}' "
                    f"({roster.name(other.owner)}) are both {_category(site)}s, {distance}: "
                    "probably one place registered twice. Check and withdraw one of them."
                ),
                raised_at=max(site.valid_from, other.valid_from),
                figures={"distance_m": round(sep.distance, 1), "threshold_m": threshold_m},
            )
        )
    return findings
