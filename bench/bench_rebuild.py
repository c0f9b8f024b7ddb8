"""File size of a database over repeated builds of one input (issue 17).

Usage: python bench/bench_rebuild.py [N] [BUILDS]   (default: 100000 papers, 3 builds)

Writes a corpus of N papers (bench/make_corpus.py, seed 0) under bench/data/ (git-ignored),
then runs ``paperweb build`` BUILDS times on the same database, printing the file size,
wall and CPU seconds of each build, its compaction line and the load average.
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


def main() -> None:
    """Build the same corpus repeatedly and print one line per build."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    builds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    data = HERE / "data" / f"rebuild{n}"
    shutil.rmtree(data, ignore_errors=True)
    write_corpus(n, data / "pages", seed=0, per_file=5000)
    db = data / "db.duckdb"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for build in range(1, builds + 1):
        command = [sys.executable, "-m", "paperweb", "build", str(data / "pages")]
        command += ["--db", str(db), "--out", str(data / "out")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if done.returncode not in (0, 3):
            raise SystemExit(f"build {build} failed:\n{done.stderr}")
        compacted = [line for line in done.stderr.splitlines() if "compacted" in line]
        print(
            f"build {build}: {db.stat().st_size / 2**20:,.1f} MiB, {wall:.1f} s wall, "
            f"{cpu:.1f} s cpu, load {os.getloadavg()[0]:.1f} | "
            f"{compacted[0].strip() if compacted else 'no compaction'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
