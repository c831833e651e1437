// The map: deck.gl in a Web Mercator view over the offline basemap, on two canvases, and a
// 2D canvas over them for what moves by itself (the aircraft).  This
// module owns the canvases, the view and the instant, and composes the layers the other
// modules build: decorations.ts (basemap, ground, observations, alert places), volumes.ts
// (the notices' volumes), states.ts (each volume's state at the instant), labels.ts (band
// labels), selection.ts (picking, the selection, the draft).  Other layer families plug in
// through `addSource`, and what is drawn on the 2D canvas (tracks.ts) through `addSketch`.

import { Deck, MapView, WebMercatorViewport, type PickingInfo } from "@deck.gl/core";
import type { Layer } from "@deck.gl/core";
import type { Position as GeoPosition } from "geojson";

import { loadBasemap, type Basemap } from "./basemap";
import { GroundLayers, TimedLayers, basemapLayers, type Decorations, type MapMode } from "./decorations";
import { emptyBox, growBox, polygonsOf, type Box } from "./geometry";
import { BandLabels } from "./labels";
import { SelectionLayers, pickedRow, tooltip, type Draft } from "./selection";
import { VolumeStates } from "./states";
import { DEVICE } from "./style";
import { VolumeLayers } from "./volumes";
import type { Record, VolumeRow } from "../record";
import type { Micros } from "../time";

export { COLOURS, fillOf, lineOf } from "./style";
export type { Draft } from "./selection";
export type { MapMode } from "./decorations";

export interface MapEvents {
  onSelectNotice?: (noticeId: string) => void;
  onMapClick?: (lonLat: GeoPosition) => void;
  onRendered?: () => void;
}

/** A family of layers drawn on the top canvas with the volumes (under the selection).  Its
 * layers should keep their data's identity while nothing changed: a new `data` redraws. */
export interface LayerSource {
  layers(instant: Micros, mode: MapMode): Layer[];
}

/** [lon, lat] to the map's pixels (CSS pixels from its top left corner). */
export type Project = (lonLat: [number, number]) => [number, number];

/** Something drawn with the 2D canvas API over the map: it changes by itself and often (the
 * aircraft), so it must not make a WebGL canvas draw again (see tracks.ts, at the top). */
export interface Sketch {
  /** Changes (by identity) whenever what it draws changes. */
  key(): unknown;
  draw(ctx: CanvasRenderingContext2D, project: Project): void;
  /** The text of what it draws at pixel (x, y), for a hover; null if nothing is there. */
  textAt(x: number, y: number, project: Project): string | null;
}

type ViewState = { longitude: number; latitude: number; zoom: number; pitch: number; bearing: number };

export class ConsoleMap {
  readonly element: HTMLDivElement;
  /** Frames drawn so far (for measurements). */
  renders = 0;
  /** Whether the last redraw changed what the top canvas draws (a frame follows). */
  changed = false;
  private deck: Deck<MapView>;
  private ground: Deck<MapView>;
  private groundLayers: Layer[] = [];
  private labels = new BandLabels();
  private basemap: Basemap | null = null;
  private basemapLoading = false;
  private states: VolumeStates;
  private volumes = new VolumeLayers();
  private groundItems = new GroundLayers();
  private timed = new TimedLayers();
  private selection = new SelectionLayers();
  private sources: LayerSource[] = [];
  private sketchCanvas: HTMLCanvasElement;
  private sketches: Sketch[] = [];
  /** The inputs of the 2D canvas as last drawn (the view, its size, each sketch's key). */
  private sketched: unknown[] = [];
  private sketchPending = false;
  private lastTop: unknown[] = [];
  private decorations: Decorations = { zones: [], sites: [], observations: [], alerts: [] };
  private instant: Micros = 0;
  private selected = new Set<string>();
  private mode: MapMode = "map";
  private draft: Draft | null = null;
  private viewState: ViewState = { longitude: 35.85, latitude: 33.15, zoom: 8.2, pitch: 0, bearing: 0 };

