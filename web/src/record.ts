// What the console knows of the record: the answer of GET /v1/history, read in parts as they
// arrive, merged as the live stream brings news (GET /v1/history?after=position).  Outlines
// come at the map's drawing tolerance (`outlines=drawn`); the exact ones are in the notice's
// own answer (the selection, the dispute timeline).  Times are parsed once to microseconds.

import { get, getParts } from "./api";
import { parseTime, type Micros } from "./time";
import type {
  Alert,
  History,
  HistoryAlert,
  HistoryNotice,
  HistoryZone,
  Line,
  Observation,
  Site,
  Zone,
} from "./types";

export interface TimedSpan<T> {
  start: Micros; // -Infinity: since ever
  end: Micros; // +Infinity: still
  value: T;
}

function span<T>(start: string | null, end: string | null, value: T): TimedSpan<T> {
  return {
    start: start === null ? -Infinity : parseTime(start),
    end: end === null ? Infinity : parseTime(end),
    value,
  };
}

export function holds(s: { start: Micros; end: Micros }, t: Micros): boolean {
  return s.start <= t && t < s.end;
}

/** One volume of one notice version, as the map draws it. */
export interface VolumeRow {
  notice: HistoryNotice;
  index: number;
  rings: number[][][]; // outer ring first (a MultiPolygon contributes one row per part)
  start: Micros; // the volume's window
  end: Micros;
  from: Micros; // the version's standing span
  until: Micros;
  cancelled: boolean; // its successor is a cancellation (drawn "cancelled" after `until`)
}

type Listener = () => void;

const HISTORY = "/v1/history?outlines=drawn";

export class Record {
  position = -1;
  notices = new Map<string, HistoryNotice>();
  alerts = new Map<string, TimedSpan<Alert>[]>();
  /** Every alert naming the party, as it stands now (open or closed). */
  current = new Map<string, Alert>();
  zones = new Map<string, TimedSpan<Zone>[]>();
  sites = new Map<string, Site>();
  observations = new Map<string, Observation>();
  lines = new Map<string, Line>();
  rows: VolumeRow[] = [];
  /** Bumped whenever `rows` is a new array (rows added or removed), not when only spans
   * changed; rows kept keep their objects, and new ones are appended where they can be. */
  geometryVersion = 0;
  /** Bumped on every merge. */
  version = 0;
  range: { start: Micros; end: Micros } = { start: NaN, end: NaN };
  private listeners: Listener[] = [];
  /** Each notice version's volumes as drawn, by version id (a version's geometry never
   * changes). */
  private drawn = new Map<string, number[][][][][]>();
  private fetching: Promise<void> | null = null;
  private again = false;

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Read the whole record, part by part (each merged and shown as it arrives; `shown` is
   * called once the first is).  A refresh asked meanwhile waits for the whole. */
  load(shown: () => void = () => undefined): Promise<void> {
    let first = true;
    const loading = getParts<History>(HISTORY, (part) => {
      this.merge(part, first);
      if (first) shown();
      first = false;
    });
    // Refreshes wait for the whole record (its failure is the caller's to report).
    this.fetching = loading.catch(() => undefined).finally(() => {
      this.fetching = null;
      if (this.again) void this.refresh();
    });
    return loading;
  }

