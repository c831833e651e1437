// The console once signed in: the header, the views, the shared map and time bar, the live
// stream and the instant everything shows.

import { get, whenSignedOut } from "./api";
import { AwaitingConsent } from "./awaiting";
import { layerChecks } from "./checks";
import { announce, clear, h } from "./dom";
import { alertKindLabel } from "./format";
import { KeyboardHelp } from "./help";
import { drawnSummary, type Drawn } from "./instant";
import { Live, type FeedEvent, type LiveState } from "./live";
import { ConsoleMap } from "./map/map";
import { TrackOverlay } from "./map/tracks";
import { Record } from "./record";
import { clock, currentSession, signOut, type Session } from "./session";
import { HELP_KEY, VIEW_PREFIX, shortcutTable, typing } from "./shortcuts";
import { Signals } from "./signals";
import { TimeBar } from "./timebar";
import { formatTime, parseTime, type Micros } from "./time";
import type { Alert, Delivery, Party } from "./types";
import { ViolationLabelLayer } from "./violations";

export interface View {
  id: string;
  title: string;
  key: string; // "g <key>" opens it
  mount(app: App, main: HTMLElement, arg: string | null): void;
  unmount?(): void;
  /** The instant or the record changed. */
  update?(): void;
}

const OBSERVATION_WINDOW = 6 * 3600e6;

export class App {
  readonly record = new Record();
  readonly map: ConsoleMap;
  readonly tracks: TrackOverlay;
  readonly timebar: TimeBar;
  readonly inbox = new Map<string, Delivery>();
  parties = new Map<string, Party>();
  instant: Micros = clock.now();
  live = true;
  private playing = false;
  private speed = 600;
  private views = new Map<string, View>();
  private current: View | null = null;
  private main: HTMLElement;
  private liveBadge: HTMLElement;
  private inboxCount: HTMLElement;
  private nav: HTMLElement;
  private stream: Live | null = null;
  private ticker: number | undefined;
  private lastFrame = 0;
  private pendingKey = "";
  private listeners = new Set<(event: FeedEvent) => void>();
  private readonly signals = new Signals();
  private readonly awaiting: AwaitingConsent;
  private readonly help: KeyboardHelp;

  constructor(
    readonly session: Session,
    private readonly root: HTMLElement,
    views: View[],
    private readonly onSignedOut: (why: string) => void,
  ) {
    for (const v of views) this.views.set(v.id, v);
    this.map = new ConsoleMap(this.record, {
      onSelectNotice: (id) => this.selectNotice(id),
    });
    // Positions move every second: only the map view lists aircraft (other views keep focus).
    this.tracks = new TrackOverlay(this.map, this.record, session.party, (id) => this.party(id), () => {
      if (this.current?.id === "map") this.current.update?.();
    });
    this.map.addSource(new ViolationLabelLayer(this.record));
    this.timebar = new TimeBar(this.record, {
      onScrub: (t) => this.setInstant(t, false),
      onLive: () => this.goLive(),
      onPlay: (playing, speed) => this.play(playing, speed),
      stateOf: (row) => this.map.stateOf(row),
      statesVersion: () => this.map.statesVersion(),
    });
    this.liveBadge = h("span", { class: "live-badge", role: "status" }, "connecting");
    this.inboxCount = h("span", { class: "count", "aria-label": "unread items" });
    this.nav = h("nav", { "aria-label": "Views" });
    this.main = h("main", { id: "main", tabindex: "-1" });
    this.awaiting = new AwaitingConsent(session.party);
    this.help = new KeyboardHelp(shortcutTable(views));
    whenSignedOut(() => this.signedOut("Your session ended: sign in again."));
  }

