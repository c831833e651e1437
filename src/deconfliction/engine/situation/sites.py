"""Protected sites by id, with a spatial and temporal index of their locations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex
from deconfliction.engine.journal import Journal
from deconfliction.engine.model import ProtectedSite
from deconfliction.engine.situation.reach import Box, epoch_s

__all__ = ["SiteBook"]


class SiteBook(Mapping[str, ProtectedSite]):
    """The latest version of every site, indexed by location and validity."""

    def __init__(self) -> None:
        self.sites: dict[str, ProtectedSite] = {}
        self.index = SpatioTemporalIndex(bucket_s=30 * 86400.0)

    def __getitem__(self, key: str) -> ProtectedSite:
        return self.sites[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sites)

    def __len__(self) -> int:
        return len(self.sites)

    def near(self, box: Box) -> list[ProtectedSite]:
        """Sites whose location and validity meet ``box``."""
        return [self.sites[str(s)] for s in dict.fromkeys(self.index.query(*box))]

    def record(self, site: ProtectedSite, journal: Journal) -> None:
        previous = self.sites.get(site.id)
        journal.set(self.sites, site.id, site)
        self._index(site)
        journal.on_undo(lambda: self._index(previous, site.id))

    def _index(self, site: ProtectedSite | None, site_id: str | None = None) -> None:
        self.index.remove(site.id if site is not None else site_id)
        if site is None:
            return
        west, south, east, north = site.location.shape.bbox()
        self.index.add(
            IndexEntry(
                west,
                south,
                east,
                north,
                epoch_s(site.valid_from),
                epoch_s(site.valid_until),
                site.id,
            )
        )
