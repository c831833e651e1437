"""ICAO NOTAMs in and out: a pure codec (no I/O, no clock).

* :func:`parse_batch` reads NOTAM text into :class:`Notam` records, every problem located at
  its NOTAM and item;
* :func:`notice_parts` maps a NOTAM to what a notice holds: kind, title, one volume per active
  period of its schedule, the outline from item E or the Q-line circle, the band from F)/G) in
  the unit and datum written, and flags for what was assumed (``coarse``, ``EST``, ``PERM``);
* :func:`propose` writes a notice as NOTAM proposals whose Q-line circle contains every volume
  with the agreement's margin.

Example: a NOTAM in, a proposal out, and the proposal read back.

>>> notams, problems = parse_batch('''(A0042/26 NOTAMN
... Q) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005
... A) LLLL B) 2611240600 C) 2611251800
... D) DAILY 0600-1800
... E) AREA BOUNDED BY 331500N 0353000E - 331500N 0354000E - 330800N 0354000E - 331500N 0353000E
... F) SFC G) 10000FT AMSL)''')
>>> parts, problems = notice_parts(notams[0])
>>> [str(v.window) for v in parts.volumes]
['2026-11-24 06:00Z–2026-11-24 18:00Z', '2026-11-25 06:00Z–2026-11-25 18:00Z']
>>> str(parts.volumes[0].altitude)
'SFC to 10000 ft AMSL'
"""

from deconfliction.engine.notam.mapping import (
    NoticeParts,
    kind_of,
    notice_parts,
    outlines_from_text,
)
from deconfliction.engine.notam.proposal import ExportContext, Proposal, containing_circle, propose
from deconfliction.engine.notam.schedule import expand_schedule, format_schedule
from deconfliction.engine.notam.text import Notam, QLine, parse_batch, parse_notam

__all__ = [
    "ExportContext",
    "Notam",
    "NoticeParts",
    "Proposal",
    "QLine",
    "containing_circle",
    "expand_schedule",
    "format_schedule",
    "kind_of",
    "notice_parts",
    "outlines_from_text",
    "parse_batch",
    "parse_notam",
    "propose",
]
