// Picking and selection: what a hover names, what a click selects, the selected notices'
// outlines, and the notice being drawn in the filing form.

import { PathLayer, ScatterplotLayer, SolidPolygonLayer } from "@deck.gl/layers";
import type { Layer, PickingInfo } from "@deck.gl/core";
import type { Position as GeoPosition } from "geojson";

import { asPath } from "./geometry";
import { Memo } from "./memo";
import type { VolumeStates } from "./states";
import { COLOURS, PATH, POLYGON } from "./style";
import { VOLUMES } from "./volumes";
import { bandLabel } from "../format";
import { HIDDEN } from "../instant";
import type { VolumeRow } from "../record";

export interface Draft {
  points: GeoPosition[];
  kind: "polygon" | "circle" | "corridor";
  server: GeoPosition[][] | null; // the server's rendering of the drafted outline
}

/** The volume row a pick landed on, or null. */
export function pickedRow(info: PickingInfo, rows: VolumeRow[]): VolumeRow | null {
  if (!info.layer?.id.startsWith(VOLUMES)) return null;
  // Every volume layer's data are rows (the fills: a cell's rows, so the index is the cell's).
  const row = info.object as VolumeRow | undefined;
  return row && rows.includes(row) ? row : null;
}

/** The tooltip of a pick: a volume's notice, band and window, or the item's own text. */
export function tooltip(info: PickingInfo, rows: VolumeRow[]): string | null {
  const object = info.object as { text?: string } | undefined;
  if (!object) return null;
  if (info.layer?.id.startsWith(VOLUMES)) {
    const row = pickedRow(info, rows);
    if (!row) return null;
    const n = row.notice;
    const v = n.volumes[row.index];
    return `${n.title || n.kind} (${n.author})\n${bandLabel(v.altitude)}\n${v.window.start} → ${v.window.end}`;
  }
  return object.text ?? null;
}

export class SelectionLayers {
  private memo = {
    selection: new Memo<number[]>(),
    draftPath: new Memo<GeoPosition[][]>(),
  };

  layers(selected: Set<string>, draft: Draft | null, rows: VolumeRow[], s: VolumeStates): Layer[] {
    const layers: Layer[] = [];
    if (selected.size) {
      const chosen = this.memo.selection.get([selected, s.version], () =>
        [...selected].flatMap((id) => s.byNotice.get(id) ?? []).filter((i) => s.states[i] !== HIDDEN),
      );
      layers.push(
        new PathLayer({
          id: "selection",
          ...PATH,
          data: chosen,
          getPath: (i: number) => asPath(rows[i].rings[0]),
          getColor: COLOURS.selection,
          getWidth: 4,
          widthUnits: "pixels",
        }),
      );
    }
    if (draft) layers.push(...this.draftLayers(draft));
    return layers;
  }

  private draftLayers(draft: Draft): Layer[] {
    const layers: Layer[] = [];
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
    return layers;
  }
}
