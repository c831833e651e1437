// What automated checks read of the map's layers, through window.deconflictionConsole: the
// colour each drawn volume is given by the layers themselves (not by a copy of their rules),
// and what the decoration layers hold.  Read-only.

import { BASE, HIDDEN } from "./instant";
import type { ConsoleMap } from "./map/map";
import type { Record } from "./record";

type Accessor = (object: unknown, info: { index: number; data: unknown; target: number[] }) => ArrayLike<number>;

export interface VolumeColour {
  volume: string; // "notice#index"
  state: number; // the map's state byte (base state and flags)
  fill: number[] | null; // as the fill layer colours it
  line: number[] | null; // as the outline layer colours it
  dot: number[] | null; // as the dot layer (seen from afar) colours it
}

export function layerChecks(map: ConsoleMap, record: Record) {
  const colour = (layerId: string, prop: string, index: number): number[] | null => {
    const value = (map.layer(layerId)?.props as { [prop: string]: unknown } | undefined)?.[prop];
    if (typeof value === "function") {
      return Array.from((value as Accessor)(record.rows[index], { index, data: record.rows, target: [] }));
    }
    return Array.isArray(value) ? (value as number[]) : null;
  };
  return {
    /** Every volume drawn now, with its state and the colours its layers give it. */
    volumeColours: (): VolumeColour[] =>
      record.rows.flatMap((r, i) => {
        const state = map.stateOf(i);
        if ((state & BASE) === HIDDEN) return [];
        return [
          {
            volume: `${r.notice.id}#${r.index}`,
            state,
            fill: colour("volumes-fill", "getFillColor", i),
            line: colour("volumes-outline", "getColor", i),
            dot: colour("volumes-dots", "getFillColor", i),
          },
        ];
      }),
    /** What a layer holds now: each datum's id, or its text (zones: name and band). */
    layerData: (layerId: string): (string | null)[] => {
      const layer = map.layer(layerId);
      const data = (layer?.props.data ?? []) as { id?: string; text?: string }[];
      return layer?.props.visible === false ? [] : Array.from(data, (d) => d.id ?? d.text ?? null);
    },
  };
}
