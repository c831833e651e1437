"""Persistence: one database (SQLite embedded, or PostgreSQL), versioned by migrations.

The store holds an append-only log of events (:mod:`.events`), which is the record, and
projections of it for queries (:mod:`.projections`).  :class:`~.database.Database` owns the
connections and serialises writers.
"""
