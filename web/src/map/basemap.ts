// The offline basemap: coastlines and borders from Natural Earth, as shipped by the npm
// package world-atlas (TopoJSON).  The files are built into the page's own assets and fetched
// from the server the page came from; nothing is asked of any other host.
//
// Lines only, and only as many as help: the world at 1:110m for context, and 1:10m within
// a few degrees of the record's own places.  Drawing every 1:10m line of the world would put
// hundreds of thousands of segments through the GPU on every frame, which a software-rendered
// browser (a locked-down desk PC, a headless test) feels as seconds per frame.

import { mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import type { MultiLineString, Position } from "geojson";
import detailedUrl from "world-atlas/countries-10m.json?url";
import worldUrl from "world-atlas/countries-110m.json?url";

export interface Basemap {
  borders: Position[][];
  coasts: Position[][];
}

export type Box = [number, number, number, number]; // west, south, east, north

async function lines(url: string): Promise<{ borders: MultiLineString; coasts: MultiLineString }> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`basemap: ${response.status}`);
  const topology = (await response.json()) as Topology<{ countries: GeometryCollection }>;
  const countries = topology.objects.countries;
  return {
    borders: mesh(topology, countries, (a, b) => a !== b),
    coasts: mesh(topology, countries, (a, b) => a === b),
  };
}

function inside([x, y]: Position, [w, s, e, n]: Box): boolean {
  return x >= w && x <= e && y >= s && y <= n;
}

/** The parts of lines within a box (each part keeps one point beyond the edge, so lines
 * leave the box instead of stopping short). */
export function clip(paths: Position[][], box: Box): Position[][] {
  const out: Position[][] = [];
  for (const path of paths) {
    let run: Position[] = [];
    path.forEach((p, i) => {
      const here = inside(p, box);
      const next = i + 1 < path.length && inside(path[i + 1], box);
      if (here || next || (run.length && !here)) run.push(p);
      if (!here && !next && run.length) {
        if (run.length > 1) out.push(run);
        run = [];
      }
    });
    if (run.length > 1) out.push(run);
  }
  return out;
}

function outside(paths: Position[][], box: Box): Position[][] {
  return paths.filter((path) => !path.every((p) => inside(p, box)));
}

export async function loadBasemap(focus: Box): Promise<Basemap> {
  const [world, detailed] = await Promise.all([lines(worldUrl), lines(detailedUrl)]);
  return {
    borders: [...outside(world.borders.coordinates, focus), ...clip(detailed.borders.coordinates, focus)],
    coasts: [...outside(world.coasts.coordinates, focus), ...clip(detailed.coasts.coordinates, focus)],
  };
}
