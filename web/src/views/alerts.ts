// Alerts: every alert naming the party, filterable by kind, party, time and state, each with
// its explanation and figures; selecting one frames its subjects on the map beside the list.

import type { App, View } from "../app";
import { clear, h } from "../dom";
import { ALERT_KINDS, alertKindLabel, figureText } from "../format";
import { holds } from "../record";
import { formatTime, parseTime } from "../time";
import type { Alert } from "../types";

export function alertsView(): View {
  let app: App;
  let list: HTMLElement;
  let chosen: string | null = null;
  const kind = h("select", { id: "f-kind" }, h("option", { value: "" }, "every kind"), Object.entries(ALERT_KINDS).map(([k, label]) => h("option", { value: k }, label)));
  const party = h("select", { id: "f-party" }, h("option", { value: "" }, "every party"));
  const from = h("input", { id: "f-from", type: "text", placeholder: "2026-11-24T06:00:00Z", spellcheck: false });
  const to = h("input", { id: "f-to", type: "text", placeholder: "2026-11-24T18:00:00Z", spellcheck: false });
  const state = h(
    "select",
    { id: "f-state" },
    h("option", { value: "instant" }, "open at the map's instant"),
    h("option", { value: "open" }, "open now"),
    h("option", { value: "all" }, "all, open or closed"),
  );

  const matches = (a: Alert): boolean => {
    if (kind.value && a.kind !== kind.value) return false;
    if (party.value && !a.parties.includes(party.value)) return false;
    const raised = parseTime(a.raised_at);
    const lo = parseTime(from.value);
    const hi = parseTime(to.value);
    if (Number.isFinite(lo) && raised < lo) return false;
    if (Number.isFinite(hi) && raised >= hi) return false;
    return true;
  };

  const chosenAlerts = (): Alert[] => {
    if (state.value === "instant") return app.record.alertsAt(app.instant);
    const all = [...app.record.current.values()];
    return state.value === "open" ? all.filter((a) => a.status === "open") : all;
  };

  const card = (a: Alert): HTMLElement => {
    const figures = Object.entries(a.figures);
    const spans = app.record.alerts.get(a.id) ?? [];
    return h(
      "li",
      { class: `alert-card ${a.kind} ${a.id === chosen ? "chosen" : ""}`, dataset: { alertId: a.id } },
      h(
        "button",
        {
          type: "button",
          class: "alert-head",
          "aria-expanded": String(a.id === chosen),
          onclick: () => {
            chosen = a.id;
            app.frameAlert(a);
            render();
          },
        },
        h("strong", null, alertKindLabel(a.kind)),
        ` · ${a.status}${spans.some((s) => holds(s, app.instant)) ? " (open at the map's instant)" : ""} · raised ${formatTime(parseTime(a.raised_at))}`,
      ),
      h("p", null, a.explanation),
      figures.length
        ? h(
            "table",
            { class: "figures" },
            h("caption", { class: "visually-hidden" }, "Figures"),
            h("tbody", null, figures.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k.replace(/_/g, " ")), h("td", null, figureText(k, v))))),
          )
        : null,
      h("p", { class: "meta" }, `Told to: ${a.parties.map((p) => app.party(p)).join(", ")} · subjects: ${a.subjects.join(", ")}`, a.closed_at ? ` · closed ${formatTime(parseTime(a.closed_at))}: ${a.closed_reason ?? ""}` : ""),
    );
  };

  const render = () => {
    if (!list) return;
    const found = chosenAlerts().filter(matches).sort((a, b) => parseTime(b.raised_at) - parseTime(a.raised_at));
    clear(list, h("p", { class: "count-line", role: "status" }, `${found.length} alert${found.length === 1 ? "" : "s"}`), h("ul", { class: "alert-list" }, found.map(card)));
  };

  return {
    id: "alerts",
    title: "Alerts",
    key: "a",
    mount(a, main) {
      app = a;
      app.map.setMode("map");
      clear(party, h("option", { value: "" }, "every party"), [...app.parties.values()].map((p) => h("option", { value: p.id }, p.name)));
      for (const control of [kind, party, state]) control.onchange = render;
      for (const control of [from, to]) control.oninput = render;
      list = h("div", { class: "alert-results" });
      main.className = "view-alerts";
      main.append(
        h(
          "div",
          { class: "alerts-pane" },
          h("h1", null, "Alerts"),
          h(
            "form",
            { class: "filters", onsubmit: (e: Event) => e.preventDefault() },
            h("label", { for: "f-state" }, "Which"),
            state,
            h("label", { for: "f-kind" }, "Kind"),
            kind,
            h("label", { for: "f-party" }, "Party told"),
            party,
            h("label", { for: "f-from" }, "Raised from"),
            from,
            h("label", { for: "f-to" }, "until"),
            to,
          ),
          list,
        ),
        h("div", { class: "map-slot" }, app.map.element),
        app.timebar.element,
      );
      const wanted = new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("alert");
      if (wanted) {
        state.value = "all";
        chosen = wanted;
        const alert = app.record.alert(wanted);
        if (alert) app.frameAlert(alert);
      }
      render();
    },
    update: () => render(),
  };
}
