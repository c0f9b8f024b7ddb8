"""Time the keyword and paper-paper edge stages of the build on synthetic corpora.

Usage: python bench/bench_keywords.py [N ...] [--k 10]   (default: 10000 100000)

Each size runs in a child process (so that peak RSS is its own): papers are generated
in memory by bench/make_corpus.py (seed 0), parsed, merged and loaded into a fresh
DuckDB file (untimed set-up), then each stage of ``write_paper_edges`` is timed on its
own: keyword extraction, the keyword layer, ``similar`` edges, ``shared_code`` edges and
the bulk insert. Prints seconds per stage and the child's peak RSS.
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


def run_stages(n: int, k: int) -> None:
    """Build the set-up for ``n`` papers, then time each keyword/edge stage (child side)."""
    from graph import pipeline
    from graph.keywords import KeywordOptions, extract_keywords
    from graph.papers import merge_papers
    from graph.similarity import keyword_layer, shared_code_edges, similar_edges
    from graph.store import open_store, tune_allocator

    tune_allocator()  # as ``build`` does

    data = HERE / "data" / f"kw{n}"
    shutil.rmtree(data, ignore_errors=True)
    write_corpus(n, data / "pages", seed=0, per_file=5000)
    occurrences, _, _ = pipeline.read_inputs([data / "pages"])
    rows = merge_papers(occurrences)
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
        pipeline.write_papers(store, rows)
        start, cpu[0] = time.perf_counter(), time.process_time()
        papers = store.query(pipeline.SQL_PAPER_TEXTS)
        given = store.query(pipeline.SQL_GIVEN_KEYWORDS)
        start = timed("read texts", start)
        table = extract_keywords(papers, KeywordOptions(), given)
        start = timed("extract keywords", start)
        nodes, keyword_edges = keyword_layer(table)
        start = timed("keyword layer", start)
        similar = similar_edges(table, k)
        start = timed("similar edges", start)
        shared = shared_code_edges(store.query(pipeline.SQL_CODE_LINKS))
        start = timed("shared_code edges", start)
        # The real stage end to end (it also stores keywords, nodes and edges).
        store.clear()
        pipeline.write_papers(store, rows)
        start, cpu[0] = time.perf_counter(), time.process_time()
        pipeline.write_paper_edges(store, pipeline.BuildOptions(k=k))
        timed("write_paper_edges (all, stored)", start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(rows):,} papers: {len(table.linkable):,} linking keywords, "
        f"{len(nodes):,} keyword nodes, {len(keyword_edges):,} keyword edges, "
        f"{len(similar):,} similar (<= {k * len(rows):,}), {len(shared):,} shared_code"
    )
    print(f"  {'stage':<34} {'wall':>8} {'cpu':>8}")
    for name, seconds, cpu_seconds in timings:
        print(f"  {name:<34} {seconds:6.2f} s {cpu_seconds:6.2f} s")
    print(f"  load average after the run: {os.getloadavg()[0]:.1f}")
    print(f"  peak RSS (whole child)             {peak:6.0f} MiB")


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
