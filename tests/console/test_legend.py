"""The legend tells the truth: each volume status it shows (active, upcoming, late, in conflict,
cancelled) has the colour the map's layers actually give a volume in that state, read from the
layers' own colour accessors while the Golan record is replayed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import Browser

from tests.api.bodies import notice
from tests.console.conftest import goto_view, new_context, open_console, probe
from tests.support.server import Api

# The map's state byte (web/src/instant.ts): the base state in the low two bits, then flags.
UPCOMING, ACTIVE, CANCELLED, BASE, LATE, CONFLICT = 1, 2, 3, 3, 4, 8

INSTANTS = [
    "2026-11-22T08:00:00Z",
    "2026-11-23T07:00:00Z",
    *(f"2026-11-24T{h:02d}:{m:02d}:00Z" for h in range(6, 18) for m in (0, 20, 40)),
    "2026-11-24T10:00:30Z",
]


def _status(state: int) -> str | None:
    """The legend's name for a state (None: not one the legend shows as such)."""
    base = state & BASE
    if base == CANCELLED:
        return "cancelled"
    if state & CONFLICT:
        return "conflict"
    if state & LATE:
        return "late"
    return {ACTIVE: "active", UPCOMING: "upcoming"}.get(base)


def _iso(t: Any) -> str:
    return str(t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def _rgba(css: str) -> list[int]:
    """A computed CSS colour as deck.gl's [r, g, b, a] (alpha 0-255)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    alpha = numbers[3] if len(numbers) == 4 else 1.0
    return [round(n) for n in numbers[:3]] + [round(alpha * 255)]


def test_each_status_in_the_legend_is_the_colour_the_map_draws_it(
    browser: Browser, golan: Api
) -> None:
    # The Golan day's late notice is also in conflict (which the map shows first): a late notice
    # alone, in a quiet corner, one minute ahead where the agreement asks for 30.
    start = golan.clock.now() + timedelta(minutes=1)
    window = {"start": _iso(start), "end": _iso(start + timedelta(hours=1))}
    filed = golan.as_("idf").post("/v1/notices", json=notice(title="late, alone", **window))
    assert filed.status_code == 201, filed.text
    assert [a["kind"] for a in filed.json()["alerts"]] == ["late-notice"]
    golan.clock.advance(1)
    instants = [*INSTANTS, _iso(start + timedelta(minutes=5))]
    context = new_context(browser)
    page = open_console(context, golan, "idf", at=INSTANTS[0])
    goto_view(page, "map")
    swatches: dict[str, dict[str, str]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.legend [data-legend]')].map((s) => {
          const style = getComputedStyle(s);
          return [s.dataset.legend, {fill: style.backgroundColor, line: style.borderTopColor}];
        }))"""
    )
    drawn: dict[str, dict[str, Any]] = {}
    for instant in instants:
        probe(page, "setInstant", instant)
        for volume in probe(page, "volumeColours"):
            status = _status(volume["state"])
            if status is not None:
                drawn.setdefault(status, volume)
    statuses = {"active", "upcoming", "late", "conflict", "cancelled"}
    assert set(drawn) == statuses, "the Golan day shows every status"
    assert statuses <= set(swatches)
    for status in sorted(statuses):
        volume = drawn[status]
        legend = swatches[status]
        assert volume["fill"] is not None, volume
        assert volume["line"] is not None, volume
        # The swatch's fill is the volume's fill, its border the volume's outline; a volume seen
        # from afar is a dot in its outline's colour.
        assert (status, _rgba(legend["fill"])) == (status, volume["fill"])
        assert (status, _rgba(legend["line"])) == (status, volume["line"])
        assert (status, volume["dot"]) == (status, volume["line"])
    # And the statuses are told apart: no two share a fill.
    assert len({tuple(drawn[s]["fill"]) for s in statuses}) == len(statuses)
    context.close()
