"""Proposals in the console: the admin of a party a change binds sees what it would change,
who has consented and who is awaited, and consents (or declines, with a note) in the browser,
with the ledger's receipt checked in the page; the proposer withdraws its own; other roles read
the same list without the buttons; and a party the change does not concern never receives it
(checked on the network traffic, as for notices)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.console.conftest import AXE, SCREENSHOTS, TIMEOUT_MS, goto_view, wait_until
from tests.console.test_need_to_know import Wire, _until
from tests.console.test_need_to_know import _console as watched_console
from tests.console.test_views import PERMISSION, WALK
from tests.support.server import Api

AGREEMENT = "idf-rus"  # parties idf and rus, monitored by undof; sarc is no part of it


def _propose(api: Api, proposer: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``proposer``'s admin proposes new terms for the IDF-Russia agreement."""
    admin = api.as_(proposer, "admin")
    current = admin.get(f"/v1/agreements/{AGREEMENT}").json()
    body = {k: v for k, v in current.items() if k not in ("receipt", "ledger")} | changes
    answer = admin.put(f"/v1/agreements/{AGREEMENT}", json=body)
    assert answer.status_code == 200, answer.text
    api.clock.advance(1)
    proposal: dict[str, Any] = answer.json()["proposal"]
    assert proposal["status"] == "pending"
    return proposal


def _console(
    browser: Browser, api: Api, party: str, role: str
) -> tuple[BrowserContext, Page, Wire]:
    """A console signed in for ``party`` in ``role``, on the Proposals view, its traffic watched."""
    context, page, wire = watched_console(browser, api, party, role)
    goto_view(page, "proposals")
    return context, page, wire


def _card(page: Page, proposal: str) -> Any:
    card = page.locator(f'article.proposal[data-proposal="{proposal}"]')
    card.wait_for()
    return card


@pytest.fixture
def consoles(browser: Browser, golan: Api) -> Iterator[dict[str, tuple[Page, Wire]]]:
    opened = {
        name: _console(browser, golan, party, role)
        for name, (party, role) in {
            "rus": ("rus", "admin"),
            "sarc": ("sarc", "admin"),
            "idf": ("idf", "admin"),
            "rus_duty": ("rus", "duty_officer"),
        }.items()
    }
    yield {name: (page, wire) for name, (_c, page, wire) in opened.items()}
    for context, _page, _wire in opened.values():
        context.close()


def test_an_admin_consents_in_the_browser_and_a_third_party_never_sees_it(
    consoles: dict[str, tuple[Page, Wire]], golan: Api
) -> None:
    rus, rus_wire = consoles["rus"]
    sarc, sarc_wire = consoles["sarc"]
    marker = f"line-{secrets.token_hex(6)}"
    proposal = _propose(
        golan,
        "idf",
        {
            "name": f"Israel–Russia line {marker}",
            "lead_times": {"air_operation": "10 min", "ground_movement": "2 h", "exercise": "24 h"},
        },
    )
    assert proposal["required"] == ["idf", "rus", "undof"]
    consented = golan.as_("undof", "admin").post(f"/v1/proposals/{proposal['id']}/consent")
    assert consented.status_code == 200, consented.text

    card = _card(rus, proposal["id"])
    # What it would change, term by term, against the terms in force.
    row = card.locator('tr[data-term="lead_times.air_operation"]')
    row.wait_for()
    assert (row.locator("td.before").inner_text(), row.locator("td.after").inner_text()) == (
        "30 min",
        "10 min",
    )
    assert marker in card.locator('tr[data-term="name"] td.after').inner_text()
    assert card.locator('tr[data-term="margins.lateral"]').count() == 0  # unchanged: not listed
    # Who has consented (the proposer, by proposing; the monitor), who is awaited, the deadline.
    wait_until(
        rus,
        "(id) => document.querySelector(`article[data-proposal='${id}'] dd.awaited`)?.textContent === 'Russian forces in Syria'",
        arg=proposal["id"],
    )
    assert card.locator("li.consented").count() == 2
    assert "Expires" in card.inner_text()
    assert rus.evaluate(WALK % json.dumps(PERMISSION.pattern)) == []

    # No serious accessibility violation in a card with its buttons (axe-core, given to the page
    # by the browser: the page's Content-Security-Policy refuses scripts it did not serve).
    rus.evaluate(AXE.read_text())
    violations = rus.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"
    )
    assert violations == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    rus.screenshot(path=str(SCREENSHOTS / "rus-admin-proposals.png"), timeout=TIMEOUT_MS)

    card.get_by_role("button", name="Consent for Russian forces in Syria").click()
    verdict = card.locator(".receipt .verdict.verified")
    verdict.wait_for()
    index = int(card.locator(".receipt").get_attribute("data-receipt-index") or "-1")
    entry = golan.as_("rus", "admin").get(f"/v1/ledger/entries/{index}").json()
    # The last consent's receipt is the entry that put the new terms in force, naming the proposal.
    assert (entry["type"], entry["subject"]) == ("agreement.recorded", AGREEMENT)
    assert f"consent:{proposal['id']}" in json.dumps(entry)
    assert "in force" in card.locator("dd.status").inner_text()

    # The change is in force, as the API says.
    agreement = golan.as_("rus").get(f"/v1/agreements/{AGREEMENT}").json()
    assert agreement["lead_times"]["air_operation"] == "10 min"
    assert golan.as_("rus").get(f"/v1/proposals/{proposal['id']}").json()["status"] == "in_force"

    # SARC's console, live all along, received nothing of it; something sent to SARC after it
    # arrived, so the proposal had its chance.
    sent = golan.as_("idf").post("/v1/messages", json={"to": "sarc", "body": "after the proposal"})
    delivery = next(d["id"] for d in sent.json()["deliveries"] if d["recipient"] == "sarc")
    _until(sarc, lambda: sarc_wire.holds(delivery))
    goto_view(sarc, "map")
    goto_view(sarc, "proposals")
    sarc.wait_for_selector(".view-proposals p[role=status]:has-text('No pending proposal')")
    assert not sarc_wire.holds(proposal["id"])
    assert not sarc_wire.holds(marker)
    assert proposal["id"] not in sarc.content()
    # The watching works: the Russian console got it on the same channels.
    assert any(proposal["id"] in e for e in rus_wire.events)


