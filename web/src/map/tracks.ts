// The aircraft layer: each aircraft as a symbol turned to its track, its trail, a label with
// its identity, its altitude exactly as reported (value, unit, datum) and its party; a line
// between the two aircraft of each open track-conflict alert with its figures; a ring on an
// aircraft that a conformance or cannot-clear alert names.
//
// Drawn with the 2D canvas API on a canvas of its own over the map (ConsoleMap.addSketch), not
// by deck.gl: the aircraft move every second or two, and a WebGL canvas, where WebGL runs in
// software (SwiftShader), is drawn by the GPU process and read back whole by the page's main
// thread before each frame is shown, a wait of a second or more when the GPU process is busy,
// during which the page shows nothing new (an alert's toast included).  A 2D canvas is drawn
// on the main thread in about a millisecond for a few dozen aircraft, and is composited as it
// is.  See docs/design/console.md, "Aircraft on a 2D canvas".

import { alertKindLabel } from "../format";
import { holds, type Record, type TimedSpan } from "../record";
import type { Micros } from "../time";
import { AirPicture, altitudeText, identText, mainAltitude, type Aircraft } from "../tracks";
import type { Alert } from "../types";
import type { ConsoleMap, Project, Sketch } from "./map";
import { FONT } from "./style";

type RGBA = [number, number, number, number];

export const TRACK_COLOURS = {
  own: [29, 78, 216, 255] as RGBA,
  other: [194, 65, 12, 255] as RGBA,
  unattributed: [75, 85, 99, 255] as RGBA,
  conflict: [220, 38, 38, 255] as RGBA,
  conformance: [217, 119, 6, 255] as RGBA,
};

const NM = 1852;
const FT = 0.3048;

/** A plan-view aircraft, nose up (north), on a 48-unit square centred on (24, 24): fuselage,
 * wings and tail; drawn 24 pixels across, turned by the track. */
const PLANE = [
  [24, 2], [28, 14], [28, 20], [46, 30], [46, 34], [28, 29], [27, 40], [34, 45], [34, 47],
  [24, 44], [14, 47], [14, 45], [21, 40], [20, 29], [2, 34], [2, 30], [20, 20], [20, 14],
].map(([x, y]) => [(x - 24) / 2, (y - 24) / 2]);

/** How near (pixels) a hover must be to an aircraft or a conflict line's label to name it. */
const HOVER_PX = 12;

export interface DrawnAircraft {
  key: string;
  lon: number;
  lat: number;
  track: number | null;
  party: string | null;
  /** The label as drawn. */
  text: string;
  /** Kinds of the conformance / cannot-clear alerts that name it now. */
  alerts: string[];
}

export interface ConflictLine {
  alert: string;
  from: [number, number];
  to: [number, number];
  text: string;
}

/** The figures of a track-conflict alert, for the line's label. */
export function conflictText(alert: Alert): string {
  const f = alert.figures;
  const num = (x: unknown) => (typeof x === "number" ? x : NaN);
  const loss = num(f.time_to_loss_s);
  const h = num(f.min_horizontal_m);
  const v = num(f.min_vertical_m);
  const when = loss === 0 ? "in loss of separation" : `loss in ${Math.round(loss)} s`;
  const across = h < NM ? `${Math.round(h).toLocaleString("en-US")} m` : `${(h / NM).toFixed(1)} NM`;
  return `${when}; closest ${across} and ${Math.round(v / FT).toLocaleString("en-US")} ft apart`;
}

