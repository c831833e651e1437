"""The console in a real browser: Debian's Chromium driven by Playwright, against a real
server on 127.0.0.1 (uvicorn in a thread, the Golan scenario on SQLite; the API tests cover
PostgreSQL).  The console must have been built (``npm --prefix web run build``; the test
command does it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from deconfliction.service.sessions import issue_signin_code
from deconfliction.store import tokens as token_store
from deconfliction.web.app import static_directory
from tests.support.browser import ARGS, CHROMIUM
from tests.support.server import Api, running_server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "console-screenshots"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 120_000
"""Generous: these machines are shared, and WebGL is rendered in software here."""

VIEWS = ("map", "inbox", "alerts", "file", "timeline/n-idf-001", "monitor", "proposals")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # One browser for the console's tests, closed after them: while Playwright's sync API is
    # open it leaves an event loop marked running on the main thread, where every later test's
    # asyncio.run() would refuse to start (a whole run failed three service tests so).
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) "
            "or set DECONFLICT_CHROMIUM to its path"
        )
    if not (static_directory() / "index.html").is_file():
        pytest.fail("the console is not built: run npm --prefix web run build")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def golan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server with the console, the Golan day recorded, on a fresh SQLite store."""
    url = str(tmp_path_factory.mktemp("console") / "store.sqlite3")
    for api in running_server(url, console=True):
        api.load_golan()
        try:
            yield api
        finally:
            api.services.feeds.request_close()


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def signin_link(api: Api, party: str, role: str = "duty_officer", at: str | None = None) -> str:
    """A one-time sign-in link, as ``deconflict serve --demo`` prints them."""
    token = api.token(party, role)
    token_id = token.split("_")[1]
    code = issue_signin_code(api.coordinator.db, token_id, api.clock.now(), timedelta(hours=1))
    return f"{api.url}/#code={code}" + (f"&at={at}" if at else "")


def open_console(
    context: BrowserContext,
    api: Api,
    party: str,
    role: str = "duty_officer",
    at: str | None = None,
    watch: Callable[[Page], None] | None = None,
) -> Page:
    """A page signed in for ``party``, the console started (at instant ``at`` if given);
    ``watch`` is called with the page before it loads anything."""
    page = context.new_page()
    if watch is not None:
        watch(page)
    page.goto(signin_link(api, party, role, at))
    wait_until(page, "() => window.deconflictionConsole !== undefined")
    return page


def wait_until(page: Page, function: str, arg: Any = None, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until ``function(arg)`` (JavaScript, or an expression) is truthy in ``page``.

    Asked again every 50 ms through ``page.evaluate``, not ``page.wait_for_function``: the
    latter compiles the string inside the page when it polls, which the console's
    Content-Security-Policy (no 'unsafe-eval') may refuse, and once did in a CI run;
    ``page.evaluate`` compiles it through the DevTools protocol, which the policy does not
    govern, so the tests keep the console's real policy."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms / 1000:.0f} s: {function}")
        page.wait_for_timeout(50)


def probe(page: Page, expression: str, *args: Any) -> Any:
    """Call the console's probe (``window.deconflictionConsole``)."""
    return page.evaluate(f"(args) => window.deconflictionConsole.{expression}(...args)", list(args))


def goto_view(page: Page, view: str) -> None:
    page.evaluate("(v) => { window.location.hash = '#/' + v; }", view)
    page.wait_for_selector("main h1")


def token_ids(api: Api) -> set[str]:
    with api.coordinator.db.reading() as connection:
        return {t.id for t in token_store.list_tokens(connection)}
