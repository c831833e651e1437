"""The tamper-evident record: a Merkle tree over the log, signed tree heads, receipts.

Modelled on Certificate Transparency (RFC 9162): every log entry is a leaf; the server signs
tree heads; a receipt proves an entry's inclusion under a signed head, and a consistency proof
shows that a later tree extends an earlier one (no rewritten history, no fork).  Everything
here is pure computation, so that a party can verify with no server at all.

Modules: :mod:`.merkle` (hashing, the tree, proofs and their verification), :mod:`.entries`
(the canonical bytes of an entry), :mod:`.heads` (signed tree heads and keys),
:mod:`.receipts` (what a write answer carries), :mod:`.verify` (checking a whole export).
"""
