// What a proposal would change: the terms in force and the terms proposed, compared term by
// term and written for people ("Lead time, air operation: 30 min → 1 s").  Pure: the view
// fetches both sides through the API (what the party may read, nothing more) and draws this.

/** One term that differs: its path in the item, a label, and both sides as text. */
export interface TermChange {
  path: string;
  label: string;
  before: string | null; // null: the term is new (or the whole item is)
  after: string | null; // null: the term is gone
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Fields the server derives from the terms (drawn geometry, descriptions, receipts): not terms. */
const DERIVED = new Set(["geometry", "area_description", "receipt", "ledger"]);

const LABELS: { [path: string]: string } = {
  name: "Name",
  parties: "Parties",
  monitors: "Monitors",
  signatories: "Signatories",
  notifications: "Who notifies whom",
  lead_times: "Lead time",
  margins: "Margin",
  acknowledgement: "Acknowledgement",
  "acknowledgement.deadline": "Acknowledgement deadline",
  "acknowledgement.step": "Escalation step",
  tracks: "Tracks",
  "tracks.horizontal": "Track separation, horizontal",
  "tracks.vertical": "Track separation, vertical",
  "tracks.lookahead": "Track look-ahead",
  "tracks.include_unattributed": "Unattributed tracks included",
  "tracks.unattributed_visible_to": "Unattributed tracks shown to",
  vertices: "Vertices",
  area: "Area",
  rules: "Rules",
  source: "Source",
  ended: "Ended",
};

/** Terms whose values are party ids, shown by name. */
const PARTY_LISTS = new Set(["parties", "monitors", "signatories", "tracks.unattributed_visible_to"]);

function labelOf(path: string): string {
  if (LABELS[path]) return LABELS[path];
  const dot = path.lastIndexOf(".");
  const head = dot < 0 ? path : path.slice(0, dot);
  const tail = dot < 0 ? "" : path.slice(dot + 1).replace(/_/g, " ");
  const base = LABELS[head] ?? head.replace(/_/g, " ");
  return tail ? `${base}, ${tail}` : base;
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A value for people.  Long coordinate lists are summed up, not printed. */
export function valueText(path: string, value: Json | undefined, party: (id: string) => string): string {
  if (value === undefined || value === null) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number" || typeof value === "string") return String(value);
  if (Array.isArray(value)) {
    if (!value.length) return "none";
    if (PARTY_LISTS.has(path)) return value.map((p) => party(String(p))).join(", ");
    if (path === "notifications") return value.map((d) => dutyText(d, party)).join("; ");
    if (value.every((v) => Array.isArray(v) && v.every((c) => typeof c === "number"))) {
      const first = (value[0] as number[]).join(" ");
      const last = (value[value.length - 1] as number[]).join(" ");
      return `${value.length} points, from ${first} to ${last}`;
    }
    return value.map((v) => valueText(path, v, party)).join("; ");
  }
  return Object.entries(value)
    .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${valueText(`${path}.${k}`, v, party)}`)
    .join(", ");
}

function dutyText(duty: Json, party: (id: string) => string): string {
  if (!isObject(duty)) return valueText("", duty, party);
  const to = Array.isArray(duty.to) ? duty.to.map((p) => party(String(p))).join(", ") : "";
  const kinds = Array.isArray(duty.kinds) && duty.kinds.length ? duty.kinds.join(", ") : "every kind";
  return `${party(String(duty.from))} notifies ${to} (${kinds})`;
}

/** JSON with every object's keys in order: two values compare equal whatever order the server
 * wrote their keys in (a stored proposal's item is canonical JSON, a read item is not). */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Term by term, what ``after`` changes in ``before`` (every term of ``after`` when it is new).
 * Objects of terms (lead times, margins, acknowledgement) are compared key by key; lists and
 * geometries as a whole. */
export function termChanges(
  before: Json | undefined,
  after: Json,
  party: (id: string) => string,
): TermChange[] {
  const changes: TermChange[] = [];
  const walk = (path: string, old: Json | undefined, now: Json | undefined, fresh: boolean) => {
    if (isObject(old) && isObject(now) && path !== "area" && !path.startsWith("rules")) {
      const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
      for (const k of keys) {
        if (DERIVED.has(k) || (!path && k === "id")) continue;
        walk(path ? `${path}.${k}` : k, old[k], now[k], fresh);
      }
      return;
    }
    if (!fresh && canonical(old ?? null) === canonical(now ?? null)) return;
    changes.push({
      path,
      label: labelOf(path),
      before: fresh || old === undefined ? null : valueText(path, old, party),
      after: now === undefined ? null : valueText(path, now, party),
    });
  };
  walk("", before === undefined ? {} : before, after, before === undefined);
  return changes;
}
