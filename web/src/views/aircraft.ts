// Beside the map: the aircraft it draws, as text (the map's equivalent for a screen reader and
// for a duty officer who wants the figures).  Their legend entries are in ../legend.ts.

import type { App } from "../app";
import { h } from "../dom";

export function aircraftList(app: App): HTMLElement {
  const { aircraft, conflicts } = app.tracks.drawn();
  return h(
    "section",
    { class: "drawn aircraft", "aria-label": "Aircraft on the map" },
    h("h2", null, `Aircraft: ${aircraft.length}`),
    aircraft.length
      ? h(
          "ul",
          null,
          aircraft.slice(0, 40).map((a) => h("li", { dataset: { key: a.key } }, a.text.split("\n").join(" · "))),
        )
      : h("p", { class: "note" }, app.live ? "No aircraft you may see is reporting." : "No aircraft you may see at this instant."),
    conflicts.length
      ? h(
          "ul",
          { class: "conflicts" },
          conflicts.map((c) => h("li", null, h("a", { href: `#/alerts?alert=${c.alert}` }, "conflict"), `: ${c.text}`)),
        )
      : null,
  );
}
