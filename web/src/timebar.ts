// The time bar: notices as bars on a time axis (who in lanes, when as bars, the altitude band
// as the bar's label), the scrubber, "live" and replay.  The scrubber is a real range input
// (keyboard: arrows, Page Up/Down, Home/End) with a text field for an exact instant.

import { h } from "./dom";
import { bandLabel } from "./format";
import { ACTIVE, BASE, CANCELLED, CONFLICT, HIDDEN, LATE } from "./instant";
import type { Record } from "./record";
import { formatIso, formatTime, parseTime, type Micros } from "./time";

const LANE_LIMIT = 6;
const AUTHOR_COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#c2410c", "#0e7490", "#4d7c0f", "#be185d"];

export interface TimeBarEvents {
  onScrub(t: Micros): void;
  onLive(): void;
  onPlay(playing: boolean, speed: number): void;
  stateOf(row: number): number;
  /** Changes whenever any state `stateOf` answers changes. */
  statesVersion(): number;
}

export class TimeBar {
  readonly element: HTMLElement;
  private canvas: HTMLCanvasElement;
  private range: HTMLInputElement;
  private exact: HTMLInputElement;
  private liveButton: HTMLButtonElement;
  private playButton: HTMLButtonElement;
  private speed: HTMLSelectElement;
  private readout: HTMLElement;
  private start: Micros = 0;
  private end: Micros = 1;
  private instant: Micros = 0;
  private now: Micros = 0;
  private lanes: { row: number; lane: number }[] = [];
  private authors: string[] = [];
  private laneCount = new Map<string, number>();
  private layoutVersion = -1;
  private pending = false;
  private playing = false;
  private userRange = false;
  /** The bars and party names as last drawn, and what they were drawn for: a move of the
   * instant that changes no state redraws only the lines over them. */
  private bars = document.createElement("canvas");
  private barsKey = "";

