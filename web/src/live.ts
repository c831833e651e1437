// The live stream: one EventSource on GET /v1/stream (the session cookie authenticates it).
// The browser reconnects by itself with Last-Event-ID and the server replays what was missed;
// the page also drops anything at or below the highest sequence number it applied, so no
// event is applied twice.

export interface FeedEvent {
  seq: number;
  type: string;
  subject: string;
  recorded_at: string;
  payload: Record<string, unknown>;
}

export type LiveState = "connecting" | "live" | "reconnecting" | "closed";

const TYPES = [
  "delivery.created",
  "delivery.read",
  "delivery.acknowledged",
  "delivery.escalated",
  "alert.opened",
  "alert.updated",
  "alert.closed",
  "message.sent",
  "notice.filed",
  "site.recorded",
  "observation.filed",
  "zone.recorded",
  "agreement.recorded",
  "line.recorded",
  "party.recorded",
  "proposal.recorded",
  "proposal.consented",
  "proposal.in_force",
  "proposal.declined",
  "proposal.withdrawn",
  "proposal.expired",
];

export class Live {
  private source: EventSource | null = null;
  private last: number;
  private retry: number | undefined;

  constructor(
    from: number,
    private readonly apply: (event: FeedEvent) => void,
    private readonly onState: (state: LiveState) => void,
    private readonly stillSignedIn: () => Promise<boolean>,
  ) {
    this.last = from;
  }

  get position(): number {
    return this.last;
  }

  start(): void {
    this.stop();
    this.onState("connecting");
    const source = new EventSource(`/v1/stream?last_event_id=${this.last}`);
    this.source = source;
    source.onopen = () => this.onState("live");
    const handle = (message: MessageEvent) => {
      let event: FeedEvent;
      try {
        event = JSON.parse(message.data) as FeedEvent;
      } catch {
        return;
      }
      if (event.seq <= this.last) return; // already applied: never twice
      this.last = event.seq;
      this.apply(event);
    };
    for (const type of TYPES) source.addEventListener(type, handle as EventListener);
    source.onmessage = handle;
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        this.onState("reconnecting"); // the browser retries with Last-Event-ID
        return;
      }
      // Closed for good (an error status): find out why, then start again from our position.
      this.onState("reconnecting");
      source.close();
      void this.stillSignedIn().then((signedIn) => {
        if (!signedIn) {
          this.onState("closed");
          return;
        }
        this.retry = window.setTimeout(() => this.start(), 2000);
      });
    };
  }

  stop(): void {
    window.clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
  }
}
