// The vertical profile of the selected volumes: altitude against time.  The numbers are the
// server's (GET /v1/history `profiles`): bands above sea level and flight levels share one
// axis in the standard atmosphere, as the engine compares them; bands above ground get their
// own lane (they cannot be placed against sea level without terrain).  Each band is labelled
// exactly as filed.

import { h, svg } from "./dom";
import { bandLabel } from "./format";
import type { Record } from "./record";
import { formatTime, parseTime, type Micros } from "./time";
import type { BandProfile, HistoryNotice } from "./types";

const FT = 0.3048;

interface Bar {
  notice: HistoryNotice;
  index: number;
  start: Micros;
  end: Micros;
  profile: BandProfile;
  agl: boolean;
}

export function profilePanel(record: Record, noticeIds: string[], instant: Micros): HTMLElement {
  const bars: Bar[] = [];
  for (const id of noticeIds) {
    const n = record.notices.get(id);
    if (!n || n.action === "cancel") continue;
    n.volumes.forEach((v, index) => {
      const profile = n.profiles[index];
      const agl = profile.lower_datum === "AGL" || profile.upper_datum === "AGL";
      bars.push({ notice: n, index, start: parseTime(v.window.start), end: parseTime(v.window.end), profile, agl });
    });
  }
  const panel = h("figure", { class: "profile", "aria-label": "Vertical profile of the selected notices" });
  if (!bars.length) {
    panel.append(h("figcaption", null, "Vertical profile: select a notice on the map or in a list."));
    return panel;
  }
  const W = 360;
  const H = 220;
  const left = 52;
  const aglLane = bars.some((b) => b.agl) ? 46 : 0;
  const top = 10;
  const bottom = H - 22 - aglLane;
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end));
  const msl = bars.filter((b) => !b.agl);
  const highest = Math.max(1000 * FT, ...msl.map((b) => b.profile.upper_m ?? b.profile.lower_m ?? 0));
  const top_m = highest * 1.1;
  const x = (t: Micros) => left + ((t - t0) / Math.max(1, t1 - t0)) * (W - left - 6);
  const y = (m: number) => bottom - (m / top_m) * (bottom - top);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Altitude against time" });
  const ticks = 4;
  for (let i = 0; i <= ticks; i++) {
    const m = (top_m / ticks) * i;
    chart.append(
      svg("line", { x1: left, x2: W - 4, y1: y(m), y2: y(m), stroke: "#e5e7eb" }),
      svg("text", { x: left - 4, y: y(m) + 4, "text-anchor": "end", "font-size": 10 }, document.createTextNode(`${Math.round(m / FT / 100) * 100} ft`)),
    );
  }
  chart.append(
    svg("text", { x: 2, y: top + 8, "font-size": 9, fill: "#6b7280" }, document.createTextNode("MSL / FL (std atm.)")),
  );
  if (aglLane) {
    chart.append(
      svg("line", { x1: left, x2: W - 4, y1: bottom + 20, y2: bottom + 20, stroke: "#9ca3af", "stroke-dasharray": "3 3" }),
      svg("text", { x: 2, y: bottom + 34, "font-size": 9, fill: "#6b7280" }, document.createTextNode("above ground")),
    );
  }
  bars.forEach((b, k) => {
    const x0 = x(b.start);
    const x1 = Math.max(x0 + 2, x(b.end));
    let y0: number;
    let y1: number;
    if (b.agl) {
      y0 = bottom + 22 + (k % 2) * 10;
      y1 = y0 + 9;
    } else {
      const lo = b.profile.lower_m ?? 0;
      const hi = b.profile.upper_m ?? top_m;
      y0 = y(hi);
      y1 = y(lo);
    }
    const label = bandLabel(b.notice.volumes[b.index].altitude);
    chart.append(
      svg(
        "rect",
        { x: x0, y: y0, width: x1 - x0, height: Math.max(2, y1 - y0), fill: b.agl ? "#a7f3d0" : "#93c5fd", stroke: "#1e3a8a", "fill-opacity": 0.7 },
        svg("title", {}, document.createTextNode(`${b.notice.id} volume ${b.index + 1}: ${label}`)),
      ),
      svg("text", { x: x0 + 2, y: Math.max(top + 8, y0 + 10), "font-size": 10 }, document.createTextNode(label)),
    );
  });
  if (instant >= t0 && instant <= t1) {
    chart.append(svg("line", { x1: x(instant), x2: x(instant), y1: top, y2: H - 14, stroke: "#111827", "stroke-width": 2 }));
  }
  chart.append(
    svg("text", { x: left, y: H - 2, "font-size": 10 }, document.createTextNode(formatTime(t0))),
    svg("text", { x: W - 4, y: H - 2, "font-size": 10, "text-anchor": "end" }, document.createTextNode(formatTime(t1, false))),
  );
  panel.append(
    chart,
    h(
      "figcaption",
      null,
      "Bands as filed. Flight levels placed in the standard atmosphere; heights above ground in their own lane.",
    ),
  );
  return panel;
}