def test_decline_with_a_note_withdraw_ones_own_and_other_roles_only_read(
    consoles: dict[str, tuple[Page, Wire]], golan: Api
) -> None:
    idf, _ = consoles["idf"]
    rus_duty, _ = consoles["rus_duty"]
    margins = {"lateral": "5 NM", "vertical": "500 ft", "time": "0 s"}
    declined = _propose(golan, "rus", {"margins": margins})
    card = _card(idf, declined["id"])
    assert card.locator('tr[data-term="margins.lateral"] td.after').inner_text() == "5 NM"
    assert card.get_by_role("button", name="Withdraw this proposal").count() == 0
    card.get_by_label("Note to the others if you decline (optional)").fill("3 NM as agreed")
    card.get_by_role("button", name="Decline for Israel Defense Forces").click()
    card.locator(".receipt .verdict.verified").wait_for()
    seen = golan.as_("rus", "admin").get(f"/v1/proposals/{declined['id']}").json()
    assert (seen["status"], seen["declined_by"], seen["note"]) == (
        "declined",
        "idf",
        "3 NM as agreed",
    )
    agreement = golan.as_("idf").get(f"/v1/agreements/{AGREEMENT}").json()
    assert agreement["margins"]["lateral"] == "3 NM"  # the terms in force stay

    own = _propose(golan, "idf", {"margins": margins})
    card = _card(idf, own["id"])
    # The proposer consented by proposing: it may withdraw, not consent again.
    assert card.get_by_role("button", name="Consent for Israel Defense Forces").count() == 0
    # A duty officer of a party it binds reads it, and has nothing to press.
    duty_card = _card(rus_duty, own["id"])
    assert duty_card.locator("button").count() == 0
    assert "Only your party's admins" in duty_card.inner_text()
    card.get_by_role("button", name="Withdraw this proposal").click()
    card.locator(".receipt .verdict.verified").wait_for()
    assert (
        golan.as_("idf", "admin").get(f"/v1/proposals/{own['id']}").json()["status"] == "withdrawn"
    )
    rus_duty.wait_for_selector(f'article[data-proposal="{own["id"]}"]', state="detached")


def _awaiting(page: Page) -> str:
    """The count on the Proposals tab ("" when hidden: nothing awaits the party)."""
    badge = page.locator('header nav a[data-view="proposals"] .count')
    return badge.locator(".count-number").inner_text() if badge.is_visible() else ""


