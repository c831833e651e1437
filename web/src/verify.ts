// Checking receipts in the page, from the log's public keys alone (docs/ledger.md):
//   1. the leaf hash is SHA-256(0x00 || entry)                        (RFC 9162 §2.1.1)
//   2. the inclusion proof leads from the leaf to the signed root        (RFC 9162 §2.1.3.2)
//   3. the tree head's Ed25519 signature verifies over the RFC 8785 JSON of
//      {key_id, log, root_hash, timestamp, tree_size}
//   4. what a timeline line says is what its entry says.
// The same checks run offline in `deconflict verify evidence` (engine/ledger/evidence.py).

import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

import { parseTime } from "./time";
import type { Keys, Receipt, Timeline, TreeHead } from "./types";

export const EVIDENCE_FORMAT = "deconfliction-evidence/1";

export interface Evidence {
  format: string;
  notice: string;
  timeline: Timeline;
  keys: Keys;
}

export interface Outcome {
  ok: boolean;
  problems: string[];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(concat(LEAF, entry));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concat(NODE, left, right));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** RFC 9162 §2.1.3.2, word for word (numbers stay exact: sizes are far below 2^53). */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index >= size || index < 0) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const odd = (n: number) => n % 2 === 1;
  const half = (n: number) => Math.floor(n / 2);
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

function base64(text: string): Uint8Array {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** The bytes a tree head's signature covers: RFC 8785 JSON (keys in code-point order; plain
 * ASCII strings and an integer, which JSON.stringify writes exactly as RFC 8785 does). */
export function headPayload(head: TreeHead, log: string): Uint8Array {
  return utf8ToBytes(
    `{"key_id":${JSON.stringify(head.key_id)},"log":${JSON.stringify(log)},"root_hash":${JSON.stringify(
      head.root_hash,
    )},"timestamp":${JSON.stringify(head.timestamp)},"tree_size":${head.tree_size}}`,
  );
}

export function verifyHead(head: TreeHead, keys: Keys): string | null {
  const key = keys.keys.find((k) => k.key_id === head.key_id);
  if (!key) return `tree head of size ${head.tree_size}: signed by unknown key ${head.key_id}`;
  const raw = base64(key.public_key);
  if (bytesToHex(sha256(raw)).slice(0, 32) !== key.key_id) {
    return `key ${key.key_id}: its id is not the hash of the key`;
  }
  let ok = false;
  try {
    ok = ed25519.verify(base64(head.signature), headPayload(head, keys.log), raw);
  } catch {
    ok = false;
  }
  return ok ? null : `tree head of size ${head.tree_size}: the signature does not verify`;
}

/** Every problem with one receipt (empty: it holds). */
export function checkReceipt(receipt: Receipt, keys: Keys): string[] {
  const problems: string[] = [];
  const entry = utf8ToBytes(receipt.entry);
  const leaf = leafHash(entry);
  if (bytesToHex(leaf) !== receipt.leaf_hash) {
    problems.push(`entry ${receipt.index}: its content does not match its leaf hash (the entry was altered)`);
  }
  let parsed: { index?: number } = {};
  try {
    parsed = JSON.parse(receipt.entry);
  } catch {
    problems.push(`entry ${receipt.index}: not a valid entry`);
  }
  if (parsed.index !== receipt.index) {
    problems.push(`entry ${receipt.index}: the entry says it is entry ${parsed.index}`);
  }
  const head = receipt.tree_head;
  const signature = verifyHead(head, keys);
  if (signature) problems.push(signature);
  let path: Uint8Array[] = [];
  let root = new Uint8Array(0);
  try {
    path = receipt.inclusion_proof.map(hexToBytes);
    root = hexToBytes(head.root_hash);
  } catch {
    path = [];
  }
  if (!verifyInclusion(leaf, receipt.index, head.tree_size, path, root)) {
    problems.push(
      `entry ${receipt.index}: not included in the signed tree of size ${head.tree_size} (the inclusion proof fails)`,
    );
  }
  return problems;
}

interface EntryView {
  index: number;
  recorded_at: string;
  type: string;
  subject: string;
  event: { item?: { volumes?: { window: { start: string } }[] } };
}

/** Every check of a dispute timeline: each line's receipt, each line against its entry, and
 * each version's filing time and lead time against the notice inside its entry. */
export function checkTimeline(timeline: Timeline, keys: Keys): Outcome {
  const problems: string[] = [];
  const entries = new Map<number, EntryView>();
  for (const line of timeline.lines) {
    const where = `line ${line.index} (${line.event})`;
    const found = checkReceipt(line.receipt, keys);
    problems.push(...found.map((p) => `${where}: ${p}`));
    let entry: EntryView;
    try {
      entry = JSON.parse(line.receipt.entry) as EntryView;
    } catch {
      continue;
    }
    entries.set(entry.index, entry);
    if (line.index !== line.receipt.index) problems.push(`${where}: names entry ${line.index}, its receipt ${line.receipt.index}`);
    if (entry.type !== line.event) problems.push(`${where}: the entry is a ${entry.type}`);
    if (parseTime(entry.recorded_at) !== parseTime(line.at)) {
      problems.push(`${where}: says ${line.at}, the entry was recorded at ${entry.recorded_at}`);
    }
  }
  for (const version of timeline.versions) {
    const filed = [...entries.values()].find((e) => e.type === "notice.filed" && e.subject === version.notice);
    if (!filed) {
      problems.push(`version ${version.notice}: no line carries its filing`);
      continue;
    }
    const filedAt = parseTime(filed.recorded_at);
    if (parseTime(version.filed_at_server) !== filedAt) {
      problems.push(`version ${version.notice}: filed at ${version.filed_at_server}, the entry says ${filed.recorded_at}`);
    }
    const starts = (filed.event.item?.volumes ?? []).map((v) => parseTime(v.window.start));
    const start = Math.min(...starts);
    if (parseTime(version.starts_at) !== start) {
      problems.push(`version ${version.notice}: starts at ${version.starts_at}, its notice says otherwise`);
    }
    if (Math.round(version.lead_time_s * 1e6) !== start - filedAt) {
      problems.push(`version ${version.notice}: the lead time ${version.lead_time_s} s does not follow from its entry`);
    }
  }
  return { ok: problems.length === 0, problems };
}

export function checkEvidence(evidence: Evidence, keys: Keys): Outcome {
  if (evidence.format !== EVIDENCE_FORMAT) {
    return { ok: false, problems: [`not an evidence file (format must be ${EVIDENCE_FORMAT})`] };
  }
  return checkTimeline(evidence.timeline, keys);
}
