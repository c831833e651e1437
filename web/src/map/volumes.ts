// The notice volumes' layers: dots from afar, fills and (when few) outlines zoomed in, each
// hidden or coloured by its row's state byte.
//
// A dot is a square polygon, not a ScatterplotLayer instance: where WebGL runs in software
// (SwiftShader), every instance of an instanced draw costs about as much as a draw call of its
// own (18 µs each measured here: 10,000 dots took 180-240 ms of the GPU process's CPU a frame),
// while the same 10,000 squares in one plain triangle draw took about 25 ms.

import { PathLayer, SolidPolygonLayer } from "@deck.gl/layers";
import type { DataFilterExtensionProps, PathStyleExtensionProps } from "@deck.gl/extensions";
import type { Layer } from "@deck.gl/core";

import { asPath, asPolygon, dotSquare, emptyBox, growBox, metresPerPixel, type Box } from "./geometry";
import type { VolumeStates } from "./states";
import { DASHES, FILTER, fillOf, lineOf } from "./style";
import { ACTIVE, BASE, HIDDEN } from "../instant";
import type { VolumeRow } from "../record";

export const OUTLINE_LIMIT = 100; // more volumes drawn than this: fills alone carry the state
export const POINT_PIXELS = 3; // volumes smaller than this on screen (the median) are drawn as dots
export const DOT_MIN_PIXELS = 1.5; // a dot's half side at least (a volume far smaller stays seen)
const DOT_STEPS = 4; // dots are resized when the zoom crosses a quarter level (a new upload)

/** Layer ids of volumes start with this (picking asks). */
export const VOLUMES = "volumes";

/** What changed between two row arrays, for deck.gl: rows appended after the rows kept (the
 * live record grows at its end) are the only ones computed and uploaded; otherwise all. */
export function appended(next: unknown, previous: unknown): { startRow: number; endRow?: number }[] {
  const a = next as VolumeRow[];
  const b = previous as VolumeRow[] | null;
  if (!Array.isArray(a) || !Array.isArray(b) || b.length === 0 || b.length > a.length) return [{ startRow: 0 }];
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return [{ startRow: 0 }];
  return [{ startRow: b.length, endRow: a.length }];
}

export class VolumeLayers {
  // A hidden layer keeps the states it last drew: updating it would cost as much as drawing.
  private seen = { dots: -1, outline: -1 };
  // A layer never shown yet is not made: deck.gl would cut every polygon into triangles and
  // upload them before the first frame (seconds for 10,000 volumes), for a layer hidden then.
  private made = { dots: false, outline: false };
  private dotStep = 0; // the zoom step the dots were last sized for
  private cells: Cell[] = [];
  private cellsVersion = -1;
  private cellSeen = new Map<string, { seen: number }>(); // cells made: the states they drew

