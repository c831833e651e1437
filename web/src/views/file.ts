// Filing a notice: draw a polygon, circle or corridor on the map, give the altitude band and
// the window, check it (the server's outline, lead time, addressees and the conflicts it would
// raise: for information, nothing is ever refused for a conflict), send it, keep the receipt.
// Replacing and cancelling one's own current notices too.  Errors are shown at their field,
// with the server's words.

import { ApiError, idempotencyKey, post, type Problem } from "../api";
import type { App, View } from "../app";
import { announce, clear, h } from "../dom";
import { alertKindLabel, bandLabel, kindLabel } from "../format";
import type { Draft } from "../map/map";
import { receiptPanel } from "../receipt";
import { clock } from "../session";
import { formatDuration, formatIso, formatTime, parseTime } from "../time";
import type { Alert, Notice, Receipt } from "../types";

const KINDS = ["air_operation", "ground_movement", "humanitarian_movement", "exercise"];

interface Preview {
  notice: Notice;
  lead_time_s: number | null;
  addressees: string[];
  alerts: Alert[];
}

interface Filed {
  notice: Notice;
  alerts: Alert[];
  closed_alerts: Alert[];
  receipt: Receipt;
}

function field(id: string, label: string, control: HTMLElement, hint = ""): HTMLElement {
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("span", { id: `${id}-error`, class: "field-error", role: "alert" }),
  );
}

/** Which form field a problem's path belongs to. */
function fieldFor(path: string): string {
  if (path.startsWith("kind")) return "n-kind";
  if (path.startsWith("title")) return "n-title";
  if (path.includes("altitude.lower")) return "n-lower";
  if (path.includes("altitude.upper")) return "n-upper";
  if (path.includes("altitude")) return "n-lower";
  if (path.includes("window.start")) return "n-start";
  if (path.includes("window.end")) return "n-end";
  if (path.includes("window")) return "n-start";
  if (path.includes("radius")) return "n-radius";
  if (path.includes("half_width")) return "n-width";
  if (path.includes("replaces")) return "n-replaces";
  return "n-outline";
}

