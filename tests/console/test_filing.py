"""Filing from the console: draw an outline on the map, give the band and the window, check
the conflicts and the lead time (informative: nothing is held back), send, keep the receipt;
errors shown at their field with the server's words; cancel one's own notice."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.console.conftest import goto_view, new_context, open_console, wait_until
from tests.support.server import Api


def _draw(page: Page, points: list[tuple[float, float]]) -> None:
    """Click points on the map, as fractions of its width and height."""
    canvas = page.locator(".view-file #map")
    canvas.wait_for()
    page.wait_for_timeout(1000)  # the map settles in its new place before it takes clicks
    box = canvas.bounding_box()
    assert box is not None
    for fx, fy in points:
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_timeout(400)


def test_draw_check_send_and_cancel_a_notice(browser: Browser, golan: Api) -> None:
    context = new_context(browser)
    page = open_console(context, golan, "idf")
    goto_view(page, "file")
    page.select_option("#n-shape", "polygon")
    _draw(page, [(0.45, 0.40), (0.60, 0.40), (0.60, 0.55), (0.45, 0.55)])
    assert page.inner_text("#n-outline").count("→") == 3
    page.fill("#n-title", "Drawn in the console")
    page.fill("#n-lower", "SFC")
    page.fill("#n-upper", "FL100")

    # An error comes back at its field, in the server's words.
    page.fill("#n-upper", "FL")
    page.get_by_role("button", name="Check conflicts and lead time").click()
    error = page.locator("#n-upper-error")
    error.wait_for(state="visible")
    wait_until(page, "document.querySelector('#n-upper-error').textContent.length > 0")
    assert page.get_attribute("#n-upper", "aria-invalid") == "true"
    assert "FL" in error.inner_text()

    page.fill("#n-upper", "FL100")
    page.get_by_role("button", name="Check conflicts and lead time").click()
    page.wait_for_selector(".file-result h2:text('If sent now')")
    result = page.inner_text(".file-result")
    assert "Lead time" in result
    assert "Russian forces in Syria" in result  # its addressee
    assert "Band as filed: SFC–FL100" in result
    before = {n["id"] for n in golan.as_("idf").get("/v1/notices").json()["notices"]}

    page.get_by_role("button", name="Send notice").click()
    page.wait_for_selector(".file-result h2:text('Sent:')")
    page.locator(".file-result .verdict.verified").wait_for()
    after = {n["id"] for n in golan.as_("idf").get("/v1/notices").json()["notices"]}
    (new,) = after - before
    filed = golan.as_("idf").get(f"/v1/notices/{new}").json()
    assert filed["title"] == "Drawn in the console"
    assert filed["volumes"][0]["altitude"] == {"lower": "SFC", "upper": "FL100"}
    assert len(filed["volumes"][0]["outline"]["vertices"]) == 4

    golan.clock.advance(5)
    page.get_by_role("button", name=f"Cancel {new}").click()
    page.wait_for_selector(f".file-result h2:text('Cancelled: {new}')")
    assert golan.as_("idf").get(f"/v1/notices/{new}").json()["status"] == "cancelled"
    context.close()
