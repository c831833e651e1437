// The map: deck.gl in a Web Mercator view over the offline basemap.  Every volume of every
// version is uploaded once; moving the scrubber recomputes one state byte per volume on the
// CPU (exact, in microseconds) and only the GPU filter and colours follow.

import { Deck, MapView, WebMercatorViewport, type PickingInfo } from "@deck.gl/core";
import { PathLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer } from "@deck.gl/layers";
import { DataFilterExtension, PathStyleExtension } from "@deck.gl/extensions";
import type { DataFilterExtensionProps, PathStyleExtensionProps } from "@deck.gl/extensions";
import type { Layer, Position } from "@deck.gl/core";
import type { Position as GeoPosition } from "geojson";

import { loadBasemap, type Basemap } from "./basemap";
import {
  ACTIVE,
  BASE,
  CANCELLED,
  CONFLICT,
  HIDDEN,
  LATE,
  UPCOMING,
  baseStates,
  flagStates,
  rowsByNotice,
} from "../instant";
import type { Record, VolumeRow } from "../record";
import { bandLabel } from "../format";
import type { Micros } from "../time";
import type { Alert, Line, Observation, Site, Zone } from "../types";

type RGBA = [number, number, number, number];

export const COLOURS = {
  active: [37, 99, 235, 110] as RGBA,
  activeLine: [29, 78, 216, 255] as RGBA,
  upcoming: [37, 99, 235, 22] as RGBA,
  upcomingLine: [37, 99, 235, 220] as RGBA,
  cancelled: [107, 114, 128, 40] as RGBA,
  cancelledLine: [75, 85, 99, 230] as RGBA,
  late: [217, 119, 6, 120] as RGBA,
  lateLine: [180, 83, 9, 255] as RGBA,
  conflict: [220, 38, 38, 130] as RGBA,
  conflictLine: [185, 28, 28, 255] as RGBA,
  zone: [126, 34, 206, 28] as RGBA,
  zoneLine: [126, 34, 206, 200] as RGBA,
  line: [17, 24, 39, 255] as RGBA,
  site: [21, 128, 61, 230] as RGBA,
  observation: [190, 24, 93, 230] as RGBA,
  alert: [220, 38, 38, 255] as RGBA,
  selection: [250, 204, 21, 255] as RGBA,
  draft: [234, 88, 12, 255] as RGBA,
  land: [243, 241, 234, 255] as RGBA,
  water: [214, 228, 240, 255] as RGBA,
  border: [120, 113, 108, 200] as RGBA,
  coast: [87, 83, 78, 255] as RGBA,
};

// A plain drawing buffer: no multisampling and no copy kept of each frame (deck.gl keeps one by
// default) — both cost a full-canvas pass per frame where WebGL runs in software.
const DEVICE = { type: "webgl" as const, webgl: { antialias: false, preserveDrawingBuffer: false } };

// Made once: a layer keeps its shaders as long as its extensions are the same.  Every path
// layer takes both and every polygon layer the filter, so that there are as few shader
// programs to compile as there are kinds of layer: compiling is slow where WebGL runs in
// software (a second or more each, during which the page answers nothing).
const FILTER = new DataFilterExtension({ filterSize: 1 });
/** Every character a label may hold: a fixed set, so the font atlas is built once (with
 * "auto", deck.gl scans every label for new characters whenever the labels change). */
const CHARACTERS = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  ..."–—…×✚°ÀÁÂÄÇÈÉÊËÎÏÔÖÙÛÜàáâäçèéêëîïôöùûüßñÑ",
];
const LABELS = 150;
const OUTLINE_LIMIT = 100; // more volumes drawn than this: fills alone carry the state
const POINT_PIXELS = 3; // volumes smaller than this on screen (the median) are drawn as dots // band labels drawn at most (the list beside the map names every volume)
const DETAIL_ZOOM = 5; // from this zoom in, the 1:10m basemap replaces the world's 1:110m
const DASHES = new PathStyleExtension({ dash: true });
const PATH = { extensions: [FILTER, DASHES], getFilterValue: 1, filterRange: [1, 1] as [number, number] };
const POLYGON = { extensions: [FILTER], getFilterValue: 1, filterRange: [1, 1] as [number, number] };

