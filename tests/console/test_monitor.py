"""The monitor's view: the observations and the zone violations open at an instant are on the
map (the layers hold exactly what the API gives the monitor), over the zone agreements' bands;
each violation is labelled on the map and listed beside it with its zone, band, figures and
time.  A party that is no monitor of those zones sees none of it: not drawn, and not in
anything its browser received (network traffic), live filings included."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, Page

from tests.console.conftest import SCREENSHOTS, TIMEOUT_MS, goto_view, probe
from tests.console.test_need_to_know import _console, _until
from tests.support.server import Api

AT = "2026-11-24T11:45:00Z"  # after UNDOF's observations: tanks over a cap, a SAM battery...
VIOLATIONS = ("zone-violation", "zone-entry")


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _monitor_at(page: Page, instant: str) -> None:
    goto_view(page, "monitor")
    probe(page, "setInstant", instant)
    page.wait_for_selector("section[aria-label='Zone violations'] h2")


def _js(value: object) -> str:
    """A JSON value as JavaScript's String() writes it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(alert: dict[str, Any], zones: dict[str, dict[str, Any]]) -> str:
    """A violation's map label, written here from the API's alert and zone: its zone, rule and
    band, every figure as the API gives it (the unit from the figure's name), and when."""
    zone = next(zones[s] for s in alert["subjects"] if s in zones)
    lines = [f"{zone['name']}, rule {alert['figures']['rule']}", zone["area_description"]]
    for name, value in alert["figures"].items():
        if name in ("zone", "rule"):
            continue
        unit = re.search(r"_(m|km|s)$", name)
        base = (name[: unit.start()] if unit else name).replace("_", " ")
        shown = "—" if value is None else _js(value) + (f" {unit[1]}" if unit else "")
        lines.append(f"{base}: {shown}")
    raised = _time(alert["raised_at"])
    fraction = f".{raised.microsecond:06d}".rstrip("0") if raised.microsecond else ""
    lines.append(f"at {raised:%Y-%m-%d %H:%M:%S}{fraction}Z")
    return "\n".join(lines)


def _drawn_at(page: Page, instant: str) -> list[str]:
    probe(page, "setInstant", instant)
    drawn: list[str] = probe(page, "layerData", "observations")
    return drawn


def test_the_monitor_sees_observations_and_violations_on_the_map_with_bands_and_figures(
    browser: Browser, golan: Api
) -> None:
    context, page, wire = _console(browser, golan, "undof", "monitor")
    sarc_context, sarc, sarc_wire = _console(browser, golan, "sarc")
    _monitor_at(page, AT)
    api = golan.as_("undof", "monitor")

    # Observations: those of the six hours up to the instant, as the API gives them.
    at = _time(AT)
    observed = api.get("/v1/observations").json()["observations"]
    expected = sorted(
        o["id"] for o in observed if at - timedelta(hours=6) < _time(o["observed_at"]) <= at
    )
    assert len(expected) >= 4
    assert sorted(probe(page, "layerData", "observations")) == expected
    # Zone violations open at the instant (the API's answer), on the map where they have a place.
    alerts = api.get("/v1/alerts", params={"at": AT}).json()["alerts"]
    violations = [a for a in alerts if a["kind"] in VIOLATIONS]
    assert violations
    placed = {a["id"] for a in violations if (a.get("geometry") or {}).get("type") == "Point"}
    assert placed <= set(probe(page, "layerData", "alerts"))
    # The bands: every zone agreement in force, drawn with its name and its band.
    zones = api.get("/v1/zones", params={"at": AT}).json()["zones"]
    drawn_zones = set(probe(page, "layerData", "zones"))
    assert {f"{z['name']}\n{z['area_description']}" for z in zones} <= drawn_zones
    assert any("band" in z["area_description"] for z in zones)
    # Each violation listed beside the map, with the band it concerns and its figures.
    names = {z["id"]: z for z in zones}
    for alert in violations:
        row = page.locator(f'ul.violations li[data-alert-id="{alert["id"]}"]')
        assert alert["explanation"] in row.inner_text()
        for zone in (s for s in alert["subjects"] if s in names):
            band = row.locator(f'.band[data-zone="{zone}"]').inner_text()
            assert names[zone]["area_description"] in band
        figures = row.locator(".figures-inline").inner_text()
        for key in alert["figures"]:
            assert key.replace("_", " ") in figures
    # ... and on the map: each violation with a place labelled there with the same figures.
    labels = probe(page, "layerData", "violation-labels")
    labelled = [a for a in violations if a["id"] in placed and a["kind"] == "zone-violation"]
    assert labelled
    for alert in labelled:
        assert any(_label(alert, names) in text for text in labels), (alert, labels)
    tanks = next(a for a in violations if "tanks" in a["explanation"])
    assert "tanks count: 80" in page.locator(f'li[data-alert-id="{tanks["id"]}"]').inner_text()
    for observation in expected:
        assert page.locator(f'ul.observations li[data-observation="{observation}"]').count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "undof-monitor-violations.png"), timeout=TIMEOUT_MS)

    # SARC (no monitor, no signatory of these zones) in the same view at the same instant.
    _monitor_at(sarc, AT)
    assert probe(sarc, "layerData", "observations") == []
    assert not {a["id"] for a in violations} & set(probe(sarc, "layerData", "alerts"))
    assert sarc.locator("ul.violations li").count() == 0
    # A new observation, filed while both watch: the monitor's browser gets it, SARC's never.
    marker = f"seen-{secrets.token_hex(6)}"
    body = {
        "observed_at": golan.clock.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "position": "33.0700N 35.9532E",
        "affiliation": "Syrian Arab Army",
        "unit_category": "armour",
        "counts": {"tanks": 5},
        "note": marker,
    }
    filed = api.post("/v1/observations", json=body)
    assert filed.status_code == 201, filed.text
    observation = filed.json()["observation"]["id"]
    golan.clock.advance(1)
    sent = golan.as_("idf").post("/v1/messages", json={"to": "sarc", "body": "after it"}).json()
    after = next(d["id"] for d in sent["deliveries"] if d["recipient"] == "sarc")
    _until(page, lambda: wire.holds(marker))
    _until(sarc, lambda: sarc_wire.holds(after))
    # ... and draws it at the instant it was seen.
    now = body["observed_at"]
    _until(page, lambda: observation in _drawn_at(page, now))
    for seen in (*expected, observation, marker, *(a["id"] for a in violations)):
        assert not sarc_wire.holds(seen), seen
    assert observation not in sarc.content()
    context.close()
    sarc_context.close()
