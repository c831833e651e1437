// How the map looks: the colours of every kind of item and of each volume state, and the
// deck.gl settings every layer shares (device, extensions, the label font's characters).

import { DataFilterExtension, PathStyleExtension } from "@deck.gl/extensions";

import { ACTIVE, BASE, CANCELLED, CONFLICT, LATE } from "../instant";

export type RGBA = [number, number, number, number];

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

/** A volume's fill for its state byte (see ../instant). */
export function fillOf(state: number): RGBA {
  const base = state & BASE;
  if (base === CANCELLED) return COLOURS.cancelled;
  if (state & CONFLICT) return COLOURS.conflict;
  if (state & LATE) return COLOURS.late;
  return base === ACTIVE ? COLOURS.active : COLOURS.upcoming;
}

/** A volume's outline (and dot) colour for its state byte. */
export function lineOf(state: number): RGBA {
  const base = state & BASE;
  if (base === CANCELLED) return COLOURS.cancelledLine;
  if (state & CONFLICT) return COLOURS.conflictLine;
  if (state & LATE) return COLOURS.lateLine;
  return base === ACTIVE ? COLOURS.activeLine : COLOURS.upcomingLine;
}

// A plain drawing buffer: no multisampling and no copy kept of each frame (deck.gl keeps one by
// default) — both cost a full-canvas pass per frame where WebGL runs in software.
export const DEVICE = { type: "webgl" as const, webgl: { antialias: false, preserveDrawingBuffer: false } };

// Made once: a layer keeps its shaders as long as its extensions are the same.  Every path
// layer takes both and every polygon layer the filter, so that there are as few shader
// programs to compile as there are kinds of layer: compiling is slow where WebGL runs in
// software (a second or more each, during which the page answers nothing).
export const FILTER = new DataFilterExtension({ filterSize: 1 });
export const DASHES = new PathStyleExtension({ dash: true });
export const PATH = { extensions: [FILTER, DASHES], getFilterValue: 1, filterRange: [1, 1] as [number, number] };
export const POLYGON = { extensions: [FILTER], getFilterValue: 1, filterRange: [1, 1] as [number, number] };

/** Every character a label may hold: a fixed set, so the font atlas is built once (with
 * "auto", deck.gl scans every label for new characters whenever the labels change). */
export const CHARACTERS = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  ..."–—…×✚°ÀÁÂÄÇÈÉÊËÎÏÔÖÙÛÜàáâäçèéêëîïôöùûüßñÑ",
];
export const FONT = "system-ui, sans-serif";
