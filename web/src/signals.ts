// Optional signals when an inbox item arrives or escalates: a short tone, generated in the page
// (WebAudio; no sound file), and a desktop notification (the Notification API).  Both are off
// until the duty officer turns them on, and the choice is remembered by this browser
// (localStorage), not by the server: it belongs to a desk, not to a party.  The page always
// also announces the item to screen readers and shows it in the inbox; these are additions.

import { h } from "./dom";

const STORED = { sound: "deconfliction.signal.sound", notify: "deconfliction.signal.notify" } as const;

/** Arrival: one tone; escalation: two, rising (audibly different without looking). */
const TONES = { arrived: [880], escalated: [880, 1320] } as const;
const TONE_SECONDS = 0.14;

export type Arrival = keyof typeof TONES;

function remembered(key: string): boolean {
  try {
    return window.localStorage.getItem(key) === "on";
  } catch {
    return false; // storage refused (a locked-down profile): off, as by default
  }
}

function remember(key: string, on: boolean): void {
  try {
    window.localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // not remembered: the choice holds for this page only
  }
}

const notificationsExist = () => "Notification" in window;

export class Signals {
  readonly element: HTMLElement;
  private sound: boolean;
  private notify: boolean;
  private audio: AudioContext | null = null;
  private readonly note: HTMLElement;

  constructor() {
    this.sound = remembered(STORED.sound);
    this.notify = remembered(STORED.notify) && notificationsExist() && Notification.permission === "granted";
    this.note = h("span", { class: "signal-note", role: "status" });
    const soundBox = h("input", {
      type: "checkbox",
      id: "signal-sound",
      checked: this.sound,
      onchange: () => {
        this.sound = soundBox.checked;
        remember(STORED.sound, this.sound);
        if (this.sound) this.tone("arrived"); // a sample, and the audio unlocked by this gesture
      },
    });
    const notifyBox = h("input", {
      type: "checkbox",
      id: "signal-notify",
      checked: this.notify,
      disabled: !notificationsExist(),
      onchange: () => void this.setNotify(notifyBox),
    });
    this.element = h(
      "span",
      { class: "signals", role: "group", "aria-label": "Signals when an inbox item arrives or escalates" },
      h("label", { class: "toggle" }, soundBox, " sound"),
      h("label", { class: "toggle" }, notifyBox, " desktop notification"),
      this.note,
    );
  }

  private async setNotify(box: HTMLInputElement): Promise<void> {
    let on = box.checked;
    if (on && Notification.permission === "default") await Notification.requestPermission();
    if (on && Notification.permission !== "granted") {
      on = false;
      this.note.textContent = "this browser blocks notifications from this page";
    } else this.note.textContent = "";
    this.notify = on;
    box.checked = on;
    remember(STORED.notify, on);
  }

  /** Signal an inbox item that arrived or escalated (as the duty officer chose). */
  signal(kind: Arrival, title: string, body: string, tag: string): void {
    if (this.sound) this.tone(kind);
    if (this.notify && notificationsExist() && Notification.permission === "granted") {
      try {
        new Notification(title, { body, tag, requireInteraction: kind === "escalated" });
      } catch {
        // a browser that shows notifications only from a service worker: the page still shows it
      }
    }
  }

  private tone(kind: Arrival): void {
    try {
      this.audio ??= new AudioContext();
      const audio = this.audio;
      void audio.resume();
      TONES[kind].forEach((frequency, i) => {
        const start = audio.currentTime + i * TONE_SECONDS;
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        // A short rise and fall, so the tone starts and ends without a click.
        gain.gain.setValueAtTime(0, start);
        gain.gain.linearRampToValueAtTime(0.25, start + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.001, start + TONE_SECONDS);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + TONE_SECONDS);
      });
    } catch {
      // no audio device: the page's own signals stay
    }
  }
}