  async start(): Promise<void> {
    clear(this.root, h("p", { class: "loading", role: "status" }, "Loading the record…"));
    // The record comes in parts: the console shows itself with the first (every zone, site,
    // line and alert, and the first notices), the map drawing the rest as it arrives.
    let shown = (): void => undefined;
    const first = new Promise<void>((resolve) => (shown = resolve));
    const whole = this.record.load(() => shown());
    whole.catch(() => undefined); // awaited below; a failure rejects the race too
    const [parties] = await Promise.all([
      get<{ parties: Party[] }>("/v1/parties"),
      Promise.race([first, whole]),
      this.loadInbox(),
      this.awaiting.load().catch(() => undefined), // a count: the Proposals view says why, if it fails
    ]);
    this.parties = new Map(parties.parties.map((p) => [p.id, p]));
    this.renderShell();
    this.map.loadBasemap();
    this.map.frameAll();
    // While the record loads, the frame that draws the latest part (the console is ready once
    // the frame after the whole record is drawn).
    let loading = true;
    let drawn: Promise<void> = Promise.resolve();
    this.record.onChange(() => {
      this.map.refresh();
      if (loading && this.map.changed) drawn = this.map.nextFrame();
      this.refreshDecorations();
      this.current?.update?.();
    });
    const requested = new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("at");
    const at = requested ? parseTime(requested) : NaN;
    if (Number.isFinite(at)) this.setInstant(at, false);
    else this.goLive();
    window.addEventListener("hashchange", () => this.route());
    document.addEventListener("keydown", (e) => this.shortcut(e));
    this.route();
    drawn = this.map.nextFrame();
    void drawn.then(() => performance.mark("console-first-volumes"));
    await whole;
    loading = false;
    this.stream = new Live(
      this.record.position,
      (event) => this.apply(event),
      (state) => this.setLiveState(state),
      async () => (await currentSession()) !== null,
    );
    this.stream.start();
    void this.tracks.start();
    if (this.live) this.goLive();
    this.ticker = window.setInterval(() => this.tick(), 1000);
    (window as unknown as { deconflictionConsole: unknown }).deconflictionConsole = this.probe();
    // The console is ready when the map has drawn the whole record once (benchmarks and tests
    // read this mark and the probe; the probe is there once the whole record is).
    void drawn.then(() => performance.mark("console-ready"));
  }

  stop(): void {
    this.stream?.stop();
    this.tracks.stop();
    window.clearInterval(this.ticker);
    this.playing = false;
  }

  party(id: string | null | undefined): string {
    if (!id) return "—";
    return this.parties.get(id)?.name ?? id;
  }

  // -- the instant --------------------------------------------------------------------------

  setInstant(t: Micros, live: boolean): void {
    this.live = live;
    if (!live && this.playing && !this.playingTick) this.play(false, this.speed);
    this.instant = t;
    this.tracks.setInstant(t, live);
    this.map.setInstant(t);
    this.timebar.setInstant(t, clock.now());
    this.timebar.setLive(live);
    this.refreshDecorations();
    this.current?.update?.();
  }

  private playingTick = false;

  goLive(): void {
    this.play(false, this.speed);
    this.setInstant(clock.now(), true);
  }

