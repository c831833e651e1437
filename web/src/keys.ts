// The log's public keys, as the server publishes them (no token needed).  A party that wants
// more than trust-on-first-use compares them with keys it obtained another way.

import { get } from "./api";
import type { Keys } from "./types";

let keys: Promise<Keys> | null = null;

export function logKeys(): Promise<Keys> {
  keys ??= get<Keys>("/.well-known/deconfliction/ledger-keys").catch((error) => {
    keys = null;
    throw error;
  });
  return keys;
}
