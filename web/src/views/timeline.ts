// The dispute timeline of a notice: filed (server time), each version and its geometry, each
// addressee's delivered / read / acknowledged, escalations, messages, the lead time and the
// acknowledgement latency on one time axis; every line with its receipt, checked here from
// the log's public key.  "Download evidence" saves what `deconflict verify evidence` checks.

import { get } from "../api";
import type { App, View } from "../app";
import { clear, h, svg } from "../dom";
import { bandLabel, kindLabel } from "../format";
import { logKeys } from "../keys";
import { download } from "../receipt";
import { formatDuration, formatTime, parseTime, type Micros } from "../time";
import type { Keys, Timeline, TimelineLine, Volume } from "../types";
import { EVIDENCE_FORMAT, checkEvidence, checkReceipt, checkTimeline, type Evidence, type Outcome } from "../verify";

const SYMBOL: { [event: string]: string } = {
  "notice.filed": "◆",
  "delivery.created": "●",
  "delivery.read": "◐",
  "delivery.acknowledged": "✔",
  "delivery.escalated": "▲",
  "message.sent": "✉",
};

function verdictText(outcome: Outcome, lines: number): string {
  return outcome.ok
    ? `Verified in this browser: ${lines} line${lines === 1 ? "" : "s"}, each entry in the signed tree, signature good, lead times as recorded.`
    : `Verification failed: ${outcome.problems.join("; ")}`;
}

function outlineSketch(volume: Volume): SVGElement | null {
  if (!volume.geometry) return null;
  const rings = volume.geometry.type === "Polygon" ? [volume.geometry.coordinates[0]] : volume.geometry.coordinates.map((p) => p[0]);
  const all = rings.flat();
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos(((s + n) / 2) * (Math.PI / 180));
  const scale = 70 / Math.max((e - w) * k, n - s, 1e-9);
  const d = rings
    .map((ring) => "M" + ring.map(([x, y]) => `${((x - w) * k * scale + 5).toFixed(1)},${((n - y) * scale + 5).toFixed(1)}`).join("L") + "Z")
    .join(" ");
  return svg("svg", { viewBox: "0 0 80 80", width: 80, height: 80, role: "img", "aria-label": `outline of ${volume.label || "the volume"}` }, svg("path", { d, fill: "#bfdbfe", stroke: "#1d4ed8" }));
}

