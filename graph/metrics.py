"""Centrality, components and communities of the paper graph, computed with NetworkX.

The graphs come from :mod:`graph.network`. Degree, PageRank, betweenness,
eigenvector and component ids are computed on the analysis graph (papers,
repos, owners, pages; keyword nodes only get a degree); communities and
participation on the paper projection.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from graph.betweenness import betweenness_from_sources
from graph.network import analysis_graph, paper_projection

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "MetricResult",
    "betweenness",
    "communities",
    "component_ids",
    "compute_metrics",
    "eigenvector_by_component",
    "participation",
]

#: graphs with more nodes than this get betweenness from sampled sources
EXACT_BETWEENNESS_LIMIT = 3000
#: work budget (sources x (nodes + edges)) of sampled betweenness: ~64 sources at 100k papers
BETWEENNESS_BUDGET = 40_000_000
#: fewest sources a sampled estimate uses, however large the graph
MIN_SOURCES = 32
SEED = 42
#: a community of at least this many papers whose best label keyword is in fewer than
#: this share of them is labelled "mixed: ..."
MIXED_MIN_SIZE = 10
MIXED_SHARE = 0.1


@dataclass(slots=True)
class MetricResult:
    """Per-node metric values and notes on how they were computed."""

    values: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    #: community id -> paper ids, largest first
    members: dict[int, list[str]] = field(default_factory=dict)

    def rows(self) -> tuple[list[str], list[str], list[float]]:
        """Columns for the metrics table, sorted by metric then node."""
        nodes, metrics, values = [], [], []
        for metric in sorted(self.values):
            for node, value in sorted(self.values[metric].items()):
                nodes.append(node)
                metrics.append(metric)
                # Twelve decimals: beyond them float summation order is noise, not signal.
                values.append(round(value, 12))
        return nodes, metrics, values


def component_ids(graph: nx.Graph) -> dict[str, int]:
    """Connected component number of every node: 0 is the largest; ties by smallest node id.

    >>> component_ids(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")]))
    {'c': 0, 'd': 0, 'e': 0, 'a': 1, 'b': 1}
    """
    parts = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    return {node: index for index, part in enumerate(parts) for node in part}


def betweenness(graph: nx.Graph, seed: int = SEED) -> tuple[dict[str, float], str]:
    """Normalised betweenness: exact on small graphs, from a seeded sample of sources on large ones.

    The number of sampled sources follows a fixed work budget (sources x
    (nodes + edges)), so the cost stays flat as the corpus grows.

    >>> values, how = betweenness(nx.path_graph(["a", "b", "c"]))
    >>> round(values["b"], 6), how
    (1.0, 'exact')
    """
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    if n <= EXACT_BETWEENNESS_LIMIT:
        return betweenness_from_sources(graph), "exact"
    k = max(MIN_SOURCES, min(n, BETWEENNESS_BUDGET // max(n + m, 1)))
    values = betweenness_from_sources(graph, k=k, seed=seed)
    return values, (
        f"estimated from {k} of {n:,} source nodes drawn with seed {seed} "
        "(hop-count shortest paths, scaled as NetworkX scales sampled betweenness)"
    )


def eigenvector_by_component(
    graph: nx.Graph, max_iter: int = 1000, tol: float = 1e-9
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
    nodes = sorted(graph)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    component = np.empty(n, dtype=np.int64)
    for number, part in enumerate(nx.connected_components(graph)):
        component[[index[node] for node in part]] = number
    sizes = np.bincount(component)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight="weight", format="csr")
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
    return dict(zip(nodes, values.tolist(), strict=True))


def communities(papers: nx.Graph, seed: int = SEED) -> dict[int, list[str]]:
    """Louvain communities of the paper projection, numbered largest first (ties: smallest id)."""
    if papers.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(papers, weight="weight", seed=seed, threshold=1e-6)
    parts = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return dict(enumerate(parts))


def participation(papers: nx.Graph, community_of: dict[str, int]) -> dict[str, float]:
    """Participation coefficient: 0 when all of a paper's edge weight stays in its community, towards 1 when spread.

    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> participation(g, {"a": 0, "b": 0, "c": 1})["b"]
    0.5
    """
    values = {}
    for node in papers:
        weights: Counter[int] = Counter()
        for other, data in papers[node].items():
            weights[community_of[other]] += data.get("weight", 1.0)
        total = sum(weights.values())
        values[node] = 1.0 - sum((w / total) ** 2 for w in weights.values()) if total else 0.0
    return values


def compute_metrics(
    nodes: Sequence[tuple[str, str]], edges: Sequence[tuple[str, str, str, float]], seed: int = SEED
) -> MetricResult:
    """Every stored metric for the graph given as ``(id, kind)`` nodes and ``(src, dst, kind, weight)`` edges."""
    result = MetricResult()
    graph = analysis_graph(nodes, edges)
    result.values["degree"] = {n: float(d) for n, d in graph.degree()}
    result.values["weighted_degree"] = {n: float(d) for n, d in graph.degree(weight="weight")}
    keyword_degree: Counter[str] = Counter(dst for _, dst, kind, _ in edges if kind == "keyword")
    for node_id, kind in nodes:
        if kind == "keyword":
            result.values["degree"][node_id] = float(keyword_degree[node_id])
    result.values["pagerank"] = (
        nx.pagerank(graph, weight="weight") if graph.number_of_nodes() else {}
    )
    result.values["betweenness"], result.notes["betweenness"] = betweenness(graph, seed)
    result.values["eigenvector"] = eigenvector_by_component(graph)
    result.values["component"] = {n: float(c) for n, c in component_ids(graph).items()}
    papers = paper_projection(graph, edges)
    result.members = communities(papers, seed)
    community_of = {paper: index for index, members in result.members.items() for paper in members}
    result.values["community"] = {n: float(c) for n, c in community_of.items()}
    result.values["participation"] = participation(papers, community_of)
    result.notes["pagerank"] = (
        "PageRank (weighted, damping 0.85) on papers, repos, owners and pages"
    )
    result.notes["community"] = f"Louvain (seed {seed}) on the paper projection"
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
    labels = {}
    for index, papers in members.items():
        inside: Counter[str] = Counter()
        for paper in papers:
            inside.update(set(keywords_by_paper.get(paper, ())))
        size = len(papers)
        scored = sorted(
            (
                (count / size)
                * math.log(1.0 + (count / size) / (corpus[word] / max(total_papers, 1))),
                word,
            )
            for word, count in inside.items()
            if count >= 2 or size == 1
        )
        chosen = [word for _, word in sorted(scored, key=lambda item: (-item[0], item[1]))[:top]]
        if not chosen:
            text = f"{size} paper(s) without shared keywords"
        elif size >= MIXED_MIN_SIZE and max(inside[w] for w in chosen) < MIXED_SHARE * size:
            # No keyword reaches a tenth of the papers: the community is held together by
            # many small overlaps, and its label should not pretend otherwise.
            text = "mixed: " + ", ".join(chosen)
        else:
            text = ", ".join(chosen)
        labels[index] = (text, chosen)
    return labels