/** GeoJSON coordinates as deck.gl's position tuples (the same arrays: a type view only). */
const asPolygon = (rings: number[][][]): Position[][] => rings as unknown as Position[][];
const asPath = (ring: number[][]): Position[] => ring as unknown as Position[];

/** A volume's fill in a state (the legend draws its swatches with the same two functions). */
export function fillOf(state: number): RGBA {
  const base = state & BASE;
  if (base === CANCELLED) return COLOURS.cancelled;
  if (state & CONFLICT) return COLOURS.conflict;
  if (state & LATE) return COLOURS.late;
  return base === ACTIVE ? COLOURS.active : COLOURS.upcoming;
}

export function lineOf(state: number): RGBA {
  const base = state & BASE;
  if (base === CANCELLED) return COLOURS.cancelledLine;
  if (state & CONFLICT) return COLOURS.conflictLine;
  if (state & LATE) return COLOURS.lateLine;
  return base === ACTIVE ? COLOURS.activeLine : COLOURS.upcomingLine;
}

export type MapMode = "map" | "monitor" | "draw";

/** The last value computed from some inputs, kept while the inputs stay the same objects:
 * layers then keep their data, and deck.gl uploads nothing again. */
class Memo<T> {
  private inputs: readonly unknown[] | null = null;
  private value: T | undefined;

  get(inputs: readonly unknown[], compute: () => T): T {
    const same =
      this.inputs !== null &&
      this.inputs.length === inputs.length &&
      this.inputs.every((x, i) => x === inputs[i]);
    if (!same) {
      this.inputs = inputs;
      this.value = compute();
    }
    return this.value as T;
  }
}

export interface Draft {
  points: GeoPosition[];
  kind: "polygon" | "circle" | "corridor";
  server: GeoPosition[][] | null; // the server's rendering of the drafted outline
}

export interface MapEvents {
  onSelectNotice?: (noticeId: string) => void;
  onMapClick?: (lonLat: GeoPosition) => void;
  onRendered?: () => void;
}

interface Decorations {
  zones: Zone[];
  sites: Site[];
  observations: Observation[];
  alerts: Alert[];
}

function centre(rings: number[][][]): GeoPosition {
  const ring = rings[0];
  let x = 0;
  let y = 0;
  const n = Math.max(1, ring.length - 1);
  for (let i = 0; i < n; i++) {
    x += ring[i][0];
    y += ring[i][1];
  }
  return [x / n, y / n];
}

/** Half the diagonal of a ring's box, in metres (for drawing it as a dot from afar). */
function halfExtent(ring: number[][]): number {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  return (Math.hypot((e - w) * k, n - s) / 2) * 111_320;
}

function polygonsOf(geometry: { type: string; coordinates: unknown }): number[][][][] {
  if (geometry.type === "Polygon") return [geometry.coordinates as number[][][]];
  if (geometry.type === "MultiPolygon") return geometry.coordinates as number[][][][];
  return [];
}

export class ConsoleMap {
  readonly element: HTMLDivElement;
  /** Frames drawn so far (for measurements). */
  renders = 0;
  private deck: Deck<MapView>;
  private ground: Deck<MapView>;
  private groundLayers: Layer[] = [];
  private labels: HTMLDivElement;
  private labelRows: number[] = [];
  private basemap: Basemap | null = null;
  private basemapLoading = false;
  private states: Uint8Array = new Uint8Array(0);
  private statesVersion = 0;
  private geometryVersion = -1;
  private byNotice = new Map<string, number[]>();
  private labelPositions: GeoPosition[] = [];
  private radii = new Float64Array(0); // metres, each row's half-extent
  private medianRadius = 0;
  private drawnCount = 0;
  private seenStates = { dots: -1, fill: -1, outline: -1 };
  private lastTop: unknown[] = [];
  /** Whether the last redraw changed what the top canvas draws (a frame follows). */
  changed = false;
  /** Layers another module draws over the volumes (the aircraft: map/tracks.ts), asked on
   * every redraw; return the same data objects when nothing changed. */
  overlay: (() => Layer[]) | null = null;
  private decorations: Decorations = { zones: [], sites: [], observations: [], alerts: [] };
  private instant: Micros = 0;
  private selected = new Set<string>();
  private mode: MapMode = "map";
  private draft: Draft | null = null;
  private viewState = { longitude: 35.85, latitude: 33.15, zoom: 8.2, pitch: 0, bearing: 0 };
  private memo = {
    labels: new Memo<number[]>(),
    zones: new Memo<{ polygon: number[][][]; text: string }[]>(),
    lines: new Memo<Line[]>(),
    pointSites: new Memo<Site[]>(),
    areaSites: new Memo<{ polygon: number[][][]; text: string }[]>(),
    observations: new Memo<Observation[]>(),
    alerts: new Memo<Alert[]>(),
    selection: new Memo<number[]>(),
    draftPath: new Memo<GeoPosition[][]>(),
  };

