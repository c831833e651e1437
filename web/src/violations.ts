// Zone violations as the monitor's map shows them: at each place, a label naming every
// violation open there (zone, rule, when), and, on pointing at it, the whole of each: zone,
// band, rule, its figures exactly as the API gives them (the unit read from the figure's name)
// and when it happened.  The figures are the server's, never recomputed here.

import { TextLayer } from "@deck.gl/layers";
import type { Layer } from "@deck.gl/core";

import type { LayerSource, MapMode } from "./map/map";
import { CHARACTERS, COLOURS, FONT } from "./map/style";
import type { Record } from "./record";
import { formatTime, parseTime, type Micros } from "./time";
import type { Alert, Zone } from "./types";

/** One violation's figure as the label gives it: `distance_m` 1234.5 → `distance: 1234.5 m`. */
export function figureLine(name: string, value: number | string | null): string {
  const unit = /_(m|km|s)$/.exec(name)?.[1];
  const base = (unit ? name.slice(0, -unit.length - 1) : name).replace(/_/g, " ");
  if (value === null) return `${base}: —`;
  return `${base}: ${String(value)}${unit ? ` ${unit}` : ""}`;
}

/** The figures that name the zone and its rule: said in the label's head, not repeated. */
const NAMING = new Set(["zone", "rule"]);

export function violationText(alert: Alert, zones: Map<string, Zone>): string {
  const zone = alert.subjects.map((s) => zones.get(s)).find((z) => z !== undefined);
  const rule = alert.figures.rule;
  return [
    `${zone?.name ?? String(alert.figures.zone ?? "zone")}${rule === undefined || rule === null ? "" : `, rule ${rule}`}`,
    zone ? zone.area_description : "",
    ...Object.entries(alert.figures)
      .filter(([name]) => !NAMING.has(name))
      .map(([name, value]) => figureLine(name, value)),
    `at ${formatTime(parseTime(alert.raised_at))}`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** One line of a place's label: which zone and rule, and when. */
function headline(alert: Alert, zones: Map<string, Zone>): string {
  const zone = alert.subjects.map((s) => zones.get(s)).find((z) => z !== undefined);
  return `${zone?.name ?? String(alert.figures.zone ?? "zone")}, rule ${String(alert.figures.rule ?? "?")}, ${formatTime(parseTime(alert.raised_at), false)}`;
}

export interface ViolationLabel {
  ids: string[]; // the violations open at this place, in the order given
  position: [number, number];
  label: string; // drawn: one headline a violation
  text: string; // shown when pointed at (the map's tooltip): every violation whole
}

/** One label per place holding every zone violation open there (zone-entry alerts, of a
 * notice's volume, have no single place and are listed beside the map). */
export function violationLabels(alerts: Alert[], zones: Zone[]): ViolationLabel[] {
  const byId = new Map(zones.map((z) => [z.id, z]));
  const places = new Map<string, ViolationLabel>();
  for (const a of alerts) {
    if (a.kind !== "zone-violation" || a.geometry?.type !== "Point") continue;
    const [x, y] = a.geometry.coordinates as number[];
    const key = `${x},${y}`;
    const text = violationText(a, byId);
    const label = headline(a, byId);
    const found = places.get(key);
    if (found) {
      found.ids.push(a.id);
      found.label += `\n${label}`;
      found.text += `\n\n${text}`;
    } else places.set(key, { ids: [a.id], position: [x, y], label, text });
  }
  return [...places.values()];
}

/** The labels as a layer of the monitor's map (a `LayerSource`): in any other mode, none. */
export class ViolationLabelLayer implements LayerSource {
  private shown: ViolationLabel[] = [];
  private key = "";

  constructor(private readonly record: Record) {}

  layers(instant: Micros, mode: MapMode): Layer[] {
    if (mode !== "monitor") return [];
    const labels = violationLabels(this.record.alertsAt(instant), this.record.zonesAt(instant));
    const key = labels.map((l) => `${l.ids.join(",")}:${l.text}`).join("|");
    if (key !== this.key) {
      // The same labels keep the same data: deck.gl lays their text out again only on a change.
      this.key = key;
      this.shown = labels;
    }
    return [
      new TextLayer<ViolationLabel>({
        id: "violation-labels",
        data: this.shown,
        getPosition: (l) => l.position,
        getText: (l) => l.label,
        getSize: 11,
        getColor: COLOURS.alert,
        getTextAnchor: "start",
        getAlignmentBaseline: "top",
        getPixelOffset: [16, 10],
        background: true,
        getBackgroundColor: [255, 255, 255, 230],
        backgroundPadding: [4, 3],
        characterSet: CHARACTERS,
        fontFamily: FONT,
        pickable: true, // pointing at a label shows every violation whole (the map's tooltip)
      }),
    ];
  }
}
