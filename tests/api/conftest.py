"""Fixtures of the API tests: a real server on each store (see tests/support/server.py)."""

from tests.support.server import api

__all__ = ["api"]