  constructor(
    private readonly record: Record,
    private readonly events: MapEvents = {},
  ) {
    this.states = new VolumeStates(record);
    this.element = document.createElement("div");
    this.element.className = "map";
    // Two WebGL canvases: the ground (basemap, lines, zones, sites), redrawn only when it
    // changes or the view moves, under what time changes (volumes, labels, alerts,
    // observations).  Moving the scrubber redraws only the top one: in a software-rendered
    // browser each redrawn canvas is read back whole to be composited.  Over both, a 2D canvas
    // for the aircraft, which move by themselves: they never make a WebGL canvas draw again.
    const ground = document.createElement("div");
    const top = document.createElement("div");
    const air = document.createElement("div");
    ground.className = "map-layer ground";
    top.className = "map-layer top";
    air.className = "map-layer air";
    this.sketchCanvas = document.createElement("canvas");
    this.sketchCanvas.id = "map-air";
    this.sketchCanvas.setAttribute("aria-hidden", "true");
    air.append(this.sketchCanvas);
    this.element.append(ground, top, air, this.labels.element);
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
        this.setView(viewState as ViewState);
        // The basemap's detail, the dots' size and the fills' cells in view follow the view
        // (what did not change is not given to deck.gl again).
        this.redraw();
      },
      // What the 2D canvas draws is over the volumes: it is asked first.
      getTooltip: (info: PickingInfo) => this.sketchText(info.x, info.y) ?? tooltip(info, this.record.rows),
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

  private setView(view: ViewState): void {
    this.viewState = view;
    this.deck.setProps({ viewState: view });
    this.ground.setProps({ viewState: view });
    this.redrawSketches();
  }

  /** The projection of the view, for a map of this size. */
  private projector(width: number, height: number): Project {
    const viewport = new WebMercatorViewport({ ...this.viewState, width, height });
    return (lonLat) => viewport.project(lonLat) as [number, number];
  }

  private sketchText(x: number, y: number): string | null {
    if (!this.sketches.length) return null;
    const { width, height } = this.element.getBoundingClientRect();
    const project = this.projector(width, height);
    for (const sketch of [...this.sketches].reverse()) {
      const text = sketch.textAt(x, y, project);
      if (text !== null) return text;
    }
    return null;
  }