/** What the layer draws for these aircraft and these open alerts (also the page's probe). */
export function drawnAircraft(
  aircraft: Aircraft[],
  alerts: Alert[],
  partyName: (id: string) => string,
): { aircraft: DrawnAircraft[]; conflicts: ConflictLine[] } {
  const flagged = new Map<string, string[]>();
  for (const a of alerts) {
    if (a.kind === "track-conflict") continue;
    if (!a.kind.startsWith("track-") && a.kind !== "cannot-clear") continue;
    for (const s of a.subjects) flagged.set(s, [...(flagged.get(s) ?? []), a.kind]);
  }
  const drawn: DrawnAircraft[] = [];
  const at = new Map<string, [number, number]>();
  for (const a of aircraft) {
    if (a.lon === null || a.lat === null) continue;
    const kinds = flagged.get(a.key) ?? [];
    const owner = a.party ? partyName(a.party) : "unattributed";
    const lines = [identText(a), altitudeText(mainAltitude(a)), owner + (a.disputed.length ? " (disputed)" : "")];
    for (const k of kinds) lines.push(`⚠ ${alertKindLabel(k)}`);
    drawn.push({ key: a.key, lon: a.lon, lat: a.lat, track: a.track, party: a.party, text: lines.join("\n"), alerts: kinds });
    at.set(a.key, [a.lon, a.lat]);
  }
  const conflicts: ConflictLine[] = [];
  for (const alert of alerts) {
    if (alert.kind !== "track-conflict" || alert.subjects.length < 2) continue;
    const [ka, kb] = alert.subjects;
    const f = alert.figures;
    // Where both aircraft are drawn, between them; else at the positions the alert used.
    const from = at.get(ka) ?? (typeof f.a_lon === "number" ? [f.a_lon, f.a_lat as number] : null);
    const to = at.get(kb) ?? (typeof f.b_lon === "number" ? [f.b_lon, f.b_lat as number] : null);
    if (!from || !to) continue;
    conflicts.push({ alert: alert.id, from: from as [number, number], to: to as [number, number], text: conflictText(alert) });
  }
  return { aircraft: drawn, conflicts };
}

function colourOf(a: { party: string | null }, own: string): RGBA {
  if (a.party === null) return TRACK_COLOURS.unattributed;
  return a.party === own ? TRACK_COLOURS.own : TRACK_COLOURS.other;
}

