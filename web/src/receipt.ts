// A receipt as a duty officer sees it, checked in the browser.

import { h } from "./dom";
import { logKeys } from "./keys";
import { formatTime, parseTime } from "./time";
import type { Receipt } from "./types";
import { checkReceipt } from "./verify";

export function receiptPanel(receipt: Receipt): HTMLElement {
  const verdict = h("p", { class: "verdict pending", role: "status" }, "Checking the receipt in this browser…");
  void logKeys().then(
    (keys) => {
      const problems = checkReceipt(receipt, keys);
      verdict.className = `verdict ${problems.length ? "failed" : "verified"}`;
      verdict.textContent = problems.length
        ? `Verification failed: ${problems.join("; ")}`
        : "Verified in this browser: entry hash, inclusion in the signed tree, signature.";
    },
    () => {
      verdict.className = "verdict failed";
      verdict.textContent = "Could not fetch the log's public keys to check the receipt.";
    },
  );
  return h(
    "section",
    { class: "receipt", "aria-label": "Ledger receipt", dataset: { receiptIndex: String(receipt.index) } },
    h("h3", null, "Ledger receipt"),
    h(
      "dl",
      null,
      h("dt", null, "Entry"),
      h("dd", null, `${receipt.index} (${receipt.type}, ${receipt.subject})`),
      h("dt", null, "Recorded (server)"),
      h("dd", null, formatTime(parseTime(receipt.recorded_at))),
      h("dt", null, "Signed tree"),
      h("dd", null, `${receipt.tree_head.tree_size} entries, signed ${formatTime(parseTime(receipt.tree_head.timestamp))}`),
      h("dt", null, "Key"),
      h("dd", { class: "mono" }, receipt.tree_head.key_id),
      h("dt", null, "Leaf hash"),
      h("dd", { class: "mono" }, receipt.leaf_hash),
    ),
    verdict,
    h(
      "button",
      {
        type: "button",
        onclick: () => download(`receipt-${receipt.index}.json`, JSON.stringify({ receipt }, null, 2)),
      },
      "Download receipt",
    ),
  );
}

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
