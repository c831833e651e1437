// The map view: the map, the time bar under it, and beside it the legend, the selected
// notice with its vertical profile, and the list of what is drawn (the map's text equivalent).

import type { App, View } from "../app";
import { clear, h, perFrame } from "../dom";
import { alertKindLabel, bandLabel, kindLabel } from "../format";
import { ACTIVE, BASE, CANCELLED, CONFLICT, LATE, UPCOMING } from "../instant";
import { legend } from "../legend";
import { profilePanel } from "../profile";
import { aircraftList } from "./aircraft";
import { formatDuration, formatTime, parseTime } from "../time";

function stateText(state: number): string {
  const base = state & BASE;
  const words = [base === ACTIVE ? "active" : base === UPCOMING ? "upcoming" : base === CANCELLED ? "cancelled" : "hidden"];
  if (state & LATE) words.push("late");
  if (state & CONFLICT) words.push("in conflict");
  return words.join(", ");
}

export function selectionPanel(app: App): HTMLElement {
  const panel = h("section", { class: "selection", "aria-label": "Selected notice" });
  const ids = app.selected;
  const notice = ids.map((id) => app.record.notices.get(id)).find((n) => n && n.standing_until === null) ??
    (ids.length ? app.record.notices.get(ids[ids.length - 1]) : undefined);
  if (!notice) {
    panel.append(h("h2", null, "Selection"), h("p", { class: "note" }, "Select a volume on the map or in the list."));
    return panel;
  }
  const alerts = app.record.alertsAt(app.instant).filter((a) => a.subjects.some((s) => ids.includes(s)));
  panel.append(
    h("h2", null, notice.title || kindLabel(notice.kind)),
    h(
      "dl",
      null,
      h("dt", null, "Notice"),
      h("dd", null, notice.id, notice.series !== notice.id ? ` (series ${notice.series})` : ""),
      h("dt", null, "From"),
      h("dd", null, app.party(notice.author)),
      h("dt", null, "Kind"),
      h("dd", null, kindLabel(notice.kind)),
      h("dt", null, "Filed (server)"),
      h("dd", null, formatTime(parseTime(notice.filed_at))),
      h("dt", null, "Status now"),
      h("dd", null, notice.status),
    ),
    h(
      "ol",
      { class: "volumes" },
      notice.volumes.map((v, i) =>
        h(
          "li",
          null,
          h("strong", null, bandLabel(v.altitude)),
          ` ${formatTime(parseTime(v.window.start))} → ${formatTime(parseTime(v.window.end))}`,
          v.label ? ` (${v.label})` : "",
          h("span", { class: "sr-only" }, ` volume ${i + 1}`),
        ),
      ),
    ),
    alerts.length
      ? h(
          "ul",
          { class: "alerts-here" },
          alerts.map((a) => h("li", null, h("a", { href: `#/alerts?alert=${a.id}` }, alertKindLabel(a.kind)), `: ${a.explanation}`)),
        )
      : "",
    h(
      "p",
      null,
      h("a", { href: `#/timeline/${encodeURIComponent(notice.id)}` }, "Dispute timeline and proofs →"),
    ),
    profilePanel(app.record, ids, app.instant),
  );
  return panel;
}

function drawnList(app: App): HTMLElement {
  const rows = app.record.rows;
  const items: HTMLElement[] = [];
  let count = 0;
  rows.forEach((r, i) => {
    const state = app.map.stateOf(i);
    if (!(state & BASE)) return;
    count++;
    if (items.length >= 60) return;
    const v = r.notice.volumes[r.index];
    items.push(
      h(
        "li",
        null,
        h(
          "button",
          { type: "button", class: "link", onclick: () => app.selectNotice(r.notice.id, true) },
          `${r.notice.author}: ${bandLabel(v.altitude)}`,
        ),
        ` — ${stateText(state)}; ends in ${formatDuration(r.end - app.instant)}`,
      ),
    );
  });
  return h(
    "section",
    { class: "drawn", "aria-label": "On the map" },
    h("h2", null, `On the map: ${count} volume${count === 1 ? "" : "s"}`),
    h("ul", null, items),
    count > items.length ? h("p", { class: "note" }, `and ${count - items.length} more`) : null,
  );
}

/** The map's layout: the map, a side panel (returned) and the time bar under both. */
export function mapLayout(app: App, main: HTMLElement, heading: string, label: string): HTMLElement {
  const side = h("aside", { class: "side", "aria-label": label });
  main.className = "view-map";
  main.append(h("h1", { class: "visually-hidden" }, heading), h("div", { class: "map-slot" }, app.map.element), side, app.timebar.element);
  return side;
}

export function mapView(): View {
  let side: HTMLElement | null = null;
  let app: App | null = null;
  const render = () => {
    if (!side || !app) return;
    clear(side, selectionPanel(app), drawnList(app), aircraftList(app), legend());
  };
  return {
    id: "map",
    title: "Map",
    key: "m",
    mount(a, main) {
      app = a;
      app.map.setMode("map");
      side = mapLayout(app, main, "Map", "Details");
      const wanted = new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("notice");
      if (wanted) app.selectNotice(wanted, true);
      render();
    },
    update: perFrame(render),
    unmount() {
      side = null;
    },
  };
}
