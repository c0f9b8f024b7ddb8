"""Time `paperweb build` on synthetic corpora: wall time, peak memory, and CPU per stage.

Usage: python bench/bench_build.py [N ...] [--code DIR] [--keep-corpus] [build options]
(default sizes: 10000 100000)

Each size gets a corpus (bench/make_corpus.py, seed 0; ``--keep-corpus`` reuses the one
already written for that size, so two builds compare on the same files) and a fresh
database under bench/data/ (git-ignored); the build runs in a child process so that its
peak RSS can be read from the operating system. ``--code DIR`` runs the build from
another checkout of paperweb (say ``git archive main | tar -x -C DIR``), for before/after
comparisons back to back.

The code's modules are compiled to bytecode first, as installing a package does: with
PYTHONDONTWRITEBYTECODE set (as on some machines) every build would otherwise compile
paperweb's own modules again, 0.4 s of a 10k build, which no installed copy pays.

Every stage line the build prints is shown with the CPU seconds the build process and
its finished worker processes spent up to it (``/proc/PID/stat``: utime + stime +
cutime + cstime): a stage whose CPU exceeds its wall time kept more than one core busy.
"""

from __future__ import annotations

import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import write_corpus  # noqa: E402

# Runs ``python -m paperweb`` from the checkout named by $PAPERWEB_CODE: the editable
# install's import hook would otherwise find this worktree's packages first.
_BOOT = (
    "import os, runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, os.environ['PAPERWEB_CODE']); "
    "runpy.run_module('paperweb', run_name='__main__')"
)
_STAGE_SECONDS = re.compile(r"\((\d+\.\d) s(?:, [\d,]+ papers/s)?\)$")


def _cpu_seconds(pid: int) -> float:
    """CPU time of a running process and its reaped children, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    # fields[0] is the state (field 3): utime, stime, cutime, cstime are fields 14-17.
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def compile_code(code: str | None) -> None:
    """Bytecode for the packages of ``code`` (default: this checkout), where Python finds it."""
    root = Path(code) if code else HERE.parent
    folders = [str(root / name) for name in ("collectors", "graph", "viz", "paperweb")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders], check=True, stdout=subprocess.DEVNULL
    )


def run_build(
    n: int, extra: list[str], code: str | None, keep: bool
) -> tuple[float, float, float, float, list[str]]:
    """Build the corpus of ``n`` papers; (seconds, peak RSS MiB, CPU seconds, of them in the
    kernel, stage lines)."""
    data = HERE / "data" / f"n{n}"
    pages = data / "pages"
    done = data / "pages.done"
    if not (keep and done.exists()):
        shutil.rmtree(data, ignore_errors=True)
        write_corpus(n, pages, seed=0, per_file=5000)
        done.write_text("seed 0, 5000 per file\n")
    shutil.rmtree(data / "out", ignore_errors=True)
    for old in data.glob("db.duckdb*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    prefix = [sys.executable, "-m", "paperweb"] if code is None else [sys.executable, "-c", _BOOT]
    command = [
        *prefix,
        "build",
        str(pages),
        "--db",
        str(data / "db.duckdb"),
        "--out",
        str(data / "out"),
        *extra,
    ]
    env = dict(os.environ, **({"PAPERWEB_CODE": code} if code else {}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stderr is not None
    lines: list[str] = []
    spent = 0.0
    for line in child.stderr:
        line = line.rstrip("\n")
        cpu = _cpu_seconds(child.pid)
        found = _STAGE_SECONDS.search(line)
        if found:
            lines.append(f"{line}  [cpu {cpu - spent:.1f} s]")
            spent = cpu
        else:
            lines.append(line)
    code_exit = child.wait()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the largest child so far; sizes run in increasing order.
    peak_mib = after.ru_maxrss / 1024
    cpu_total = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    system = after.ru_stime - before.ru_stime
    if code_exit not in (0, 3):
        raise SystemExit(f"build of {n} papers failed:\n" + "\n".join(lines))
    return seconds, peak_mib, cpu_total, system, lines


def machine_speed() -> str:
    """Seconds three fixed workloads take here, best of three: Python (dicts and strings),
    NumPy (sorting) and DuckDB (a GROUP BY on all cores).

    Build times from different machines compare only through these: the same code
    took 37 s at 100k papers on one machine of this kind and 68 s on another.
    """
    import duckdb
    import numpy as np

    def python_work() -> None:
        counts: dict[str, int] = {}
        for i in range(1_500_000):
            word = f"w{i % 50_000}"
            counts[word] = counts.get(word, 0) + len(word.upper())

    values = np.random.default_rng(0).random(5_000_000)
    con = duckdb.connect()

    def duckdb_work() -> None:
        con.execute(
            "SELECT i % 100000 AS k, count(*), sum(i) FROM range(20000000) t(i) GROUP BY k"
        ).fetchall()

    def best(work: Any) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return min(times)

    found = (best(python_work), best(lambda: np.sort(values)), best(duckdb_work))
    con.close()
    return "machine speed (s, lower is faster): python {:.2f}, numpy {:.2f}, duckdb {:.2f}".format(
        *found
    )


def main() -> None:
    args = sys.argv[1:]
    code = None
    if "--code" in args:
        at = args.index("--code")
        code = str(Path(args[at + 1]).resolve())
        del args[at : at + 2]
    keep = "--keep-corpus" in args
    args = [a for a in args if a != "--keep-corpus"]
    sizes = [int(a) for a in args if a.isdigit()] or [10_000, 100_000]
    extra = [a for a in args if not a.isdigit()]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"code: {code or 'this checkout'}"
    )
    print(machine_speed())
    compile_code(code)
    for n in sizes:
        seconds, peak, cpu, system, lines = run_build(n, extra, code, keep)
        load = os.getloadavg()[0]
        print(
            f"{n:>8,} papers: {seconds:6.1f} s wall, {cpu:6.1f} s CPU ({system:.1f} s in the kernel), "
            f"peak RSS {peak:,.0f} MiB, "
            f"load average {load:.1f}"
        )
        for line in lines:
            print(f"    {line}")


if __name__ == "__main__":
    main()
