"""The alerts view: every alert naming the party, filtered by kind, party told and time raised
exactly as the API's own answer is filtered here, and selecting one frames its subjects on the
map (its notices selected, the view centred on them)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page

from deconfliction.engine.times import parse_utc
from tests.console.conftest import goto_view, new_context, open_console, probe, wait_until
from tests.support.server import Api


def _shown(page: Page) -> list[str]:
    ids: list[str] = page.locator("li.alert-card").evaluate_all(
        "cards => cards.map((c) => c.dataset.alertId)"
    )
    return sorted(ids)


def _ids(alerts: list[dict[str, Any]]) -> list[str]:
    return sorted(a["id"] for a in alerts)


def _box(coordinates: Any) -> tuple[float, float, float, float]:
    """(west, south, east, north) of any nesting of GeoJSON positions."""
    flat: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if isinstance(value[0], (int, float)):
            flat.append((value[0], value[1]))
        else:
            for v in value:
                walk(v)

    walk(coordinates)
    xs, ys = [p[0] for p in flat], [p[1] for p in flat]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(view: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    return bool(west <= view["longitude"] <= east and south <= view["latitude"] <= north)


def test_alerts_filter_as_the_api_answers_and_frame_their_subjects(
    browser: Browser, golan: Api
) -> None:
    idf = golan.as_("idf")
    alerts = idf.get("/v1/alerts", params={"status": "all"}).json()["alerts"]
    assert len({a["kind"] for a in alerts}) >= 3  # not vacuous
    context = new_context(browser)
    page = open_console(context, golan, "idf")
    goto_view(page, "alerts")
    page.select_option("#f-state", "all")
    assert _shown(page) == _ids(alerts)

    for kind in sorted({a["kind"] for a in alerts}):
        page.select_option("#f-kind", kind)
        assert _shown(page) == _ids([a for a in alerts if a["kind"] == kind]), kind
    page.select_option("#f-kind", "")
    for party in ("sarc", "rus"):
        page.select_option("#f-party", party)
        assert _shown(page) == _ids([a for a in alerts if party in a["parties"]]), party
    page.select_option("#f-party", "")
    raised = sorted({parse_utc(a["raised_at"]) for a in alerts})
    lo, hi = raised[1], raised[-1]  # [lo, hi): the first and the last instants left out
    page.fill("#f-from", lo.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    page.fill("#f-to", hi.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    within = [a for a in alerts if lo <= parse_utc(a["raised_at"]) < hi]
    assert 0 < len(within) < len(alerts)
    assert _shown(page) == _ids(within)
    page.fill("#f-from", "")
    page.fill("#f-to", "")
    assert page.locator(".count-line").inner_text() == f"{len(alerts)} alerts"

    # An alert between notices: they are selected and the map looks at them.
    overlap = next(a for a in alerts if a["kind"] == "notice-overlap")
    page.locator(f'li.alert-card[data-alert-id="{overlap["id"]}"] button.alert-head').click()
    view = probe(page, "view")
    subjects = sorted(s for s in overlap["subjects"] if s.startswith("n-"))
    assert view["selected"] == subjects
    boxes = [
        _box(v["geometry"]["coordinates"])
        for s in subjects
        for v in idf.get(f"/v1/notices/{s}").json()["volumes"]
    ]
    union = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    assert _inside(view, union), (view, union)

    # An alert about observations only: the map looks at them, nothing selected.
    counted = next(a for a in alerts if a["kind"] == "zone-violation")
    page.locator(f'li.alert-card[data-alert-id="{counted["id"]}"] button.alert-head').click()
    view = probe(page, "view")
    assert view["selected"] == []
    points = [
        o["geometry"]["coordinates"]
        for o in idf.get("/v1/observations").json()["observations"]
        if o["id"] in counted["subjects"]
    ]
    assert points
    west, south, east, north = _box(points)
    pad = 0.03  # the frame's own margin around points, in degrees
    assert _inside(view, (west - pad, south - pad, east + pad, north + pad)), (view, points)
    context.close()


def test_the_vertical_profile_shows_the_selected_bands_as_filed(
    browser: Browser, golan: Api
) -> None:
    """Selecting a volume draws its band against time, labelled as filed; a band above ground
    gets its own lane (it cannot be placed against sea level), a flight level does not."""
    instant = "2026-11-24T10:05:00Z"
    notices = {
        n["id"]: n
        for n in golan.as_("idf").get("/v1/notices", params={"at": instant}).json()["notices"]
    }
    context = new_context(browser)
    page = open_console(context, golan, "idf", at=instant)
    goto_view(page, "map")
    for notice_id, band, lane in (
        ("n-idf-001", "FL050–FL250", "#93c5fd"),
        ("n-sarc-001", "SFC–50 m AGL", "#a7f3d0"),
    ):
        author = notices[notice_id]["author"]
        page.get_by_role("button", name=f"{author}: {band}").first.click()
        bars = page.locator("figure.profile svg rect")
        # The profile of this selection, not the one before it.
        wait_until(
            page,
            "(id) => document.querySelector('figure.profile svg rect title')"
            "?.textContent.startsWith(id + ' ')",
            arg=notice_id,
        )
        titles = bars.locator("title").all_text_contents()
        volumes = notices[notice_id]["volumes"]
        assert titles == [
            f"{notice_id} volume {i + 1}: {v['altitude']['lower']}–{v['altitude']['upper']}"
            for i, v in enumerate(volumes)
        ]
        assert bars.first.get_attribute("fill") == lane
        assert float(bars.first.get_attribute("height") or 0) > 0
    context.close()
