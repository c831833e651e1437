"""Sound and desktop notification: off until the duty officer turns them on, remembered by the
browser; once on, each inbox item that arrives or escalates over the live stream plays a tone
(generated in the page) and shows a Notification; once off again, nothing.

The browser's Notification constructor and the tone's oscillators are instrumented by an init
script (the page's own code is unchanged): what the page asked the browser to show or play is
what is counted."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page

from tests.console.conftest import goto_view, new_context, open_console, wait_until
from tests.console.test_inbox import _file
from tests.support.server import Api

INSTRUMENT = """
(() => {
  const seen = { notifications: [], tones: 0 };
  window.__signals = seen;
  const Real = window.Notification;
  function Recorded(title, options = {}) {
    seen.notifications.push({ title, body: options.body ?? "", tag: options.tag ?? "" });
    try { return new Real(title, options); } catch { return {}; }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    seen.tones += 1;
    return start.apply(this, args);
  };
})();
"""


def _seen(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("() => JSON.parse(JSON.stringify(window.__signals))")
    return found


def _arrived(page: Page, delivery: str) -> None:
    page.wait_for_selector(f'button.inbox-item[data-delivery="{delivery}"]')


def test_off_by_default_then_a_tone_and_a_notification_for_arrivals_and_escalations(
    browser: Browser, golan: Api
) -> None:
    context = new_context(browser)
    context.grant_permissions(["notifications"], origin=golan.url)
    context.add_init_script(script=INSTRUMENT)
    page = open_console(context, golan, "rus")
    wait_until(page, "() => window.deconflictionConsole.liveStatus() === 'live'")
    goto_view(page, "inbox")
    assert page.evaluate("Notification.permission") == "granted"

    # Off by default: an item arrives, the inbox shows it, nothing rings or pops up.
    assert not page.is_checked("#signal-sound")
    assert not page.is_checked("#signal-notify")
    quiet = _file(golan, "arrives while the signals are off")
    _arrived(page, quiet)
    assert _seen(page) == {"notifications": [], "tones": 0}

    page.check("#signal-sound")
    page.check("#signal-notify")
    assert _seen(page)["tones"] == 1  # the sample played when sound is turned on
    loud = _file(golan, "arrives while the signals are on")
    _arrived(page, loud)
    wait_until(page, "(tag) => window.__signals.notifications.some((n) => n.tag === tag)", arg=loud)
    (shown,) = [n for n in _seen(page)["notifications"] if n["tag"] == loud]
    assert shown["title"] == "Deconfliction Line: new notice"
    assert shown["body"] == "From Israel Defense Forces"
    assert _seen(page)["tones"] == 2  # arrival: one tone

    # The unanswered item escalates: it is signalled again, as an escalation (two tones).
    golan.clock.advance(3600)
    golan.escalate()
    page.wait_for_selector(f'button.inbox-item[data-delivery="{loud}"] .level')
    wait_until(
        page,
        "(tag) => window.__signals.notifications.some((n) => n.tag === tag && n.title.includes('escalated'))",
        arg=loud,
    )
    seen = _seen(page)  # one snapshot: a signal's tone and notification are made together
    arrivals = [
        n for n in seen["notifications"] if n["title"].startswith("Deconfliction Line: new")
    ]
    escalations = [n for n in seen["notifications"] if "escalated" in n["title"]]
    assert len(arrivals) + len(escalations) == len(seen["notifications"])
    assert seen["tones"] == 1 + len(arrivals) + 2 * len(escalations)
    page.close()

    # Remembered by this browser: a new page has both on.  Turned off, they stay silent.
    again = open_console(context, golan, "rus")
    wait_until(again, "() => window.deconflictionConsole.liveStatus() === 'live'")
    goto_view(again, "inbox")
    assert again.is_checked("#signal-sound")
    assert again.is_checked("#signal-notify")
    again.uncheck("#signal-sound")
    again.uncheck("#signal-notify")
    silent = _file(golan, "arrives after the signals were turned off")
    _arrived(again, silent)
    assert _seen(again) == {"notifications": [], "tones": 0}
    context.close()
