// Proposals: changes to agreements, zone agreements and lines that wait for the consent of every
// party they bind.  Each shows what it would change (the terms in force, read through the API as
// this party may read them, against the terms proposed), who has consented, who is awaited and
// when it expires.  An admin consents or declines for its own party, or withdraws its party's own
// proposal; every answer shows its ledger receipt.  Other roles read the same list, without the
// buttons: only admins answer (the API's rule).  Consent is about terms between parties, never
// about an activity: notices are never subject to it.

import { ApiError, get, idempotencyKey, post } from "../api";
import type { App, View } from "../app";
import { announce, clear, h } from "../dom";
import { receiptPanel } from "../receipt";
import { termChanges, type TermChange } from "../terms";
import { clock } from "../session";
import { formatTime, parseTime } from "../time";
import type { Proposal, ProposalAnswer } from "../types";

const KIND_WORDS: { [kind: string]: string } = { agreement: "agreement", zone: "zone agreement", line: "line" };
const KIND_PATHS: { [kind: string]: string } = { agreement: "agreements", zone: "zones", line: "lines" };
const STATUS_WORDS: { [status: string]: string } = {
  pending: "waiting for consent",
  in_force: "in force",
  declined: "declined",
  expired: "expired",
  withdrawn: "withdrawn",
};

/** The terms in force, as this party may read them: ``undefined`` for a new item, ``null`` when
 * the API does not show them to this party. */
type InForce = Record<string, unknown> | null | undefined;

