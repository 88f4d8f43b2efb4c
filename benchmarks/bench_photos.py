"""Importing photographs (issue 17): 200 camera-sized JPEGs with EXIF GPS into a workspace,
target under 10 s.

Run:  .venv/bin/python benchmarks/bench_photos.py [--count 200] [--repeat 3] [--size 4000x3000]

Makes one synthetic 4000 × 3000 picture (sky, ground and sensor-like noise, JPEG quality 90:
about 3.7 MB, as a 12-megapixel camera's) and from it ``--count`` files, each with its own
EXIF block (GPS position inside parcel RP-011 of the sample workspace, time, direction,
camera, and the 160 × 120 thumbnail cameras embed) spliced in: the files differ, the picture
data is the same. ``--no-thumbnail`` leaves the embedded thumbnail out, so that every picture
is decoded (at 1/8 scale) to make one. Then, ``--repeat`` times on a fresh copy of the sample
workspace, times wall-clock:

- ``attach()`` in this process (every file read and hashed, its EXIF read, its thumbnail
  taken — all before the workspace is locked —, then read again, its distance to the parcel
  measured, stored byte for byte in one transaction);
- the whole ``landtool photos add WS --parcel RP-011 FILE…`` process, as a user runs it.

Prints the figures and checks that every photo came back byte for byte (sha256). Each run
also prints the CPU time spent (user + system, all threads; of the child process for the
command) and the load average before and after it: the 2 cores are shared, and a run is as
fast as the CPU time over the cores left free — without an embedded thumbnail nearly all of
it is decoding (40–50 ms of CPU a photo on this machine), which threads spread over the cores
but cannot shorten.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from landtool.photos import attach, photo_bytes, photos  # noqa: E402
from landtool.sample_photos import picture, thumbnail_of, with_exif  # noqa: E402
from landtool.sample_workspace import build_sample_workspace  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402


def make_files(folder: Path, count: int, size: tuple[int, int], parcel,
               embed_thumbnail: bool = True) -> list[Path]:
    buf = io.BytesIO()
    im = picture(*size, "benchmark", seed=1, grain=10)
    im.save(buf, "JPEG", quality=90)
    base = buf.getvalue()
    # the 160 × 120 thumbnail a camera writes into the EXIF
    thumb = thumbnail_of(im) if embed_thumbnail else None
    minx, miny, maxx, maxy = parcel.bounds
    files = []
    for k in range(count):
        f = k / max(count - 1, 1)
        lon = minx + (maxx - minx) * (0.3 + 0.4 * f)
        lat = miny + (maxy - miny) * (0.5 + 0.1 * ((k % 7) / 7 - 0.5))
        data = with_exif(base, lon=lon, lat=lat, direction=(k * 37) % 360,
                         taken=datetime(2026, 9, 14, 9, 0) + timedelta(seconds=30 * k),
                         make="Benchmark", model="12 MP", thumbnail=thumb)
        path = folder / f"IMG_{k:04d}.JPG"
        path.write_bytes(data)
        files.append(path)
    return files


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="4000x3000", help="pixels, WIDTHxHEIGHT")
    parser.add_argument("--no-thumbnail", action="store_true",
                        help="files without the camera's embedded thumbnail")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        tmp = Path(tmp)
        sample = build_sample_workspace(tmp / "sample.gpkg")
        parcels = Workspace(sample).read("rehab_parcels")
        parcel = parcels[parcels["parcel_id"] == "RP-011"].geometry.iloc[0]
        (tmp / "in").mkdir()
        files = make_files(tmp / "in", args.count, size, parcel,
                           embed_thumbnail=not args.no_thumbnail)
        total_mb = sum(f.stat().st_size for f in files) / 1e6
        print(f"{len(files)} JPEGs {size[0]}×{size[1]}, {total_mb / len(files):.2f} MB each, "
              f"{total_mb:.0f} MB in all, "
              + ("without" if args.no_thumbnail else "with") + " the camera's thumbnail")
        lib, cli = [], []
        for run in range(args.repeat):
            ws_path = tmp / f"ws{run}.gpkg"
            shutil.copy(sample, ws_path)
            ws = Workspace(ws_path)
            load = os.getloadavg()[0]
            cpu0, start = _cpu(resource.RUSAGE_SELF), time.perf_counter()
            result = attach(ws, files, kind="rehab_parcels", subject_id="RP-011")
            lib.append(time.perf_counter() - start)
            lib_cpu = _cpu(resource.RUSAGE_SELF) - cpu0
            assert len(result.added) == len(files) and not result.failed, result.failed
            for p in photos(ws)[:: max(1, len(files) // 20)]:  # a sample, byte for byte
                assert hashlib.sha256(photo_bytes(ws, p.photo_id)).hexdigest() == p.sha256
            ws_cli = tmp / f"cli{run}.gpkg"
            shutil.copy(sample, ws_cli)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cpu0, start = _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
            done = subprocess.run([str(Path(sys.executable).parent / "landtool"), "photos", "add",
                                   str(ws_cli), "--parcel", "RP-011", *map(str, files)],
                                  env=env, capture_output=True, text=True)
            cli.append(time.perf_counter() - start)
            cli_cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu0
            assert done.returncode == 0, done.stderr
            print(f"run {run + 1}: attach() {lib[-1]:.2f} s (CPU {lib_cpu:.2f} s), "
                  f"`landtool photos add` {cli[-1]:.2f} s (CPU {cli_cpu:.2f} s); workspace "
                  f"{ws_cli.stat().st_size / 1e6:.0f} MB; load average {load:.2f} before, "
                  f"{os.getloadavg()[0]:.2f} after")
            ws_path.unlink()
            ws_cli.unlink()
        print(f"attach(): median {statistics.median(lib):.2f} s, max {max(lib):.2f} s; "
              f"the whole command: median {statistics.median(cli):.2f} s, max {max(cli):.2f} s "
              f"(target < 10 s); {len(files) / statistics.median(cli):.0f} photos a second")


if __name__ == "__main__":
    main()
