"""``deconflict tracks``: feed a running server from a receiver or a file, and look at the
tracks a party may see."""

from __future__ import annotations

import functools
import json
import os
import urllib.error
import urllib.request
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from deconfliction.cli.common import JsonOption, command, out
from deconfliction.engine.errors import InvalidInput
from deconfliction.service.track_sources import Feeder, chunks, paced
from deconfliction.service.tracks import FORMATS

__all__ = ["register"]

tracks_app = typer.Typer(
    help="Live tracks: feed a server, see the air picture.", no_args_is_help=True
)

ServerOption = Annotated[
    str,
    typer.Option("--server", envvar="DECONFLICT_SERVER", help="The server's base URL."),
]
TokenOption = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="DECONFLICT_TOKEN",
        help="A bearer token (duty officer or monitor to feed). Default: $DECONFLICT_TOKEN.",
    ),
]


def _reference(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise InvalidInput.at(("--reference",), f"{text!r} is not LAT,LON") from None
    return lat, lon


def ingest(
    source: Annotated[
        str,
        typer.Argument(
            help="A file or directory, tcp://host:port (SBS 30003, Beast 30005), or an http(s) URL "
            "to poll (aircraft.json, OpenSky)."
        ),
    ],
    server: ServerOption = "http://127.0.0.1:8000",
    token: TokenOption = "",
    format_: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")
    ] = "sbs",
    name: Annotated[
        str | None, typer.Option("--name", help="The source's name (default: from SOURCE).")
    ] = None,
    replay_speed: Annotated[
        float,
        typer.Option(
            "--replay-speed",
            min=0,
            help="Replay a file at this multiple of its own pace (0: as fast as possible).",
        ),
    ] = 1.0,
    utc_offset_s: Annotated[
        float,
        typer.Option(
            help="SBS: the receiver's clock offset from UTC (dump1090 writes local time)."
        ),
    ] = 0.0,
    day: Annotated[
        str | None, typer.Option(help="ASTERIX: the UTC date (YYYY-MM-DD) of its times of day.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="Beast: the receiver's position, LAT,LON.")
    ] = None,
    poll_s: Annotated[
        float, typer.Option(min=0.1, help="URL sources: seconds between polls.")
    ] = 1.0,
    polls: Annotated[
        int | None, typer.Option(min=1, help="URL sources: stop after this many polls.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Read SOURCE and post what it gives to a running server (reports are not recorded; the
    server predicts, checks and records alerts).  Malformed input is counted by reason."""
    if format_ not in FORMATS:
        raise InvalidInput.at(
            ("--format",), f"unknown format {format_!r}: one of {', '.join(FORMATS)}"
        )
    if not token:
        raise InvalidInput.at(("--token",), "a token is needed (or set DECONFLICT_TOKEN)")
    the_day = None
    if day is not None:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput.at(("--day",), f"{day!r} is not YYYY-MM-DD") from None
    options: dict[str, object] = {}
    params: dict[str, str] = {}
    if format_ == "sbs":
        options["utc_offset_s"] = utc_offset_s
        params["utc_offset_s"] = str(utc_offset_s)
    elif format_ == "asterix":
        options["day"] = the_day
        if the_day is not None:
            params["day"] = the_day.isoformat()
    elif format_ == "beast":
        ref = _reference(reference)
        options["reference"] = ref
        if reference is not None:
            params["reference"] = reference
    source_name = name or os.path.basename(source.rstrip("/")) or "source"
    source_name = "".join(c if c.isalnum() or c in "._:-" else "-" for c in source_name)[:100]
    feeder = Feeder(server, token, format_, source_name, params)
    for piece in paced(
        chunks(source, format_, poll_s=poll_s, polls=polls), format_, replay_speed, options
    ):
        feeder.post(piece)
    summary = {
        "posts": feeder.posts,
        "reports": feeder.reports,
        "ignored": feeder.ignored,
        "unreadable": feeder.unreadable,
        "reasons": dict(feeder.reasons),
    }
    if as_json:
        out().print_json(json.dumps(summary))
        return
    out().print(
        f"{feeder.reports} reports posted in {feeder.posts} posts; "
        f"{feeder.ignored} messages without track data; {feeder.unreadable} unreadable"
    )
    for reason, count in feeder.reasons.most_common():
        out().print(f"  {count} × {reason}", markup=False)


def list_(server: ServerOption = "http://127.0.0.1:8000", token: TokenOption = "",
          as_json: JsonOption = False) -> None:  # fmt: skip
    """The aircraft the token's party may see, as last reported (units and datums as given)."""
    if not token:
        raise InvalidInput.at(("--token",), "a token is needed (or set DECONFLICT_TOKEN)")
    request = urllib.request.Request(
        f"{server.rstrip('/')}/v1/tracks", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            tracks = json.loads(answer.read())["tracks"]
    except (urllib.error.URLError, OSError) as exc:
        raise InvalidInput.at(("--server",), f"cannot read {server}: {exc}") from None
    if as_json:
        out().print_json(json.dumps(tracks))
        return
    table = Table("aircraft", "callsign", "party", "position", "altitude", "speed", "track")
    for t in tracks:
        alt = t["baro"] or t["geom"]
        table.add_row(
            t["key"],
            t["callsign"] or "",
            t["party"] or ("disputed" if t["disputed"] else "unattributed"),
            f"{t['lat']:.4f} {t['lon']:.4f}" if t["lat"] is not None else "",
            f"{alt['value']:g} {alt['unit']} {alt['datum']}" if alt else "",
            f"{t['speed']['value']:g} {t['speed']['unit']}" if t["speed"] else "",
            f"{t['track']:.0f}°" if t["track"] is not None else "",
        )
    out().print(table)


def register(app: typer.Typer) -> None:
    on_tracks = functools.partial(command, tracks_app)
    on_tracks(ingest)
    on_tracks(list_)
    app.add_typer(tracks_app, name="tracks")