  constructor(
    private readonly record: Record,
    private readonly events: MapEvents = {},
  ) {
    this.element = document.createElement("div");
    this.element.className = "map";
    // Two canvases: the ground (basemap, lines, zones, sites), redrawn only when it changes or
    // the view moves, under what time changes (volumes, labels, alerts, observations).
    // Moving the scrubber redraws only the top one: in a software-rendered browser each
    // redrawn canvas is read back whole to be composited.
    const ground = document.createElement("div");
    const top = document.createElement("div");
    ground.className = "map-layer ground";
    top.className = "map-layer top";
    this.labels = document.createElement("div");
    this.labels.className = "map-labels";
    this.labels.setAttribute("aria-hidden", "true"); // the list beside the map names them
    this.element.append(ground, top, this.labels);
    this.ground = new Deck<MapView>({
      parent: ground,
      views: new MapView({ repeat: false }),
      viewState: this.viewState,
      controller: false,
      layers: [],
      useDevicePixels: 1,
      deviceProps: DEVICE,
      onLoad: () => {
        // One map to reach by keyboard and to describe: the one on top.  (The event manager
        // makes every deck.gl canvas focusable once it starts.)
        const under = ground.querySelector("canvas");
        if (under) {
          under.id = "map-ground";
          under.tabIndex = -1;
          under.setAttribute("aria-hidden", "true");
        }
      },
    });
    this.deck = new Deck<MapView>({
      parent: top,
      views: new MapView({ repeat: false }),
      viewState: this.viewState,
      controller: { keyboard: true, doubleClickZoom: true, dragRotate: false },
      onViewStateChange: ({ viewState }) => {
        const before = this.viewState.zoom >= DETAIL_ZOOM;
        this.viewState = viewState as typeof this.viewState;
        this.deck.setProps({ viewState: this.viewState });
        this.ground.setProps({ viewState: this.viewState });
        if (before !== this.viewState.zoom >= DETAIL_ZOOM) this.redraw();
        else this.placeLabels();
      },
      getTooltip: (info: PickingInfo) => this.tooltip(info),
      onClick: (info: PickingInfo) => this.click(info),
      onAfterRender: () => {
        this.renders++;
        this.events.onRendered?.();
      },
      layers: [],
      useDevicePixels: 1,
      deviceProps: DEVICE,
    });
    // Drawing takes plain clicks (not drags) on the map, unprojected here: deck.gl's own
    // click event can miss the first one while its picking buffers are first set up.
    let down: [number, number] | null = null;
    this.element.addEventListener("pointerdown", (e) => (down = [e.clientX, e.clientY]));
    this.element.addEventListener("click", (e) => {
      const moved = down ? Math.hypot(e.clientX - down[0], e.clientY - down[1]) : 0;
      if (this.mode !== "draw" || moved > 4) return;
      const rect = this.element.getBoundingClientRect();
      const viewport = this.deck.getViewports()[0];
      if (!viewport) return;
      const [lon, lat] = viewport.unproject([e.clientX - rect.left, e.clientY - rect.top]);
      this.events.onMapClick?.([lon, lat]);
    });
    const canvas = top.querySelector("canvas");
    if (canvas) {
      canvas.id = "map";
      canvas.setAttribute("tabindex", "0");
      canvas.setAttribute("role", "application");
      canvas.setAttribute(
        "aria-label",
        "Map. Arrow keys pan, plus and minus zoom. The list beside the map names what is drawn.",
      );
    }
  }

