// The keyboard help: a modal dialog listing every shortcut (web/src/shortcuts.ts, the table the
// key handlers read).  `?` opens it, Escape or its button closes it, and the focus goes back to
// where it was.

import { h } from "./dom";
import { keyName, type Shortcut } from "./shortcuts";

export class KeyboardHelp {
  readonly element: HTMLDialogElement;
  private returnTo: HTMLElement | null = null;

  constructor(table: Shortcut[]) {
    const keys = (s: Shortcut) =>
      s.keys.flatMap((k, i) => [i ? (s.sequence ? " then " : " or ") : null, h("kbd", null, keyName(k))]);
    const close = h("button", { type: "button", class: "close", onclick: () => this.close() }, "Close");
    this.element = h(
      "dialog",
      { class: "help", id: "keyboard-help", "aria-labelledby": "keyboard-help-title" },
      h("h2", { id: "keyboard-help-title" }, "Keyboard shortcuts"),
      h(
        "table",
        { class: "shortcuts" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Keys"), h("th", { scope: "col" }, "Where"), h("th", { scope: "col" }, "What it does"))),
        h(
          "tbody",
          null,
          table.map((s) =>
            h("tr", { dataset: { keys: s.keys.join(s.sequence ? " " : "|") } }, h("td", null, keys(s)), h("td", null, s.where), h("td", null, s.does)),
          ),
        ),
      ),
      h("p", { class: "note" }, "Every control is also reachable with Tab; the list beside the map names what the map draws."),
      close,
    );
    // Escape closes a modal dialog by itself (the "cancel" event); the focus is put back here.
    this.element.addEventListener("close", () => this.giveFocusBack());
  }

  /** Back to where the focus was, or to what replaced it if the view was redrawn meanwhile
   * (the same id or the same data attributes: an inbox row redrawn by a live update). */
  private giveFocusBack(): void {
    const was = this.returnTo;
    if (!was) return;
    const selector = was.id
      ? `#${CSS.escape(was.id)}`
      : Object.entries(was.dataset)
          .map(([k, v]) => `[data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(v ?? "")}"]`)
          .join("");
    const now = was.isConnected ? was : selector ? document.querySelector<HTMLElement>(selector) : null;
    (now ?? document.getElementById("main"))?.focus();
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  open(): void {
    if (this.element.open) return;
    this.returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.element.showModal();
  }

  close(): void {
    if (this.element.open) this.element.close();
  }
}
