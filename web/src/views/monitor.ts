// The monitor's view: observations and zone violations on the map with their figures, and the
// zone agreements with their areas.  A party sees here only what it may see: the server sends
// nothing else.

import type { App, View } from "../app";
import { clear, h, perFrame } from "../dom";
import { figureText } from "../format";
import { formatTime, parseTime } from "../time";
import { legend } from "../legend";
import { mapLayout } from "./mapview";

export function monitorView(): View {
  let app: App;
  let side: HTMLElement | null = null;

  const render = () => {
    if (!side) return;
    const t = app.instant;
    const observations = app.record.observationsWithin(t, 6 * 3600e6).sort((a, b) => parseTime(b.observed_at) - parseTime(a.observed_at));
    const zones = app.record.zonesAt(t);
    const violations = app.record.alertsAt(t).filter((a) => a.kind === "zone-violation" || a.kind === "zone-entry");
    clear(
      side,
      h(
        "section",
        { "aria-label": "Zone violations" },
        h("h2", null, `Zone violations open at ${formatTime(t)}: ${violations.length}`),
        h(
          "ul",
          { class: "violations" },
          violations.map((a) =>
            h(
              "li",
              { dataset: { alertId: a.id } },
              h("button", { type: "button", class: "link", onclick: () => app.frameAlert(a) }, a.explanation),
              zones
                .filter((z) => a.subjects.includes(z.id))
                .map((z) => h("span", { class: "band", dataset: { zone: z.id } }, ` ${z.name}: ${z.area_description}. `)),
              h("span", { class: "figures-inline" }, Object.entries(a.figures).map(([k, v]) => `${k.replace(/_/g, " ")}: ${figureText(k, v)}`).join(" · ")),
            ),
          ),
        ),
      ),
      h(
        "section",
        { "aria-label": "Observations" },
        h("h2", null, `Observations in the 6 h to ${formatTime(t, false)}: ${observations.length}`),
        h(
          "ul",
          { class: "observations" },
          observations.map((o) =>
            h(
              "li",
              { dataset: { observation: o.id } },
              h("button", { type: "button", class: "link", onclick: () => app.map.frame([o.geometry.coordinates]) }, `${formatTime(parseTime(o.observed_at))} ${o.affiliation}`),
              ` ${o.unit_category ?? ""} ${Object.entries(o.counts).map(([k, n]) => `${n} ${k}`).join(", ")}`,
              o.weapons.length ? ` — weapons: ${o.weapons.map((w) => `${w.count ?? ""} ${w.class}${w.range ? ` (range ${w.range})` : ""}`).join(", ")}` : "",
              ` — reported by ${app.party(o.reported_by)}`,
            ),
          ),
        ),
      ),
      h(
        "section",
        { "aria-label": "Zone agreements" },
        h("h2", null, "Zone agreements"),
        h("ul", null, zones.map((z) => h("li", null, h("strong", null, z.name), `: ${z.area_description}; ${z.rules.map((r) => r.description).filter(Boolean).join("; ")}`))),
      ),
      legend(),
    );
  };

  return {
    id: "monitor",
    title: "Monitor",
    key: "o",
    mount(a, main) {
      app = a;
      app.map.setMode("monitor");
      side = mapLayout(app, main, "Monitor's view", "Observations and violations");
      render();
    },
    update: perFrame(render),
    unmount() {
      side = null;
      app.map.setMode("map");
    },
  };
}