  play(playing: boolean, speed: number): void {
    this.playing = playing;
    this.speed = speed;
    this.timebar.setPlaying(playing);
    if (!playing) return;
    this.live = false;
    this.lastFrame = performance.now();
    const step = (now: number) => {
      if (!this.playing) return;
      const dt = now - this.lastFrame;
      this.lastFrame = now;
      this.playingTick = true;
      this.setInstant(Math.round(this.instant + dt * 1000 * this.speed), false);
      this.playingTick = false;
      if (this.instant > Math.max(this.record.range.end, clock.now())) this.play(false, this.speed);
      else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  private tick(): void {
    if (this.live) this.setInstant(clock.now(), true);
    else this.timebar.setInstant(this.instant, clock.now());
    for (const el of document.querySelectorAll<HTMLElement>("[data-deadline]")) {
      const deadline = Number(el.dataset.deadline);
      const left = deadline - clock.now();
      el.textContent = left > 0 ? `${Math.ceil(left / 60e6)} min left` : "overdue";
      el.classList.toggle("overdue", left <= 0);
    }
  }

  private refreshDecorations(): void {
    const t = this.instant;
    this.map.setDecorations({
      zones: this.record.zonesAt(t),
      sites: this.record.sitesAt(t),
      observations: this.record.observationsWithin(t, OBSERVATION_WINDOW),
      alerts: this.record.alertsAt(t),
    });
  }

  /** What the map draws now: for the page's lists and for automated checks. */
  drawn(): Drawn {
    const states = new Uint8Array(this.record.rows.length);
    this.record.rows.forEach((_r, i) => (states[i] = this.map.stateOf(i)));
    return drawnSummary(this.record, states, this.instant);
  }

  private probe() {
    return {
      drawn: () => this.drawn(),
      instant: () => this.instant,
      setInstant: (iso: string) => this.setInstant(parseTime(iso), false),
      /** Move the map to each instant in turn; what it drew at each. */
      drawnAt: (isos: string[]) =>
        isos.map((iso) => {
          this.setInstant(parseTime(iso), false);
          return this.drawn();
        }),
      ...layerChecks(this.map, this.record),
      awaitingConsent: () => this.awaiting.count,
      position: () => this.record.position,
      /** The aircraft and conflict lines the map draws now. */
      aircraft: () => this.tracks.drawn(),
      /** Move to a past instant; once its air picture is loaded, what the map draws. */
      aircraftAt: async (iso: string) => {
        const t = parseTime(iso);
        this.setInstant(t, false);
        await this.tracks.picture.loaded(t);
        return this.tracks.drawn();
      },
      liveStatus: () => this.liveBadge.textContent,
      renders: () => this.map.renders,
      /** Where the map looks (centre and zoom) and which notices it shows selected. */
      view: () => this.map.view(),
      lookAt: (longitude: number, latitude: number, zoom: number) => this.map.lookAt(longitude, latitude, zoom),
      /** Set an instant and resolve once the map has drawn it (milliseconds taken). */
      scrub: async (t: number) => {
        const started = performance.now();
        this.setInstant(t, false);
        if (this.map.changed) await this.map.nextFrame(); // drawn at t (unchanged: nothing to draw)
        // ... and the page shown with it: the frame after it starts once that one is composited.
        for (let i = 0; i < 2; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - started;
      },
    };
  }

  // -- selection ------------------------------------------------------------------------------

  selected: string[] = [];

  selectNotice(id: string, frame = false): void {
    const notice = this.record.notices.get(id);
    const series = notice ? [...this.record.notices.values()].filter((n) => n.series === notice.series) : [];
    this.selected = series.length ? series.map((n) => n.id) : [id];
    this.map.select(this.selected);
    if (frame) this.map.frameNotices(this.selected);
    this.current?.update?.();
  }

  frameAlert(alert: Alert): void {
    const notices = alert.subjects.filter((s) => this.record.notices.has(s));
    const points: [number, number][] = [];
    if (alert.geometry?.type === "Point") points.push(alert.geometry.coordinates as [number, number]);
    for (const s of alert.subjects) {
      const site = this.record.sites.get(s);
      if (site?.geometry.type === "Point") points.push(site.geometry.coordinates as [number, number]);
      const obs = this.record.observations.get(s);
      if (obs) points.push(obs.geometry.coordinates as [number, number]);
    }
    this.selected = notices;
    this.map.select(notices);
    if (notices.length) this.map.frameNotices(notices);
    else this.map.frame(points);
  }

  // -- the inbox and the stream ---------------------------------------------------------------

  async loadInbox(): Promise<void> {
    const answer = await get<{ items: Delivery[] }>("/v1/inbox?limit=1000");
    for (const d of answer.items) this.inbox.set(d.id, d);
    this.updateCount();
  }

  updateCount(): void {
    const unread = [...this.inbox.values()].filter((d) => d.status === "delivered").length;
    this.inboxCount.textContent = unread ? String(unread) : "";
  }

  /** Call ``listener`` with every event of the live stream; the function returned stops it. */
  onEvent(listener: (event: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(event: FeedEvent): void {
    // An alert is shown first: the rest of the burst's work waits for it, not it for them.
    const change = event.payload.change as { alert?: Alert } | undefined;
    if (change?.alert && change.alert.parties.includes(this.session.party)) {
      this.record.current.set(change.alert.id, change.alert);
      if (event.type === "alert.opened") {
        this.toast(`New alert: ${alertKindLabel(change.alert.kind)}`, change.alert.id);
      }
    }
    for (const listener of this.listeners) listener(event);
    this.awaiting.apply(event);
    const delivery = event.payload.delivery as Delivery | undefined;
    if (delivery && delivery.recipient === this.session.party) {
      const known = this.inbox.get(delivery.id);
      this.inbox.set(delivery.id, delivery);
      if (!known || event.type === "delivery.escalated") this.arrived(delivery, event.type);
      this.updateCount();
    }
    if (!event.type.startsWith("delivery.") || event.type === "delivery.created") void this.record.refresh();
    this.updateSoon();
  }

  private updatePending = false;

  /** Update the current view once for a burst of events (a filing brings several). */
  private updateSoon(): void {
    if (this.updatePending) return;
    this.updatePending = true;
    requestAnimationFrame(() => {
      this.updatePending = false;
      this.current?.update?.();
    });
  }

  private arrived(delivery: Delivery, type: string): void {
    const escalated = type === "delivery.escalated";
    const from = this.party(delivery.sender);
    announce(`${escalated ? "Escalated" : "New"} inbox item from ${from}`);
    const level = escalated && delivery.level ? ` (level ${delivery.level})` : "";
    this.signals.signal(
      escalated ? "escalated" : "arrived",
      `Deconfliction Line: ${escalated ? "escalated" : "new"} ${delivery.item_type}${level}`,
      `From ${from}`,
      delivery.id,
    );
  }

  private toast(text: string, alertId: string): void {
    const region = document.getElementById("toasts");
    if (!region) return;
    const item = h(
      "a",
      { class: "toast", href: `#/alerts?alert=${alertId}`, dataset: { alertId } },
      text,
      " — ",
      this.record.current.get(alertId)?.explanation.slice(0, 120) ?? "",
    );
    region.prepend(item);
    while (region.children.length > 4) region.lastElementChild?.remove();
    window.setTimeout(() => item.remove(), 20_000);
  }

  private setLiveState(state: LiveState): void {
    this.liveBadge.textContent = state === "live" ? "live" : state;
    this.liveBadge.className = `live-badge ${state}`;
    if (state === "closed") this.signedOut("Your session ended: sign in again.");
  }

  private signedOut(why: string): void {
    this.stop();
    this.onSignedOut(why);
  }

  // -- shell, routing, keys ------------------------------------------------------------------------

  private renderShell(): void {
    const links = [...this.views.values()].map((v) =>
      h(
        "a",
        { href: `#/${v.id}`, dataset: { view: v.id, keys: `${VIEW_PREFIX} ${v.key}` }, title: `${v.title} (${VIEW_PREFIX} then ${v.key})` },
        v.title,
        v.id === "inbox" ? this.inboxCount : v.id === "proposals" ? this.awaiting.element : null,
      ),
    );
    clear(this.nav, ...links);
    const header = h(
      "header",
      { class: "top" },
      h("a", { class: "skip", href: "#main" }, "Skip to content"),
      h("span", { class: "brand" }, "Deconfliction Line"),
      this.nav,
      h(
        "div",
        { class: "who" },
        this.signals.element,
        h("button", { type: "button", class: "help-button", "aria-keyshortcuts": HELP_KEY, onclick: () => this.help.open() }, `Keys (${HELP_KEY})`),
        this.liveBadge,
        h("span", { class: "party" }, `${this.party(this.session.party)} · ${this.session.role.replace("_", " ")}`),
        h(
          "button",
          {
            type: "button",
            class: "signout",
            onclick: async () => {
              this.stop();
              await signOut().catch(() => undefined);
              this.onSignedOut("Signed out.");
            },
          },
          "Sign out",
        ),
      ),
    );
    clear(
      this.root,
      header,
      h("div", { id: "toasts", class: "toasts", "aria-live": "polite" }),
      this.main,
      h("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite", role: "status" }),
      this.help.element,
    );
  }

  private route(): void {
    const hash = window.location.hash.replace(/^#\/?/, "");
    const [path] = hash.split("?");
    const [id, ...rest] = path.split("/");
    const view = this.views.get(id) ?? this.views.get("map")!;
    this.current?.unmount?.();
    this.current = view;
    for (const a of this.nav.querySelectorAll<HTMLAnchorElement>("a")) {
      if (a.dataset.view === view.id) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    clear(this.main);
    document.title = `${view.title} — Deconfliction Line`;
    view.mount(this, this.main, rest.length ? decodeURIComponent(rest.join("/")) : null);
  }

  private shortcut(e: KeyboardEvent): void {
    if (typing(e) || this.help.isOpen) return; // Escape closes the help by itself
    if (this.pendingKey === VIEW_PREFIX) {
      this.pendingKey = "";
      const view = [...this.views.values()].find((v) => v.key === e.key);
      if (view) {
        e.preventDefault();
        window.location.hash = `#/${view.id}`;
      }
      return;
    }
    if (e.key === VIEW_PREFIX) this.pendingKey = VIEW_PREFIX;
    else if (e.key === HELP_KEY) {
      e.preventDefault();
      this.help.open();
    }
  }

  /** A time for people, with the relative offset from the console's instant. */
  when(iso: string | null): string {
    if (!iso) return "—";
    return formatTime(parseTime(iso));
  }
}