def test_the_proposals_tab_counts_those_awaiting_the_party_live(
    consoles: dict[str, tuple[Page, Wire]], golan: Api
) -> None:
    rus, _ = consoles["rus"]
    idf, _ = consoles["idf"]
    sarc, _ = consoles["sarc"]
    assert (_awaiting(rus), _awaiting(idf), _awaiting(sarc)) == ("", "", "")
    proposal = _propose(golan, "idf", {"margins": {"lateral": "4 NM", "vertical": "500 ft"}})
    # Over the live stream: awaited from RUS (its duty officer sees the count too), not from
    # IDF (it consented by proposing), and nothing at all for SARC, whom it does not concern.
    wait_until(
        rus,
        "() => document.querySelector('nav a[data-view=proposals] .count-number')?.textContent === '1'",
    )
    rus_duty, _ = consoles["rus_duty"]
    wait_until(rus_duty, "() => window.deconflictionConsole.awaitingConsent() === 1")
    assert _awaiting(rus_duty) == "1"
    consented = golan.as_("rus", "admin").post(f"/v1/proposals/{proposal['id']}/consent")
    assert consented.status_code == 200, consented.text
    wait_until(rus, "() => window.deconflictionConsole.awaitingConsent() === 0")
    assert _awaiting(rus) == ""
    assert (_awaiting(idf), _awaiting(sarc)) == ("", "")
    golan.as_("idf", "admin").post(f"/v1/proposals/{proposal['id']}/withdraw")
    golan.clock.advance(1)


def test_zone_and_line_proposals_show_what_they_would_change(
    consoles: dict[str, tuple[Page, Wire]], golan: Api
) -> None:
    idf, _ = consoles["idf"]
    rus_admin = golan.as_("rus", "admin")
    # A zone agreement's band widened: the area compared as a whole, the rules unchanged.
    zone = rus_admin.get("/v1/zones/syr-10").json()
    body = {k: v for k, v in zone.items() if k not in ("geometry", "area_description")}
    body["area"] = body["area"] | {"to": "12 km"}
    widened = rus_admin.put("/v1/zones/syr-10", json=body)
    assert widened.status_code == 200, widened.text
    golan.clock.advance(1)
    zone_proposal = widened.json()["proposal"]
    card = _card(idf, zone_proposal["id"])
    assert "Change to zone agreement syr-10" in card.locator("h2").inner_text()
    area = card.locator('tr[data-term="area"]')
    assert "to: 10 km" in area.locator("td.before").inner_text()
    assert "to: 12 km" in area.locator("td.after").inner_text()
    assert "line: line-b" in area.locator("td.after").inner_text()
    rows = card.locator("tbody tr").evaluate_all("rows => rows.map(r => r.innerText)")
    assert len(rows) == 1, rows  # the rules, the parties: unchanged, not listed

    # A line moved: its vertices (summed up, not printed) and its source.
    undof_admin = golan.as_("undof", "admin")
    line = undof_admin.get("/v1/lines/line-a").json()
    moved = [[x + 0.01, y] for x, y in line["vertices"]]
    answer = undof_admin.put(
        "/v1/lines/line-a", json={"name": line["name"], "vertices": moved, "source": "resurveyed"}
    )
    assert answer.status_code == 200, answer.text
    golan.clock.advance(1)
    line_proposal = answer.json()["proposal"]
    assert line_proposal["status"] == "pending"
    card = _card(idf, line_proposal["id"])
    vertices = card.locator('tr[data-term="vertices"]')
    first, last = line["vertices"][0], line["vertices"][-1]
    before = vertices.locator("td.before").inner_text()
    after = vertices.locator("td.after").inner_text()
    assert before == f"{len(line['vertices'])} points, from {_pair(first)} to {_pair(last)}"
    assert after == f"{len(moved)} points, from {_pair(moved[0])} to {_pair(moved[-1])}"
    assert card.locator('tr[data-term="source"] td.after').inner_text() == "resurveyed"
    assert card.locator('tr[data-term="name"]').count() == 0
    assert idf.evaluate(WALK % json.dumps(PERMISSION.pattern)) == []
    for made, by in ((zone_proposal, rus_admin), (line_proposal, undof_admin)):
        assert by.post(f"/v1/proposals/{made['id']}/withdraw").status_code == 200


def _pair(point: list[float]) -> str:
    """A coordinate pair as JavaScript prints numbers (what the page shows)."""
    return " ".join(repr(c).removesuffix(".0") for c in point)
