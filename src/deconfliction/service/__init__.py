"""Use cases: record items, load scenarios, query and export alerts.

:class:`~deconfliction.service.coordinator.Coordinator` owns the database and an in-memory
mirror of the situation; the use-case modules are functions over it.
"""