  /** The box around the record's own places (volumes, lines, zones), or null. */
  private recordBox(): [number, number, number, number] | null {
    let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    const grow = (points: number[][]) => {
      for (const [x, y] of points) {
        w = Math.min(w, x);
        e = Math.max(e, x);
        s = Math.min(s, y);
        n = Math.max(n, y);
      }
    };
    for (const r of this.record.rows) grow(r.rings[0]);
    for (const l of this.record.lines.values()) grow(l.geometry.coordinates);
    for (const versions of this.record.zones.values()) {
      for (const v of versions) grow(polygonsOf(v.value.geometry).flatMap((p) => p[0]));
    }
    return Number.isFinite(w) ? [w, s, e, n] : null;
  }

  /** Frame everything the record holds. */
  frameAll(): void {
    const box = this.recordBox();
    if (box) this.frame([[box[0], box[1]], [box[2], box[3]]]);
  }

  /** Load the basemap, detailed around the record's own places (call once they are known). */
  loadBasemap(): void {
    if (this.basemap || this.basemapLoading) return;
    this.basemapLoading = true;
    const { longitude, latitude } = this.viewState;
    const [w, s, e, n] = this.recordBox() ?? [longitude, latitude, longitude, latitude];
    const margin = 2;
    loadBasemap([w - margin, s - margin, e + margin, n + margin])
      .then((basemap) => {
        this.basemap = basemap;
        this.redraw();
      })
      .catch(() => {
        this.element.dataset.basemap = "missing";
      });
  }

  /** Move to instant t: recompute states, redraw what changed. */
  setInstant(t: Micros): void {
    this.instant = t;
    this.refreshStates();
    this.redraw();
  }

  setMode(mode: MapMode): void {
    this.mode = mode;
    // While drawing, a second click is a vertex, not a zoom.
    this.deck.setProps({ controller: { keyboard: true, doubleClickZoom: mode !== "draw", dragRotate: false } });
    this.redraw();
  }

  setDecorations(decorations: Decorations): void {
    this.decorations = decorations;
    this.redraw();
  }

  setDraft(draft: Draft | null): void {
    this.draft = draft;
    this.redraw();
  }

  /** Where map clicks go while drawing (null: nowhere). */
  onDrawClick(callback: ((lonLat: GeoPosition) => void) | null): void {
    this.events.onMapClick = callback ?? undefined;
  }

  select(noticeIds: Iterable<string>): void {
    this.selected = new Set(noticeIds);
    this.redraw();
  }

  /** What each volume row is at the current instant (for the page's lists and for checks). */
  stateOf(row: number): number {
    return this.states[row] ?? HIDDEN;
  }

  rows(): VolumeRow[] {
    return this.record.rows;
  }

  /** A layer as last given to deck.gl, on either canvas (for checks: what it draws, how). */
  layer(id: string): Layer | undefined {
    return [...this.groundLayers, ...((this.deck.props.layers ?? []) as Layer[])].find((l) => l.id === id);
  }

