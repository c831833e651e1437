// What the map draws at an instant, decided from the server's spans alone (see
// docs/design/console.md): a version's volumes while it stands and their window has not
// ended (active or upcoming), a cancelled version's volumes from its cancellation until their
// window ends; flags from the alerts open at that instant.

import { holds, type Record } from "./record";
import type { Micros } from "./time";

export const HIDDEN = 0;
export const UPCOMING = 1;
export const ACTIVE = 2;
export const CANCELLED = 3;
export const BASE = 3; // mask of the base state
export const LATE = 4; // flag: a late-notice alert open on its notice
export const CONFLICT = 8; // flag: another alert open on its notice

export const STATE_NAMES: { [base: number]: string } = {
  [UPCOMING]: "upcoming",
  [ACTIVE]: "active",
  [CANCELLED]: "cancelled",
};

/** The base state of every volume row at t (HIDDEN, UPCOMING, ACTIVE or CANCELLED). */
export function baseStates(record: Record, t: Micros, into?: Uint8Array): Uint8Array {
  const rows = record.rows;
  const out = into && into.length === rows.length ? into : new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let state = HIDDEN;
    if (t < r.end) {
      if (r.from <= t && t < r.until) state = r.start <= t ? ACTIVE : UPCOMING;
      else if (r.cancelled && t >= r.until) state = CANCELLED;
    }
    out[i] = state;
  }
  return out;
}

/** Rows of each notice id (built once per geometry version). */
export function rowsByNotice(record: Record): Map<string, number[]> {
  const out = new Map<string, number[]>();
  record.rows.forEach((r, i) => {
    const list = out.get(r.notice.id);
    if (list) list.push(i);
    else out.set(r.notice.id, [i]);
  });
  return out;
}

/** Add the alert flags of t to `states` (in place). */
export function flagStates(
  record: Record,
  t: Micros,
  states: Uint8Array,
  byNotice: Map<string, number[]>,
): void {
  for (const spans of record.alerts.values()) {
    for (const s of spans) {
      if (!holds(s, t)) continue;
      const flag = s.value.kind === "late-notice" ? LATE : CONFLICT;
      for (const subject of s.value.subjects) {
        for (const i of byNotice.get(subject) ?? []) if (states[i] !== HIDDEN) states[i] |= flag;
      }
    }
  }
}

export interface Drawn {
  volumes: string[]; // "notice#volume:state", sorted
  zones: string[];
  alerts: string[];
}

/** A summary of what is drawn, for checks: volumes with their base state. */
export function drawnSummary(record: Record, states: Uint8Array, t: Micros): Drawn {
  const seen = new Set<string>();
  record.rows.forEach((r, i) => {
    const base = states[i] & BASE;
    if (base !== HIDDEN) seen.add(`${r.notice.id}#${r.index}:${STATE_NAMES[base]}`);
  });
  return {
    volumes: [...seen].sort(),
    zones: record.zonesAt(t).map((z) => z.id),
    alerts: record.alertsAt(t).map((a) => a.id).sort(),
  };
}
