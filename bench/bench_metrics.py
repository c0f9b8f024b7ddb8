"""Time the graph build, each metric and the report on a synthetic paper graph.

Usage: python bench/bench_metrics.py [N | DB ...]   (default: 100000)

A number N times a synthetic graph of N papers; a path times a copy of a
database written by ``paperweb build`` (the real pipeline's graph).

The graph is generated directly (seed 0) with the shape the keyword stage gives
real corpora: topics of about 40 papers, ~10 ``similar`` neighbours per paper
(mostly inside the topic, stored once per pair), 5 keywords per paper, a repo
for one paper in five (a few shared, grouped under owners), ``shared_code``
edges between papers of one repo. It is loaded into a fresh DuckDB file under
bench/data/ through ``Store.insert_columns``, then every stage the build runs
after the keyword stage is timed on it. Wall and CPU seconds are both given:
CPU time is the stable number on a busy machine.
"""

from __future__ import annotations

import os
import platform
import random
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import igraph as ig  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from graph import metrics as m  # noqa: E402
from graph.betweenness import igraph_of  # noqa: E402
from graph.network import IndexedGraph, indexed_graph  # noqa: E402
from graph.report import render_markdown, report_data  # noqa: E402
from graph.stages import read_graphs, write_metrics  # noqa: E402
from graph.store import Store, open_store  # noqa: E402
from graph.store.analysis import SQL_GRAPH_EDGES, SQL_GRAPH_NODES  # noqa: E402

TOPIC_SIZE = 40


