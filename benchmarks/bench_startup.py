"""How long the ``landtool`` command takes to start when it needs no geodata (issue 13: at most
0.3 s): ``--help``, ``--version`` and a command's ``--help``.

Run:  .venv/bin/python benchmarks/bench_startup.py [--repeat 10]

Each command runs ``--repeat`` times, each time in a fresh process (the ``landtool`` script beside
this Python, as a user types it); prints the median and the maximum wall-clock time per command
against the target, which every run must meet (exit 1 if one does not).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
LANDTOOL = Path(sys.executable).with_name("landtool")
COMMANDS = (("--help",), ("--version",), ("register", "--help"), ("check", "--help"))


def wall_times(args: tuple[str, ...], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([str(LANDTOOL), *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    repeat = parser.parse_args().repeat
    print(f"{'command':<26} {'median s':>9} {'max s':>7}  target {TARGET_S} s "
          f"({repeat} fresh processes each)")
    failed = False
    for args in COMMANDS:
        times = wall_times(args, repeat)
        median, worst = statistics.median(times), max(times)
        verdict = "ok" if worst <= TARGET_S else "OVER"  # every run, not only the median
        failed |= worst > TARGET_S
        print(f"{'landtool ' + ' '.join(args):<26} {median:>9.3f} {worst:>7.3f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
