// The air picture the console draws: live from GET /v1/tracks/stream, or, when the scrubber
// is on a past instant, what GET /v1/tracks?at= answers for that instant.  The server decides
// who may see which aircraft (docs/design/tracks.md, "Need to know"); the page draws what it
// is sent and drops what the stream says is gone.

import { get } from "./api";
import { formatIso, parseTime, type Micros } from "./time";

/** An altitude as the source reported it: value in its unit, on its datum. */
export interface ReportedAltitude {
  value: number;
  unit: string; // "FL", "ft", "m"
  datum: string; // "baro", "geom"
}

/** One aircraft as the API gives it (api/schemas/tracks.py: TrackPublic). */
export interface Aircraft {
  key: string;
  party: string | null;
  disputed: string[];
  callsign: string | null;
  lon: number | null;
  lat: number | null;
  position_time: string | null;
  baro: ReportedAltitude | null;
  geom: ReportedAltitude | null;
  speed: { value: number; unit: string } | null;
  track: number | null;
  last_heard: string;
  trail: (number | null)[][] | null; // [t epoch s, lon, lat, altitude m on its datum]
}

/** Trail kept in the page while live: the server's default history window. */
const TRAIL_S = 600;

/** "FL237 baro", "24,150 ft geom": the reported value, unit and datum, never converted. */
export function altitudeText(alt: ReportedAltitude | null): string {
  if (!alt) return "no altitude";
  if (alt.unit === "FL") {
    const [whole, frac] = String(alt.value).split(".");
    return `FL${whole.padStart(3, "0")}${frac ? "." + frac : ""} ${alt.datum}`;
  }
  return `${alt.value.toLocaleString("en-US", { maximumFractionDigits: 10 })} ${alt.unit} ${alt.datum}`;
}

/** The altitude shown first: barometric when reported (the one separation uses), else geometric. */
export function mainAltitude(a: Aircraft): ReportedAltitude | null {
  return a.baro ?? a.geom;
}

export function identText(a: Aircraft): string {
  const icao = a.key.startsWith("icao:") ? a.key.slice(5).toUpperCase() : a.key;
  return a.callsign ? `${a.callsign.trim()} ${icao}` : icao;
}

export class AirPicture {
  /** The live picture, by key. */
  private live = new Map<string, Aircraft>();
  private past: { at: Micros; aircraft: Aircraft[] } | null = null;
  private wanted: Micros | null = null;
  private loading = false;
  private source: EventSource | null = null;
  private waiters: { at: Micros; resolve: () => void }[] = [];
  private liveList: Aircraft[] | null = null;
  private whole = false;
  /** Bumped whenever what would be drawn changes. */
  version = 0;

  constructor(private readonly onChange: () => void) {}

  async start(): Promise<void> {
    this.stop();
    const answer = await get<{ tracks: Aircraft[] }>("/v1/tracks?trails=true");
    for (const a of answer.tracks) this.live.set(a.key, a);
    this.changed(true);
    const source = new EventSource("/v1/tracks/stream");
    this.source = source;
    // The first event of each connection (the browser reconnects by itself) is the whole
    // picture: what it does not hold is no longer ours to draw.
    source.onopen = () => (this.whole = true);
    source.addEventListener("tracks", (message) => this.apply((message as MessageEvent).data));
  }

  stop(): void {
    this.source?.close();
    this.source = null;
  }

  private apply(data: string): void {
    let event: { tracks: Aircraft[]; gone?: string[] };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    for (const key of event.gone ?? []) this.live.delete(key);
    if (this.whole) {
      this.whole = false;
      const kept = new Set(event.tracks.map((a) => a.key));
      for (const key of [...this.live.keys()]) if (!kept.has(key)) this.live.delete(key);
    }
    for (const a of event.tracks) {
      const known = this.live.get(a.key);
      const trail = known?.trail ? [...known.trail] : [];
      if (a.lon !== null && a.lat !== null && a.position_time) {
        const t = parseTime(a.position_time) / 1e6;
        const last = trail[trail.length - 1];
        if (!last || (last[0] ?? 0) < t) trail.push([t, a.lon, a.lat, null]);
        while (trail.length && (trail[0][0] ?? 0) < t - TRAIL_S) trail.shift();
      }
      this.live.set(a.key, { ...a, trail });
    }
    this.changed(true);
  }

  private changed(live: boolean): void {
    if (live) this.liveList = null;
    this.version++;
    this.onChange();
  }

  /** Follow the instant: live follows the stream, a past instant asks the API. */
  setInstant(t: Micros, live: boolean): void {
    if (live) {
      if (this.wanted !== null) {
        this.wanted = null;
        this.changed(false);
      }
      return;
    }
    if (this.wanted === t) return;
    this.wanted = t;
    void this.fetchPast();
  }

  private async fetchPast(): Promise<void> {
    if (this.loading) return; // the one in flight fetches again if the instant moved
    this.loading = true;
    try {
      while (this.wanted !== null && this.past?.at !== this.wanted) {
        const at = this.wanted;
        const answer = await get<{ tracks: Aircraft[] }>(
          `/v1/tracks?at=${encodeURIComponent(formatIso(at))}&trails=true`,
        );
        this.past = { at, aircraft: answer.tracks };
        if (this.wanted === at) this.changed(false);
      }
    } catch {
      // a failed read leaves the last picture; the next move asks again
    } finally {
      this.loading = false;
      this.settle();
    }
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.past?.at !== w.at) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once the picture for the past instant ``at`` has been loaded. */
  loaded(at: Micros): Promise<void> {
    if (this.past?.at === at && !this.loading) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ at, resolve });
      if (!this.loading) void this.fetchPast();
    });
  }

  /** What is drawn now: the live picture, or the one of the past instant being shown. */
  drawn(): Aircraft[] {
    // A past instant: its picture once loaded (until then, the last one loaded).
    if (this.wanted !== null) return this.past?.aircraft ?? [];
    this.liveList ??= [...this.live.values()].filter((a) => a.lon !== null && a.lat !== null);
    return this.liveList;
  }
}
