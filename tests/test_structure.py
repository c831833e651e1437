"""The shape of the code base that reviews rely on: small modules with one job each."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "deconfliction"
LIMIT = 500
"""Lines per module: past this a module is doing more than one job (split it by concern)."""


def test_no_module_is_over_the_limit():
    modules = sorted(SOURCE.rglob("*.py"))
    assert len(modules) > 50, "the package was not found: this test would pass on nothing"
    long = {
        str(m.relative_to(SOURCE)): n
        for m in modules
        if (n := len(m.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"modules over {LIMIT} lines: {long}"
