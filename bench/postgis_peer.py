"""PostGIS as a peer of the strategic check: what a team with a spatial database would write.

Every active notice is one row: its outline's *core* as a ``geography`` (a circle's centre, a
corridor's route, a polygon's ring), the core's buffer in metres (radius, half width, 0), its
window in seconds, its band in feet (flight levels as hundreds of feet, SFC as minus
infinity) and its author, with a GiST index on the core.  A probe is one query::

    ST_DWithin(core, probe_core, widest buffer + probe_buffer + margin)   -- the GiST index
    AND ST_DWithin(core, probe_core, buffer + probe_buffer + margin)      -- on the spheroid
    AND window overlap AND vertical gap < 500 ft AND another author

(a constant distance in the first test lets the index answer: a distance that depends on the
row cannot become an index search box), then the exact distance (``ST_Distance`` on the spheroid) of the rows kept, so that each pair
can be compared with the engine's (``distance - buffers < margin``, strictly, as the engine
decides).  ``ST_DWithin`` on ``geography`` measures on the WGS84 spheroid; its edges are
great-circle arcs on the sphere, not geodesics on the ellipsoid, so pairs within centimetres
to metres of the margin may be decided differently from the engine (each difference is
printed with the peer's measures).

The server is the benchmark's throw-away PostgreSQL: run the benchmark under
``bash scripts/postgres`` (as the tests are), which starts a cluster and exports
``DECONFLICT_TEST_POSTGRES_URL``; the peer creates the ``postgis`` extension in it.
It takes the generator's plain specs (``bench/filing.py``), as the STRtree peer does.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from typing import Any

import psycopg

__all__ = ["PostgisPeer", "postgis_url"]


def postgis_url() -> str | None:
    """The throw-away server's URL, when the benchmark runs under ``scripts/postgres``."""
    return os.environ.get("DECONFLICT_TEST_POSTGRES_URL")


def _wkt(outline: tuple[str, Any, float]) -> tuple[str, float]:
    """The core as WKT (longitude latitude) and its buffer in metres."""
    kind, points, size = outline
    if kind == "circle":
        return f"POINT({points[0]!r} {points[1]!r})", round(size, 3) * 1000.0
    coords = ", ".join(f"{lon!r} {lat!r}" for lon, lat in points)
    if kind == "corridor":
        return f"LINESTRING({coords})", round(size, 3) * 1000.0
    first = f"{points[0][0]!r} {points[0][1]!r}"
    return f"POLYGON(({coords}, {first}))", 0.0


def _feet(value: float, unit: str) -> float:
    if unit == "SFC":
        return -math.inf
    return value * 100.0 if unit == "FL" else value


_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS peer_notices;
CREATE TABLE peer_notices (
    id text PRIMARY KEY,
    author text NOT NULL,
    t0 float8 NOT NULL,
    t1 float8 NOT NULL,
    lower_ft float8 NOT NULL,
    upper_ft float8 NOT NULL,
    buffer_m float8 NOT NULL,
    core geography NOT NULL
);
"""

_QUERY = """
SELECT n.id, ST_Distance(n.core, p.core) - n.buffer_m - %(buffer)s AS apart
FROM peer_notices n,
     (SELECT ST_GeogFromText(%(wkt)s) AS core) p
WHERE ST_DWithin(n.core, p.core, %(widest)s)
  AND ST_DWithin(n.core, p.core, n.buffer_m + %(reach)s)
  AND n.t0 < %(t1)s AND %(t0)s < n.t1
  AND GREATEST(n.lower_ft, %(lower)s) - LEAST(n.upper_ft, %(upper)s) < %(vertical)s
  AND n.author <> %(author)s
"""


class PostgisPeer:
    """Active notices in a PostGIS table, checked as the module's docstring says."""

    def __init__(
        self, url: str, specs: Iterable[dict[str, Any]], lateral_m: float, vertical_ft: float
    ) -> None:
        self.lateral_m = lateral_m
        self.vertical_ft = vertical_ft
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(_SCHEMA)
        with self.conn.cursor() as cur:
            columns = "id, author, t0, t1, lower_ft, upper_ft, buffer_m, core"
            with cur.copy(f"COPY peer_notices ({columns}) FROM STDIN") as copy:
                for s in specs:
                    wkt, buffer = _wkt(s["outline"])
                    lower, upper = s["altitude"]
                    copy.write_row(
                        (
                            s["id"],
                            s["author"],
                            s["start"],
                            s["end"],
                            _feet(*lower),
                            _feet(*upper),
                            buffer,
                            f"SRID=4326;{wkt}",
                        )
                    )
        self.conn.execute("CREATE INDEX ON peer_notices USING gist (core)")
        row = self.conn.execute("SELECT max(buffer_m) FROM peer_notices").fetchone()
        self.widest_buffer_m = float(row[0]) if row and row[0] is not None else 0.0
        self.conn.execute("VACUUM ANALYZE peer_notices")
        self.backend = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]

    def size_mb(self) -> float:
        """The table's size with its indexes and TOAST, in MiB."""
        row = self.conn.execute("SELECT pg_total_relation_size('peer_notices')").fetchone()
        return float(row[0]) / 2**20 if row else math.nan

    def backend_cpu_s(self) -> float:
        """CPU seconds used so far by the server process serving this connection (Linux)."""
        with open(f"/proc/{self.backend}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _rows(self, spec: dict[str, Any]) -> list[tuple[str, float]]:
        wkt, buffer = _wkt(spec["outline"])
        lower, upper = spec["altitude"]
        params = {
            "wkt": wkt,
            "buffer": buffer,
            "reach": buffer + self.lateral_m,
            # A constant distance lets the GiST index answer (a distance that depends on the
            # row cannot be turned into an index search box): the widest buffer of any row.
            "widest": buffer + self.lateral_m + self.widest_buffer_m,
            "t0": spec["start"],
            "t1": spec["end"],
            "lower": _feet(*lower),
            "upper": _feet(*upper),
            "vertical": self.vertical_ft,
            "author": spec["author"],
        }
        return self.conn.execute(_QUERY, params, prepare=True).fetchall()

    def conflicts(self, spec: dict[str, Any]) -> set[str]:
        """The ids of the active notices the probe ``spec`` conflicts with."""
        return {i for i, apart in self._rows(spec) if apart < self.lateral_m}

    def explain(self, spec: dict[str, Any], other: str) -> str:
        """The peer's lateral measure for one pair (decided differently from the engine)."""
        for i, apart in self._rows(spec):
            if i == other:
                return (
                    f"PostGIS: lateral {apart:.2f} m ({apart - self.lateral_m:+.2f} m from "
                    "the margin)"
                )
        return "PostGIS: not within the margin in time, altitude or ST_DWithin"

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS peer_notices")
        self.conn.close()


def timed(peer: PostgisPeer, specs: list[dict[str, Any]]) -> tuple[list[float], float]:
    """Wall milliseconds per probe, and the server backend's CPU milliseconds per probe
    (its total over the probes, divided: the kernel counts it in 10 ms ticks)."""
    wall = []
    cpu0 = peer.backend_cpu_s()
    for spec in specs:
        t = time.perf_counter()
        peer.conflicts(spec)
        wall.append((time.perf_counter() - t) * 1e3)
    return wall, (peer.backend_cpu_s() - cpu0) * 1e3 / max(1, len(specs))
