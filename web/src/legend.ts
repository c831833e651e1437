// The map's legend.  Its swatches take their colours from the map's own definitions (COLOURS,
// and fillOf/lineOf, the functions the volume layers colour each volume with), so the legend
// cannot show a colour the map does not draw.  Shapes (dashes, dots) stay in the style sheet.

import { h } from "./dom";
import { ACTIVE, CANCELLED, CONFLICT, LATE, UPCOMING } from "./instant";
import { COLOURS, fillOf, lineOf } from "./map/map";
import { TRACK_COLOURS } from "./map/tracks";

type RGBA = readonly number[];

/** A colour of the map as CSS (deck.gl's alpha is 0–255). */
export const css = ([r, g, b, a = 255]: RGBA): string => `rgba(${r}, ${g}, ${b}, ${a / 255})`;

/** The volume states the legend shows, with the state the map draws them in. */
export const LEGEND_STATES: { name: string; state: number; text: string }[] = [
  { name: "active", state: ACTIVE, text: "active volume (window open)" },
  { name: "upcoming", state: UPCOMING, text: "upcoming volume (dashed)" },
  { name: "late", state: ACTIVE | LATE, text: "late notice (filed inside the agreed lead time)" },
  { name: "conflict", state: ACTIVE | CONFLICT, text: "in conflict (an open alert)" },
  { name: "cancelled", state: CANCELLED, text: "cancelled (grey, dashed)" },
];

const OTHERS: { name: string; fill: RGBA; line: RGBA; text: string }[] = [
  { name: "zone", fill: COLOURS.zone, line: COLOURS.zoneLine, text: "zone agreement area" },
  { name: "line", fill: COLOURS.line, line: COLOURS.line, text: "line (ceasefire, contact)" },
  { name: "site", fill: [255, 255, 255, 255], line: COLOURS.site, text: "protected site" },
  { name: "observation", fill: COLOURS.observation, line: [255, 255, 255, 255], text: "observation (last 6 h)" },
  { name: "alert", fill: [0, 0, 0, 0], line: COLOURS.alert, text: "alert location" },
];

const NONE: RGBA = [0, 0, 0, 0];

/** The aircraft layers' colours (map/tracks.ts); the shapes are in the style sheet. */
const AIRCRAFT: { name: string; fill: RGBA; line: RGBA; text: string }[] = [
  { name: "aircraft-own", fill: TRACK_COLOURS.own, line: TRACK_COLOURS.own, text: "own aircraft (turned to its track), with its trail" },
  { name: "aircraft-other", fill: TRACK_COLOURS.other, line: TRACK_COLOURS.other, text: "another party's aircraft (shared by an alert)" },
  { name: "aircraft-unattributed", fill: TRACK_COLOURS.unattributed, line: TRACK_COLOURS.unattributed, text: "unattributed aircraft (where an agreement shares them)" },
  { name: "aircraft-conflict", fill: TRACK_COLOURS.conflict, line: TRACK_COLOURS.conflict, text: "predicted conflict between two aircraft" },
  { name: "aircraft-flag", fill: NONE, line: TRACK_COLOURS.conformance, text: "aircraft named by a conformance or cannot-clear alert" },
];

function item(name: string, fill: RGBA, line: RGBA, text: string): HTMLElement {
  const swatch = h("span", { class: `swatch ${name}`, "aria-hidden": "true", dataset: { legend: name } });
  // Set through the CSSOM, which the page's Content-Security-Policy allows (style attributes
  // in markup it would refuse).
  swatch.style.backgroundColor = css(fill);
  swatch.style.borderColor = css(line);
  return h("li", null, swatch, text);
}

export function legend(): HTMLElement {
  return h(
    "section",
    { class: "legend", "aria-label": "Legend" },
    h("h2", null, "Legend"),
    h(
      "ul",
      null,
      LEGEND_STATES.map((s) => item(s.name, fillOf(s.state), lineOf(s.state), s.text)),
      OTHERS.map((o) => item(o.name, o.fill, o.line, o.text)),
      AIRCRAFT.map((o) => item(o.name, o.fill, o.line, o.text)),
    ),
    h("p", { class: "note" }, "Labels give each band, and each aircraft's altitude, exactly as filed or reported (unit and datum)."),
  );
}