export function fileView(): View {
  let app: App;
  const draft: Draft = { points: [], kind: "polygon", server: null };
  const shape = h(
    "select",
    {},
    h("option", { value: "polygon" }, "polygon (click each vertex)"),
    h("option", { value: "circle" }, "circle (click the centre)"),
    h("option", { value: "corridor" }, "corridor (click along the route)"),
  );
  const kind = h("select", {}, KINDS.map((k) => h("option", { value: k }, kindLabel(k))));
  const title = h("input", { type: "text", maxlength: "500", autocomplete: "off" });
  const radius = h("input", { type: "text", value: "5 km", autocomplete: "off" });
  const width = h("input", { type: "text", value: "500 m", autocomplete: "off" });
  const lower = h("input", { type: "text", value: "SFC", autocomplete: "off" });
  const upper = h("input", { type: "text", value: "FL100", autocomplete: "off" });
  const start = h("input", { type: "text", spellcheck: false, autocomplete: "off" });
  const end = h("input", { type: "text", spellcheck: false, autocomplete: "off" });
  const replaces = h("select", {}, h("option", { value: "" }, "— a new notice —"));
  const points = h("output", { id: "n-outline", class: "points", "aria-describedby": "n-outline-error" });
  const result = h("section", { class: "file-result", "aria-live": "polite" });
  const own = h("section", { class: "own-notices", "aria-label": "Your current notices" });

  const showPoints = () => {
    points.textContent = draft.points.length
      ? draft.points.map(([lon, lat]) => `${lat.toFixed(4)}N ${lon.toFixed(4)}E`).join(" → ")
      : "No point yet: click on the map.";
  };

  const clearErrors = () => {
    for (const el of document.querySelectorAll<HTMLElement>(".field-error")) el.textContent = "";
    for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  };

  const showProblems = (problems: Problem[], message: string) => {
    if (!problems.length) {
      clear(result, h("p", { class: "error", role: "alert" }, message));
      return;
    }
    for (const p of problems) {
      const id = fieldFor(p.path);
      const error = document.getElementById(`${id}-error`);
      document.getElementById(id)?.setAttribute("aria-invalid", "true");
      if (error) error.textContent = `${error.textContent ? error.textContent + " " : ""}${p.reason}`;
    }
    clear(result, h("p", { class: "error", role: "alert" }, `Not sent: ${problems.length} problem${problems.length > 1 ? "s" : ""} (shown at the fields).`));
  };

  const outline = (): Record<string, unknown> => {
    if (draft.kind === "circle") return { type: "circle", center: draft.points[0] ?? null, radius: radius.value };
    if (draft.kind === "corridor") return { type: "corridor", route: draft.points, half_width: width.value };
    return { type: "polygon", vertices: draft.points };
  };

  const body = () => ({
    kind: kind.value,
    title: title.value,
    volumes: [
      {
        outline: outline(),
        altitude: { lower: lower.value, upper: upper.value },
        window: { start: start.value, end: end.value },
      },
    ],
  });

  const check = async () => {
    clearErrors();
    clear(result, h("p", null, "Checking…"));
    try {
      const preview = await post<Preview>("/v1/notices/preview", { ...body(), replaces: replaces.value || null });
      const geometry = preview.notice.volumes[0].geometry;
      draft.server = geometry.type === "Polygon" ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
      app.map.setDraft({ ...draft });
      const lead = preview.lead_time_s;
      clear(
        result,
        h("h2", null, "If sent now"),
        h(
          "ul",
          null,
          h("li", null, `Lead time: ${lead === null ? "—" : formatDuration(lead * 1e6)} before the start (from the server's time).`),
          h("li", null, `Delivered to: ${preview.addressees.map((p) => app.party(p)).join(", ") || "no one (no agreement covers this kind)"}.`),
          h("li", null, `Band as filed: ${bandLabel(preview.notice.volumes[0].altitude)}.`),
        ),
        preview.alerts.length
          ? h("div", null, h("h3", null, `It would raise ${preview.alerts.length} alert${preview.alerts.length > 1 ? "s" : ""}`), h("ul", { class: "would-raise" }, preview.alerts.map((a) => h("li", null, h("strong", null, alertKindLabel(a.kind)), `: ${a.explanation}`))), h("p", { class: "note" }, "For your information: a notice is never held back for a conflict; the parties concerned will be told."))
          : h("p", null, "It would raise no alert."),
      );
    } catch (error) {
      if (error instanceof ApiError) showProblems(error.problems, error.message);
      else clear(result, h("p", { class: "error" }, String(error)));
    }
  };

  const send = async () => {
    clearErrors();
    clear(result, h("p", null, "Sending…"));
    const path = replaces.value ? `/v1/notices/${encodeURIComponent(replaces.value)}/replace` : "/v1/notices";
    try {
      const filed = await post<Filed>(path, body(), { "Idempotency-Key": idempotencyKey() });
      announce(`Notice ${filed.notice.id} sent.`);
      draft.points = [];
      draft.server = null;
      app.map.setDraft(null);
      showPoints();
      clear(
        result,
        h("h2", null, `Sent: ${filed.notice.id}`),
        h("p", null, `Recorded at ${formatTime(parseTime(filed.notice.filed_at))} (server time).`),
        filed.alerts.length ? h("ul", null, filed.alerts.map((a) => h("li", null, h("strong", null, alertKindLabel(a.kind)), `: ${a.explanation}`))) : h("p", null, "No alert raised."),
        receiptPanel(filed.receipt),
      );
      await app.record.refresh();
      renderOwn();
    } catch (error) {
      if (error instanceof ApiError) showProblems(error.problems, error.message);
      else clear(result, h("p", { class: "error" }, String(error)));
    }
  };

  const cancel = async (notice: Notice) => {
    clear(result, h("p", null, `Cancelling ${notice.id}…`));
    try {
      const filed = await post<Filed>(`/v1/notices/${encodeURIComponent(notice.id)}/cancel`, { title: `cancels ${notice.id}` }, { "Idempotency-Key": idempotencyKey() });
      clear(result, h("h2", null, `Cancelled: ${notice.id}`), h("p", null, `by ${filed.notice.id}`), receiptPanel(filed.receipt));
      await app.record.refresh();
      renderOwn();
    } catch (error) {
      clear(result, h("p", { class: "error", role: "alert" }, (error as Error).message));
    }
  };

  const renderOwn = () => {
    const mine = [...app.record.notices.values()].filter(
      (n) => n.author === app.session.party && n.action !== "cancel" && n.superseded_by === null,
    );
    clear(replaces, h("option", { value: "" }, "— a new notice —"), mine.map((n) => h("option", { value: n.id }, `replace ${n.id} ${n.title}`)));
    clear(
      own,
      h("h2", null, "Your current notices"),
      mine.length
        ? h("ul", null, mine.map((n) => h("li", null, `${n.id} ${n.title || kindLabel(n.kind)} `, h("button", { type: "button", onclick: () => void cancel(n) }, `Cancel ${n.id}`))))
        : h("p", { class: "note" }, "None."),
    );
  };

  const canFile = () => app.session.role === "duty_officer";

  return {
    id: "file",
    title: "File a notice",
    key: "f",
    mount(a, main) {
      app = a;
      app.map.setMode("draw");
      const now = clock.now();
      start.value ||= formatIso(Math.ceil((now + 40 * 60e6) / 60e6) * 60e6).replace(".000000", "");
      end.value ||= formatIso(Math.ceil((now + 100 * 60e6) / 60e6) * 60e6).replace(".000000", "");
      shape.onchange = () => {
        draft.kind = shape.value as Draft["kind"];
        draft.points = [];
        draft.server = null;
        app.map.setDraft({ ...draft });
        showPoints();
      };
      app.map.onDrawClick((p) => {
        draft.points = draft.kind === "circle" ? [p] : [...draft.points, p];
        draft.server = null;
        app.map.setDraft({ ...draft });
        showPoints();
      });
      showPoints();
      const form = h(
        "form",
        { class: "file-form", onsubmit: (e: Event) => (e.preventDefault(), void send()) },
        h("h1", null, "File a notice"),
        canFile() ? null : h("p", { class: "error" }, "Only a duty officer files notices; you may still check a draft."),
        field("n-kind", "Kind", kind),
        field("n-title", "Title (a line for the other duty officers)", title),
        field("n-shape", "Outline", shape),
        h("div", { class: "field" }, h("span", { class: "label" }, "Points"), points, h("span", { id: "n-outline-error", class: "field-error", role: "alert" }), h("button", { type: "button", onclick: () => { draft.points = draft.points.slice(0, -1); draft.server = null; app.map.setDraft({ ...draft }); showPoints(); } }, "Remove last point")),
        field("n-radius", "Radius (circle)", radius, "with its unit: m, km, NM"),
        field("n-width", "Half width (corridor)", width, "with its unit: m, km, NM"),
        field("n-lower", "Lower bound", lower, "as you mean it: SFC, FL050, 3000 ft AMSL, 300 m AGL"),
        field("n-upper", "Upper bound", upper, "FL250, 5000 ft AMSL, 150 m AGL, UNL"),
        field("n-start", "Window start (UTC)", start, "RFC 3339, e.g. 2026-11-24T10:00:00Z"),
        field("n-end", "Window end (UTC, exclusive)", end),
        field("n-replaces", "Replaces", replaces),
        h("div", { class: "buttons" }, h("button", { type: "button", onclick: () => void check() }, "Check conflicts and lead time"), h("button", { type: "submit", disabled: !canFile() }, "Send notice")),
      );
      main.className = "view-file";
      main.append(h("div", { class: "file-pane" }, form, result, own), h("div", { class: "map-slot" }, app.map.element));
      renderOwn();
      app.map.setDraft({ ...draft });
    },
    unmount() {
      app.map.onDrawClick(null);
      app.map.setDraft(null);
      app.map.setMode("map");
    },
  };
}
