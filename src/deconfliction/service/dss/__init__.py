"""The ASTM F3548-21 DSS facade's use cases, on the same record as everything else.

Every write is a ledger entry (``dss.*``) readable by the configured DSS party, and every
operational intent or constraint is also a notice of that party (docs/design/formats.md)."""