  /** Frame a set of positions (lon, lat) with a margin. */
  frame(points: GeoPosition[]): void {
    if (!points.length) return;
    let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of points) {
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    }
    const pad = 0.02;
    const { width, height } = this.element.getBoundingClientRect();
    const viewport = new WebMercatorViewport({ width: width || 800, height: height || 600 });
    const fitted = viewport.fitBounds(
      [
        [w - pad, s - pad],
        [e + pad, n + pad],
      ],
      { padding: 40, maxZoom: 12 },
    );
    this.viewState = {
      ...this.viewState,
      longitude: fitted.longitude,
      latitude: fitted.latitude,
      zoom: fitted.zoom,
    };
    this.deck.setProps({ viewState: this.viewState });
    this.ground.setProps({ viewState: this.viewState });
    this.redraw(); // the basemap's level of detail follows the zoom
  }

  /** Where the map looks and which notices are selected (for checks). */
  view(): { longitude: number; latitude: number; zoom: number; selected: string[] } {
    const { longitude, latitude, zoom } = this.viewState;
    return { longitude, latitude, zoom, selected: [...this.selected].sort() };
  }

  /** Look at a place from a zoom level. */
  lookAt(longitude: number, latitude: number, zoom: number): void {
    this.viewState = { ...this.viewState, longitude, latitude, zoom };
    this.deck.setProps({ viewState: this.viewState });
    this.ground.setProps({ viewState: this.viewState });
    this.redraw();
  }

  /** Frame the volumes of notices. */
  frameNotices(ids: Iterable<string>): void {
    const points: GeoPosition[] = [];
    for (const id of ids) {
      for (const i of this.byNotice.get(id) ?? []) points.push(...this.record.rows[i].rings[0]);
    }
    this.frame(points);
  }

  private refreshStates(): void {
    const record = this.record;
    if (this.geometryVersion !== record.geometryVersion) {
      this.geometryVersion = record.geometryVersion;
      this.byNotice = rowsByNotice(record);
      this.labelPositions = record.rows.map((r) => centre(r.rings));
      this.radii = Float64Array.from(record.rows, (r) => halfExtent(r.rings[0]));
      const sorted = Float64Array.from(this.radii).sort();
      this.medianRadius = sorted.length ? sorted[sorted.length >> 1] : 0;
      this.states = new Uint8Array(record.rows.length);
    }
    const next = baseStates(record, this.instant);
    flagStates(record, this.instant, next, this.byNotice);
    let changed = next.length !== this.states.length;
    for (let i = 0; !changed && i < next.length; i++) changed = next[i] !== this.states[i];
    if (changed) {
      this.states = next;
      this.statesVersion++;
      let drawn = 0;
      for (let i = 0; i < next.length; i++) if (next[i] !== HIDDEN) drawn++;
      this.drawnCount = drawn;
    }
  }

  /** Recompute after the record changed (live news). */
  refresh(): void {
    this.refreshStates();
    this.redraw();
  }

  private tooltip(info: PickingInfo): string | null {
    const object = info.object as { kind?: string; row?: number; text?: string } | undefined;
    if (!object) return null;
    if (info.layer?.id.startsWith("volumes")) {
      const row = this.record.rows[info.index];
      if (!row) return null;
      const n = row.notice;
      const v = n.volumes[row.index];
      return `${n.title || n.kind} (${n.author})\n${bandLabel(v.altitude)}\n${v.window.start} → ${v.window.end}`;
    }
    return object.text ?? null;
  }

  private click(info: PickingInfo): void {
    if (this.mode === "draw") return; // drawing clicks: see the constructor
    if (info.layer?.id.startsWith("volumes")) {
      const row = this.record.rows[info.index];
      if (row) this.events.onSelectNotice?.(row.notice.id);
    }
  }

  private basemapLayers(): Layer[] {
    const b = this.basemap;
    if (!b) return [];
    // Only one level of detail is drawn at a time: deck.gl skips invisible layers, and every
    // vertex drawn costs on every frame in a software-rendered browser.
    const detailed = this.viewState.zoom >= DETAIL_ZOOM;
    return (["world", "detailed"] as const).flatMap((level) => {
      const visible = (level === "detailed") === detailed;
      return [
        new PathLayer({
          id: `coasts-${level}`,
          ...PATH,
          data: b[level].coasts,
          getPath: (p: GeoPosition[]) => asPath(p),
          getColor: COLOURS.coast,
          widthUnits: "pixels",
          getWidth: 1,
          visible,
        }),
        new PathLayer({
          id: `borders-${level}`,
          ...PATH,
          data: b[level].borders,
          getPath: (p: GeoPosition[]) => asPath(p),
          getColor: COLOURS.border,
          widthUnits: "pixels",
          getWidth: 1.2,
          getDashArray: [4, 3],
          visible,
        }),
      ];
    });
  }

  private volumeLayers(): Layer[] {
    const rows = this.record.rows;
    const states = this.states;
    const v = this.statesVersion;
    this.labelRows = this.memo.labels.get([v, this.geometryVersion], () => {
      const out: number[] = [];
      for (let i = 0; i < states.length && out.length < LABELS; i++) {
        const base = states[i] & BASE;
        if (base === ACTIVE || base === UPCOMING) out.push(i);
      }
      return out;
    });
    // Seen from afar, a volume is a dot: one instance instead of its outline's vertices.
    const metresPerPixel =
      (156_543.034 * Math.cos((this.viewState.latitude * Math.PI) / 180)) / 2 ** this.viewState.zoom;
    const dots = this.medianRadius / metresPerPixel < POINT_PIXELS;
    const outlines = !dots && this.drawnCount <= OUTLINE_LIMIT;
    // A hidden layer keeps the states it last drew: updating it would cost as much as drawing.
    const seen = this.seenStates;
    for (const [id, shown] of [["dots", dots], ["fill", !dots], ["outline", outlines]] as const) {
      if (shown) seen[id] = v;
    }
    const triggers = (id: "dots" | "fill" | "outline") => {
      const at = seen[id];
      return { getFillColor: at, getFilterValue: at, getColor: at, getLineColor: at, getDashArray: at };
    };
    return [
      new ScatterplotLayer<VolumeRow, DataFilterExtensionProps<VolumeRow>>({
        id: "volumes-dots",
        data: rows,
        getPosition: (_r, { index }) => this.labelPositions[index] as [number, number],
        getRadius: (_r, { index }) => this.radii[index],
        radiusUnits: "meters",
        radiusMinPixels: 1.5,
        antialiasing: false, // a soft edge is a shader pass per fragment, for dots of a few pixels
        getFillColor: (_r, { index }) => lineOf(states[index]),
        getFilterValue: (_r: VolumeRow, { index }: { index: number }) => (states[index] === HIDDEN ? 0 : 1),
        filterRange: [1, 1],
        extensions: [FILTER],
        updateTriggers: { ...triggers("dots"), getPosition: this.geometryVersion, getRadius: this.geometryVersion },
        visible: dots,
        pickable: dots && this.mode !== "draw",
      }),
      new SolidPolygonLayer<VolumeRow, DataFilterExtensionProps<VolumeRow>>({
        id: "volumes-fill",
        visible: !dots,
        data: rows,
        getPolygon: (r) => asPolygon(r.rings),
        getFillColor: (_r, { index }) => fillOf(states[index]),
        getFilterValue: (_r: VolumeRow, { index }: { index: number }) => (states[index] === HIDDEN ? 0 : 1),
        filterRange: [1, 1],
        extensions: [FILTER],
        updateTriggers: triggers("fill"),
        pickable: !dots && this.mode !== "draw",
      }),
      new PathLayer<VolumeRow, DataFilterExtensionProps<VolumeRow> & PathStyleExtensionProps<VolumeRow>>({
        id: "volumes-outline",
        visible: outlines,
        data: rows,
        getPath: (r) => asPath(r.rings[0]),
        getColor: (_r, { index }) => lineOf(states[index]),
        getWidth: 1.5,
        widthUnits: "pixels",
        getDashArray: (_r: VolumeRow, { index }: { index: number }) =>
          (states[index] & BASE) === ACTIVE ? [0, 0] : [5, 3],
        getFilterValue: (_r: VolumeRow, { index }: { index: number }) => (states[index] === HIDDEN ? 0 : 1),
        filterRange: [1, 1],
        extensions: [FILTER, DASHES],
        updateTriggers: triggers("outline"),
      }),
    ];
  }

  /** Band labels as HTML over the map: the browser's own text, cheap to move, where deck.gl's
   * text layer cost more than all the volumes together in a software-rendered browser. */
  private placeLabels(): void {
    const rows = this.record.rows;
    const visible = this.labelRows;
    const { width, height } = this.element.getBoundingClientRect();
    const viewport = width && height ? new WebMercatorViewport({ ...this.viewState, width, height }) : null;
    const holder = this.labels;
    while (holder.children.length < visible.length) holder.append(document.createElement("span"));
    while (holder.children.length > visible.length) holder.lastElementChild?.remove();
    if (!viewport) return;
    visible.forEach((i, k) => {
      const span = holder.children[k] as HTMLSpanElement;
      const text = bandLabel(rows[i].notice.volumes[rows[i].index].altitude);
      if (span.textContent !== text) span.textContent = text;
      const [x, y] = viewport.project(this.labelPositions[i] as [number, number]);
      span.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px) translate(-50%, -50%)`;
    });
  }

  private groundDecorationLayers(): Layer[] {
    const d = this.decorations;
    const m = this.memo;
    const zonePolygons = m.zones.get(d.zones, () =>
      d.zones.flatMap((z) =>
        polygonsOf(z.geometry).map((p) => ({ polygon: p, text: `${z.name}\n${z.area_description}` })),
      ),
    );
    const lines = m.lines.get([this.record.version], () => [...this.record.lines.values()]);
    const pointSites = m.pointSites.get(d.sites, () => d.sites.filter((s) => s.geometry.type === "Point"));
    const areaSites = m.areaSites.get(d.sites, () =>
      d.sites.flatMap((s) =>
        polygonsOf(s.geometry).map((p) => ({ polygon: p, text: `${s.name} (${s.category}, ${s.owner})` })),
      ),
    );
    const layers: Layer[] = [
      new SolidPolygonLayer({
        id: "zones",
        ...POLYGON,
        data: zonePolygons,
        getPolygon: (z: { polygon: number[][][] }) => asPolygon(z.polygon),
        getFillColor: COLOURS.zone,
        pickable: true,
      }),
      new PathLayer({
        id: "zones-outline",
        data: zonePolygons,
        getPath: (z: { polygon: number[][][] }) => asPath(z.polygon[0]),
        getColor: COLOURS.zoneLine,
        getWidth: 1.5,
        widthUnits: "pixels",
        getDashArray: [8, 4],
        ...PATH,
      }),
      new PathLayer({
        id: "lines",
        ...PATH,
        data: lines,
        getPath: (l: { geometry: { coordinates: GeoPosition[] } }) => asPath(l.geometry.coordinates),
        getColor: COLOURS.line,
        getWidth: 2.5,
        widthUnits: "pixels",
        pickable: true,
      }),
      new TextLayer({
        id: "lines-labels",
        data: lines,
        getPosition: (l: { geometry: { coordinates: GeoPosition[] } }) =>
          l.geometry.coordinates[Math.floor(l.geometry.coordinates.length / 2)] as [number, number],
        getText: (l: { name: string }) => l.name,
        getSize: 12,
        getColor: COLOURS.line,
        getPixelOffset: [0, -12],
        characterSet: CHARACTERS,
        fontFamily: "system-ui, sans-serif",
      }),
      new SolidPolygonLayer({
        id: "sites-area",
        ...POLYGON,
        data: areaSites,
        getPolygon: (s: { polygon: number[][][] }) => asPolygon(s.polygon),
        getFillColor: [21, 128, 61, 60],
        pickable: true,
      }),
      new ScatterplotLayer({
        id: "sites",
        data: pointSites,
        getPosition: (s: Site) => (s.geometry as { coordinates: number[] }).coordinates as [number, number],
        getFillColor: [255, 255, 255, 255],
        getLineColor: COLOURS.site,
        stroked: true,
        lineWidthUnits: "pixels",
        getLineWidth: 3,
        radiusUnits: "pixels",
        getRadius: 7,
        pickable: true,
      }),
      new TextLayer({
        id: "sites-labels",
        data: pointSites,
        getPosition: (s: Site) => (s.geometry as { coordinates: number[] }).coordinates as [number, number],
        getText: (s: Site) => `✚ ${s.name}`,
        getSize: 11,
        getColor: COLOURS.site,
        getPixelOffset: [0, 14],
        characterSet: CHARACTERS,
        fontFamily: "system-ui, sans-serif",
      }),
    ];
    return layers;
  }

  private decorationLayers(): Layer[] {
    const d = this.decorations;
    const m = this.memo;
    const observations = m.observations.get(d.observations, () => d.observations);
    const alertPoints = m.alerts.get(d.alerts, () => d.alerts.filter((a) => a.geometry?.type === "Point"));
    const layers: Layer[] = [];
    if (this.mode === "monitor" || observations.length) {
      layers.push(
        new ScatterplotLayer({
          id: "observations",
          data: observations,
          getPosition: (o: Observation) => o.geometry.coordinates as [number, number],
          getFillColor: COLOURS.observation,
          radiusUnits: "pixels",
          getRadius: this.mode === "monitor" ? 8 : 5,
          stroked: true,
          getLineColor: [255, 255, 255, 255],
          lineWidthUnits: "pixels",
          getLineWidth: 1.5,
          pickable: true,
        }),
      );
      if (this.mode === "monitor") {
        layers.push(
          new TextLayer({
            id: "observations-labels",
            data: observations,
            getPosition: (o: Observation) => o.geometry.coordinates as [number, number],
            getText: (o: Observation) =>
              `${o.affiliation}${o.unit_category ? " " + o.unit_category : ""} ${Object.entries(o.counts)
                .map(([k, n]) => `${n} ${k}`)
                .join(", ")}`.trim(),
            getSize: 11,
            getColor: COLOURS.observation,
            getPixelOffset: [0, -14],
            background: true,
            getBackgroundColor: [255, 255, 255, 220],
            characterSet: CHARACTERS,
            fontFamily: "system-ui, sans-serif",
          }),
        );
      }
    }
    layers.push(
      new ScatterplotLayer({
        id: "alerts",
        data: alertPoints,
        getPosition: (a: Alert) => (a.geometry as { coordinates: number[] }).coordinates as [number, number],
        getFillColor: [0, 0, 0, 0],
        getLineColor: COLOURS.alert,
        stroked: true,
        filled: false,
        lineWidthUnits: "pixels",
        getLineWidth: 3,
        radiusUnits: "pixels",
        getRadius: 13,
        pickable: true,
      }),
    );
    return layers;
  }

  private selectionLayers(): Layer[] {
    const layers: Layer[] = [];
    if (this.selected.size) {
      const rows = this.memo.selection.get([this.selected, this.statesVersion], () =>
        [...this.selected].flatMap((id) => this.byNotice.get(id) ?? []).filter((i) => this.states[i] !== HIDDEN),
      );
      layers.push(
        new PathLayer({
          id: "selection",
          ...PATH,
          data: rows,
          getPath: (i: number) => asPath(this.record.rows[i].rings[0]),
          getColor: COLOURS.selection,
          getWidth: 4,
          widthUnits: "pixels",
        }),
      );
    }
    const draft = this.draft;
    if (draft) {
      if (draft.server) {
        layers.push(
          new SolidPolygonLayer({
            id: "draft-server",
            ...POLYGON,
            data: draft.server,
            getPolygon: (p: GeoPosition[]) => asPath(p),
            getFillColor: [234, 88, 12, 60],
          }),
          new PathLayer({
            id: "draft-server-outline",
            ...PATH,
            data: draft.server,
            getPath: (p: GeoPosition[]) => asPath(p),
            getColor: COLOURS.draft,
            getWidth: 2,
            widthUnits: "pixels",
          }),
        );
      }
      layers.push(
        new PathLayer({
          id: "draft-path",
          data: this.memo.draftPath.get([draft], () =>
            draft.points.length > 1 ? [draft.kind === "polygon" ? [...draft.points, draft.points[0]] : draft.points] : [],
          ),
          getPath: (p: GeoPosition[]) => asPath(p),
          getColor: COLOURS.draft,
          getWidth: 2,
          widthUnits: "pixels",
          getDashArray: [6, 4],
          ...PATH,
        }),
        new ScatterplotLayer({
          id: "draft-points",
          data: draft.points,
          getPosition: (p: GeoPosition) => p as [number, number],
          getFillColor: COLOURS.draft,
          radiusUnits: "pixels",
          getRadius: 5,
        }),
      );
    }
    return layers;
  }

  redraw(): void {
    const ground = [...this.basemapLayers(), ...this.groundDecorationLayers()];
    // The ground's data are memoized: the same data, the same layers, no redraw.
    const changed =
      ground.length !== this.groundLayers.length ||
      ground.some((layer, i) => layer.props.data !== this.groundLayers[i].props.data || layer.props.visible !== this.groundLayers[i].props.visible);
    if (changed) {
      this.groundLayers = ground;
      this.ground.setProps({ layers: ground });
    }
    const top = [...this.volumeLayers(), ...this.decorationLayers(), ...(this.overlay?.() ?? []), ...this.selectionLayers()];
    const inputs = [
      this.statesVersion,
      this.geometryVersion,
      this.mode,
      ...top.map((layer) => layer.props.data),
      ...top.map((layer) => layer.props.visible),
    ];
    this.changed = inputs.length !== this.lastTop.length || inputs.some((x, i) => x !== this.lastTop[i]);
    if (this.changed) {
      this.lastTop = inputs;
      this.deck.setProps({ layers: top });
    }
    this.placeLabels();
  }

  /** Resolves after the next frame is drawn (for measuring a redraw). */
  nextFrame(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.events.onRendered;
      this.events.onRendered = () => {
        this.events.onRendered = previous;
        previous?.();
        resolve();
      };
    });
  }
}