  /** Fetch what changed after our position; calls made while one is running fold into one. */
  refresh(): Promise<void> {
    if (this.fetching) {
      this.again = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      try {
        do {
          this.again = false;
          this.merge(await get<History>(`${HISTORY}&after=${this.position}`), false);
        } while (this.again);
      } finally {
        this.fetching = null;
      }
    })();
    return this.fetching;
  }

  merge(answer: History, full: boolean): void {
    if (full) {
      this.notices.clear();
      this.alerts.clear();
      this.current.clear();
      this.zones.clear();
      this.sites.clear();
      this.observations.clear();
      this.lines.clear();
    }
    const before = this.notices.size;
    let geometryChanged = full;
    for (const n of answer.notices) {
      const old = this.notices.get(n.id);
      if (!old) geometryChanged = true;
      this.notices.set(n.id, n);
    }
    for (const a of answer.alerts) this.setAlert(a);
    for (const z of answer.zones) this.setZone(z);
    for (const s of answer.sites) this.sites.set(s.id, s);
    for (const o of answer.observations) this.observations.set(o.id, o);
    for (const l of answer.lines) this.lines.set(l.id, l);
    this.position = Math.max(this.position, answer.position);
    if (geometryChanged || this.notices.size !== before || answer.notices.length) this.rebuildRows();
    this.version++;
    for (const listener of this.listeners) listener();
  }

  private setAlert(a: HistoryAlert): void {
    if (a.current) this.current.set(a.id, a.current);
    else this.current.delete(a.id);
    this.alerts.set(
      a.id,
      a.open.map((s) => span(s.start, s.end, s.alert)),
    );
  }

  private setZone(z: HistoryZone): void {
    this.zones.set(
      z.id,
      z.versions.map((v) => span(v.start, v.end, v.zone)),
    );
  }

  private rebuildRows(): void {
    const rows: VolumeRow[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const n of this.notices.values()) {
      if (n.action === "cancel") continue; // a cancellation draws the version it cancels
      const from = parseTime(n.standing_from);
      const until = n.standing_until === null ? Infinity : parseTime(n.standing_until);
      const successor = n.superseded_by ? this.notices.get(n.superseded_by) : undefined;
      const cancelled = successor?.action === "cancel";
      n.volumes.forEach((v, index) => {
        const start = parseTime(v.window.start);
        const end = parseTime(v.window.end);
        lo = Math.min(lo, start, from);
        hi = Math.max(hi, end);
        for (const rings of this.drawnParts(n, index)) {
          // The row already drawn at this place keeps its object (only its spans and its
          // notice's status change), so that the map uploads only what is new.
          const row = { notice: n, index, rings, start, end, from, until, cancelled };
          const old = this.rows[rows.length];
          rows.push(old && old.rings === rings ? Object.assign(old, row) : row);
        }
      });
    }
    const same = rows.length === this.rows.length && rows.every((r, i) => r === this.rows[i]);
    if (!same) {
      this.geometryVersion++;
      this.rows = rows;
    }
    this.range = { start: lo, end: hi };
  }

  /** The polygons of a notice version's volume as drawn, kept by version id: a version never
   * changes, so rows keep their objects when a merge brings the version again (a new
   * status).  The server draws them to `outline_tolerance_m` (under a pixel to zoom 12):
   * every vertex costs on every frame here.  Decisions never use these points: what is
   * drawn is chosen from the server's spans and windows. */
  private drawnParts(n: HistoryNotice, index: number): number[][][][] {
    let volumes = this.drawn.get(n.id);
    if (!volumes) {
      volumes = n.volumes.map((v) => (v.geometry.type === "Polygon" ? [v.geometry.coordinates] : v.geometry.coordinates));
      this.drawn.set(n.id, volumes);
    }
    return volumes[index];
  }

  /** Zone versions standing at t. */
  zonesAt(t: Micros): Zone[] {
    const out: Zone[] = [];
    for (const versions of this.zones.values()) {
      for (const v of versions) if (holds(v, t)) out.push(v.value);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Alerts open at t, as they stood then. */
  alertsAt(t: Micros): Alert[] {
    const out: Alert[] = [];
    for (const spans of this.alerts.values()) {
      for (const s of spans) if (holds(s, t)) out.push(s.value);
    }
    return out.sort((a, b) => parseTime(a.raised_at) - parseTime(b.raised_at) || (a.id < b.id ? -1 : 1));
  }

  /** An alert as it stands now, or as it last named the party. */
  alert(id: string): Alert | undefined {
    const spans = this.alerts.get(id);
    return this.current.get(id) ?? spans?.[spans.length - 1]?.value;
  }

  sitesAt(t: Micros): Site[] {
    return [...this.sites.values()].filter(
      (s) => parseTime(s.valid_from) <= t && t < parseTime(s.valid_until),
    );
  }

  observationsWithin(t: Micros, trailing: Micros): Observation[] {
    return [...this.observations.values()].filter((o) => {
      const at = parseTime(o.observed_at);
      return at <= t && at > t - trailing;
    });
  }
}