async function termsInForce(p: Proposal): Promise<InForce> {
  if (p.base_seq === null) return undefined;
  try {
    return await get<Record<string, unknown>>(`/v1/${KIND_PATHS[p.kind]}/${encodeURIComponent(p.item.id)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function timeLeft(iso: string): string {
  const left = parseTime(iso) - clock.now();
  if (left <= 0) return "past";
  const minutes = Math.ceil(left / 60e6);
  if (minutes < 120) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `in ${hours} h ${minutes % 60} min` : `in ${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function proposalsView(): View {
  let app: App;
  let list: HTMLElement;
  let status: HTMLElement;
  let filter: HTMLSelectElement;
  let mounted = false;
  let loads = 0;
  let stopListening: (() => void) | null = null;
  /** Proposals answered from this page, with their receipts: shown until the page is left. */
  const answers = new Map<string, ProposalAnswer>();
  /** The terms in force each proposal was shown against (an answered one keeps its comparison). */
  const shown = new Map<string, InForce>();

  const isAdmin = () => app.session.role === "admin";

  const load = async () => {
    const mine = ++loads;
    status.textContent = "Loading…";
    try {
      const query = filter.value === "all" ? "" : `?status=${filter.value}`;
      const found = (await get<{ proposals: Proposal[] }>(`/v1/proposals${query}`)).proposals;
      const terms = await Promise.all(found.map(termsInForce));
      if (mine !== loads || !mounted) return;
      render(found, terms);
    } catch (error) {
      if (mine === loads) status.textContent = (error as Error).message;
    }
  };

  const render = (found: Proposal[], terms: InForce[]) => {
    const listed = new Set(found.map((p) => p.id));
    const answered = [...answers.values()].filter((a) => !listed.has(a.proposal.id));
    found.forEach((p, i) => shown.set(p.id, terms[i]));
    const cards = [
      ...answered.map((a) => card(a.proposal, shown.get(a.proposal.id), a)),
      ...found.map((p) => card(answers.get(p.id)?.proposal ?? p, shown.get(p.id), answers.get(p.id))),
    ];
    const what = filter.value === "all" ? "" : "pending ";
    status.textContent = found.length
      ? `${found.length} ${what}proposal${found.length === 1 ? "" : "s"} concerning ${app.party(app.session.party)}.`
      : `No ${what}proposal concerns ${app.party(app.session.party)}.`;
    clear(list, cards);
  };

  const changesTable = (p: Proposal, inForce: InForce): HTMLElement => {
    const changes: TermChange[] = termChanges(
      inForce === null ? undefined : (inForce as never),
      p.item as never,
      (id) => app.party(id),
    );
    const caption =
      inForce === undefined
        ? `A new ${KIND_WORDS[p.kind]}: its terms`
        : inForce === null
          ? "The terms proposed (the terms in force are not shown to your party)"
          : "What it would change, against the terms in force now";
    return h(
      "table",
      { class: "terms" },
      h("caption", null, caption),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "Term"), h("th", { scope: "col" }, "In force"), h("th", { scope: "col" }, "Proposed"))),
      h(
        "tbody",
        null,
        changes.length
          ? changes.map((c) =>
              h("tr", { dataset: { term: c.path } }, h("th", { scope: "row" }, c.label), h("td", { class: "before" }, c.before ?? "—"), h("td", { class: "after" }, c.after ?? "removed")),
            )
          : h("tr", null, h("td", { colspan: "3" }, "No term differs from the terms in force.")),
      ),
    );
  };

  const consentsList = (p: Proposal): HTMLElement =>
    h(
      "ul",
      { class: "consents", "aria-label": "Consent of each party it needs" },
      p.required.map((party) => {
        const at = p.consents[party];
        const state = at ? `consented ${formatTime(parseTime(at))}` : p.declined_by === party ? "declined" : "awaited";
        return h("li", { class: at ? "consented" : "awaited", dataset: { party } }, `${app.party(party)}: ${state}`);
      }),
    );

  const answer = async (p: Proposal, action: "consent" | "decline" | "withdraw", body: unknown, where: HTMLElement) => {
    where.textContent = "Sending…";
    try {
      const given = await post<ProposalAnswer>(`/v1/proposals/${encodeURIComponent(p.id)}/${action}`, body, {
        "Idempotency-Key": idempotencyKey(),
      });
      answers.set(p.id, given);
      announce(`${STATUS_WORDS[given.proposal.status]}: proposal ${p.id}`);
      await load();
    } catch (error) {
      where.textContent = error instanceof ApiError ? error.message : String(error);
    }
  };

  const actions = (p: Proposal): HTMLElement | null => {
    if (p.status !== "pending") return null;
    if (!isAdmin()) {
      return h("p", { class: "note" }, "Only your party's admins consent, decline or withdraw.");
    }
    const own = app.session.party;
    const sent = h("p", { class: "form-status", role: "status" });
    const controls: HTMLElement[] = [];
    if (p.required.includes(own) && !(own in p.consents)) {
      const noteId = `note-${p.id}`;
      const note = h("input", { type: "text", id: noteId, name: "note", maxlength: "2000", autocomplete: "off" });
      controls.push(
        h("label", { for: noteId }, "Note to the others if you decline (optional)"),
        note,
        h(
          "div",
          { class: "buttons" },
          h("button", { type: "button", class: "consent", onclick: () => void answer(p, "consent", undefined, sent) }, `Consent for ${app.party(own)}`),
          h(
            "button",
            { type: "button", class: "decline", onclick: () => void answer(p, "decline", note.value.trim() ? { note: note.value.trim() } : {}, sent) },
            `Decline for ${app.party(own)}`,
          ),
        ),
      );
    }
    if (p.proposed_by === own) {
      controls.push(
        h("div", { class: "buttons" }, h("button", { type: "button", class: "withdraw", onclick: () => void answer(p, "withdraw", undefined, sent) }, "Withdraw this proposal")),
      );
    }
    if (!controls.length) return h("p", { class: "note" }, "Your party has consented; waiting for the others.");
    return h("div", { class: "proposal-answer" }, ...controls, sent);
  };

  const card = (p: Proposal, inForce: InForce, given: ProposalAnswer | undefined): HTMLElement => {
    const name = typeof p.item.name === "string" && p.item.name ? ` “${p.item.name}”` : "";
    const heading = `${p.base_seq === null ? "New" : "Change to"} ${KIND_WORDS[p.kind]} ${p.item.id}${name}`;
    const awaited = p.required.filter((party) => !(party in p.consents));
    return h(
      "article",
      { class: `proposal ${p.status}`, dataset: { proposal: p.id, status: p.status }, "aria-label": heading },
      h("h2", null, heading),
      h(
        "dl",
        null,
        h("dt", null, "Status"),
        h("dd", { class: "status" }, STATUS_WORDS[p.status] ?? p.status, p.decided_at ? ` (${formatTime(parseTime(p.decided_at))})` : ""),
        h("dt", null, "Proposed"),
        h("dd", null, `by ${app.party(p.proposed_by)}, ${formatTime(parseTime(p.proposed_at))}`),
        h("dt", null, "Expires"),
        h("dd", { class: "expires" }, `${formatTime(parseTime(p.expires_at))}${p.status === "pending" ? ` (${timeLeft(p.expires_at)})` : ""}`),
        h("dt", null, "Still awaited"),
        h("dd", { class: "awaited" }, p.status === "pending" && awaited.length ? awaited.map((a) => app.party(a)).join(", ") : "nobody"),
        p.note ? h("dt", null, "Note") : null,
        p.note ? h("dd", { class: "decline-note" }, `${app.party(p.declined_by)}: “${p.note}”`) : null,
      ),
      changesTable(p, inForce),
      consentsList(p),
      given ? h("p", { class: "done" }, `Answered: ${STATUS_WORDS[given.proposal.status]}.`) : actions(p),
      given ? receiptPanel(given.receipt) : null,
    );
  };

  return {
    id: "proposals",
    title: "Proposals",
    key: "p",
    mount(a, main) {
      app = a;
      mounted = true;
      main.className = "view-proposals";
      filter = h(
        "select",
        { id: "proposal-filter", onchange: () => void load() },
        h("option", { value: "pending" }, "pending"),
        h("option", { value: "all" }, "all, with those decided"),
      );
      status = h("p", { class: "note", role: "status" });
      list = h("div", { class: "proposal-list" });
      main.append(
        h("h1", null, "Proposals"),
        h(
          "p",
          { class: "note" },
          "Changes to agreements, zone agreements and lines come in force only once every party they bind has consented. ",
          isAdmin() ? "You answer for your party." : "Your party's admins answer; you see what they see.",
        ),
        h("div", { class: "filters" }, h("label", { for: "proposal-filter" }, "Show"), filter),
        status,
        list,
      );
      stopListening = app.onEvent((event) => {
        if (event.type.startsWith("proposal.")) void load();
      });
      void load();
    },
    unmount() {
      mounted = false;
      stopListening?.();
      stopListening = null;
      answers.clear();
      shown.clear();
    },
  };
}