function axis(app: App, timeline: Timeline): SVGElement {
  const lines = timeline.lines;
  const times = lines.map((l) => parseTime(l.at));
  const starts = timeline.versions.map((v) => parseTime(v.starts_at));
  const lo = Math.min(...times, ...starts);
  const hi = Math.max(...times, ...starts);
  const lanes = [timeline.author, ...new Set(lines.map((l) => l.party ?? timeline.author).filter((p) => p !== timeline.author))];
  const W = 880;
  const left = 130;
  const laneH = 34;
  const H = 40 + lanes.length * laneH + 30;
  const x = (t: Micros) => left + ((t - lo) / Math.max(1, hi - lo)) * (W - left - 20);
  const y = (party: string) => 30 + lanes.indexOf(party) * laneH;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "dispute-axis", role: "img", "aria-label": "Events of the notice on one time axis" });
  lanes.forEach((p) => {
    chart.append(
      svg("line", { x1: left, x2: W - 10, y1: y(p), y2: y(p), stroke: "#e5e7eb" }),
      svg("text", { x: 4, y: y(p) + 4, "font-size": 12 }, document.createTextNode(app.party(p).slice(0, 20))),
    );
  });
  // Lead time: from each version's filing (server time) to its start.
  for (const v of timeline.versions) {
    const a = x(parseTime(v.filed_at_server));
    const b = x(parseTime(v.starts_at));
    const yy = y(timeline.author) - 12;
    chart.append(
      svg("line", { x1: a, x2: b, y1: yy, y2: yy, stroke: "#d97706", "stroke-width": 3 }),
      svg("text", { x: (a + b) / 2, y: yy - 4, "font-size": 11, "text-anchor": "middle", fill: "#92400e" }, document.createTextNode(`lead time ${formatDuration(v.lead_time_s * 1e6)}`)),
    );
  }
  // Acknowledgement latency: delivered → acknowledged, per delivery.
  const delivered = new Map<string, TimelineLine>();
  for (const l of lines) {
    const subject = l.receipt.subject;
    if (l.event === "delivery.created") delivered.set(subject, l);
    if (l.event === "delivery.acknowledged" && delivered.has(subject)) {
      const from = delivered.get(subject)!;
      const a = x(parseTime(from.at));
      const b = x(parseTime(l.at));
      const yy = y(l.party ?? timeline.author) + 12;
      chart.append(
        svg("line", { x1: a, x2: b, y1: yy, y2: yy, stroke: "#059669", "stroke-width": 3 }),
        svg("text", { x: (a + b) / 2, y: yy + 12, "font-size": 11, "text-anchor": "middle", fill: "#065f46" }, document.createTextNode(`acknowledged after ${formatDuration(parseTime(l.at) - parseTime(from.at))}`)),
      );
    }
  }
  for (const l of lines) {
    const px = x(parseTime(l.at));
    const py = y(l.party ?? timeline.author);
    chart.append(
      svg("text", { x: px, y: py + 5, "font-size": 15, "text-anchor": "middle", fill: l.event === "delivery.escalated" ? "#b91c1c" : "#111827" }, svg("title", {}, document.createTextNode(`${l.at} ${l.event}: ${l.detail}`)), document.createTextNode(SYMBOL[l.event] ?? "•")),
    );
  }
  for (const v of timeline.versions) {
    const px = x(parseTime(v.starts_at));
    const end = px > W - 160; // near the right edge: the words go to the left of the line
    chart.append(
      svg("line", { x1: px, x2: px, y1: 16, y2: H - 24, stroke: "#1d4ed8", "stroke-dasharray": "4 3" }),
      svg("text", { x: end ? px - 3 : px + 3, y: H - 26, "font-size": 11, fill: "#1d4ed8", "text-anchor": end ? "end" : "start" }, document.createTextNode(`${v.notice} starts`)),
    );
  }
  chart.append(
    svg("text", { x: left, y: H - 6, "font-size": 11 }, document.createTextNode(formatTime(lo))),
    svg("text", { x: W - 10, y: H - 6, "font-size": 11, "text-anchor": "end" }, document.createTextNode(formatTime(hi))),
  );
  return chart;
}

