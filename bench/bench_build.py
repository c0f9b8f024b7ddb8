"""Time `paperweb build` on synthetic corpora and report wall time and peak memory.

Usage: python bench/bench_build.py [N ...]   (default: 10000 100000)

Each size gets a fresh corpus (bench/make_corpus.py, seed 0) and a fresh database
under bench/data/ (git-ignored); the build runs in a child process so that its peak
RSS can be read from the operating system.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import write_corpus  # noqa: E402


def run_build(n: int, extra: list[str]) -> tuple[float, float, str]:
    """Build a fresh corpus of ``n`` papers; return (seconds, peak RSS MiB, last stderr line)."""
    data = HERE / "data" / f"n{n}"
    shutil.rmtree(data, ignore_errors=True)
    write_corpus(n, data / "pages", seed=0, per_file=5000)
    command = [
        sys.executable,
        "-m",
        "paperweb",
        "build",
        str(data / "pages"),
        "--db",
        str(data / "db.duckdb"),
        "--out",
        str(data / "out"),
        *extra,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    # ru_maxrss of children is the largest child so far; sizes run in increasing order.
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 3):
        raise SystemExit(f"build of {n} papers failed:\n{done.stderr}")
    return seconds, peak_mib, done.stderr.strip().splitlines()[-1]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [10_000, 100_000]
    extra = [a for a in sys.argv[1:] if not a.isdigit()]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for n in sizes:
        seconds, peak, last = run_build(n, extra)
        print(f"{n:>8,} papers: {seconds:6.1f} s wall, peak RSS {peak:,.0f} MiB  | {last}")


if __name__ == "__main__":
    main()
