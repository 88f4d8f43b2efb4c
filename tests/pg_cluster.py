"""A throw-away PostgreSQL + PostGIS cluster on loopback, for the shared-workspace tests.

The tests use a real server, never a mock. ``run.py test`` installs Debian's PostgreSQL and
PostGIS when they are missing; this module only starts a private cluster in a temporary folder
(as the ``postgres`` user when running as root, since initdb refuses root), on a free loopback
port with password authentication, and stops it at the end of the session.

Run it by hand to get a server for trying things out::

    .venv/bin/python tests/pg_cluster.py /tmp/landtool-pg     # prints the superuser URL
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD = "throwaway-test-password"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL or PostGIS is not installed, or the cluster would not start."""


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int
    bindir: Path

    def url(self, user: str = SUPERUSER, password: str = PASSWORD, db: str = "postgres") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        _run_as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"),
                       "-m", "immediate", "stop"], check=False)


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise ClusterUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed: run the tests with "
        "`python3 run.py test`, which installs them (as root on Debian), or install "
        "postgresql and postgresql-<version>-postgis-3 yourself")


def _postgis_installed(bindir: Path) -> bool:
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run_as_owner(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if _is_root():
        cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> Cluster:
    """Create a cluster in ``folder`` (which must not hold one yet) and start it."""
    bindir = _bindir()
    if not _postgis_installed(bindir):
        raise ClusterUnavailable(
            f"PostGIS is not installed for PostgreSQL {bindir.parent.name}: run the tests with "
            f"`python3 run.py test`, or apt-get install postgresql-{bindir.parent.name}-postgis-3")
    folder.mkdir(parents=True, exist_ok=True)
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if _is_root():
        shutil.chown(folder, SUPERUSER)
        shutil.chown(pwfile, SUPERUSER)
    data = folder / "data"
    try:
        _run_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                       "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                       "--no-locale"])
    except subprocess.CalledProcessError as exc:
        raise ClusterUnavailable(f"initdb failed: {exc.stderr.strip()}") from exc
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
    proc = _run_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                          "-t", "60", "-l", str(folder / "server.log"), "start"], check=False)
    if proc.returncode != 0:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        raise ClusterUnavailable(f"the test PostgreSQL server did not start: "
                                 f"{proc.stderr.strip()} {log[-2000:]}")
    cluster = Cluster(folder, port, bindir)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # pg_ctl -w waits, but be sure TCP answers
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return cluster
        except OSError:
            time.sleep(0.2)
    raise ClusterUnavailable("the test PostgreSQL server does not answer on loopback")


if __name__ == "__main__":
    c = start(Path(sys.argv[1]))
    print(c.url())
