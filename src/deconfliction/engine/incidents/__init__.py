"""Incidents after the fact: what the record links to them, whom they concern, and the
questions asked of them, answered from ledger entries (see docs/design/incidents.md)."""