def synthetic_store(n: int, path: Path, seed: int = 0) -> Store:
    """A fresh database holding a synthetic graph of ``n`` papers."""
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    store = open_store(path)
    papers = [f"p{i:07d}" for i in range(n)]
    topics = max(1, n // TOPIC_SIZE)
    topic_of = [rng.randrange(topics) for _ in papers]
    members: dict[int, list[int]] = {}
    for i, t in enumerate(topic_of):
        members.setdefault(t, []).append(i)
    vocabulary = [f"kw{j}" for j in range(topics * 6)]
    keywords: dict[tuple[str, str], float] = {}
    for i, t in enumerate(topic_of):
        for j in rng.sample(range(6), 4):
            keywords[(papers[i], vocabulary[t * 6 + j])] = rng.random()
        keywords[(papers[i], rng.choice(vocabulary))] = rng.random()
    edges: dict[tuple[str, str, str], tuple[float, str]] = {}
    for i, t in enumerate(topic_of):
        for _ in range(5):
            same = rng.random() < 0.85 and len(members[t]) > 1
            j = rng.choice(members[t]) if same else rng.randrange(n)
            if i != j:
                a, b = sorted((papers[i], papers[j]))
                edges[(a, b, "similar")] = (rng.random(), "shares keywords: kw, kw")
    owners = [f"github.com/o{j}" for j in range(max(1, n // 50))]
    repo_papers: dict[str, list[str]] = {}
    for i in rng.sample(range(n), n // 5):
        owner = rng.choice(owners)
        repo = f"{owner}/r{rng.randrange(3)}"
        repo_papers.setdefault(repo, []).append(papers[i])
        edges[(papers[i], repo, "code")] = (1.0, "links the repository")
        edges[(repo, owner, "owner")] = (1.0, "owned by")
    for repo, linked in repo_papers.items():
        for a_i, a in enumerate(linked):
            for b in linked[a_i + 1 :]:
                x, y = sorted((a, b))
                edges[(x, y, "shared_code")] = (1.0, f"both link {repo}")
    for (paper, keyword), weight in keywords.items():
        edges[(paper, f"keyword:{keyword}", "keyword")] = (weight, f"keyword {keyword}")
    nodes = [(p, "paper", f"Paper {p}") for p in papers]
    nodes += [(r, "repo", r) for r in sorted(repo_papers)]
    nodes += [(o, "owner", o) for o in sorted({r.rsplit("/", 1)[0] for r in repo_papers})]
    nodes += [(f"keyword:{k}", "keyword", k) for k in sorted({k for _, k in keywords})]
    with store.transaction():
        store.insert_columns(
            "papers", {"paper_id": papers, "title": [f"Paper {p}" for p in papers]}
        )
        store.insert_columns(
            "paper_sources",
            {"paper_id": papers, "source": ["synthetic"] * n, "position": list(range(n))},
        )
        store.insert_columns(
            "keywords",
            {
                "paper_id": [p for p, _ in keywords],
                "keyword": [k for _, k in keywords],
                "weight": list(keywords.values()),
            },
        )
        store.insert_columns(
            "nodes",
            {
                "node_id": [x[0] for x in nodes],
                "kind": [x[1] for x in nodes],
                "label": [x[2] for x in nodes],
            },
        )
        store.insert_columns(
            "edges",
            {
                "src": [e[0] for e in edges],
                "dst": [e[1] for e in edges],
                "kind": [e[2] for e in edges],
                "weight": [v[0] for v in edges.values()],
                "evidence": [v[1] for v in edges.values()],
            },
        )
    return store


def power_iteration_eigenvector(
    graph: IndexedGraph, component: np.ndarray, max_iter: int = 1000, tol: float = 1e-9
) -> np.ndarray:
    """The block power iteration the build used before the eigensolver (for comparison)."""
    n = graph.n
    sizes = np.bincount(component)
    x = np.ones(n)
    for _ in range(max_iter):
        last = x
        x = last + graph.adjacency @ last
        x = x / np.sqrt(np.bincount(component, weights=x * x))[component]
        if (np.bincount(component, weights=np.abs(x - last)) < sizes * tol).all():
            break
    values = np.abs(x) * sizes[component] / n
    values[sizes[component] == 1] = 0.0
    return values


def timed(label: str, results: list[tuple[str, float, float]], call: Callable[[], Any]) -> Any:
    """Run ``call``; record its wall and CPU seconds under ``label``."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = call()
    results.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    print(f"  {label}: {results[-1][1]:.2f} s wall, {results[-1][2]:.2f} s cpu", flush=True)
    return value


def bench(n: int) -> None:
    """Time every stage on a synthetic graph of ``n`` papers."""
    path = HERE / "data" / f"metrics{n}" / "db.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = timed("generate + load synthetic graph", [], lambda: synthetic_store(n, path))
    bench_store(store, f"{n:,} synthetic papers")


def bench_database(source: Path) -> None:
    """Time every stage on a copy of a database a real ``paperweb build`` wrote."""
    path = HERE / "data" / "pipeline" / "db.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    store = open_store(path)
    bench_store(store, f"{store.count('papers'):,} papers of {source}")


def bench_store(store: Store, name: str) -> None:
    """Time every stage on ``store`` and print a Markdown table row per stage."""
    results: list[tuple[str, float, float]] = []
    print(f"{name}: {store.count('nodes'):,} nodes, {store.count('edges'):,} edges")
    nodes, edges = timed(
        "read nodes/edges (Arrow)",
        results,
        lambda: (store.query_arrow(SQL_GRAPH_NODES), store.query_arrow(SQL_GRAPH_EDGES)),
    )
    graph, papers = timed(
        "analysis graph + paper projection (arrays)", results, lambda: indexed_graph(nodes, edges)
    )
    print(
        f"analysis graph {graph.n:,} nodes / {len(graph.edges):,} edges; "
        f"paper projection {len(papers.edges):,} edges"
    )
    timed("degree + weighted degree", results, lambda: graph.adjacency.sum(axis=1))
    # The build ranks papers on the paper graph; so does this benchmark.
    timed("pagerank", results, lambda: m.pagerank_array(papers))
    _, how = timed("betweenness", results, lambda: m._betweenness(papers, m.SEED))
    print(f"  betweenness: {how}")
    component = timed("component ids", results, lambda: m._component_numbers(papers))
    values = timed(
        "eigenvector per component (eigsh / batched eigh)",
        results,
        lambda: m.eigenvector_array(papers, component),
    )
    before = timed(
        "eigenvector per component, power iteration (before)",
        results,
        lambda: power_iteration_eigenvector(papers, component),
    )
    print(f"  largest difference to the power iteration: {abs(values - before).max():.2e}")
    timed(
        "igraph eigenvector_centrality (whole graph, for scale)",
        results,
        lambda: igraph_of(papers).eigenvector_centrality(weights=papers.weights.tolist()),
    )
    labels, _ = timed("communities (Leiden)", results, lambda: m._leiden(papers, m.SEED, 1.0))
    timed("participation", results, lambda: m._participation(papers, labels))
    found = int(labels.max()) + 1 if len(labels) else 0
    # The yardstick: the metrics stage against igraph computing the same things
    # on the same paper graph (igraph has no sampled betweenness: the build's own sampled
    # sources, which run in igraph's C core, stand in for it on both sides).
    inputs = read_graphs(store)
    timed(
        "graph_metrics: centralities, components, Leiden (the build's, Leiden in a fork)",
        results,
        lambda: m.graph_metrics(*inputs[:4], is_owner=inputs[4]),
    )

    def igraph_reference() -> None:
        g = igraph_of(papers)
        weights = papers.weights.tolist()
        g.pagerank(weights=weights, damping=0.85)
        g.eigenvector_centrality(weights=weights)
        g.connected_components()
        m._betweenness(papers, m.SEED)
        ig.set_random_number_generator(random.Random(m.SEED))
        g.community_leiden(
            objective_function="modularity", weights=weights, n_iterations=m.LEIDEN_ROUNDS
        )
        ig.set_random_number_generator(random)

    timed(
        "igraph: the same metrics on the same graph, one after another", results, igraph_reference
    )
    store.execute("DELETE FROM metrics")
    store.execute("DELETE FROM communities")
    store.execute("DELETE FROM build_info")
    with store.transaction():
        timed(
            "write_metrics (all of the above + labels + insert)",
            results,
            lambda: write_metrics(store),
        )
    data = timed("report data", results, lambda: report_data(store))
    timed("render markdown", results, lambda: render_markdown(data))
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n| stage ({name}) | wall | cpu |\n|---|---:|---:|")
    for label, wall, cpu in results:
        print(f"| {label} | {wall:.2f} s | {cpu:.2f} s |")
    print(f"\npeak RSS {peak:,.0f} MiB; communities {found:,}")


def main() -> None:
    """Run the benchmark for each size given on the command line."""
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"networkx {nx.__version__}, igraph {ig.__version__}, load {os.getloadavg()[0]:.1f}"
    )
    for arg in sys.argv[1:] or ["100000"]:
        if arg.isdigit():
            bench(int(arg))
        else:
            bench_database(Path(arg))


if __name__ == "__main__":
    main()
