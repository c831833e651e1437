"""Fixtures of the console's server side: a real server with the console installed, on each
store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server import Api, running_server


@pytest.fixture
def served(store_url: str) -> Iterator[Api]:
    """A running server with the console and its session endpoints, on a fresh store (once on
    SQLite, once on PostgreSQL), the Golan day recorded."""
    for api in running_server(store_url, console=True):
        api.load_golan()
        yield api
