// The inbox: unread first, each item with its deadline counting down, its escalation level,
// its sender and the conflict it concerns.  Keys: ↑/↓ (or j/k) move, Enter opens (the read is
// recorded), "a" acknowledges (a reply field opens; Enter sends it, empty or not).

import { ApiError, get, idempotencyKey, post } from "../api";
import type { App, View } from "../app";
import { announce, clear, h } from "../dom";
import { ITEM_LABELS, alertKindLabel, bandLabel, kindLabel } from "../format";
import { receiptPanel } from "../receipt";
import { INBOX_KEYS } from "../shortcuts";
import { formatTime, parseTime } from "../time";
import type { Alert, Delivery, Notice, Receipt } from "../types";

interface Opened extends Delivery {
  item: (Notice & Alert & { body?: string; sender?: string }) | Delivery | null;
}

const ORDER: { [status: string]: number } = { delivered: 0, read: 1, undelivered: 2, acknowledged: 3 };

const due = (d: Delivery) => (d.deadline_at ? parseTime(d.deadline_at) : Infinity);

/** Unread first; then the soonest due; then the newest. */
function sorted(items: Iterable<Delivery>): Delivery[] {
  return [...items].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      due(a) - due(b) ||
      parseTime(b.delivered_at) - parseTime(a.delivered_at) ||
      (a.id < b.id ? -1 : 1),
  );
}

function concerning(app: App, d: Delivery): string {
  if (d.item_type === "alert") {
    const alert = app.record.alert(d.item_id);
    return alert ? `${alertKindLabel(alert.kind)}: ${alert.explanation}` : "an alert";
  }
  if (d.item_type === "notice") {
    const open = app.record.alertsAt(app.instant).filter((a) => a.subjects.includes(d.item_id));
    const notice = app.record.notices.get(d.item_id);
    const what = notice
      ? `${kindLabel(notice.kind)} ${notice.volumes.map((v) => bandLabel(v.altitude)).join(", ")}`
      : d.item_id;
    const kinds = [...new Set(open.map((a) => alertKindLabel(a.kind)))];
    return kinds.length ? `${what} — in conflict: ${kinds.join(", ")}` : what;
  }
  if (d.item_type === "escalation") return `an item to chase (${d.item_id})`;
  if (d.item_type === "proposal") return `a proposed change to terms (${d.item_id})`;
  if (d.item_type === "undelivered") return d.note || "an item could not be delivered";
  return "a message";
}

