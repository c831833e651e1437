"""The nodes' store: PostgreSQL (several nodes share one database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stores import make_store_url


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[str]:
    yield from make_store_url("postgresql", tmp_path)
