// The aircraft layer: each aircraft as a symbol turned to its track, its trail, a label with
// its identity, its altitude exactly as reported (value, unit, datum) and its party; a line
// between the two aircraft of each open track-conflict alert with its figures; a ring on an
// aircraft that a conformance or cannot-clear alert names.  Drawn over the volumes through
// the map as one of its layer sources (ConsoleMap.addSource).

import { IconLayer, PathLayer, ScatterplotLayer, TextLayer } from "@deck.gl/layers";
import type { Layer, Position } from "@deck.gl/core";

import { alertKindLabel } from "../format";
import { holds, type Record, type TimedSpan } from "../record";
import type { Micros } from "../time";
import { AirPicture, altitudeText, identText, mainAltitude, type Aircraft } from "../tracks";
import type { Alert } from "../types";
import type { ConsoleMap } from "./map";
import { CHARACTERS, FONT } from "./style";

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
const ICON = 48;

/** The aircraft symbol, drawn once on a canvas (no image file, nothing fetched): a mask that
 * each aircraft colours, pointing up (north) and turned by its track. */
let atlas: HTMLCanvasElement | null = null;
function symbol(): HTMLCanvasElement {
  if (atlas) return atlas;
  atlas = document.createElement("canvas");
  atlas.width = atlas.height = ICON;
  const c = atlas.getContext("2d")!;
  const s = ICON / 48;
  c.fillStyle = "#fff";
  c.beginPath();
  // fuselage, wings and tail of a plan-view aircraft, nose up
  const points = [
    [24, 2], [28, 14], [28, 20], [46, 30], [46, 34], [28, 29], [27, 40], [34, 45], [34, 47],
    [24, 44], [14, 47], [14, 45], [21, 40], [20, 29], [2, 34], [2, 30], [20, 20], [20, 14],
  ];
  points.forEach(([x, y], i) => (i ? c.lineTo(x * s, y * s) : c.moveTo(x * s, y * s)));
  c.closePath();
  c.fill();
  return atlas;
}

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

/** The deck.gl layers for one picture (build them only when the picture changed: the map
 * compares layer data by identity to decide whether to draw again). */
export function trackLayers(
  aircraft: Aircraft[],
  picture: { aircraft: DrawnAircraft[]; conflicts: ConflictLine[] },
  own: string,
): Layer[] {
  const trails = aircraft.filter((a) => a.trail && a.trail.length > 1);
  const flagged = picture.aircraft.filter((a) => a.alerts.length);
  return [
    new PathLayer({
      id: "track-trails",
      data: trails,
      getPath: (a: Aircraft) =>
        [...(a.trail ?? []).map((p) => [p[1], p[2]] as Position), [a.lon, a.lat] as Position],
      getColor: (a: Aircraft) => {
        const c = colourOf(a, own);
        return [c[0], c[1], c[2], 150];
      },
      getWidth: 2,
      widthUnits: "pixels",
    }),
    new PathLayer({
      id: "track-conflicts",
      data: picture.conflicts,
      getPath: (c: ConflictLine) => [c.from, c.to],
      getColor: TRACK_COLOURS.conflict,
      getWidth: 3,
      widthUnits: "pixels",
      pickable: true,
    }),
    new TextLayer({
      id: "track-conflict-labels",
      data: picture.conflicts,
      getPosition: (c: ConflictLine) => [(c.from[0] + c.to[0]) / 2, (c.from[1] + c.to[1]) / 2],
      getText: (c: ConflictLine) => c.text,
      getSize: 11,
      getColor: TRACK_COLOURS.conflict,
      background: true,
      getBackgroundColor: [255, 255, 255, 230],
      getPixelOffset: [0, 34], // under the aircraft labels, which sit beside each symbol
      // The map's one character set and font, so the aircraft's labels share the glyph atlas
      // every other label uses (with "auto", deck.gl makes a new atlas whenever a label brings
      // a character it has not seen).
      characterSet: CHARACTERS,
      fontFamily: FONT,
    }),
    new ScatterplotLayer({
      id: "track-flags",
      data: flagged,
      getPosition: (a: DrawnAircraft) => [a.lon, a.lat],
      getLineColor: TRACK_COLOURS.conformance,
      stroked: true,
      filled: false,
      lineWidthUnits: "pixels",
      getLineWidth: 3,
      radiusUnits: "pixels",
      getRadius: 16,
    }),
    new IconLayer({
      id: "track-symbols",
      data: picture.aircraft,
      iconAtlas: symbol() as unknown as string, // a canvas: deck.gl makes the texture from it
      iconMapping: { plane: { x: 0, y: 0, width: ICON, height: ICON, mask: true } },
      getIcon: () => "plane",
      getPosition: (a: DrawnAircraft) => [a.lon, a.lat],
      getAngle: (a: DrawnAircraft) => -(a.track ?? 0), // deck.gl turns counter-clockwise
      getColor: (a: DrawnAircraft) => colourOf(a, own),
      getSize: 24,
      sizeUnits: "pixels",
      pickable: true,
    }),
    new TextLayer({
      id: "track-labels",
      data: picture.aircraft,
      getPosition: (a: DrawnAircraft) => [a.lon, a.lat],
      getText: (a: DrawnAircraft) => a.text,
      getSize: 11,
      getColor: (a: DrawnAircraft) => colourOf(a, own),
      getTextAnchor: "start",
      getAlignmentBaseline: "center",
      getPixelOffset: [16, 0],
      background: true,
      getBackgroundColor: [255, 255, 255, 210],
      // The map's one character set and font, so the aircraft's labels share the glyph atlas
      // every other label uses (with "auto", deck.gl makes a new atlas whenever a label brings
      // a character it has not seen).
      characterSet: CHARACTERS,
      fontFamily: FONT,
    }),
  ];
}

const NO_AIRCRAFT: unknown[] = [];

/** The aircraft on the console's map: the air picture, following the console's instant, drawn
 * as one of the map's layer sources. */
export class TrackOverlay {
  readonly picture: AirPicture;
  private instant: Micros = 0;
  private memo: { inputs: unknown[]; layers: Layer[]; drawn: ReturnType<typeof drawnAircraft> } | null = null;

  constructor(
    private readonly map: ConsoleMap,
    private readonly record: Record,
    private readonly party: string,
    private readonly partyName: (id: string) => string,
    onChange: () => void = () => undefined,
  ) {
    this.picture = new AirPicture(() => {
      this.map.redraw();
      onChange();
    });
    map.addSource({ layers: () => this.current().layers });
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
    // one, and redrawing the canvas for it would redraw every volume for nothing.
    const picture = aircraft.length ? aircraft : NO_AIRCRAFT;
    const inputs: unknown[] = [picture, ...alerts.flatMap((a) => [a.id, a.updated_at])];
    const m = this.memo;
    if (m && m.inputs.length === inputs.length && m.inputs.every((x, i) => x === inputs[i])) return m;
    const drawn = drawnAircraft(aircraft, alerts, this.partyName);
    this.memo = { inputs, drawn, layers: trackLayers(aircraft, drawn, this.party) };
    return this.memo;
  }

  /** What the map draws now: each aircraft with its label, each conflict line. */
  drawn(): ReturnType<typeof drawnAircraft> {
    return this.current().drawn;
  }
}