export function inboxView(): View {
  let app: App;
  let list: HTMLUListElement;
  let detail: HTMLElement;
  let focusId: string | null = null;
  let openId: string | null = null;

  const rowFor = (d: Delivery, index: number): HTMLLIElement => {
    const deadline = d.status === "delivered" || d.status === "read" ? d.deadline_at : null;
    const button = h(
      "button",
      {
        type: "button",
        class: `inbox-item ${d.status}`,
        tabindex: d.id === focusId || (!focusId && index === 0) ? "0" : "-1",
        dataset: { delivery: d.id },
        "aria-current": d.id === openId ? "true" : undefined,
        onclick: () => void open(d.id),
        onkeydown: (e: KeyboardEvent) => key(e, d.id),
      },
      h("span", { class: "item-type" }, ITEM_LABELS[d.item_type] ?? d.item_type),
      h("span", { class: "status" }, d.status === "delivered" ? "unread" : d.status),
      h("span", { class: "sender" }, d.sender ? `from ${app.party(d.sender)}` : "from the service"),
      h("span", { class: "concerning" }, concerning(app, d)),
      h("span", { class: "delivered" }, formatTime(parseTime(d.delivered_at))),
      deadline
        ? h("span", { class: "deadline", dataset: { deadline: String(parseTime(deadline)) }, title: `due ${deadline}` }, "…")
        : null,
      d.level ? h("span", { class: "level" }, `escalation level ${d.level}`) : null,
    );
    return h("li", null, button);
  };

  const render = () => {
    const items = sorted(app.inbox.values());
    clear(list, items.length ? items.map(rowFor) : h("li", { class: "empty" }, "Nothing in the inbox."));
    app.updateCount();
  };

  const focusRow = (id: string) => {
    focusId = id;
    for (const b of list.querySelectorAll<HTMLButtonElement>("button.inbox-item")) {
      b.tabIndex = b.dataset.delivery === id ? 0 : -1;
      if (b.dataset.delivery === id) b.focus();
    }
  };

  const key = (e: KeyboardEvent, id: string) => {
    const ids = sorted(app.inbox.values()).map((d) => d.id);
    const at = ids.indexOf(id);
    if (INBOX_KEYS.next.includes(e.key)) {
      e.preventDefault();
      focusRow(ids[Math.min(ids.length - 1, at + 1)]);
    } else if (INBOX_KEYS.previous.includes(e.key)) {
      e.preventDefault();
      focusRow(ids[Math.max(0, at - 1)]);
    } else if (INBOX_KEYS.acknowledge.includes(e.key)) {
      e.preventDefault();
      void open(id, true);
    }
  };

  const open = async (id: string, acknowledging = false) => {
    openId = id;
    focusId = id;
    let opened: Opened;
    try {
      opened = await get<Opened>(`/v1/inbox/${encodeURIComponent(id)}`);
    } catch (error) {
      clear(detail, h("p", { class: "error" }, (error as Error).message));
      return;
    }
    app.inbox.set(id, opened);
    render();
    showDetail(opened, acknowledging);
  };

  const showDetail = (d: Opened, acknowledging: boolean) => {
    const item = d.item as (Notice & Alert & { body?: string }) | null;
    const parts: (HTMLElement | null)[] = [
      h("h2", null, `${ITEM_LABELS[d.item_type] ?? d.item_type} from ${d.sender ? app.party(d.sender) : "the service"}`),
      h(
        "dl",
        null,
        h("dt", null, "Delivered"),
        h("dd", null, formatTime(parseTime(d.delivered_at))),
        h("dt", null, "Status"),
        h("dd", null, d.status),
        d.deadline_at ? h("dt", null, "Acknowledgement due") : null,
        d.deadline_at ? h("dd", null, formatTime(parseTime(d.deadline_at))) : null,
        h("dt", null, "Escalation level"),
        h("dd", null, String(d.level)),
        d.acknowledged_at ? h("dt", null, "Acknowledged") : null,
        d.acknowledged_at ? h("dd", null, formatTime(parseTime(d.acknowledged_at)), d.reply ? ` — “${d.reply}”` : "") : null,
      ),
    ];
    if (item && d.item_type === "notice") {
      parts.push(
        h("h3", null, item.title || kindLabel(item.kind)),
        h("ul", null, item.volumes.map((v) => h("li", null, `${bandLabel(v.altitude)}, ${formatTime(parseTime(v.window.start))} → ${formatTime(parseTime(v.window.end))}`))),
        h("p", null, h("a", { href: `#/map?notice=${encodeURIComponent(item.id)}` }, "Show on the map"), " · ", h("a", { href: `#/timeline/${encodeURIComponent(item.id)}` }, "Dispute timeline")),
      );
    } else if (item && d.item_type === "alert") {
      parts.push(h("h3", null, alertKindLabel(item.kind)), h("p", null, item.explanation), h("p", null, h("a", { href: `#/alerts?alert=${item.id}` }, "Show the alert")));
    } else if (item && d.item_type === "message") {
      parts.push(h("blockquote", null, item.body ?? ""));
    } else if (d.item_type === "proposal") {
      parts.push(h("p", null, h("a", { href: "#/proposals" }, "Show the proposals: what would change, who has consented")));
    } else if (d.note) {
      parts.push(h("p", null, d.note));
    }
    const canAck = d.status === "delivered" || d.status === "read";
    if (canAck && (app.session.role === "duty_officer" || app.session.role === "monitor")) {
      parts.push(ackForm(d, acknowledging));
    }
    clear(detail, ...parts);
    if (!acknowledging) detail.focus();
  };

  const ackForm = (d: Delivery, focusNow: boolean): HTMLElement => {
    const reply = h("input", { type: "text", id: "ack-reply", name: "reply", maxlength: "4000", autocomplete: "off" });
    const status = h("p", { class: "form-status", role: "status" });
    const form = h(
      "form",
      {
        class: "ack",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          status.textContent = "Sending…";
          try {
            const answer = await post<Delivery & { receipt: Receipt }>(
              `/v1/inbox/${encodeURIComponent(d.id)}/ack`,
              reply.value.trim() ? { reply: reply.value.trim() } : {},
              { "Idempotency-Key": idempotencyKey() },
            );
            app.inbox.set(d.id, answer);
            render();
            announce("Acknowledged: received.");
            clear(form, h("p", { class: "done" }, `Acknowledged at ${formatTime(parseTime(answer.acknowledged_at ?? ""))}.`), receiptPanel(answer.receipt));
          } catch (error) {
            status.textContent = error instanceof ApiError ? error.message : String(error);
          }
        },
      },
      h("label", { for: "ack-reply" }, "Reply (optional), then Enter to acknowledge receipt"),
      reply,
      h("button", { type: "submit" }, "Acknowledge (received)"),
      status,
    );
    if (focusNow) window.setTimeout(() => reply.focus(), 0);
    return form;
  };

  return {
    id: "inbox",
    title: "Inbox",
    key: "i",
    mount(a, main) {
      app = a;
      main.className = "view-inbox";
      list = h("ul", { class: "inbox-list", "aria-label": "Inbox items: unread first, soonest due first" });
      detail = h("section", { class: "inbox-detail", tabindex: "-1", "aria-label": "Opened item" }, h("p", { class: "note" }, "Open an item (Enter) to read it; press a to acknowledge."));
      main.append(
        h("h1", null, "Inbox"),
        h("p", { class: "note" }, "↑/↓ move · Enter opens (recorded as read) · a acknowledges: received, with an optional reply."),
        h("div", { class: "split" }, list, detail),
      );
      render();
      const first = list.querySelector<HTMLButtonElement>("button.inbox-item");
      first?.focus();
    },
    update() {
      if (!list) return;
      const focused = (document.activeElement as HTMLElement | null)?.dataset?.delivery;
      const editing = detail.contains(document.activeElement);
      render();
      if (focused && !editing) focusRow(focused);
    },
  };
}
