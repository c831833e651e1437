"""The inbox: unread first with deadlines; opening an item records the read; acknowledging
takes two keystrokes ("a", Enter) and shows the ledger receipt, checked in the browser; new
items and escalations arrive live, once each, across a dropped connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.api.bodies import notice
from tests.console.conftest import goto_view, new_context, signin_link, wait_until
from tests.console.proxy import CuttableRelay
from tests.support.server import Api


def _file(api: Api, title: str) -> str:
    """idf files a notice (addressed to rus); rus's delivery id."""
    answer = api.as_("idf").post("/v1/notices", json=notice(title=title))
    assert answer.status_code == 201, answer.text
    api.clock.advance(1)
    (delivery,) = [
        d
        for d in answer.json()["deliveries"]
        if d["recipient"] == "rus" and d["item_type"] == "notice"
    ]
    return str(delivery["id"])


def _rows(page: Page, delivery: str) -> int:
    return page.locator(f'button.inbox-item[data-delivery="{delivery}"]').count()


@pytest.fixture
def rus_inbox(browser: Browser, golan: Api) -> Iterator[Page]:
    context = new_context(browser)
    page = context.new_page()
    page.goto(signin_link(golan, "rus"))
    wait_until(page, "() => window.deconflictionConsole !== undefined")
    goto_view(page, "inbox")
    yield page
    context.close()


def test_acknowledge_from_the_inbox_in_two_keystrokes(rus_inbox: Page, golan: Api) -> None:
    page = rus_inbox
    # The keyboard starts on the first item: unread, the soonest due.
    first = page.locator("button.inbox-item").first
    assert page.evaluate("document.activeElement.dataset.delivery") == first.get_attribute(
        "data-delivery"
    )
    assert "unread" in first.inner_text()
    delivery = str(first.get_attribute("data-delivery"))
    page.keyboard.press("a")
    page.wait_for_selector("#ack-reply:focus")
    page.keyboard.press("Enter")
    verdict = page.locator(".receipt .verdict.verified")
    verdict.wait_for()
    assert "Verified in this browser" in verdict.inner_text()
    shown_index = int(page.locator(".receipt").get_attribute("data-receipt-index") or "-1")

    answer = golan.as_("rus").get(f"/v1/inbox/{delivery}").json()
    assert answer["status"] == "acknowledged"
    assert answer["reply"] is None
    # The receipt shown is the ledger's entry for this acknowledgement.
    entry = golan.as_("rus").get(f"/v1/ledger/entries/{shown_index}").json()
    assert (entry["type"], entry["subject"]) == ("delivery.acknowledged", delivery)


def test_opening_an_item_records_the_read_and_a_reply_goes_with_the_acknowledgement(
    rus_inbox: Page, golan: Api
) -> None:
    page = rus_inbox
    delivery = _file(golan, "read me")
    row = page.locator(f'button.inbox-item[data-delivery="{delivery}"]')
    row.wait_for()
    row.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".inbox-detail h2")
    answer = golan.as_("rus").get("/v1/inbox", params={"status": "read"}).json()
    assert delivery in {d["id"] for d in answer["items"]}
    reads = golan.as_("idf").get(f"/v1/notices/{_notice_of(golan, delivery)}/reads").json()
    assert "rus" in {r["party"] for r in reads["reads"]}

    page.fill("#ack-reply", "Received; our patrol holds east of 36.0E")
    page.keyboard.press("Enter")
    page.locator(".receipt .verdict.verified").wait_for()
    acknowledged = golan.as_("rus").get(f"/v1/inbox/{delivery}").json()
    assert acknowledged["reply"] == "Received; our patrol holds east of 36.0E"


def _notice_of(api: Api, delivery: str) -> str:
    return str(api.as_("rus").get(f"/v1/inbox/{delivery}").json()["item_id"])


def test_items_arrive_live_once_each_across_a_dropped_connection(
    browser: Browser, golan: Api
) -> None:
    relay = CuttableRelay(int(golan.url.rsplit(":", 1)[1]))
    context = new_context(browser)
    page = context.new_page()
    page.goto(signin_link(golan, "rus").replace(golan.url, relay.url))
    wait_until(page, "() => window.deconflictionConsole?.liveStatus() === 'live'")
    goto_view(page, "inbox")

    first = _file(golan, "live one")
    page.wait_for_selector(f'button.inbox-item[data-delivery="{first}"]')

    relay.cut()  # the stream drops; the browser reconnects with Last-Event-ID
    missed = _file(golan, "filed while the stream was down")
    page.wait_for_selector(f'button.inbox-item[data-delivery="{missed}"]')
    wait_until(page, "() => window.deconflictionConsole.liveStatus() === 'live'")
    after = _file(golan, "live again")
    page.wait_for_selector(f'button.inbox-item[data-delivery="{after}"]')
    assert [_rows(page, d) for d in (first, missed, after)] == [1, 1, 1]

    # An escalation arrives the same way: the unanswered item climbs a level.
    golan.clock.advance(3600)
    golan.escalate()
    page.wait_for_selector(f'button.inbox-item[data-delivery="{after}"] .level')
    assert _rows(page, after) == 1
    context.close()
    relay.close()
