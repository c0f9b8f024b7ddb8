"""Benchmark: the citation stage (references, works, cites, work nodes, coupling, cocited) at N papers.

Usage: python bench/bench_references.py 10000 100000

Each paper cites 30 works: 10 other corpus papers (by OpenAlex W id, uniformly) and 20
outside works drawn from a pool of 2 x N with a Zipf-like skew (a few works cited by
thousands, most by one or two), as OpenAlex works files give them. Set-up (papers built
as rows, stored with ``write_papers``) is untimed; ``write_citations`` runs in the open
transaction as a build runs it. Peak RSS is the process's VmHWM after set-up and after.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from collectors.records import Reference
from graph.papers import PaperRow
from graph.stages import write_citations, write_papers
from graph.store import open_store

IN_CORPUS = 10
OUTSIDE = 20


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rows(n: int, seed: int = 0) -> list[PaperRow]:
    rng = np.random.default_rng(seed)
    pool = 2 * n
    # Zipf-like: work k is drawn with weight 1 / (k + 10)
    weights = 1.0 / (np.arange(pool) + 10.0)
    weights /= weights.sum()
    outside = rng.choice(pool, size=(n, OUTSIDE), p=weights)
    inside = rng.integers(0, n, size=(n, IN_CORPUS))
    rows = []
    for i in range(n):
        refs = [Reference((f"openalex:W{j + 1}",)) for j in inside[i] if j != i]
        refs += [Reference((f"openalex:W{10_000_000 + int(k)}",)) for k in outside[i]]
        rows.append(
            PaperRow(
                paper_id=f"p{i:08d}",
                title=f"Synthetic paper {i}",
                abstract="",
                authors=None,
                published=None,
                published_text=None,
                upvotes=None,
                arxiv_id=None,
                sources=(("bench", i),),
                links=(),
                keywords=(),
                keys=(f"openalex:W{i + 1}",),
                references=tuple(dict.fromkeys(refs)),
            )
        )
    return rows


def main(sizes: list[int]) -> None:
    print(
        "| papers | references | stage wall (CPU) | works | work nodes | coupling | cocited | peak RSS after set-up | after the stage |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        rows = _rows(n)
        with (
            tempfile.TemporaryDirectory() as tmp,
            open_store(Path(tmp) / "b.duckdb") as store,
            store.transaction(),
        ):
            write_papers(store, rows)
            before = _peak_mib()
            wall, cpu = time.perf_counter(), time.process_time()
            write_citations(store, rows)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            after = _peak_mib()
            count = {k: store.count(k) for k in ("references", "works")}
            kinds = dict(store.query("SELECT kind, count(*) FROM edges GROUP BY kind"))
            nodes = store.query("SELECT count(*) FROM nodes WHERE kind = 'work'")[0][0]
        print(
            f"| {n:,} | {count['references']:,} | {wall:.1f} s ({cpu:.1f} s) | {count['works']:,} | "
            f"{nodes:,} | {kinds.get('coupling', 0):,} | {kinds.get('cocited', 0):,} | "
            f"{before:,.0f} MiB | {after:,.0f} MiB |",
            flush=True,
        )
        del rows


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000])