  layers(
    rows: VolumeRow[],
    s: VolumeStates,
    view: { latitude: number; zoom: number; bounds: Box },
    pickable: boolean,
  ): Layer[] {
    const states = s.states;
    const v = s.version;
    // Seen from afar, a volume is a dot: four corners instead of its outline's vertices.
    const dots = s.medianRadius / metresPerPixel(view.latitude, view.zoom) < POINT_PIXELS;
    const outlines = !dots && s.drawnCount <= OUTLINE_LIMIT;
    const seen = this.seen;
    for (const [id, shown] of [["dots", dots], ["outline", outlines]] as const) {
      if (shown) seen[id] = v;
      if (shown) this.made[id] = true;
    }
    const triggers = (id: "dots" | "outline") => {
      const at = seen[id];
      return { getFillColor: at, getFilterValue: at, getColor: at, getLineColor: at, getDashArray: at };
    };
    const shown = (_r: VolumeRow, { index }: { index: number }) => (states[index] === HIDDEN ? 0 : 1);
    const positions = s.labelPositions;
    const radii = s.radii;
    // The dots' size follows the zoom in steps (their polygons are cut again at each step);
    // between steps a dot keeps its size in metres.
    const step = Math.round(view.zoom * DOT_STEPS) / DOT_STEPS;
    if (dots) this.dotStep = step;
    const least = DOT_MIN_PIXELS * metresPerPixel(view.latitude, this.dotStep);
    const layers = [
      new SolidPolygonLayer<VolumeRow, DataFilterExtensionProps<VolumeRow>>({
        id: `${VOLUMES}-dots`,
        data: rows,
        _dataDiff: appended,
        getPolygon: (_r, { index }) => dotSquare(positions[index], Math.max(radii[index], least)),
        getFillColor: (_r, { index }) => lineOf(states[index]),
        getFilterValue: shown,
        filterRange: [1, 1],
        extensions: [FILTER],
        updateTriggers: { ...triggers("dots"), getPolygon: [s.geometryVersion, this.dotStep] },
        visible: dots,
        pickable: dots && pickable,
      }),
      new PathLayer<VolumeRow, DataFilterExtensionProps<VolumeRow> & PathStyleExtensionProps<VolumeRow>>({
        id: `${VOLUMES}-outline`,
        visible: outlines,
        data: rows,
        _dataDiff: appended,
        getPath: (r) => asPath(r.rings[0]),
        getColor: (_r, { index }) => lineOf(states[index]),
        getWidth: 1.5,
        widthUnits: "pixels",
        getDashArray: (_r: VolumeRow, { index }: { index: number }) =>
          (states[index] & BASE) === ACTIVE ? [0, 0] : [5, 3],
        getFilterValue: shown,
        filterRange: [1, 1],
        extensions: [FILTER, DASHES],
        updateTriggers: triggers("outline"),
      }),
    ];
    const [dotLayer, outlineLayer] = layers;
    return [
      ...(this.made.dots ? [dotLayer] : []),
      ...this.fills(rows, s, view.bounds, !dots, pickable),
      ...(this.made.outline ? [outlineLayer] : []),
    ];
  }

  /** The fills, one layer per cell of the map: a cell out of view is not drawn (in software,
   * every vertex is paid for on every frame, in view or not), not updated as time moves, and
   * not made until first in view. */
  private fills(rows: VolumeRow[], s: VolumeStates, bounds: Box, shown: boolean, pickable: boolean): Layer[] {
    if (this.cellsVersion !== s.geometryVersion) {
      this.cellsVersion = s.geometryVersion;
      this.cells = cellsOf(rows, s.labelPositions);
    }
    const states = s.states;
    const at = s.rowIndex;
    const colour = (r: VolumeRow) => fillOf(states[at.get(r) ?? -1] ?? HIDDEN);
    const filter = (r: VolumeRow) => ((states[at.get(r) ?? -1] ?? HIDDEN) === HIDDEN ? 0 : 1);
    const layers: Layer[] = [];
    for (const cell of this.cells) {
      const visible = shown && overlaps(cell.box, bounds);
      let kept = this.cellSeen.get(cell.key);
      if (visible) {
        kept = { seen: s.version };
        this.cellSeen.set(cell.key, kept);
      }
      if (!kept) continue; // never in view yet: not made
      layers.push(
        new SolidPolygonLayer<VolumeRow, DataFilterExtensionProps<VolumeRow>>({
          id: `${VOLUMES}-fill@${cell.key}`,
          visible,
          data: cell.rows,
          _dataDiff: appended,
          getPolygon: (r) => asPolygon(r.rings),
          getFillColor: colour,
          getFilterValue: filter,
          filterRange: [1, 1],
          extensions: [FILTER],
          updateTriggers: { getFillColor: kept.seen, getFilterValue: kept.seen },
          pickable: visible && pickable,
        }),
      );
    }
    return layers;
  }
}

/** Degrees of longitude and latitude a cell of the fills spans. */
export const CELL_DEGREES = 2;

interface Cell {
  key: string;
  rows: VolumeRow[]; // in the record's order: rows appended to the record are appended here
  box: Box; // around its rows' outlines
}

/** The rows by the cell their centre falls in. */
function cellsOf(rows: VolumeRow[], centres: number[][]): Cell[] {
  const byKey = new Map<string, Cell>();
  rows.forEach((r, i) => {
    const [x, y] = centres[i];
    const key = `${Math.floor(x / CELL_DEGREES)},${Math.floor(y / CELL_DEGREES)}`;
    let cell = byKey.get(key);
    if (!cell) byKey.set(key, (cell = { key, rows: [], box: emptyBox() }));
    cell.rows.push(r);
    growBox(cell.box, r.rings[0]);
  });
  return [...byKey.values()];
}

const overlaps = (a: Box, b: Box) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
