// Band labels as HTML over the map: the browser's own text, cheap to move, where deck.gl's
// text layer cost more than all the volumes together in a software-rendered browser.

import { WebMercatorViewport } from "@deck.gl/core";

import { Memo } from "./memo";
import type { VolumeStates } from "./states";
import { bandLabel } from "../format";
import { ACTIVE, BASE, UPCOMING } from "../instant";
import type { VolumeRow } from "../record";

export const LABELS = 150; // band labels drawn at most (the list beside the map names every volume)

export class BandLabels {
  readonly element: HTMLDivElement;
  private rows: number[] = [];
  private memo = new Memo<number[]>();

  constructor() {
    this.element = document.createElement("div");
    this.element.className = "map-labels";
    this.element.setAttribute("aria-hidden", "true"); // the list beside the map names them
  }

  /** Choose the rows labelled: the first active or upcoming ones. */
  choose(s: VolumeStates): void {
    const states = s.states;
    this.rows = this.memo.get([s.version, s.geometryVersion], () => {
      const out: number[] = [];
      for (let i = 0; i < states.length && out.length < LABELS; i++) {
        const base = states[i] & BASE;
        if (base === ACTIVE || base === UPCOMING) out.push(i);
      }
      return out;
    });
  }

  /** Put the chosen labels where their volumes are in a view of the map's size. */
  place(
    rows: VolumeRow[],
    s: VolumeStates,
    view: { longitude: number; latitude: number; zoom: number; pitch: number; bearing: number },
    size: { width: number; height: number },
  ): void {
    const visible = this.rows;
    const { width, height } = size;
    const viewport = width && height ? new WebMercatorViewport({ ...view, width, height }) : null;
    const holder = this.element;
    while (holder.children.length < visible.length) holder.append(document.createElement("span"));
    while (holder.children.length > visible.length) holder.lastElementChild?.remove();
    if (!viewport) return;
    visible.forEach((i, k) => {
      const span = holder.children[k] as HTMLSpanElement;
      const text = bandLabel(rows[i].notice.volumes[rows[i].index].altitude);
      if (span.textContent !== text) span.textContent = text;
      const [x, y] = viewport.project(s.labelPositions[i] as [number, number]);
      span.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px) translate(-50%, -50%)`;
    });
  }
}
