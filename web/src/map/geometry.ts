// Plain geometry the map needs to place things: GeoJSON coordinates as deck.gl positions,
// a ring's centre and size, boxes.  Drawing only: decisions never use these.

import type { Position } from "@deck.gl/core";
import type { Position as GeoPosition } from "geojson";

/** GeoJSON coordinates as deck.gl's position tuples (the same arrays: a type view only). */
export const asPolygon = (rings: number[][][]): Position[][] => rings as unknown as Position[][];
export const asPath = (ring: number[][]): Position[] => ring as unknown as Position[];

export type Box = [number, number, number, number]; // west, south, east, north

/** The box around points, grown in place (start from `emptyBox()`). */
export function growBox(box: Box, points: Iterable<number[]>): Box {
  for (const [x, y] of points) {
    box[0] = Math.min(box[0], x);
    box[2] = Math.max(box[2], x);
    box[1] = Math.min(box[1], y);
    box[3] = Math.max(box[3], y);
  }
  return box;
}

export const emptyBox = (): Box => [Infinity, Infinity, -Infinity, -Infinity];

/** The mean of a polygon's outer ring's vertices (the closing one counted once). */
export function centre(rings: number[][][]): GeoPosition {
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
export function halfExtent(ring: number[][]): number {
  const [w, s, e, n] = growBox(emptyBox(), ring);
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  return (Math.hypot((e - w) * k, n - s) / 2) * 111_320;
}

export function polygonsOf(geometry: { type: string; coordinates: unknown }): number[][][][] {
  if (geometry.type === "Polygon") return [geometry.coordinates as number[][][]];
  if (geometry.type === "MultiPolygon") return geometry.coordinates as number[][][][];
  return [];
}

/** Metres a screen pixel covers at a latitude and a Web Mercator zoom. */
export function metresPerPixel(latitude: number, zoom: number): number {
  return (156_543.034 * Math.cos((latitude * Math.PI) / 180)) / 2 ** zoom;
}

/** A square around a point, `half` metres from its centre to each side: a dot from afar. */
export function dotSquare([x, y]: number[], half: number): Position[] {
  const dy = half / 111_320;
  const dx = dy / Math.max(0.01, Math.cos((y * Math.PI) / 180));
  return [
    [x - dx, y - dy],
    [x + dx, y - dy],
    [x + dx, y + dy],
    [x - dx, y + dy],
  ];
}
