// The count on the Proposals tab: open proposals that still wait for this party's consent.
// Listed once at start (`opened=false`: a count is not a reading, the deliveries stay unread),
// then kept from the live stream: every proposal.* event carries the proposal as it now stands.

import { get } from "./api";
import { h } from "./dom";
import type { FeedEvent } from "./live";
import type { Proposal } from "./types";

/** Whether ``p`` waits for ``party``'s consent. */
export const awaits = (p: Proposal, party: string): boolean =>
  p.status === "pending" && p.required.includes(party) && !(party in p.consents);

export class AwaitingConsent {
  readonly element: HTMLElement;
  private readonly number: HTMLElement;
  private readonly waiting = new Set<string>();

  constructor(private readonly party: string) {
    this.number = h("span", { class: "count-number" });
    this.element = h("span", { class: "count", hidden: true }, this.number, h("span", { class: "sr-only" }, " awaiting your party's consent"));
  }

  async load(): Promise<void> {
    const found = await get<{ proposals: Proposal[] }>("/v1/proposals?status=pending&opened=false");
    for (const p of found.proposals) this.take(p);
    this.show();
  }

  /** Follow one event of the live stream. */
  apply(event: FeedEvent): void {
    const proposal = event.payload.proposal as Proposal | undefined;
    if (!event.type.startsWith("proposal.") || !proposal) return;
    this.take(proposal);
    this.show();
  }

  get count(): number {
    return this.waiting.size;
  }

  private take(p: Proposal): void {
    if (awaits(p, this.party)) this.waiting.add(p.id);
    else this.waiting.delete(p.id);
  }

  private show(): void {
    this.number.textContent = String(this.waiting.size);
    this.element.hidden = this.waiting.size === 0;
  }
}
