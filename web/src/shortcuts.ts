// Every keyboard shortcut of the console, defined once: the key handlers read their keys from
// here, and the help overlay (`?`) lists this table, so the two cannot drift apart.

/** "g" then a view's key opens that view (each view declares its key). */
export const VIEW_PREFIX = "g";
/** Opens the list of shortcuts; Escape closes it. */
export const HELP_KEY = "?";
export const CLOSE_KEY = "Escape";

/** Keys on a focused inbox item. */
export const INBOX_KEYS: Readonly<{ [action in "next" | "previous" | "acknowledge" | "open"]: readonly string[] }> = {
  next: ["ArrowDown", "j"],
  previous: ["ArrowUp", "k"],
  acknowledge: ["a"],
  open: ["Enter"], // the row is a button: the browser's own activation, listed for people
};

/** Keys in a field that send it. */
export const SEND_KEY = "Enter";

export interface Shortcut {
  keys: string[]; // pressed one after the other (a sequence), or any of them (alternatives)
  sequence: boolean;
  where: string;
  does: string;
}

const KEY_NAMES: { [key: string]: string } = {
  ArrowDown: "↓",
  ArrowUp: "↑",
  ArrowLeft: "←",
  ArrowRight: "→",
  Escape: "Esc",
};

/** A key as people read it on a keyboard. */
export const keyName = (key: string): string => KEY_NAMES[key] ?? key;

const alternatives = (keys: readonly string[], where: string, does: string): Shortcut => ({
  keys: [...keys],
  sequence: false,
  where,
  does,
});

/** The whole table, for the views given (their keys are declared by the views themselves). */
export function shortcutTable(views: { title: string; key: string }[]): Shortcut[] {
  return [
    ...views.map((v) => ({ keys: [VIEW_PREFIX, v.key], sequence: true, where: "anywhere", does: `open ${v.title}` })),
    alternatives([HELP_KEY], "anywhere", "show these shortcuts"),
    alternatives([CLOSE_KEY], "these shortcuts", "close them"),
    alternatives(INBOX_KEYS.next, "inbox item", "next item"),
    alternatives(INBOX_KEYS.previous, "inbox item", "previous item"),
    alternatives(INBOX_KEYS.open, "inbox item", "open it (the read is recorded)"),
    alternatives(INBOX_KEYS.acknowledge, "inbox item", "open it and write the acknowledgement"),
    alternatives([SEND_KEY], "acknowledgement reply", "acknowledge (received), with the reply if any"),
    alternatives([SEND_KEY], "exact instant field", "show the map at that instant"),
    alternatives(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"], "map", "pan"),
    alternatives(["+", "-"], "map", "zoom in, zoom out"),
  ];
}

/** Whether a key event should be left to the element it happened in (typing in a field). */
export function typing(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable]")) || e.ctrlKey || e.metaKey || e.altKey;
}
