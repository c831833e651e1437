"""A tour of every view of the console, as a duty officer and as the monitor, while the Golan
day is played: a screenshot of each, no word of permission anywhere in the page, no serious
accessibility violation (axe-core), and not one request beyond 127.0.0.1."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.console.conftest import (
    AXE,
    SCREENSHOTS,
    TIMEOUT_MS,
    VIEWS,
    goto_view,
    new_context,
    open_console,
    probe,
)
from tests.support.server import Api

PERMISSION = re.compile(r"\b(approv\w*|accept\w*|reject\w*|den(y|ies|ied|ial)\w*)", re.IGNORECASE)

# Every text node, every attribute value, every form value and the title: none may speak of
# approving, accepting, rejecting or denying.
WALK = """() => {
  const found = [];
  const re = new RegExp(%s, "i");
  if (re.test(document.title)) found.push("title: " + document.title);
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n = walker.currentNode; n; n = walker.nextNode()) {
    if (n.nodeType === Node.TEXT_NODE) {
      if (re.test(n.textContent)) found.push("text: " + n.textContent.trim().slice(0, 160));
      continue;
    }
    for (const a of n.attributes) if (re.test(a.value)) found.push(`${n.tagName.toLowerCase()}[${a.name}]: ${a.value}`);
    if ("value" in n && typeof n.value === "string" && re.test(n.value)) found.push(`${n.tagName.toLowerCase()} value: ${n.value}`);
  }
  return found;
}"""

GOLAN_DAY = [f"2026-11-24T{h:02d}:{m:02d}:00Z" for h in range(6, 18) for m in (0, 15, 30, 45)]


@dataclass
class Tour:
    requests: list[str] = field(default_factory=list)
    wording: dict[str, list[str]] = field(default_factory=dict)
    axe: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    screenshots: list[str] = field(default_factory=list)
    replayed_s: float = 0.0


def _visit(page: Page, name: str, tour: Tour) -> None:
    page.wait_for_timeout(300)  # let the map draw what the view holds
    path = SCREENSHOTS / f"{name.replace('/', '-')}.png"
    page.screenshot(path=str(path), timeout=TIMEOUT_MS)
    tour.screenshots.append(path.name)
    tour.wording[name] = page.evaluate(WALK % json.dumps(PERMISSION.pattern))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    tour.axe[name] = result


@pytest.fixture(scope="module")
def tour(browser: Browser, golan: Api) -> Tour:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = Tour()
    for party, role in (("idf", "duty_officer"), ("undof", "monitor")):
        context = new_context(browser)
        # axe-core is given to every page of this context by the browser itself (the page's
        # Content-Security-Policy refuses any script it did not serve).
        context.add_init_script(path=str(AXE))
        context.on("request", lambda r: found.requests.append(r.url))
        signin = context.new_page()
        signin.goto(golan.url + "/")
        signin.wait_for_selector("form.signin")
        if party == "idf":
            _visit(signin, "signin", found)
        page = open_console(context, golan, party, role, at="2026-11-24T10:05:00Z")
        for view in VIEWS:
            goto_view(page, view)
            if view.startswith("timeline"):
                page.wait_for_selector(".verdict, .error")
            _visit(page, f"{party}-{view}", found)
        # Play the Golan day: step through it, then let the replay run a moment.
        goto_view(page, "map")
        for instant in GOLAN_DAY:
            probe(page, "setInstant", instant)
        probe(page, "setInstant", GOLAN_DAY[0])
        before = probe(page, "instant")
        replay = page.get_by_role("button", name="Replay")
        replay.click()
        assert replay.get_attribute("aria-pressed") == "true"
        page.wait_for_timeout(2000)
        replay.click()
        found.replayed_s = (probe(page, "instant") - before) / 1e6
        context.close()
    return found


def test_a_screenshot_of_each_view_is_saved(tour: Tour) -> None:
    for party in ("idf", "undof"):
        for view in VIEWS:
            name = f"{party}-{view.replace('/', '-')}.png"
            assert name in tour.screenshots
            assert (SCREENSHOTS / name).stat().st_size > 10_000, name


def test_no_word_of_permission_in_any_view(tour: Tour) -> None:
    assert {view: words for view, words in tour.wording.items() if words} == {}


def test_no_serious_accessibility_violation(tour: Tour) -> None:
    serious = {
        view: [v for v in found if v["impact"] in ("serious", "critical")]
        for view, found in tour.axe.items()
    }
    assert {view: found for view, found in serious.items() if found} == {}


def test_no_request_leaves_loopback_while_the_golan_day_plays(tour: Tour) -> None:
    assert len(tour.requests) > 20  # the tour did load the console, its data and its assets
    assert tour.replayed_s > 0  # and the replay did play
    beyond = [
        url
        for url in tour.requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert beyond == []