function css(c: RGBA, alpha = c[3]): string {
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha / 255})`;
}

/** Lines of text beside (or under) a point, on a pale box, as the map's other labels. */
function label(
  ctx: CanvasRenderingContext2D,
  lines: string[],
  x: number,
  y: number,
  colour: string,
  background: string,
  centred: boolean,
): void {
  const size = 11;
  const height = size + 2;
  const width = Math.max(...lines.map((line) => ctx.measureText(line).width)) + 4;
  const left = centred ? x - width / 2 : x;
  const top = centred ? y - height / 2 : y - (lines.length * height) / 2;
  ctx.fillStyle = background;
  ctx.fillRect(left, top, width, lines.length * height);
  ctx.fillStyle = colour;
  lines.forEach((line, i) => ctx.fillText(line, left + 2, top + i * height + height / 2));
}

/** Draw one picture (trails, conflict lines, rings, symbols, labels, in that order). */
export function drawPicture(
  ctx: CanvasRenderingContext2D,
  project: Project,
  aircraft: Aircraft[],
  picture: { aircraft: DrawnAircraft[]; conflicts: ConflictLine[] },
  own: string,
): void {
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.lineWidth = 2;
  for (const a of aircraft) {
    if (!a.trail || a.trail.length < 2 || a.lon === null || a.lat === null) continue;
    ctx.strokeStyle = css(colourOf(a, own), 150);
    ctx.beginPath();
    let first = true;
    for (const p of [...a.trail.map((q) => [q[1], q[2]]), [a.lon, a.lat]]) {
      if (p[0] === null || p[1] === null) continue;
      const [x, y] = project([p[0], p[1]]);
      if (first) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
      first = false;
    }
    ctx.stroke();
  }
  ctx.lineWidth = 3;
  ctx.strokeStyle = css(TRACK_COLOURS.conflict);
  for (const c of picture.conflicts) {
    const [x0, y0] = project(c.from);
    const [x1, y1] = project(c.to);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }
  ctx.strokeStyle = css(TRACK_COLOURS.conformance);
  for (const a of picture.aircraft) {
    if (!a.alerts.length) continue;
    const [x, y] = project([a.lon, a.lat]);
    ctx.beginPath();
    ctx.arc(x, y, 16, 0, 2 * Math.PI);
    ctx.stroke();
  }
  for (const a of picture.aircraft) {
    const [x, y] = project([a.lon, a.lat]);
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(((a.track ?? 0) * Math.PI) / 180); // clockwise from north, as a track is
    ctx.fillStyle = css(colourOf(a, own));
    ctx.beginPath();
    PLANE.forEach(([px, py], i) => (i ? ctx.lineTo(px, py) : ctx.moveTo(px, py)));
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }
  ctx.font = `11px ${FONT}`;
  ctx.textBaseline = "middle";
  for (const a of picture.aircraft) {
    const [x, y] = project([a.lon, a.lat]);
    label(ctx, a.text.split("\n"), x + 16, y, css(colourOf(a, own)), "rgba(255, 255, 255, 0.82)", false);
  }
  for (const c of picture.conflicts) {
    const [x, y] = conflictLabelAt(c, project);
    label(ctx, [c.text], x, y, css(TRACK_COLOURS.conflict), "rgba(255, 255, 255, 0.9)", true);
  }
}

/** Where a conflict line's figures are written: under its middle (the aircraft's labels sit
 * beside each symbol). */
function conflictLabelAt(c: ConflictLine, project: Project): [number, number] {
  const [x, y] = project([(c.from[0] + c.to[0]) / 2, (c.from[1] + c.to[1]) / 2]);
  return [x, y + 34];
}

/** The text of what is drawn near pixel (x, y): an aircraft, else a conflict line's label. */
export function textAt(
  x: number,
  y: number,
  project: Project,
  picture: { aircraft: DrawnAircraft[]; conflicts: ConflictLine[] },
): string | null {
  let best: { d: number; text: string } | null = null;
  const consider = (px: number, py: number, text: string) => {
    const d = Math.hypot(px - x, py - y);
    if (d <= HOVER_PX && (!best || d < best.d)) best = { d, text };
  };
  for (const a of picture.aircraft) consider(...project([a.lon, a.lat]), a.text);
  for (const c of picture.conflicts) consider(...conflictLabelAt(c, project), c.text);
  return (best as { text: string } | null)?.text ?? null;
}

const NO_AIRCRAFT: unknown[] = [];

/** The aircraft on the console's map: the air picture, following the console's instant, drawn
 * on the map's 2D canvas (a `Sketch`). */
export class TrackOverlay implements Sketch {
  readonly picture: AirPicture;
  private instant: Micros = 0;
  private memo: { inputs: unknown[]; aircraft: Aircraft[]; drawn: ReturnType<typeof drawnAircraft> } | null = null;

  constructor(
    private readonly map: ConsoleMap,
    private readonly record: Record,
    private readonly party: string,
    private readonly partyName: (id: string) => string,
    onChange: () => void = () => undefined,
  ) {
    this.picture = new AirPicture(() => {
      this.map.redrawSketches();
      onChange();
    });
    map.addSketch(this);
  }

  start(): Promise<void> {
    return this.picture.start();
  }

  stop(): void {
    this.picture.stop();
  }

  /** Call before the map moves to ``t``. */
  setInstant(t: Micros, live: boolean): void {
    this.instant = t;
    this.picture.setInstant(t, live);
  }

  /** The tactical alerts' open spans, gathered once per version of the record: a move of the
   * scrubber then looks only at these (few), not at every alert. */
  private tactical: { version: number; spans: TimedSpan<Alert>[] } = { version: -1, spans: [] };

  private alertsNow(): Alert[] {
    if (this.tactical.version !== this.record.version) {
      const spans: TimedSpan<Alert>[] = [];
      for (const list of this.record.alerts.values()) {
        for (const s of list) if (s.value.kind === "cannot-clear" || s.value.kind.startsWith("track-")) spans.push(s);
      }
      this.tactical = { version: this.record.version, spans };
    }
    return this.tactical.spans.filter((s) => holds(s, this.instant)).map((s) => s.value);
  }

  private current() {
    const aircraft = this.picture.drawn();
    const alerts = this.alertsNow();
    // Each past instant's picture is a new answer: an empty one is the same as the last empty
    // one, and drawing the canvas again for it would be for nothing.
    const picture = aircraft.length ? aircraft : NO_AIRCRAFT;
    const inputs: unknown[] = [picture, ...alerts.flatMap((a) => [a.id, a.updated_at])];
    const m = this.memo;
    if (m && m.inputs.length === inputs.length && m.inputs.every((x, i) => x === inputs[i])) return m;
    this.memo = { inputs, aircraft, drawn: drawnAircraft(aircraft, alerts, this.partyName) };
    return this.memo;
  }

  key(): unknown {
    return this.current();
  }

  draw(ctx: CanvasRenderingContext2D, project: Project): void {
    const { aircraft, drawn } = this.current();
    drawPicture(ctx, project, aircraft, drawn, this.party);
  }

  textAt(x: number, y: number, project: Project): string | null {
    return textAt(x, y, project, this.current().drawn);
  }

  /** What the map draws now: each aircraft with its label, each conflict line. */
  drawn(): ReturnType<typeof drawnAircraft> {
    return this.current().drawn;
  }
}