  constructor(
    private readonly record: Record,
    private readonly events: TimeBarEvents,
  ) {
    this.canvas = h("canvas", { class: "timebar-canvas", "aria-hidden": "true" });
    this.range = h("input", {
      type: "range",
      class: "scrubber",
      min: "0",
      max: "1000",
      step: "1",
      "aria-label": "Instant shown on the map",
      oninput: () => this.fromRange(),
    });
    this.exact = h("input", {
      type: "text",
      class: "exact-time",
      spellcheck: false,
      "aria-label": "Exact instant (RFC 3339, UTC)",
      title: "Type an instant, e.g. 2026-11-24T10:05:00Z, then Enter",
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === "Enter") this.fromText();
      },
    });
    this.liveButton = h("button", { type: "button", class: "live", onclick: () => this.events.onLive() }, "Live");
    this.playButton = h(
      "button",
      { type: "button", onclick: () => this.togglePlay(), "aria-pressed": "false" },
      "▶ Replay",
    );
    this.speed = h(
      "select",
      { "aria-label": "Replay speed", onchange: () => this.playing && this.events.onPlay(true, this.speedValue()) },
      h("option", { value: "60" }, "1 min/s"),
      h("option", { value: "600", selected: true }, "10 min/s"),
      h("option", { value: "3600" }, "1 h/s"),
    );
    this.readout = h("output", { class: "instant-readout", "aria-live": "off" });
    const step = (seconds: number, label: string) =>
      h("button", { type: "button", onclick: () => this.events.onScrub(this.instant + seconds * 1e6), title: label, "aria-label": label }, seconds > 0 ? `+${label.split(" ")[1]}` : `−${label.split(" ")[1]}`);
    this.element = h(
      "section",
      { class: "timebar", "aria-label": "Time" },
      h(
        "div",
        { class: "timebar-controls" },
        this.readout,
        this.exact,
        step(-600, "back 10min"),
        step(-60, "back 1min"),
        step(60, "forward 1min"),
        step(600, "forward 10min"),
        this.playButton,
        this.speed,
        this.liveButton,
        h("button", { type: "button", onclick: () => this.fit(), title: "Show every notice" }, "Fit"),
      ),
      h("div", { class: "timebar-track" }, this.canvas, this.range),
    );
    this.canvas.addEventListener("pointerdown", (e) => this.fromPointer(e));
    this.canvas.addEventListener("pointermove", (e) => e.buttons === 1 && this.fromPointer(e));
    this.canvas.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const x = e.offsetX / this.canvas.clientWidth;
        const at = this.start + x * (this.end - this.start);
        const factor = e.deltaY > 0 ? 1.25 : 0.8;
        this.start = at - (at - this.start) * factor;
        this.end = at + (this.end - at) * factor;
        this.userRange = true;
        this.schedule();
      },
      { passive: false },
    );
    new ResizeObserver(() => this.schedule()).observe(this.canvas);
  }

  private speedValue(): number {
    return Number(this.speed.value);
  }

  setPlaying(playing: boolean): void {
    this.playing = playing;
    this.playButton.textContent = playing ? "❚❚ Replay" : "▶ Replay";
    this.playButton.setAttribute("aria-pressed", String(playing));
  }

  private togglePlay(): void {
    this.setPlaying(!this.playing);
    this.events.onPlay(this.playing, this.speedValue());
  }

  setLive(live: boolean): void {
    this.liveButton.classList.toggle("on", live);
    this.liveButton.setAttribute("aria-pressed", String(live));
  }

  /** Fit the axis to every notice and now. */
  fit(): void {
    const { start, end } = this.record.range;
    const lo = Math.min(Number.isFinite(start) ? start : this.now, this.now, this.instant);
    const hi = Math.max(Number.isFinite(end) ? end : this.now, this.now, this.instant);
    const pad = Math.max((hi - lo) * 0.04, 30 * 60e6);
    this.start = lo - pad;
    this.end = hi + pad;
    this.userRange = false;
    this.schedule();
  }

  setInstant(t: Micros, now: Micros): void {
    this.instant = t;
    this.now = now;
    if (!this.userRange && (t < this.start || t > this.end || this.end <= this.start + 1)) this.fit();
    if (t < this.start || t > this.end) {
      const span = this.end - this.start;
      this.start = t - span / 2;
      this.end = t + span / 2;
    }
    this.readout.textContent = formatTime(t);
    if (document.activeElement !== this.exact) this.exact.value = formatIso(t);
    const fraction = (t - this.start) / (this.end - this.start);
    this.range.value = String(Math.round(fraction * 1000));
    this.range.setAttribute("aria-valuetext", formatTime(t));
    this.schedule();
  }

  private fromRange(): void {
    const t = this.start + (Number(this.range.value) / 1000) * (this.end - this.start);
    this.events.onScrub(Math.round(t / 1e6) * 1e6);
  }

  private fromText(): void {
    const t = parseTime(this.exact.value);
    if (Number.isFinite(t)) {
      this.exact.removeAttribute("aria-invalid");
      this.events.onScrub(t);
    } else this.exact.setAttribute("aria-invalid", "true");
  }

  private fromPointer(e: PointerEvent): void {
    const x = e.offsetX / this.canvas.clientWidth;
    const t = this.start + x * (this.end - this.start);
    this.events.onScrub(Math.round(t / 1e6) * 1e6);
  }

  private layout(): void {
    if (this.layoutVersion === this.record.geometryVersion) return;
    this.layoutVersion = this.record.geometryVersion;
    const rows = this.record.rows;
    const byAuthor = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const list = byAuthor.get(r.notice.author);
      if (list) list.push(i);
      else byAuthor.set(r.notice.author, [i]);
    });
    this.authors = [...byAuthor.keys()].sort();
    this.lanes = [];
    this.laneCount.clear();
    for (const author of this.authors) {
      const ids = byAuthor.get(author)!.sort((a, b) => rows[a].start - rows[b].start);
      const ends: number[] = [];
      for (const i of ids) {
        let lane = ends.findIndex((e) => e <= rows[i].start);
        if (lane < 0) {
          lane = ends.length < LANE_LIMIT ? ends.length : LANE_LIMIT - 1;
          if (ends.length < LANE_LIMIT) ends.push(0);
        }
        ends[lane] = Math.max(ends[lane], rows[i].end);
        this.lanes.push({ row: i, lane });
      }
      this.laneCount.set(author, ends.length);
    }
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    this.layout();
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== width * ratio) canvas.width = width * ratio;
    if (canvas.height !== height * ratio) canvas.height = height * ratio;
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const x = (t: Micros) => ((t - this.start) / (this.end - this.start)) * width;
    const axis = 16;
    const totalLanes = Math.max(1, [...this.laneCount.values()].reduce((a, b) => a + b, 0));
    const laneHeight = Math.max(3, Math.min(16, (height - axis - 2 * this.authors.length) / totalLanes));
    const top = new Map<string, number>();
    let y = axis;
    this.authors.forEach((author) => {
      top.set(author, y);
      y += (this.laneCount.get(author) ?? 1) * laneHeight + 2;
    });
    // Past shading, hour ticks.
    ctx.fillStyle = "#f3f4f6";
    ctx.fillRect(0, 0, Math.max(0, x(this.now)), height);
    ctx.fillStyle = "#374151";
    ctx.font = "11px system-ui, sans-serif";
    const hour = 3600e6;
    const spanHours = (this.end - this.start) / hour;
    const stepHours = [1, 2, 3, 6, 12, 24, 48, 168].find((s) => spanHours / s < width / 70) ?? 336;
    const first = Math.ceil(this.start / (stepHours * hour)) * stepHours * hour;
    for (let t = first; t < this.end; t += stepHours * hour) {
      const px = x(t);
      ctx.fillRect(px, axis - 4, 1, 4);
      const label = formatTime(t).slice(stepHours >= 24 ? 5 : 11, stepHours >= 24 ? 10 : 16);
      ctx.fillText(label, px + 2, 11);
    }
    // Bars and party names, from the last drawing when nothing they show changed.
    const key = [this.layoutVersion, this.events.statesVersion(), this.start, this.end, width, height, ratio].join();
    if (key !== this.barsKey) {
      this.barsKey = key;
      this.bars.width = canvas.width;
      this.bars.height = canvas.height;
      const barsContext = this.bars.getContext("2d")!;
      barsContext.setTransform(ratio, 0, 0, ratio, 0, 0);
      barsContext.clearRect(0, 0, width, height);
      this.drawBars(barsContext, width, axis, laneHeight, top);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.bars, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    // Now and the instant.
    ctx.fillStyle = "#059669";
    ctx.fillRect(x(this.now) - 1, 0, 2, height);
    ctx.fillStyle = "#111827";
    ctx.fillRect(x(this.instant) - 1, 0, 3, height);
  }

  private drawBars(
    ctx: CanvasRenderingContext2D,
    width: number,
    axis: number,
    laneHeight: number,
    top: Map<string, number>,
  ): void {
    const x = (t: Micros) => ((t - this.start) / (this.end - this.start)) * width;
    ctx.font = "11px system-ui, sans-serif";
    const rows = this.record.rows;
    for (const { row, lane } of this.lanes) {
      const r = rows[row];
      const x0 = x(r.start);
      const x1 = x(r.end);
      if (x1 < 0 || x0 > width) continue;
      const state = this.events.stateOf(row);
      const base = state & BASE;
      const author = r.notice.author;
      const colour = AUTHOR_COLOURS[this.authors.indexOf(author) % AUTHOR_COLOURS.length];
      const by = (top.get(author) ?? axis) + lane * laneHeight;
      ctx.globalAlpha = base === HIDDEN ? 0.25 : 1;
      ctx.fillStyle =
        state & CONFLICT ? "#dc2626" : state & LATE ? "#d97706" : base === CANCELLED ? "#9ca3af" : colour;
      ctx.fillRect(x0, by, Math.max(1, x1 - x0), laneHeight - 1);
      if (base === ACTIVE) {
        ctx.strokeStyle = "#111827";
        ctx.strokeRect(x0 + 0.5, by + 0.5, Math.max(1, x1 - x0) - 1, laneHeight - 2);
      }
      if (laneHeight >= 11 && x1 - x0 > 90) {
        ctx.globalAlpha = 1;
        ctx.fillStyle = "#ffffff";
        ctx.fillText(`${author} ${bandLabel(r.notice.volumes[r.index].altitude)}`, Math.max(x0, 0) + 3, by + laneHeight - 3, x1 - x0 - 6);
      }
    }
    ctx.globalAlpha = 1;
    // Party names.
    ctx.fillStyle = "#111827";
    for (const author of this.authors) ctx.fillText(author, 2, (top.get(author) ?? 0) + Math.min(11, laneHeight));
  }
}
