"""Time the keyword and paper-paper edge stages of the build on synthetic corpora.

Usage: python bench/bench_keywords.py [N ...] [--k 10]   (default: 10000 100000)

Each size runs in a child process (so that peak RSS is its own): papers are generated
by bench/make_corpus.py (seed 0), parsed, merged and loaded into a fresh DuckDB file
(untimed set-up), then ``write_paper_edges`` runs end to end as in a build (keywords,
keyword nodes and edges, ``similar`` and ``shared_code`` edges, all stored) and the peak
RSS is read; then its parts are timed on their own: reading the texts, keyword
extraction, keyword edges, ``similar`` edges and ``shared_code`` edges.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(HERE.parent))

from make_corpus import write_corpus  # noqa: E402


def _peak_mib() -> int:
    """The process's peak resident set so far (VmHWM), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_stages(n: int, k: int) -> None:
    """Build the set-up for ``n`` papers, then time each keyword/edge stage (child side)."""
    from collectors.corpus import read_inputs
    from graph import stages
    from graph.keywords import KeywordOptions, extract_keywords
    from graph.papers import merge_papers
    from graph.similarity import keyword_edge_columns, shared_code_edges, similar_edge_columns
    from graph.store import open_store, release_memory, tune_allocator
    from graph.store.papers import code_links, given_keywords, paper_texts

    tune_allocator()  # as ``build`` does
    data = HERE / "data" / f"kw{n}"
    shutil.rmtree(data, ignore_errors=True)
    write_corpus(n, data / "pages", seed=0, per_file=5000)
    occurrences, _, _ = read_inputs([data / "pages"])
    rows = merge_papers(occurrences)
    del occurrences
    timings: list[tuple[str, float, float]] = []
    cpu = [time.process_time()]

    def timed(name: str, start: float) -> float:
        # CPU seconds next to wall seconds: on a shared machine wall time includes waiting.
        now, now_cpu = time.perf_counter(), time.process_time()
        timings.append((name, now - start, now_cpu - cpu[0]))
        cpu[0] = now_cpu
        return now

    with open_store(data / "db.duckdb") as store, store.transaction():
        store.clear()
        stages.write_papers(store, rows)
        papers_count = len(rows)
        del rows  # as ``build`` does: later stages read the database
        release_memory()
        setup_peak = _peak_mib()
        # The real stage end to end first (it also stores keywords, nodes and edges), so
        # that the peak RSS below is the set-up's and this stage's, as in a build.
        start, cpu[0] = time.perf_counter(), time.process_time()
        stages.write_paper_edges(store, k=k)
        timed("write_paper_edges (all, stored)", start)
        stage_peak = _peak_mib()
        # Then its parts on their own (results held, so no peak is read from here on).
        start, cpu[0] = time.perf_counter(), time.process_time()
        papers = paper_texts(store)
        given = given_keywords(store)
        start = timed("read texts", start)
        table = extract_keywords(papers, KeywordOptions(), given)
        start = timed("extract keywords", start)
        keyword_edges = keyword_edge_columns(table)
        start = timed("keyword edges (columns)", start)
        similar = similar_edge_columns(table, k)
        start = timed("similar edges (columns)", start)
        shared = shared_code_edges(code_links(store))
        start = timed("shared_code edges", start)
    print(
        f"{papers_count:,} papers: {len(table.linkable):,} linking keywords (= keyword nodes), "
        f"{len(keyword_edges['src']):,} keyword edges, "
        f"{len(similar['src']):,} similar (<= {k * papers_count:,}), {len(shared):,} shared_code"
    )
    print(f"  {'stage':<34} {'wall':>8} {'cpu':>8}")
    for name, seconds, cpu_seconds in timings:
        print(f"  {name:<34} {seconds:6.2f} s {cpu_seconds:6.2f} s")
    print(f"  load average after the run: {os.getloadavg()[0]:.1f}")
    print(f"  peak RSS after set-up (parse, merge, load) {setup_peak:6,} MiB")
    print(f"  peak RSS after write_paper_edges           {stage_peak:6,} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_stages(args.sizes[0], args.k)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for n in args.sizes:
        command = [sys.executable, __file__, str(n), "--k", str(args.k), "--child"]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
