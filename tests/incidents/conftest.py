"""The Golan day on the record, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.golan_record import GolanRecord, golan_record
from tests.support.server import api
from tests.support.stores import STORES, make_store_url

__all__ = ["api", "record"]


@pytest.fixture(scope="module", params=STORES)
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GolanRecord]:
    """One Golan day per store for a whole module (tests read it; those that write make
    their own)."""
    base = tmp_path_factory.mktemp(request.param)
    for url in make_store_url(request.param, base):
        yield from golan_record(url, str(Path(base) / "keys"))
