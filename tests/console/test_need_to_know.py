"""Need to know in the browser, checked on the network traffic: a party's console never
receives a notice it is not an addressee of — not in any answer, not on its live stream —
while the addressee's console, watched the same way, does."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Response

from tests.api.bodies import notice
from tests.console.conftest import new_context, open_console, wait_until
from tests.support.server import Api


@dataclass
class Wire:
    """Every response body and every Server-Sent Event a browser received."""

    bodies: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def holds(self, text: str) -> bool:
        return any(text in b for b in self.bodies) or any(text in e for e in self.events)


def _watch(context: BrowserContext, page: Page, wire: Wire) -> None:
    def response(r: Response) -> None:
        if "text/event-stream" in (r.headers.get("content-type") or ""):
            return  # the stream is watched event by event below
        if not urlsplit(r.url).path.startswith("/v1/"):
            return  # the page's own code and the basemap: no party's data
        # A body the browser dropped (a redirect, a cancelled request) has nothing to check.
        with contextlib.suppress(Exception):
            wire.bodies.append(r.text())

    page.on("response", response)
    cdp = context.new_cdp_session(page)
    cdp.on("Network.eventSourceMessageReceived", lambda e: wire.events.append(str(e.get("data"))))
    cdp.send("Network.enable")


def _console(
    browser: Browser, api: Api, party: str, role: str = "duty_officer"
) -> tuple[BrowserContext, Page, Wire]:
    wire = Wire()
    context = new_context(browser)
    # Watched from its first request: the streams open while the record loads.
    page = open_console(context, api, party, role, watch=lambda p: _watch(context, p, wire))
    wait_until(page, "() => window.deconflictionConsole.liveStatus() === 'live'")
    return context, page, wire


def test_a_second_party_never_receives_the_first_partys_hidden_notice(
    browser: Browser, golan: Api
) -> None:
    sarc_context, sarc, sarc_wire = _console(browser, golan, "sarc")
    rus_context, rus, rus_wire = _console(browser, golan, "rus")
    marker = f"hidden-{secrets.token_hex(6)}"
    idf = golan.as_("idf")
    # idf notifies rus (the idf-rus agreement); SARC is not an addressee of idf's notices.
    filed = idf.post("/v1/notices", json=notice(title=marker)).json()
    hidden = filed["notice"]["id"]
    golan.clock.advance(1)
    # Something sarc does receive, after it: when it arrives, the hidden notice had its chance.
    sent = idf.post("/v1/messages", json={"to": "sarc", "body": f"after {marker[:6]}"}).json()
    message_delivery = next(d["id"] for d in sent["deliveries"] if d["recipient"] == "sarc")

    _until(rus, lambda: rus_wire.holds(hidden) and rus_wire.holds(marker))
    _until(sarc, lambda: sarc_wire.holds(message_delivery))

    # Everything sarc's browser got after the filing (its history fetch included) is clean.
    assert not sarc_wire.holds(hidden)
    assert not sarc_wire.holds(marker)
    assert hidden not in sarc.content()
    # The watching works: rus's browser got the notice over the same channels.
    assert any(hidden in e for e in rus_wire.events)
    sarc_context.close()
    rus_context.close()


def _until(page: Page, condition: Any, timeout_s: float = 60.0) -> None:
    waited = 0.0
    while not condition():
        assert waited < timeout_s, "the browser did not receive it in time"
        page.wait_for_timeout(100)
        waited += 0.1
