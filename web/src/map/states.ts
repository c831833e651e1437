// Each volume row's state at the map's instant (one byte, see ../instant), and what the map
// derives once per geometry version: rows by notice, label positions, sizes.

import type { Position as GeoPosition } from "geojson";

import { centre, halfExtent } from "./geometry";
import { HIDDEN, baseStates, flagStates, rowsByNotice } from "../instant";
import type { Record, VolumeRow } from "../record";
import type { Micros } from "../time";

export class VolumeStates {
  states: Uint8Array = new Uint8Array(0);
  /** Bumped whenever a state changes. */
  version = 0;
  /** Bumped whenever the record's rows were rebuilt. */
  geometryVersion = -1;
  byNotice = new Map<string, number[]>();
  /** Each row's index in the record's rows (for layers whose data are some of the rows). */
  rowIndex = new Map<VolumeRow, number>();
  labelPositions: GeoPosition[] = [];
  radii = new Float64Array(0); // metres, each row's half-extent
  medianRadius = 0;
  drawnCount = 0;

  constructor(private readonly record: Record) {}

  stateOf(row: number): number {
    return this.states[row] ?? HIDDEN;
  }

  /** Recompute every row's state at t; the version moves when any changed. */
  refresh(t: Micros): void {
    const record = this.record;
    if (this.geometryVersion !== record.geometryVersion) {
      this.geometryVersion = record.geometryVersion;
      this.byNotice = rowsByNotice(record);
      this.rowIndex = new Map(record.rows.map((r, i) => [r, i]));
      this.labelPositions = record.rows.map((r) => centre(r.rings));
      this.radii = Float64Array.from(record.rows, (r) => halfExtent(r.rings[0]));
      const sorted = Float64Array.from(this.radii).sort();
      this.medianRadius = sorted.length ? sorted[sorted.length >> 1] : 0;
      this.states = new Uint8Array(record.rows.length);
    }
    const next = baseStates(record, t);
    flagStates(record, t, next, this.byNotice);
    let changed = next.length !== this.states.length;
    for (let i = 0; !changed && i < next.length; i++) changed = next[i] !== this.states[i];
    if (changed) {
      this.states = next;
      this.version++;
      let drawn = 0;
      for (let i = 0; i < next.length; i++) if (next[i] !== HIDDEN) drawn++;
      this.drawnCount = drawn;
    }
  }
}
