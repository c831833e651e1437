"""Stores for the store's own tests: a migrated database of each kind (``store_url``), and an
empty PostgreSQL one for the tests of PostgreSQL's own mechanisms."""

from __future__ import annotations

import pytest

from tests.support.stores import make_store_url, migrated


@pytest.fixture
def db(store_url):
    yield from migrated(store_url)


@pytest.fixture
def postgres_url(tmp_path):
    yield from make_store_url("postgresql", tmp_path)
