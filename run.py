#!/usr/bin/env python3
"""Set up and run landtool from a fresh clone. Needs only Python 3.11+.

    python3 run.py app      open the desktop app on the sample workspace
    python3 run.py test     run the whole test suite (what CI runs)
    python3 run.py demo     a headless tour of the sample workspace (no screen needed)

Each command first makes sure of the set-up, doing only what is missing: a virtual environment
in .venv with landtool and its dependencies (re-installed when pyproject.toml changes), the system
libraries Qt needs (installed with apt-get when running as root on Debian and they are missing),
for `test` also Chromium, PostgreSQL with PostGIS, GDAL's ogrinfo, poppler and LibreOffice (the
same way: the tests open the output with them), and the sample workspace
in sample_data/workspace/ (built by the deterministic generator).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".landtool-installed"
# Shared libraries the Qt wheels load, and a font with Cyrillic (Debian package names).
QT_APT_PACKAGES = ["libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1",
                   "libdbus-1-3", "libglib2.0-0", "fonts-dejavu-core", "libxcb-cursor0",
                   "libxcb-icccm4", "libxcb-keysyms1"]


def say(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def sh(*cmd, **kw) -> int:
    return subprocess.call([str(c) for c in cmd], **kw)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py must explain this on any python3)
        sys.exit("landtool needs Python 3.11 or newer; run this script with python3.11+")
    if not PY.exists():
        say(f"creating the virtual environment in {VENV}")
        if sh(sys.executable, "-m", "venv", VENV) != 0:
            sys.exit("could not create .venv (on Debian: apt-get install python3-venv)")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("installing landtool and its dependencies into .venv (first run only)")
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    if sh(PY, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[gui,dev]") != 0:
        sys.exit("pip install failed; see the messages above")
    STAMP.write_text(digest)


def ensure_qt_libraries(platform: str = "offscreen") -> None:
    """Qt starts on ``platform`` (offscreen for tests; the real one for the app), or the
    missing system libraries are installed."""
    probe = (f"import os; os.environ['QT_QPA_PLATFORM']={platform!r};"
             "from PySide6.QtWidgets import QApplication; QApplication([])")
    if sh(PY, "-c", probe, stderr=subprocess.DEVNULL) == 0:
        return
    if not shutil.which("apt-get"):
        say("Qt cannot start: system libraries are missing. On Debian/Ubuntu install: "
            + " ".join(QT_APT_PACKAGES))
        return
    apt_install("Qt", QT_APT_PACKAGES, missing="Qt cannot start: system libraries are missing")


def ensure_browser() -> None:
    """Debian's Chromium, for the test that opens the offline interactive map (best effort:
    installed with apt-get when running as root on Debian and missing)."""
    if shutil.which("chromium") or not shutil.which("apt-get"):
        return
    apt_install("the interactive-map browser test", ["chromium"], missing="chromium is not "
                "installed: the browser test of the interactive map will be skipped")


#: the programs users open landtool's output with, which the tests open it with too: GDAL's
#: ogrinfo (GeoPackage, KML, GPX), poppler (PDF pages as pictures), LibreOffice (spreadsheets)
VIEWER_APT_PACKAGES = {"ogrinfo": "gdal-bin", "pdftoppm": "poppler-utils",
                       "soffice": "libreoffice-calc-nogui"}


def ensure_viewers() -> None:
    """ogrinfo, pdftoppm and soffice for the tests that open the output as its users do
    (installed with apt-get when running as root on Debian and missing; otherwise those tests
    fail saying what to install)."""
    packages = [pkg for prog, pkg in VIEWER_APT_PACKAGES.items() if not shutil.which(prog)]
    if packages and shutil.which("apt-get"):
        apt_install("the tests that open the output in ogrinfo, pdftoppm and LibreOffice",
                    packages, missing="the tests that open the output with them will fail")


def ensure_postgis() -> None:
    """Debian's PostgreSQL server and PostGIS, for the shared-workspace tests (each test
    session starts its own throw-away cluster on loopback; see tests/pg_cluster.py). Installed
    with apt-get when running as root on Debian and missing; otherwise those tests fail with a
    message saying what to install."""
    import glob

    def have() -> bool:  # a server (initdb) with PostGIS for its version
        versions = [Path(b).parent.parent.name
                    for b in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
        return any(Path(f"/usr/share/postgresql/{v}/extension/postgis.control").exists()
                   for v in versions)

    if have() or not shutil.which("apt-get"):
        return
    if not apt_install("the shared-workspace tests", ["postgresql"],
                       missing="PostgreSQL with PostGIS is not installed: the shared-workspace "
                       "tests will fail"):
        return
    versions = sorted((Path(b).parent.parent.name for b in
                       glob.glob("/usr/lib/postgresql/*/bin/initdb")), key=int)
    if versions:
        apt_install("PostGIS", [f"postgresql-{versions[-1]}-postgis-3"], update=False)


def apt_install(purpose: str, packages: list[str], *, missing: str = "",
                update: bool = True) -> bool:
    """Install Debian ``packages`` with apt-get when running as root; otherwise say what is
    ``missing`` and what to install. True when apt-get ran."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        say(f"{missing} (apt-get install {' '.join(packages)})")
        return False
    say(f"installing {' '.join(packages)} for {purpose} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if update:
        sh("apt-get", "update", "-qq")
    return sh("apt-get", "install", "-y", "-qq", *packages, env=env) == 0


def ensure_sample_workspace() -> None:
    code = ("from landtool.sample_workspace import ensure_sample_workspace as e;"
            "e(progress=lambda m: print('[sample]', m, flush=True))")
    if sh(PY, "-c", code) != 0:
        sys.exit("could not build the sample workspace; see the message above")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command not in ("app", "test", "demo"):
        print(__doc__)
        return 2
    ensure_venv()
    if command == "test":
        ensure_qt_libraries()
        ensure_browser()
        ensure_viewers()
        ensure_postgis()
    if command == "app":
        ensure_qt_libraries("xcb" if os.environ.get("DISPLAY") else "offscreen")
    ensure_sample_workspace()
    bin_dir = PY.parent
    if command == "demo":
        return sh(bin_dir / "landtool", "demo", *argv[1:])
    if command == "app":
        args = list(argv[1:])
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            shot = ROOT / "out" / "landtool-window.png"
            say(f"no screen here: opening the app offscreen and saving a picture of the window "
                f"to {shot} (on a desktop this command opens the window)")
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            args += ["--screenshot", str(shot)]
        return sh(bin_dir / "landtool-gui", *args)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    say("checking that the core never imports Qt (import-linter)")
    if sh(bin_dir / "lint-imports", ROOT / "pyproject.toml", cwd=ROOT, env=env) != 0:
        return 1
    return sh(PY, "-m", "pytest", *argv[1:], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
