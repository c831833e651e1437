"""The pure core: domain model, WGS84 geometry and conflict detection.

Nothing in this package performs I/O, reads a clock or touches a database; time always comes in
as a parameter so that every rule can be tested at any instant.
"""
