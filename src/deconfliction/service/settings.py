"""Settings, declared once with their help text.

Every setting can be given as an environment variable ``DECONFLICT_<NAME>``; commands that take
an option of the same name override it.  ``docs/settings.md`` documents each one (a test keeps
the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from deconfliction.engine.model import Limits
from deconfliction.engine.units import Altitude

__all__ = ["Settings", "default_database_path"]


def default_database_path() -> str:
    """``deconfliction.sqlite3`` in the user's data directory."""
    return str(Path(platformdirs.user_data_dir("deconfliction")) / "deconfliction.sqlite3")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DECONFLICT_", extra="forbid", frozen=True)

    db: str = Field(
        default_factory=default_database_path,
        description=(
            "Where the record is kept: a SQLite file path, or a postgresql:// URL. "
            "Default: deconfliction.sqlite3 in the user's data directory."
        ),
    )
    max_area_km2: float = Field(
        default=Limits().max_area_km2,
        gt=0,
        description="Largest area one volume may cover, in square kilometres; larger ones are refused.",
    )
    max_altitude: Annotated[Altitude, NoDecode] = Field(
        default=Limits().max_altitude,
        description=(
            'The highest a volume may reach ("FL660", "20000 m AMSL"): the same height in every '
            "unit and datum; higher bounds are refused (UNL is always accepted)."
        ),
    )
    idle_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description=(
            "A connection must send a complete request head within this many seconds of being "
            "opened or of its previous response, or it is closed (idle and slow clients)."
        ),
    )
    body_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description=(
            "A request body may pause at most this many seconds between two parts; a slower "
            "one is answered 408 and its connection closed."
        ),
    )
    duplicate_site_distance_m: float = Field(
        default=Limits().duplicate_site_distance_m,
        ge=0,
        description=(
            "Two valid protected sites of the same category closer than this many metres are "
            "reported as probable duplicates."
        ),
    )

    proposal_ttl_s: float = Field(
        default=Limits().proposal_ttl_s,
        gt=0,
        description=(
            "How long a proposed change to an agreement, a zone agreement or a line waits for the "
            "consent of every party it binds before it expires, in seconds (default: 7 days)."
        ),
    )

    evidence_max_bytes: int = Field(
        default=Limits().evidence_max_bytes,
        gt=0,
        le=1024 * 1024 * 1024,
        description=(
            "Largest attachment (evidence) an incident or an account may carry, in bytes "
            "(default: 10 MiB). Attachments are kept apart from the ledger, which holds their "
            "SHA-256."
        ),
    )

    escalation_interval_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often the server looks for unacknowledged items due for escalation, in seconds.",
    )

    stream_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description=(
            "How often live streams look for events written by other server processes on the "
            "same database, in seconds (this process's own writes are pushed at once)."
        ),
    )

    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "Worker processes of `deconflict serve`, each with its own writer, sharing the "
            "record through the database (one global order: see docs/design/nodes.md)."
        ),
    )

    write_gather_s: float = Field(
        default=0.005,
        ge=0,
        le=0.1,
        description=(
            "While filings arrive at most one and a half such windows apart on average, the "
            "writer waits up to this many seconds from a write's arrival for others to share "
            "its transaction (one lock, one signed tree head, one commit and fsync for all): "
            "less CPU per write for at most this much more latency; 0 never waits. A quiet "
            "line never waits, and waits that keep gathering nothing stop (see "
            "docs/design/nodes.md)."
        ),
    )

    token_refresh_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description=(
            "The server keeps the bearer tokens in memory and looks for tokens created or "
            "revoked elsewhere (the command line, another node) at most this often, in "
            "seconds: a revoked token is refused within this time (a token just created is "
            "known at once)."
        ),
    )

    ledger_keys: str | None = Field(
        default=None,
        description=(
            "Directory of the ledger's signing keys, kept apart from the data (created on first "
            "use, mode 0700). Default: beside a SQLite file (<file>.keys), or in the user's "
            "configuration directory for PostgreSQL."
        ),
    )
    ledger_sign_interval_s: float = Field(
        default=60.0,
        gt=0,
        description=(
            "The server signs a fresh tree head at least this often (seconds), even when "
            "nothing is written, so that parties can see the log is alive and unchanged."
        ),
    )

    # -- interoperability formats (docs/design/formats.md) -------------------------------------

    notam_party: str = Field(
        default="caa",
        description=(
            "The civil-aviation party whose notices imported NOTAMs become (it must be declared "
            "in the record)."
        ),
    )
    notam_fir: str = Field(
        default="XXXX",
        pattern=r"^[A-Z]{4}$",
        description=(
            "The FIR (four letters) written in the Q line and item A of NOTAM proposals for "
            "notices that did not come from a NOTAM."
        ),
    )
    dss_enabled: bool = Field(
        default=False,
        description="Serve the ASTM F3548-21 DSS interface at /dss/v1/ beside the API.",
    )
    dss_party: str = Field(
        default="utm",
        description=(
            "The party whose notices the DSS's operational intents and constraints become (it "
            "must be declared in the record when the DSS is enabled)."
        ),
    )
    dss_public_key: str | None = Field(
        default=None,
        description=(
            "The file of the public key that signs DSS access tokens (RS256): a PEM public key "
            "or certificate, or a JWKS. Required when the DSS is enabled."
        ),
    )
    dss_audience: str = Field(
        default="localhost",
        description=(
            "Comma-separated audiences a DSS access token may name (the host name clients "
            "reach the DSS at)."
        ),
    )
    dss_max_area_km2: float = Field(
        default=2500.0,
        gt=0,
        description="Largest area one DSS entity or query may cover, in square kilometres.",
    )
    tracks_tick_s: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="The longest interval between two rounds of conflict prediction, conformance and time to clear over the live tracks, in seconds: a round runs this often even when no report arrived (tracks go stale, volumes start).",
    )
    tracks_round_min_s: float = Field(
        default=0.25,
        gt=0,
        le=60,
        description="The shortest interval between the starts of two rounds over the live tracks, in seconds: a round starts as soon as reports arrived since the last one, but no sooner than this after it (a round that takes longer is followed at once).",
    )
    tracks_max_age_s: float = Field(
        default=20.0,
        gt=0,
        description="A track whose position, altitude or velocity is older than this (seconds) is left out of prediction and conformance.",
    )
    tracks_forget_s: float = Field(
        default=300.0,
        gt=0,
        description="An aircraft not heard for this many seconds is dropped from the air picture.",
    )
    tracks_history_s: float = Field(
        default=600.0,
        ge=0,
        description="How long track history (trails) is kept in memory, in seconds.",
    )
    tracks_history_step_s: float = Field(
        default=5.0,
        gt=0,
        description="One trail point per aircraft at most every this many seconds.",
    )
    tracks_record_days: float = Field(
        default=7.0,
        ge=0,
        description="How long track history is kept in the record, in days, so that a replay (GET /v1/tracks?at=, the console's scrubber) reaches back beyond memory: the trail points (one per aircraft every tracks_history_step_s), written in batches; 0 records none.",
    )
    tracks_alert_update_s: float = Field(
        default=10.0,
        ge=0,
        description="An open tactical alert whose figures change is recorded again at most this often (seconds), unless its time to loss halves.",
    )
    tracks_conformance_confirm: int = Field(
        default=2,
        ge=1,
        description="Consecutive offending reports that raise a conformance alert (one stray report does not).",
    )
    tracks_conformance_clear: int = Field(
        default=3,
        ge=1,
        description="Consecutive conforming reports that close a conformance alert.",
    )
    tracks_sources: str = Field(
        default="",
        description="Track sources the server reads itself, separated by spaces, each PARTY:FORMAT:SOURCE (a:sbs:tcp://127.0.0.1:30003, a:readsb:http://host/data/aircraft.json, a:sbs:/path/recorded.sbs): fed as that party's monitor would feed them; a failing source is retried, never fatal.",
    )

    @field_validator("tracks_sources")
    @classmethod
    def _sources(cls, value: str) -> str:
        from deconfliction.engine.errors import InvalidInput
        from deconfliction.service.track_readers import parse_sources

        try:
            parse_sources(value)
        except InvalidInput as exc:
            raise ValueError("; ".join(p.reason for p in exc.problems)) from None
        return value

    session_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 30,
        description=(
            "How long a console session lasts, in hours (never longer than the token it was "
            "opened with); then the console asks to sign in again."
        ),
    )

    @field_validator("max_altitude")
    @classmethod
    def _above_the_surface(cls, value: Altitude) -> Altitude:
        if value.is_surface or value.exact_metres <= 0:
            raise ValueError(f"a ceiling of {value} is not above the surface")
        return value

    def limits(self) -> Limits:
        return Limits(
            max_area_km2=self.max_area_km2,
            duplicate_site_distance_m=self.duplicate_site_distance_m,
            proposal_ttl_s=self.proposal_ttl_s,
            evidence_max_bytes=self.evidence_max_bytes,
            max_altitude=self.max_altitude,
        )
