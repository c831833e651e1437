"""The keyboard help: `?` opens a dialog listing every shortcut, Escape closes it and gives the
focus back; every "g" shortcut it lists opens the view it names (the overlay and the key
handlers read one table); no serious accessibility violation while it is open."""

from __future__ import annotations

import json

from playwright.sync_api import Browser

from tests.console.conftest import AXE, SCREENSHOTS, TIMEOUT_MS, goto_view, new_context, wait_until
from tests.console.conftest import open_console as signed_in
from tests.console.test_views import PERMISSION, WALK
from tests.support.server import Api


def test_question_mark_lists_every_shortcut_and_escape_closes_it(
    browser: Browser, golan: Api
) -> None:
    context = new_context(browser)
    context.add_init_script(path=str(AXE))
    page = signed_in(context, golan, "idf")
    goto_view(page, "inbox")
    help_dialog = page.locator("dialog#keyboard-help")
    assert not help_dialog.is_visible()
    page.locator("button.inbox-item").first.focus()
    page.keyboard.press("?")  # on an inbox item: the page's keys still answer
    help_dialog.wait_for(state="visible")
    listed = help_dialog.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.keys)")
    # Every view's shortcut, as the navigation announces it, and the inbox's and the help's own.
    views = page.locator("header nav a").evaluate_all(
        "links => links.map(a => [a.dataset.keys, a.dataset.view])"
    )
    assert len(views) == 7
    assert {keys for keys, _ in views} <= set(listed)
    assert {"?", "Escape", "ArrowDown|j", "ArrowUp|k", "a", "Enter"} <= set(listed)

    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"
    )
    assert violations == []
    assert page.evaluate(WALK % json.dumps(PERMISSION.pattern)) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "idf-keyboard-help.png"), timeout=TIMEOUT_MS)

    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")
    # The focus is back on the inbox item (redrawn meanwhile by the live page: the same row).
    wait_until(page, "() => document.activeElement.classList.contains('inbox-item')")

    # Each "g" shortcut the help lists does what it says: the key handler reads the same table.
    page.locator("main").focus()
    for keys, view in views:
        first, second = keys.split(" ")
        page.keyboard.press(first)
        page.keyboard.press(second)
        wait_until(page, "(v) => window.location.hash === '#/' + v", arg=view)
        page.locator("main").focus()
    # The header's button opens the same list.
    page.get_by_role("button", name="Keys (?)").click()
    help_dialog.wait_for(state="visible")
    help_dialog.get_by_role("button", name="Close").click()
    help_dialog.wait_for(state="hidden")
    context.close()
