"""Fixtures shared by every test directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deconfliction.service.documents import demo_path, read_document


@pytest.fixture
def golan_path() -> Path:
    return demo_path()


@pytest.fixture
def golan_data(golan_path: Path) -> dict:
    return read_document(golan_path)  # as the product reads it


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a mapping to a YAML file in the test's directory and return its path."""

    def write(data: dict, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


pytest_plugins = ["tests.support.stores"]
