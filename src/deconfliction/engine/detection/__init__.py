"""Conflict and violation detection.

Each module detects one kind of finding from explicit inputs (no state, no clock):
:mod:`.overlap` (``notice-overlap``), :mod:`.sites` (``protected-site``, ``site-duplicate``),
:mod:`.lateness` (``late-notice``), :mod:`.zones` (``zone-entry``, ``zone-violation``; areas
in :mod:`.zone_areas` and :mod:`.band_geometry`).  Every decision at a threshold is exact or
states its tolerance (docs/design/geometry.md).
:class:`~deconfliction.engine.situation.Situation` keeps the state and calls them.
"""
