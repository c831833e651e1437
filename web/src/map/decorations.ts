// The layers of everything but the notice volumes: the basemap, the record's lines, zones and
// protected sites (the ground, on the lower canvas), and the observations and alert places
// (on the volumes' canvas).  Each keeps its data's identity while its inputs are
// the same objects, so that deck.gl uploads nothing again.

import { PathLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer } from "@deck.gl/layers";
import type { Layer } from "@deck.gl/core";
import type { Position as GeoPosition } from "geojson";

import type { Basemap } from "./basemap";
import { asPath, asPolygon, polygonsOf } from "./geometry";
import { Memo } from "./memo";
import { CHARACTERS, COLOURS, FONT, PATH, POLYGON } from "./style";
import type { Record } from "../record";
import type { Alert, Line, Observation, Site, Zone } from "../types";

export type MapMode = "map" | "monitor" | "draw";

export const DETAIL_ZOOM = 5; // from this zoom in, the 1:10m basemap replaces the world's 1:110m

export interface Decorations {
  zones: Zone[];
  sites: Site[];
  observations: Observation[];
  alerts: Alert[];
}

type Labelled = { polygon: number[][][]; text: string };

export function basemapLayers(b: Basemap | null, zoom: number): Layer[] {
  if (!b) return [];
  // Only one level of detail is drawn at a time: deck.gl skips invisible layers, and every
  // vertex drawn costs on every frame in a software-rendered browser.
  const detailed = zoom >= DETAIL_ZOOM;
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

/** The ground's own items: zones, lines, protected sites. */
export class GroundLayers {
  private memo = {
    zones: new Memo<Labelled[]>(),
    lines: new Memo<Line[]>(),
    pointSites: new Memo<Site[]>(),
    areaSites: new Memo<Labelled[]>(),
  };

  layers(d: Decorations, record: Record): Layer[] {
    const m = this.memo;
    const zonePolygons = m.zones.get(d.zones, () =>
      d.zones.flatMap((z) =>
        polygonsOf(z.geometry).map((p) => ({ polygon: p, text: `${z.name}\n${z.area_description}` })),
      ),
    );
    const lines = m.lines.get([record.version], () => [...record.lines.values()]);
    const pointSites = m.pointSites.get(d.sites, () => d.sites.filter((s) => s.geometry.type === "Point"));
    const areaSites = m.areaSites.get(d.sites, () =>
      d.sites.flatMap((s) =>
        polygonsOf(s.geometry).map((p) => ({ polygon: p, text: `${s.name} (${s.category}, ${s.owner})` })),
      ),
    );
    return [
      new SolidPolygonLayer({
        id: "zones",
        ...POLYGON,
        data: zonePolygons,
        getPolygon: (z: Labelled) => asPolygon(z.polygon),
        getFillColor: COLOURS.zone,
        pickable: true,
      }),
      new PathLayer({
        id: "zones-outline",
        data: zonePolygons,
        getPath: (z: Labelled) => asPath(z.polygon[0]),
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
        getPath: (l: Line) => asPath(l.geometry.coordinates),
        getColor: COLOURS.line,
        getWidth: 2.5,
        widthUnits: "pixels",
        pickable: true,
      }),
      new TextLayer({
        id: "lines-labels",
        data: lines,
        getPosition: (l: Line) =>
          l.geometry.coordinates[Math.floor(l.geometry.coordinates.length / 2)] as [number, number],
        getText: (l: Line) => l.name,
        getSize: 12,
        getColor: COLOURS.line,
        getPixelOffset: [0, -12],
        characterSet: CHARACTERS,
        fontFamily: FONT,
      }),
      new SolidPolygonLayer({
        id: "sites-area",
        ...POLYGON,
        data: areaSites,
        getPolygon: (s: Labelled) => asPolygon(s.polygon),
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
        fontFamily: FONT,
      }),
    ];
  }
}

function observationText(o: Observation): string {
  const counts = Object.entries(o.counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return `${o.affiliation}${o.unit_category ? " " + o.unit_category : ""} ${counts}`.trim();
}

/** What time changes besides the volumes: observations and alert places. */
export class TimedLayers {
  private memo = {
    observations: new Memo<Observation[]>(),
    alerts: new Memo<Alert[]>(),
  };

  layers(d: Decorations, mode: MapMode): Layer[] {
    const observations = this.memo.observations.get(d.observations, () => d.observations);
    const alertPoints = this.memo.alerts.get(d.alerts, () => d.alerts.filter((a) => a.geometry?.type === "Point"));
    const layers: Layer[] = [];
    if (mode === "monitor" || observations.length) {
      layers.push(
        new ScatterplotLayer({
          id: "observations",
          data: observations,
          getPosition: (o: Observation) => o.geometry.coordinates as [number, number],
          getFillColor: COLOURS.observation,
          radiusUnits: "pixels",
          getRadius: mode === "monitor" ? 8 : 5,
          stroked: true,
          getLineColor: [255, 255, 255, 255],
          lineWidthUnits: "pixels",
          getLineWidth: 1.5,
          pickable: true,
        }),
      );
      if (mode === "monitor") {
        layers.push(
          new TextLayer({
            id: "observations-labels",
            data: observations,
            getPosition: (o: Observation) => o.geometry.coordinates as [number, number],
            getText: observationText,
            getSize: 11,
            getColor: COLOURS.observation,
            getPixelOffset: [0, -14],
            background: true,
            getBackgroundColor: [255, 255, 255, 220],
            characterSet: CHARACTERS,
            fontFamily: FONT,
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
}
