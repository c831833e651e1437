"""Several ``deconflict serve`` nodes on one store, for the tests of tests/nodes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.support.crash import Server

__all__ = ["SAFETY_S", "client_for", "nodes", "overlapping"]

SAFETY_S = 60.0
"""Longest wait for anything (a failure, not a timing assertion)."""


@contextlib.contextmanager
def nodes(url: str, keys: Path, log: Path, count: int, *args: str) -> Iterator[list[Server]]:
    running = [Server(url, keys, log, *args) for _ in range(count)]
    try:
        for node in running:
            node.wait_until_up()
        yield running
    finally:
        for node in running:
            if node.process.poll() is None:
                node.kill()


def client_for(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def overlapping(i: int, title: str) -> dict[str, Any]:
    """Notice ``i`` of a pair: both of a pair are the same 3 km circle at the same hour (they
    conflict); pairs are 50 km apart and a day apart (they do not)."""
    start = datetime.now(UTC) + timedelta(days=2 + i)
    return {
        "kind": "air_operation",
        "title": title,
        "volumes": [
            {
                "outline": {"type": "circle", "center": [36.0 + 0.5 * i, 33.0], "radius": "3 km"},
                "altitude": {"lower": "SFC", "upper": "FL100"},
                "window": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                },
            }
        ],
    }
