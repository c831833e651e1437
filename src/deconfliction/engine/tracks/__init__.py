"""Live tracks: reports as their formats give them, the latest state of every aircraft,
short-term conflict prediction, conformance to notices and time to clear.

Pure like the rest of the engine: parsers take bytes, computations take the instant as a
parameter.  Modules: :mod:`.quantities` (altitudes, speeds and rates with units and datums),
:mod:`.reports` (reports, rejections), :mod:`.formats` (one parser per format),
:mod:`.state` (the latest state per aircraft), :mod:`.plane` (a local plane),
:mod:`.cpa` (the conflict kernel), :mod:`.reference` (its independent reference),
:mod:`.predict` (conflicts over a snapshot), :mod:`.attribution`, :mod:`.conformance`,
:mod:`.clearance`.  See ``docs/design/tracks.md``.
"""
