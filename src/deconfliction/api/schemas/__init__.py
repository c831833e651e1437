"""Request and response bodies, one module per resource (``NoticeCreate``, ``NoticePublic``,
``NoticeList`` ...).

Requests reuse the domain's own types (positions, lengths, altitudes, times, outlines), so a
body is read exactly as a scenario file is and its problems are located the same way
(``volumes[0].outline``).  Responses carry each outline exactly as recorded and, beside it, its
GeoJSON geometry (RFC 7946) for display.  There is no approve, deny, accept or reject anywhere:
an acknowledgement means "received".
"""
