"""The engine never reads a clock: every time it uses comes from the items (``filed_at``,
``observed_at``, ``valid_from``), so that replaying a record gives the same alerts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import deconfliction.engine

ENGINE = Path(deconfliction.engine.__file__).parent

# (module or class name as written, attribute): every way to read the current time.
FORBIDDEN = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "monotonic_ns"),
    ("time", "perf_counter"),
    ("time", "perf_counter_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "process_time"),
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def clock_reads(source: str) -> list[tuple[int, str]]:
    """Calls that read a clock: ``datetime.now()``, ``dt.datetime.utcnow()``,
    ``time.monotonic()``, and names imported from ``time`` (``from time import perf_counter``)."""
    tree = ast.parse(source)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            imported |= {alias.asname or alias.name for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        parts = name.split(".")
        if (len(parts) >= 2 and (parts[-2], parts[-1]) in FORBIDDEN) or (
            len(parts) == 1 and parts[0] in imported
        ):
            found.append((node.lineno, name))
    return found


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()",
        "import datetime\nx = datetime.datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "import time\nx = time.time()",
        "import time\nx = time.monotonic()",
        "from time import perf_counter\nx = perf_counter()",
        "from time import monotonic as clock\nx = clock()",
        "import datetime as dt\nx = dt.datetime.now(dt.UTC)",
    ],
)
def test_the_scanner_finds_clock_reads(source):
    assert clock_reads(source)


def test_the_scanner_ignores_times_that_come_from_data():
    source = (
        "from datetime import datetime, timedelta\n"
        "x = datetime.fromisoformat('2026-11-24T10:00:00.000000Z')\n"
        "y = x + timedelta(seconds=5)\n"
        "z = y.timestamp()\n"
    )
    assert clock_reads(source) == []


def test_the_engine_reads_no_clock():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 20, "the scan must see the whole engine"
    offences = [
        f"{path.relative_to(ENGINE.parent)}:{line}: {call}()"
        for path in files
        for line, call in clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offences == []
