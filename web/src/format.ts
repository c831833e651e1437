// Words and labels the console shows.  An altitude band is shown exactly as filed.

import type { Altitude } from "./types";

/** "FL050–FL250", "SFC–50 m AGL": the two bounds as the server returns them, never converted. */
export function bandLabel(altitude: Altitude): string {
  return `${altitude.lower}–${altitude.upper}`;
}

export function kindLabel(kind: string): string {
  return kind.replace(/[_-]/g, " ");
}

export const ALERT_KINDS: { [kind: string]: string } = {
  "late-notice": "late notice",
  "notice-overlap": "notices overlap",
  "protected-site": "protected site",
  "zone-entry": "zone entry",
  "zone-violation": "zone violation",
  "site-duplicate": "duplicate site",
  "red-line": "red line crossed",
  "track-conflict": "aircraft in conflict",
  "track-outside-volume": "aircraft outside its notified volume",
  "track-outside-band": "aircraft outside its notified band",
  "track-before-window": "aircraft before its notified window",
  "track-overrun": "aircraft after its notified window",
  "track-unnotified": "aircraft with no notice",
  "cannot-clear": "too little time to clear",
};

export function alertKindLabel(kind: string): string {
  return ALERT_KINDS[kind] ?? kindLabel(kind);
}

export const ITEM_LABELS: { [kind: string]: string } = {
  notice: "Notice",
  alert: "Alert",
  message: "Message",
  escalation: "Escalation",
  undelivered: "Not delivered",
  proposal: "Proposal",
};

/** A figure for people: numbers rounded sensibly, units from the figure's name. */
export function figureText(name: string, value: number | string | null): string {
  if (value === null) return "—";
  if (typeof value === "string") return value;
  const rounded = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
  if (name.endsWith("_m")) return `${rounded} m`;
  if (name.endsWith("_km")) return `${rounded} km`;
  if (name.endsWith("_s")) return `${rounded} s`;
  return rounded;
}
