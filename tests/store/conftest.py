"""Stores for the store's own tests: a migrated database of each kind (``store_url``), and an
empty PostgreSQL one for the tests of PostgreSQL's own mechanisms."""

from __future__ import annotations

import pytest

from deconfliction.store.database import Database
from tests.support.stores import make_store_url


@pytest.fixture
def db(store_url):
    database = Database(store_url)
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def postgres_url(tmp_path):
    yield from make_store_url("postgresql", tmp_path)
