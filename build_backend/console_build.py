"""The build backend: setuptools', after building the console.

Before a wheel, an editable install or an sdist is made, the console (the TypeScript project
in ``web/``) is built into ``src/deconfliction/web/static`` with npm: ``npm ci`` when its
dependencies are not installed, then ``npm run build`` when the built files are missing or
older than the sources.  So ``pip install .`` gives a ``deconflict serve`` with its console,
and an sdist carries the built files (a wheel built from it needs no Node.js).

``DECONFLICT_SKIP_CONSOLE_BUILD=1`` skips the step: the server then answers ``/`` with a page
saying the console was not built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the hooks this module does not change)

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
BUILT = ROOT / "src" / "deconfliction" / "web" / "static" / "index.html"
SOURCES = ("src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "scripts")


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = WEB / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def _run(*command: str) -> None:
    print(f"console build: {' '.join(command)}", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=WEB, check=True)


def build_console() -> None:
    """Build the console if it needs it; explain what is missing if it cannot."""
    if os.environ.get("DECONFLICT_SKIP_CONSOLE_BUILD") == "1":
        return
    if not (WEB / "package.json").is_file():
        return  # an sdist without the sources: it carries the built files
    if BUILT.is_file() and BUILT.stat().st_mtime >= _newest_source():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "Building the console needs Node.js 20 and npm (https://nodejs.org, or your system's "
            "nodejs and npm packages).  Install them and try again, or set "
            "DECONFLICT_SKIP_CONSOLE_BUILD=1 to build without the console."
        )
    if not (WEB / "node_modules").is_dir():
        _run(npm, "ci", "--no-audit", "--no-fund")
    _run(npm, "run", "build")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):  # type: ignore[no-untyped-def]
    build_console()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):  # type: ignore[no-untyped-def]
    build_console()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):  # type: ignore[no-untyped-def]
    build_console()
    return _setuptools.build_sdist(sdist_directory, config_settings)
