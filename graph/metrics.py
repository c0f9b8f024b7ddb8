"""Centrality, components and communities of the paper graph.

The graphs come from :mod:`graph.network`, as the arrays of
:class:`~graph.network.IndexedGraph` (the NetworkX graphs described there,
numbered in sorted id order). Degree, PageRank, betweenness, eigenvector and
component ids are computed on the analysis graph (papers, repos, owners,
pages; keyword nodes only get a degree); communities and participation on the
paper projection. PageRank, eigenvector centrality, components and
participation are SciPy sparse computations that follow NetworkX's
definitions; betweenness (sampled sources) and Louvain run in igraph's C core,
which takes seconds where NetworkX took a minute at 100k papers. Every public
function also accepts an ``nx.Graph``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import igraph as ig
import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.betweenness import igraph_of, sampled_betweenness
from graph.network import IndexedGraph, edge_table, indexed_graph, node_table

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "MetricResult",
    "betweenness",
    "communities",
    "component_ids",
    "compute_metrics",
    "eigenvector_by_component",
    "label_communities",
    "pagerank",
    "participation",
]

#: graphs with more nodes than this get betweenness from sampled sources
EXACT_BETWEENNESS_LIMIT = 3000
#: work budget (sources x (nodes + edges)) of sampled betweenness: 50 sources for a 100k-paper build
BETWEENNESS_BUDGET = 40_000_000
#: fewest sources a sampled estimate uses, however large the graph
MIN_SOURCES = 32
SEED = 42
#: a community of at least this many papers whose best label keyword is in fewer than
#: this share of them is labelled "mixed: ..."
MIXED_MIN_SIZE = 10
MIXED_SHARE = 0.1

#: what the public functions accept: a NetworkX graph or its array form
Graph: TypeAlias = "nx.Graph | IndexedGraph"


def _indexed(graph: Graph) -> IndexedGraph:
    return graph if isinstance(graph, IndexedGraph) else IndexedGraph.from_networkx(graph)


@dataclass(slots=True)
class MetricResult:
    """Per-node metric values and notes on how they were computed.

    ``columns`` maps a metric to its node ids (ascending) and their values;
    :attr:`values` gives the same as dicts.
    """

    columns: dict[str, tuple[pa.Array, np.ndarray]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    #: community id -> paper ids, largest first
    members: dict[int, list[str]] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, dict[str, float]]:
        """Metric -> node id -> value."""
        return {
            metric: dict(zip(ids.to_pylist(), values.tolist(), strict=True))
            for metric, (ids, values) in self.columns.items()
        }

    def rows(self) -> pa.Table:
        """The metrics table (``node_id, metric, value``), sorted by metric then node."""
        ordered = sorted(self.columns)
        ids = [self.columns[m][0] for m in ordered]
        # Twelve decimals: beyond them float summation order is noise, not signal.
        values = [np.round(self.columns[m][1].astype(np.float64), 12) for m in ordered]
        return pa.table(
            {
                "node_id": pa.chunked_array(ids, pa.string()),
                "metric": pa.chunked_array(
                    [
                        pa.array([m] * len(i), pa.string())
                        for m, i in zip(ordered, ids, strict=True)
                    ],
                    pa.string(),
                ),
                "value": pa.chunked_array([pa.array(v) for v in values], pa.float64()),
            }
        )


def _component_numbers(graph: IndexedGraph) -> np.ndarray:
    """Component number per node: 0 is the largest, ties broken by the smallest node id."""
    if graph.n == 0:
        return np.zeros(0, dtype=np.int64)
    _, labels = connected_components(graph.adjacency, directed=False)
    return _largest_first(labels)


def _largest_first(labels: np.ndarray) -> np.ndarray:
    """Renumber groups (a label per node) so that 0 is the largest; ties by smallest node number."""
    n = len(labels)
    sizes = np.bincount(labels)
    first = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    order = np.lexsort((first, -sizes))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels]


def component_ids(graph: Graph) -> dict[str, int]:
    """Connected component number of every node: 0 is the largest; ties by smallest node id.

    >>> sorted(component_ids(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])).items())
    [('a', 1), ('b', 1), ('c', 0), ('d', 0), ('e', 0)]
    """
    indexed = _indexed(graph)
    return dict(zip(indexed.nodes, _component_numbers(indexed).tolist(), strict=True))


def _betweenness(graph: IndexedGraph, seed: int) -> tuple[np.ndarray, str]:
    n, m = graph.n, len(graph.edges)
    if n <= EXACT_BETWEENNESS_LIMIT:
        return sampled_betweenness(graph), "exact"
    k = max(MIN_SOURCES, min(n, BETWEENNESS_BUDGET // max(n + m, 1)))
    return sampled_betweenness(graph, k=k, seed=seed), (
        f"estimated from {k} of {n:,} source nodes drawn with seed {seed} "
        "(hop-count shortest paths, igraph, scaled as NetworkX scales sampled betweenness)"
    )


def betweenness(graph: Graph, seed: int = SEED) -> tuple[dict[str, float], str]:
    """Normalised betweenness: exact on small graphs, from a seeded sample of sources on large ones.

    The number of sampled sources follows a fixed work budget (sources x
    (nodes + edges)), so the cost stays flat as the corpus grows.

    >>> values, how = betweenness(nx.path_graph(["a", "b", "c"]))
    >>> round(values["b"], 6), how
    (1.0, 'exact')
    """
    indexed = _indexed(graph)
    values, how = _betweenness(indexed, seed)
    return dict(zip(indexed.nodes, values.tolist(), strict=True)), how


def _pagerank(
    graph: IndexedGraph, alpha: float = 0.85, max_iter: int = 100, tol: float = 1e-6
) -> np.ndarray:
    """Weighted PageRank as ``nx.pagerank`` computes it (uniform teleport, dangling mass spread evenly)."""
    n = graph.n
    if n == 0:
        return np.zeros(0)
    out = np.asarray(graph.adjacency.sum(axis=1)).ravel()
    inverse = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    # Row-stochastic transition matrix; x @ M spreads each node's rank over its edges by weight.
    transition = sp.csr_array(sp.diags_array(inverse) @ graph.adjacency)
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (last @ transition + last[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - last).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def pagerank(graph: Graph) -> dict[str, float]:
    """Weighted PageRank (damping 0.85), the values ``nx.pagerank(graph, weight="weight")`` gives.

    >>> values = pagerank(nx.path_graph(["a", "b", "c"]))
    >>> values["b"] > values["a"]
    True
    """
    indexed = _indexed(graph)
    return dict(zip(indexed.nodes, _pagerank(indexed).tolist(), strict=True))


def _eigenvector(
    graph: IndexedGraph, component: np.ndarray, max_iter: int = 1000, tol: float = 1e-9
) -> np.ndarray:
    n = graph.n
    if n == 0:
        return np.zeros(0)
    sizes = np.bincount(component)
    adjacency = graph.adjacency
    x = np.ones(n)
    for _ in range(max_iter):
        last = x
        x = last + adjacency @ last
        x = x / np.sqrt(np.bincount(component, weights=x * x))[component]
        error = np.bincount(component, weights=np.abs(x - last))
        if (error < sizes * tol).all():
            break
    values = np.abs(x) * sizes[component] / n
    values[sizes[component] == 1] = 0.0
    return values


def eigenvector_by_component(
    graph: Graph, max_iter: int = 1000, tol: float = 1e-9
) -> dict[str, float]:
    """Eigenvector centrality computed per connected component, so disconnected graphs work.

    The power iteration NetworkX uses (start from all ones, ``x + A x``, unit
    length) runs for all components at once as SciPy sparse products, each
    component normalised on its own; deterministic, unlike ARPACK's random
    start. A component that has not converged after ``max_iter`` rounds keeps
    its last iterate rather than failing the build. Values are scaled by the
    component's share of nodes, which keeps a small component's members from
    ranking alongside the centre of the largest one; isolated nodes get 0.

    >>> values = eigenvector_by_component(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")]))
    >>> values["d"] > values["c"] > 0
    True
    """
    indexed = _indexed(graph)
    values = _eigenvector(indexed, _component_numbers(indexed), max_iter, tol)
    return dict(zip(indexed.nodes, values.tolist(), strict=True))


def _louvain(papers: IndexedGraph, seed: int) -> np.ndarray:
    """Community number per paper: Louvain (igraph multilevel), numbered largest first, ties by smallest id."""
    if papers.n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = igraph_of(papers)
    # igraph draws from the RNG installed with set_random_number_generator (Python's
    # `random` module by default): a private generator seeded here makes the run repeatable
    # without touching the global one.
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = graph.community_multilevel(weights=papers.weights.tolist())
    finally:
        ig.set_random_number_generator(random)
    return _largest_first(np.asarray(found.membership, dtype=np.int64))


def communities(papers: Graph, seed: int = SEED) -> dict[int, list[str]]:
    """Louvain communities of the paper projection, numbered largest first (ties: smallest id).

    >>> communities(nx.Graph([("a", "b"), ("c", "d")]))
    {0: ['a', 'b'], 1: ['c', 'd']}
    """
    indexed = _indexed(papers)
    labels = _louvain(indexed, seed)
    members: dict[int, list[str]] = {}
    for node, label in zip(indexed.nodes, labels.tolist(), strict=True):
        members.setdefault(label, []).append(node)
    return dict(sorted(members.items()))


def _participation(papers: IndexedGraph, labels: np.ndarray) -> np.ndarray:
    n = papers.n
    if n == 0:
        return np.zeros(0)
    coo = papers.adjacency.tocoo()
    # Edge weight of each paper per community of its neighbours (COO -> CSR sums duplicates).
    spread = sp.csr_array((coo.data, (coo.row, labels[coo.col])), shape=(n, int(labels.max()) + 1))
    total = np.asarray(spread.sum(axis=1)).ravel()
    squares = np.asarray(spread.multiply(spread).sum(axis=1)).ravel()
    safe = np.where(total != 0, total, 1.0)
    return np.where(total != 0, 1.0 - squares / (safe * safe), 0.0)


def participation(papers: Graph, community_of: dict[str, int]) -> dict[str, float]:
    """Participation coefficient: 0 when all of a paper's edge weight stays in its community, towards 1 when spread.

    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> participation(g, {"a": 0, "b": 0, "c": 1})["b"]
    0.5
    """
    indexed = _indexed(papers)
    labels = np.array([community_of[node] for node in indexed.nodes], dtype=np.int64)
    values = _participation(indexed, labels)
    return dict(zip(indexed.nodes, values.tolist(), strict=True))


def _keyword_degree(nodes: pa.Table, edges: pa.Table) -> tuple[pa.Array, np.ndarray]:
    """Keyword node ids (ascending) and how many ``keyword`` edges point at each."""
    keywords = nodes.filter(pc.equal(nodes["kind"], "keyword"))["node_id"].combine_chunks()
    keywords = keywords.take(pc.sort_indices(keywords))
    targets = edges.filter(pc.equal(edges["kind"], "keyword"))["dst"]
    position = pc.index_in(targets, value_set=keywords).drop_null()
    counts = np.bincount(np.asarray(position.to_numpy(), dtype=np.int64), minlength=len(keywords))
    return keywords, counts.astype(np.float64)


def compute_metrics(
    nodes: Sequence[tuple[str, str]] | pa.Table,
    edges: Sequence[tuple[str, str, str, float]] | pa.Table,
    seed: int = SEED,
) -> MetricResult:
    """Every stored metric for ``(id, kind)`` nodes and ``(src, dst, kind, weight)`` edges (rows or Arrow tables)."""
    node_rows, edge_rows = node_table(nodes), edge_table(edges)
    graph, papers = indexed_graph(node_rows, edge_rows)
    keyword_ids, keyword_degree = _keyword_degree(node_rows, edge_rows)
    del node_rows, edge_rows
    return graph_metrics(graph, papers, keyword_ids, keyword_degree, seed)


def graph_metrics(
    graph: IndexedGraph,
    papers: IndexedGraph,
    keyword_ids: pa.Array,
    keyword_degree: np.ndarray,
    seed: int = SEED,
) -> MetricResult:
    """Every stored metric from the built graphs (see :func:`compute_metrics`), plus the
    keyword nodes (ids ascending) with their number of ``keyword`` edges."""
    ids, paper_ids = pa.array(graph.nodes, pa.string()), pa.array(papers.nodes, pa.string())
    result = MetricResult()
    degree = np.diff(graph.adjacency.indptr).astype(np.float64)
    all_ids = pa.concat_arrays([ids, keyword_ids])
    order = pc.sort_indices(all_ids)
    result.columns["degree"] = (
        all_ids.take(order),
        np.concatenate([degree, keyword_degree])[np.asarray(order.to_numpy())],
    )
    weighted = np.asarray(graph.adjacency.sum(axis=1), dtype=np.float64).ravel()
    result.columns["weighted_degree"] = (ids, weighted)
    result.columns["pagerank"] = (ids, _pagerank(graph))
    between, result.notes["betweenness"] = _betweenness(graph, seed)
    result.columns["betweenness"] = (ids, between)
    component = _component_numbers(graph)
    result.columns["eigenvector"] = (ids, _eigenvector(graph, component))
    result.columns["component"] = (ids, component.astype(np.float64))
    labels = _louvain(papers, seed)
    result.columns["community"] = (paper_ids, labels.astype(np.float64))
    result.columns["participation"] = (paper_ids, _participation(papers, labels))
    members: dict[int, list[str]] = {}
    for paper, label in zip(papers.nodes, labels.tolist(), strict=True):
        members.setdefault(label, []).append(paper)
    result.members = dict(sorted(members.items()))
    result.notes["pagerank"] = (
        "PageRank (weighted, damping 0.85) on papers, repos, owners and pages"
    )
    result.notes["community"] = f"Louvain (igraph multilevel, seed {seed}) on the paper projection"
    return result


def community_labels(
    members: dict[int, list[str]],
    keywords_by_paper: dict[str, list[str]],
    total_papers: int,
    top: int = 3,
) -> dict[int, tuple[str, list[str]]]:
    """A label for each community from the keywords most over-represented in it.

    Score of a keyword: its share of the community's papers times the log of how
    much more common it is there than in the corpus. Communities without shared
    keywords are labelled by their size only.

    >>> labels = community_labels({0: ["a", "b"], 1: ["c"]}, {"a": ["koopman"], "b": ["koopman"], "c": ["x"]}, 3)
    >>> labels[0]
    ('koopman', ['koopman'])
    """
    corpus: Counter[str] = Counter()
    for words in keywords_by_paper.values():
        corpus.update(set(words))
    counts = []
    for index, papers in members.items():
        inside: Counter[str] = Counter()
        for paper in papers:
            inside.update(set(keywords_by_paper.get(paper, ())))
        counts += [(index, word, count, corpus[word]) for word, count in inside.items()]
    sizes = {index: len(papers) for index, papers in members.items()}
    return label_communities(sizes, counts, total_papers, top)


def label_communities(
    sizes: dict[int, int],
    counts: Iterable[tuple[int, str, int, int]],
    total_papers: int,
    top: int = 3,
) -> dict[int, tuple[str, list[str]]]:
    """:func:`community_labels` from counts: community size, and per ``(community, keyword)``
    how many of its papers and of the corpus' papers have the keyword.

    The build counts in the database and passes the counts here.

    >>> label_communities({0: 2, 1: 1}, [(0, "koopman", 2, 2), (1, "x", 1, 1)], 3)[0]
    ('koopman', ['koopman'])
    """
    scored: dict[int, list[tuple[float, str, int]]] = {index: [] for index in sizes}
    for index, word, count, corpus in counts:
        size = sizes[index]
        if count >= 2 or size == 1:
            share = count / size
            lift = share / (corpus / max(total_papers, 1))
            scored[index].append((share * math.log(1.0 + lift), word, count))
    labels = {}
    for index, size in sizes.items():
        best = sorted(scored[index], key=lambda item: (-item[0], item[1]))[:top]
        chosen = [word for _, word, _ in best]
        if not chosen:
            text = f"{size} paper(s) without shared keywords"
        elif size >= MIXED_MIN_SIZE and max(count for *_, count in best) < MIXED_SHARE * size:
            # No keyword reaches a tenth of the papers: the community is held together by
            # many small overlaps, and its label should not pretend otherwise.
            text = "mixed: " + ", ".join(chosen)
        else:
            text = ", ".join(chosen)
        labels[index] = (text, chosen)
    return labels
