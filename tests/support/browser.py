"""Debian's Chromium for the console's tests and benchmarks: where it is and how it is
started (headless, software WebGL, and no way to reach any host but 127.0.0.1)."""

from __future__ import annotations

import os

__all__ = ["ARGS", "CHROMIUM"]

CHROMIUM = os.environ.get("DECONFLICT_CHROMIUM", "/usr/bin/chromium")
"""Playwright drives this executable: its own browser download is never used."""

ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    # Nothing may leave loopback: any other host does not resolve (tests also count requests).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
