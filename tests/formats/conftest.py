"""Fixtures of the interoperability formats: a small world with a civil-aviation party."""

from __future__ import annotations

from pathlib import Path

from deconfliction.engine.scenario import ordered_items
from deconfliction.engine.situation import Item
from deconfliction.service.documents import load_scenario_file
from tests.support.server import api

__all__ = ["NOTAMS", "WORLD", "api", "notam_text", "world"]

HERE = Path(__file__).parent
WORLD = HERE / "world.yaml"
NOTAMS = HERE / "notams"


def world() -> list[Item]:
    """The items of the small world, in the order they happened."""
    return [item for _, _, item in ordered_items(load_scenario_file(WORLD))]


def notam_text(*names: str) -> str:
    return "\n".join((NOTAMS / name).read_text(encoding="utf-8") for name in names)