export function timelineView(): View {
  let app: App;
  let body: HTMLElement;

  const show = async (noticeId: string) => {
    clear(body, h("p", null, `Loading the timeline of ${noticeId}…`));
    let timeline: Timeline;
    let keys: Keys;
    try {
      [timeline, keys] = await Promise.all([get<Timeline>(`/v1/notices/${encodeURIComponent(noticeId)}/timeline`), logKeys()]);
    } catch (error) {
      clear(body, h("p", { class: "error", role: "alert" }, (error as Error).message));
      return;
    }
    const outcome = checkTimeline(timeline, keys);
    const evidence: Evidence = { format: EVIDENCE_FORMAT, notice: noticeId, timeline, keys };
    const checked = h("p", { class: "verdict", role: "status" });
    const fileInput = h("input", {
      type: "file",
      id: "evidence-file",
      accept: "application/json,.json",
      onchange: async () => {
        const file = fileInput.files?.[0];
        if (!file) return;
        let result: Outcome;
        try {
          result = checkEvidence(JSON.parse(await file.text()) as Evidence, keys);
        } catch (error) {
          result = { ok: false, problems: [`not an evidence file: ${(error as Error).message}`] };
        }
        checked.className = `verdict ${result.ok ? "verified" : "failed"}`;
        checked.textContent = `${file.name}: ${result.ok ? "verified" : "verification failed"} — ${verdictText(result, timeline.lines.length)}`;
      },
    });
    clear(
      body,
      h("h2", null, `${noticeId} — ${app.party(timeline.author)}`),
      h("p", { class: `verdict ${outcome.ok ? "verified" : "failed"}`, role: "status", dataset: { verdict: outcome.ok ? "verified" : "failed" } }, verdictText(outcome, timeline.lines.length)),
      h(
        "p",
        { class: "note" },
        `Signed tree of ${timeline.tree_head.tree_size} entries at ${formatTime(parseTime(timeline.tree_head.timestamp))}, key ${timeline.tree_head.key_id}. `,
        "Compare the key with the one your organisation holds: a file checks only against a key you trust.",
      ),
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", onclick: () => download(`evidence-${noticeId}.json`, JSON.stringify(evidence, null, 2)) }, "Download evidence"),
        h("label", { for: "evidence-file", class: "file-label" }, "Check an evidence file: "),
        fileInput,
      ),
      checked,
      h(
        "section",
        { class: "versions", "aria-label": "Versions" },
        h("h3", null, "Versions"),
        h(
          "ul",
          null,
          timeline.versions.map((v) =>
            h(
              "li",
              { class: "version" },
              h("strong", null, `${v.notice} (${v.action})`),
              ` filed ${formatTime(parseTime(v.filed_at_server))} (server; claimed ${formatTime(parseTime(v.filed_at_claimed))}), starts ${formatTime(parseTime(v.starts_at))}: lead time ${formatDuration(v.lead_time_s * 1e6)}`,
              h(
                "div",
                { class: "sketches" },
                // The timeline gives each outline as recorded; the drawing is the server's rendering.
                (app.record.notices.get(v.notice)?.volumes ?? v.volumes).map((vol) =>
                  h("figure", null, outlineSketch(vol), h("figcaption", null, `${bandLabel(vol.altitude)}`)),
                ),
              ),
            ),
          ),
        ),
      ),
      axis(app, timeline),
      h(
        "table",
        { class: "timeline-lines" },
        h("caption", null, "Every line, with its ledger entry and the check of its receipt"),
        h("thead", null, h("tr", null, ["Time (UTC, server)", "Entry", "Event", "Party", "Detail", "Receipt"].map((c) => h("th", { scope: "col" }, c)))),
        h(
          "tbody",
          null,
          timeline.lines.map((l) => {
            const problems = checkReceipt(l.receipt, keys);
            return h(
              "tr",
              { dataset: { index: String(l.index) } },
              h("td", null, formatTime(parseTime(l.at))),
              h("td", null, String(l.index)),
              h("td", null, `${SYMBOL[l.event] ?? ""} ${l.event}`),
              h("td", null, app.party(l.party)),
              h("td", null, l.detail),
              h("td", { class: problems.length ? "failed" : "verified" }, problems.length ? `failed: ${problems.join("; ")}` : "verified"),
            );
          }),
        ),
      ),
    );
  };

  return {
    id: "timeline",
    title: "Dispute timeline",
    key: "t",
    mount(a, main, arg) {
      app = a;
      main.className = "view-timeline";
      const series = new Map<string, string>();
      for (const n of app.record.notices.values()) {
        if (n.action !== "cancel") series.set(n.series, `${n.series}: ${n.title || kindLabel(n.kind)} (${n.author})`);
      }
      const picker = h(
        "select",
        { id: "t-notice", onchange: () => (window.location.hash = `#/timeline/${encodeURIComponent(picker.value)}`) },
        h("option", { value: "" }, "— choose a notice —"),
        [...series].map(([id, label]) => h("option", { value: id, selected: id === arg }, label)),
      );
      body = h("div", { class: "timeline-body" });
      main.append(h("h1", null, "Dispute timeline"), h("p", null, h("label", { for: "t-notice" }, "Notice "), picker), body);
      if (arg) void show(arg);
      else clear(body, h("p", { class: "note" }, "Choose a notice to see what happened to it, with proofs."));
    },
  };
}
