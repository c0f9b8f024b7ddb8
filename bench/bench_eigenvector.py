"""Eigenvector centrality on the paper graph of built databases: the eigensolver against the
power iteration it replaced and igraph's ARPACK call (issue 17).

Usage: python bench/bench_eigenvector.py DB [DB ...]

Each database is copied, its paper graph read as the metrics stage reads it, and the three
computations timed back to back (CPU seconds are the stable number on a shared machine).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from bench_metrics import power_iteration_eigenvector  # noqa: E402

from graph import metrics as m  # noqa: E402
from graph.betweenness import igraph_of  # noqa: E402
from graph.network import indexed_graph  # noqa: E402
from graph.store import open_store  # noqa: E402
from graph.store.analysis import SQL_GRAPH_EDGES, SQL_GRAPH_NODES  # noqa: E402


def bench_one(source: Path) -> None:
    """Time the three computations on the paper graph of ``source``."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "db.duckdb"
        shutil.copyfile(source, copy)
        with open_store(copy, read_only=True) as store:
            nodes, edges = (
                store.query_arrow(SQL_GRAPH_NODES),
                store.query_arrow(SQL_GRAPH_EDGES),
            )
    _, papers = indexed_graph(nodes, edges)
    component = m._component_numbers(papers)
    sizes = np.bincount(component)
    runs = {
        "eigensolver (this branch)": lambda: m.eigenvector_array(papers, component),
        "power iteration (before)": lambda: power_iteration_eigenvector(papers, component),
        "igraph eigenvector_centrality": lambda: np.asarray(
            igraph_of(papers).eigenvector_centrality(weights=papers.weights.tolist())
        ),
    }
    for name, run in runs.items():
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"| {source.parent.name} | {papers.n:,} | {len(sizes):,} ({(sizes > 64).sum()}) "
            f"| {sizes.max():,} | {name} | {wall:.2f} s | {cpu:.2f} s "
            f"| {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def main() -> None:
    """Print one table row per computation and database."""
    print("| graph | papers | components (>64 nodes) | largest | computation | wall | cpu | load |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for source in map(Path, sys.argv[1:]):
        bench_one(source)


if __name__ == "__main__":
    main()