  /** The box around the record's own places (volumes, lines, zones), or null. */
  private recordBox(): Box | null {
    const box = emptyBox();
    for (const r of this.record.rows) growBox(box, r.rings[0]);
    for (const l of this.record.lines.values()) growBox(box, l.geometry.coordinates);
    for (const versions of this.record.zones.values()) {
      for (const v of versions) growBox(box, polygonsOf(v.value.geometry).flatMap((p) => p[0]));
    }
    return Number.isFinite(box[0]) ? box : null;
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
    this.states.refresh(t);
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

  /** Draw another family of layers on the top canvas (tracks, ...). */
  addSource(source: LayerSource): void {
    this.sources.push(source);
    this.redraw();
  }

  /** Draw something on the 2D canvas over the map (the aircraft). */
  addSketch(sketch: Sketch): void {
    this.sketches.push(sketch);
    this.redrawSketches();
  }

  /** Draw the 2D canvas again on the next animation frame if what it shows changed (at most
   * once a frame, however many updates came). */
  redrawSketches(): void {
    if (this.sketchPending) return;
    this.sketchPending = true;
    requestAnimationFrame(() => {
      this.sketchPending = false;
      this.drawSketches();
    });
  }

  private drawSketches(): void {
    const { width, height } = this.element.getBoundingClientRect();
    const [w, h] = [Math.round(width), Math.round(height)];
    const inputs = [this.viewState, w, h, ...this.sketches.map((sketch) => sketch.key())];
    if (inputs.length === this.sketched.length && inputs.every((x, i) => x === this.sketched[i])) return;
    this.sketched = inputs;
    const canvas = this.sketchCanvas;
    // One canvas pixel a CSS pixel, as the WebGL canvases (useDevicePixels: 1).
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    if (!w || !h) return;
    const project = this.projector(w, h);
    for (const sketch of this.sketches) sketch.draw(ctx, project);
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
    return this.states.stateOf(row);
  }

  /** Changes whenever any row's state changes. */
  statesVersion(): number {
    return this.states.version;
  }

  rows(): VolumeRow[] {
    return this.record.rows;
  }

  /** A layer as last given to deck.gl, on either canvas (for checks: what it draws, how);
   * for a layer cut into cells ("volumes-fill@..."), one of its cells. */
  layer(id: string): Layer | undefined {
    const all = [...this.groundLayers, ...((this.deck.props.layers ?? []) as Layer[])];
    return all.find((l) => l.id === id) ?? all.find((l) => l.id.startsWith(`${id}@`));
  }

  /** The box the map shows now (west, south, east, north). */
  private bounds(): Box {
    const { width, height } = this.element.getBoundingClientRect();
    const viewport = new WebMercatorViewport({ ...this.viewState, width: width || 800, height: height || 600 });
    const [w, s, e, n] = viewport.getBounds();
    return [w, s, e, n];
  }

  /** Frame a set of positions (lon, lat) with a margin. */
  frame(points: GeoPosition[]): void {
    if (!points.length) return;
    const [w, s, e, n] = growBox(emptyBox(), points);
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
    this.setView({ ...this.viewState, longitude: fitted.longitude, latitude: fitted.latitude, zoom: fitted.zoom });
    this.redraw(); // the basemap's level of detail follows the zoom
  }

  /** Where the map looks and which notices are selected (for checks). */
  view(): { longitude: number; latitude: number; zoom: number; selected: string[] } {
    const { longitude, latitude, zoom } = this.viewState;
    return { longitude, latitude, zoom, selected: [...this.selected].sort() };
  }

  /** Look at a place from a zoom level. */
  lookAt(longitude: number, latitude: number, zoom: number): void {
    this.setView({ ...this.viewState, longitude, latitude, zoom });
    this.redraw();
  }

  /** Frame the volumes of notices. */
  frameNotices(ids: Iterable<string>): void {
    const points: GeoPosition[] = [];
    for (const id of ids) {
      for (const i of this.states.byNotice.get(id) ?? []) points.push(...this.record.rows[i].rings[0]);
    }
    this.frame(points);
  }

  /** Recompute after the record changed (live news). */
  refresh(): void {
    this.states.refresh(this.instant);
    this.redraw();
  }

  private click(info: PickingInfo): void {
    if (this.mode === "draw") return; // drawing clicks: see the constructor
    const row = pickedRow(info, this.record.rows);
    if (row) this.events.onSelectNotice?.(row.notice.id);
  }

  private placeLabels(): void {
    this.labels.place(this.record.rows, this.states, this.viewState, this.element.getBoundingClientRect());
  }

  redraw(): void {
    const ground = [
      ...basemapLayers(this.basemap, this.viewState.zoom),
      ...this.groundItems.layers(this.decorations, this.record),
    ];
    // The ground's data are memoized: the same data, the same layers, no redraw.
    const previous = this.groundLayers;
    const changed =
      ground.length !== previous.length ||
      ground.some((layer, i) => layer.props.data !== previous[i].props.data || layer.props.visible !== previous[i].props.visible);
    if (changed) {
      this.groundLayers = ground;
      this.ground.setProps({ layers: ground });
    }
    const rows = this.record.rows;
    const s = this.states;
    this.labels.choose(s);
    const top = [
      ...this.volumes.layers(rows, s, { ...this.viewState, bounds: this.bounds() }, this.mode !== "draw"),
      ...this.timed.layers(this.decorations, this.mode),
      ...this.sources.flatMap((source) => source.layers(this.instant, this.mode)),
      ...this.selection.layers(this.selected, this.draft, rows, s),
    ];
    const inputs = [
      s.version,
      s.geometryVersion,
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
    this.redrawSketches(); // what it draws may follow the instant (a past air picture)
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
