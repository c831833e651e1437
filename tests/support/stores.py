"""Stores under test: the same suites run on SQLite and on PostgreSQL.

``scripts/check`` starts a PostgreSQL server on 127.0.0.1 and exports
``DECONFLICT_TEST_POSTGRES_URL`` (a URL to a database the tests may create databases from) and
``DECONFLICT_REQUIRE_POSTGRES=1``.  Without them, the PostgreSQL cases are skipped; with the
second, a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from deconfliction.store.database import Database, database_url

__all__ = ["STORES", "make_store_url", "migrated"]

STORES = ["sqlite", "postgresql"]


def _postgres_base() -> str | None:
    url = os.environ.get("DECONFLICT_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("DECONFLICT_REQUIRE_POSTGRES") == "1":
            pytest.fail("DECONFLICT_REQUIRE_POSTGRES=1 but DECONFLICT_TEST_POSTGRES_URL is not set")
        return None
    return url


def make_store_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """Yield a fresh, empty store of ``kind`` and drop it afterwards."""
    if kind == "sqlite":
        yield str(tmp_path / "store.sqlite3")
        return
    base = _postgres_base()
    if base is None:
        pytest.skip("PostgreSQL not configured (scripts/check starts one)")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(
        database_url(base), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    # The same server, user and options (a query string survives), another database.
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        # FORCE (PostgreSQL 13+) ends the connections a test left open (pools not disposed,
        # killed processes) instead of failing on "database is being accessed".
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store, once on SQLite and once on PostgreSQL."""
    yield from make_store_url(request.param, tmp_path)


def migrated(url: str | Path) -> Iterator[Database]:
    """A fixture's database at ``url``, migrated, closed after the test (``yield from`` it)."""
    with Database(url) as database:
        database.migrate()
        yield database
