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

export interface Lines {
  borders: Position[][];
  coasts: Position[][];
}

/** The world at 1:110m (drawn zoomed out) and 1:10m around the record's places (zoomed in). */
export interface Basemap {
  world: Lines;
  detailed: Lines;
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

const SIMPLIFY_DEG = 0.004;
/** The basemap's tolerance: about 400 m, a pixel at zoom 8 (the Golan seen whole). */

/** Douglas-Peucker in degrees: drops vertices closer than ``tolerance`` to the simplified
 * line: a software-rendered map draws every vertex on every frame. */
export function simplify(path: Position[], tolerance: number): Position[] {
  if (path.length < 3) return path;
  const keep = new Uint8Array(path.length);
  keep[0] = keep[path.length - 1] = 1;
  const stack: [number, number][] = [[0, path.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = path[a];
    const [bx, by] = path[b];
    const dx = bx - ax;
    const dy = by - ay;
    const length = Math.hypot(dx, dy);
    let worst = -1;
    let far = 0;
    for (let i = a + 1; i < b; i++) {
      const px = path[i][0] - ax;
      const py = path[i][1] - ay;
      // From the chord; from its one point when it has none (a closed ring's two ends).
      const d = length > 0 ? Math.abs(dy * px - dx * py) / length : Math.hypot(px, py);
      if (d > far) {
        far = d;
        worst = i;
      }
    }
    if (worst > 0 && far > tolerance) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return path.filter((_, i) => keep[i]);
}

/** Coastlines and borders of the world at 1:110m, and at 1:10m within ``focus``. */
export async function basemapLines(worldUrl: string, detailedUrl: string, focus: Box): Promise<Basemap> {
  const [world, detailed] = await Promise.all([lines(worldUrl), lines(detailedUrl)]);
  const near = (paths: Position[][]) => clip(paths, focus).map((p) => simplify(p, SIMPLIFY_DEG));
  return {
    world: { borders: world.borders.coordinates, coasts: world.coasts.coordinates },
    detailed: { borders: near(detailed.borders.coordinates), coasts: near(detailed.coasts.coordinates) },
  };
}
