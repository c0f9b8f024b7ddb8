"""Centrality, components and communities of the paper graph.

The graphs come from :mod:`graph.network`, as the arrays of
:class:`~graph.network.IndexedGraph` (the NetworkX graphs described there,
numbered in sorted id order). Papers are ranked on the **paper graph** only
(the paper-paper kinds: ``similar``, ``shared_code``, ``cites``, ...): degree,
PageRank, betweenness, eigenvector centrality and component ids. A link to a
repository or project page is evidence about a paper, not a source of its
centrality: in the analysis graph every link added degree, so papers with a
GitHub link took 19 of the 20 top PageRank places of a real corpus.
Repositories, owners and pages are ranked on their own, by the papers that
link them (how many, and their summed PageRank). Communities are Leiden's
(modularity, seeded), which guarantees connected communities; groups under
:data:`MIN_COMMUNITY` papers are gathered in one "other" group.

PageRank, eigenvector centrality, components and participation are SciPy
sparse computations that follow NetworkX's definitions; betweenness (sampled
sources) and Leiden run in igraph's C core. Every public function also
accepts an ``nx.Graph``.
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
from graph.keywords import BREAK_WORDS, GENERIC_WORDS
from graph.network import IndexedGraph, edge_table, indexed_graph, node_table

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "MetricResult",
    "betweenness",
    "communities",
    "community_weights",
    "component_ids",
    "compute_metrics",
    "eigenvector_by_component",
    "fold_text",
    "label_candidates",
    "label_communities",
    "label_coverage",
    "label_needle",
    "pagerank",
    "participation",
    "term_counts",
]

#: graphs with more nodes than this get betweenness from sampled sources
EXACT_BETWEENNESS_LIMIT = 3000
#: work budget (sources x (nodes + edges)) of sampled betweenness: 50 sources for a 100k-paper build
BETWEENNESS_BUDGET = 40_000_000
#: fewest sources a sampled estimate uses, however large the graph
MIN_SOURCES = 32
SEED = 42
#: communities with fewer papers are gathered in one "other" group rather than named one
#: by one (fewer in a small corpus: see smallest_community)
MIN_COMMUNITY = 5
#: a label phrase must occur in at least this share of its community's papers
LABEL_MIN_SHARE = 0.25
#: a word is shown as a phrase holding it when the phrase covers this share of its papers
PHRASE_SHARE = 0.6
#: distinctive keywords per community whose occurrences in the texts are counted
LABEL_CANDIDATES = 40

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
    #: community id -> paper ids, largest first (the gathered small groups last)
    members: dict[int, list[str]] = field(default_factory=dict)
    #: number of the group that gathers communities under the minimum size (None: no such group)
    other: int | None = None
    #: per community: edge weight inside it and edge weight leaving it
    inside: np.ndarray = field(default_factory=lambda: np.zeros(0))
    outside: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: facts about the partition and the paper graph, stored in ``build_info`` under these keys
    info: dict[str, str] = field(default_factory=dict)

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


def _leiden(papers: IndexedGraph, seed: int, resolution: float) -> tuple[np.ndarray, float]:
    """Leiden communities (modularity, igraph) per paper, numbered largest first, and the modularity."""
    if papers.n == 0:
        return np.zeros(0, dtype=np.int64), 0.0
    graph = igraph_of(papers)
    weights = papers.weights.tolist()
    # igraph draws from the RNG installed with set_random_number_generator (Python's
    # `random` module by default): a private generator seeded here makes the run repeatable
    # without touching the global one.
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = graph.community_leiden(
            objective_function="modularity",
            weights=weights or None,
            resolution=resolution,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    labels = _largest_first(np.asarray(found.membership, dtype=np.int64))
    quality = graph.modularity(labels.tolist(), weights=weights or None, resolution=resolution)
    return labels, float(quality) if len(weights) else 0.0


def smallest_community(papers: int) -> int:
    """Fewest papers of a named community: :data:`MIN_COMMUNITY`, less in a small corpus.

    In a corpus of a dozen papers a group of three is a topic; in one of thousands it
    is noise. Groups under 2% of the papers (at least two) are gathered, up to the cap.

    >>> smallest_community(6), smallest_community(120), smallest_community(401)
    (2, 3, 5)
    """
    return max(2, min(MIN_COMMUNITY, math.ceil(0.02 * papers)))


def _gather_small(labels: np.ndarray, min_size: int) -> tuple[np.ndarray, int]:
    """Communities under ``min_size`` papers merged into one last group; returns labels and its number.

    Labels are numbered largest first, so the kept ones stay 0..kept-1 and the
    gathered group is number ``kept`` (no group is gathered when none is small).
    """
    if len(labels) == 0:
        return labels, 0
    sizes = np.bincount(labels)
    kept = int(np.count_nonzero(sizes >= min_size))
    return np.minimum(labels, kept), kept


def communities(papers: Graph, seed: int = SEED, resolution: float = 1.0) -> dict[int, list[str]]:
    """Leiden communities of the paper graph, numbered largest first (ties: smallest id).

    Every community Leiden returns is connected; isolated papers are their own.

    >>> communities(nx.Graph([("a", "b"), ("c", "d")]))
    {0: ['a', 'b'], 1: ['c', 'd']}
    """
    indexed = _indexed(papers)
    labels, _ = _leiden(indexed, seed, resolution)
    members: dict[int, list[str]] = {}
    for node, label in zip(indexed.nodes, labels.tolist(), strict=True):
        members.setdefault(label, []).append(node)
    return dict(sorted(members.items()))


def community_weights(
    papers: Graph, labels: np.ndarray | dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Per community: edge weight inside it (each edge once) and edge weight leaving it.

    >>> inside, outside = community_weights(nx.Graph([("a", "b"), ("b", "c")]), {"a": 0, "b": 0, "c": 1})
    >>> inside.tolist(), outside.tolist()
    ([1.0, 0.0], [1.0, 1.0])
    """
    indexed = _indexed(papers)
    if isinstance(labels, dict):
        labels = np.array([labels[node] for node in indexed.nodes], dtype=np.int64)
    groups = int(labels.max()) + 1 if len(labels) else 0
    if len(indexed.edges) == 0:
        return np.zeros(groups), np.zeros(groups)
    a, b = labels[indexed.edges[:, 0]], labels[indexed.edges[:, 1]]
    same = a == b
    inside = np.bincount(a[same], weights=indexed.weights[same], minlength=groups)
    crossing = indexed.weights[~same]
    outside = np.bincount(a[~same], weights=crossing, minlength=groups) + np.bincount(
        b[~same], weights=crossing, minlength=groups
    )
    return inside, outside


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
    resolution: float = 1.0,
    min_community: int | None = None,
) -> MetricResult:
    """Every stored metric for ``(id, kind)`` nodes and ``(src, dst, kind, weight)`` edges (rows or Arrow tables)."""
    node_rows, edge_rows = node_table(nodes), edge_table(edges)
    graph, papers = indexed_graph(node_rows, edge_rows)
    keyword_ids, keyword_degree = _keyword_degree(node_rows, edge_rows)
    owners = pc.is_in(
        pa.array(graph.nodes, pa.string()),
        value_set=node_rows.filter(pc.equal(node_rows["kind"], "owner"))[
            "node_id"
        ].combine_chunks(),
    )
    del node_rows, edge_rows
    return graph_metrics(
        graph,
        papers,
        keyword_ids,
        keyword_degree,
        seed,
        resolution,
        np.asarray(owners.to_numpy(False), dtype=bool),
        min_community,
    )


def _link_reach(graph: IndexedGraph, is_paper: np.ndarray, is_owner: np.ndarray) -> sp.csr_array:
    """Papers x link nodes: 1 where the paper links the node, or links a repo of that owner."""
    adjacency = graph.adjacency
    papers, links = np.flatnonzero(is_paper), np.flatnonzero(~is_paper)
    direct = sp.csr_array(adjacency[papers][:, links])
    direct.data[:] = 1.0
    among = sp.coo_array(adjacency[links][:, links])
    owner = is_owner[links]
    # One hop only, from a repository to its owner: a paper that links an owner does not
    # thereby link every repository of it.
    keep = ~owner[among.row] & owner[among.col]
    to_owner = sp.csr_array(
        (np.ones(int(keep.sum())), (among.row[keep], among.col[keep])), shape=among.shape
    )
    reach = sp.csr_array(direct + direct @ to_owner)
    reach.data[:] = 1.0
    return reach


def graph_metrics(
    graph: IndexedGraph,
    papers: IndexedGraph,
    keyword_ids: pa.Array,
    keyword_degree: np.ndarray,
    seed: int = SEED,
    resolution: float = 1.0,
    is_owner: np.ndarray | None = None,
    min_community: int | None = None,
) -> MetricResult:
    """Every stored metric from the built graphs (see :func:`compute_metrics`).

    ``graph`` is the analysis graph (papers and link nodes), ``papers`` the paper
    graph; ``keyword_ids`` (ascending) and ``keyword_degree`` give the keyword nodes
    and their number of ``keyword`` edges; ``is_owner`` flags owner nodes of ``graph``.
    Papers are measured on the paper graph; link nodes by the papers that link them.
    """
    ids, paper_ids = pa.array(graph.nodes, pa.string()), pa.array(papers.nodes, pa.string())
    is_paper = np.asarray(pc.is_in(ids, value_set=paper_ids).to_numpy(False), dtype=bool)
    if is_owner is None:
        is_owner = np.zeros(graph.n, dtype=bool)
    link_ids = ids.filter(pa.array(~is_paper))
    result = MetricResult()
    paper_degree = np.diff(papers.adjacency.indptr).astype(np.float64)
    rank = _pagerank(papers)
    reach = _link_reach(graph, is_paper, is_owner)
    link_degree = np.asarray(reach.sum(axis=0), dtype=np.float64).ravel()
    link_rank = rank @ reach if papers.n else np.zeros(len(link_ids))
    all_ids = pa.concat_arrays([paper_ids, link_ids, keyword_ids])
    order = pc.sort_indices(all_ids)
    taken = np.asarray(order.to_numpy())
    result.columns["degree"] = (
        all_ids.take(order),
        np.concatenate([paper_degree, link_degree, keyword_degree])[taken],
    )
    ranked_ids = pa.concat_arrays([paper_ids, link_ids])
    ranked_order = pc.sort_indices(ranked_ids)
    result.columns["pagerank"] = (
        ranked_ids.take(ranked_order),
        np.concatenate([rank, link_rank])[np.asarray(ranked_order.to_numpy())],
    )
    weighted = np.asarray(papers.adjacency.sum(axis=1), dtype=np.float64).ravel()
    result.columns["weighted_degree"] = (paper_ids, weighted)
    between, result.notes["betweenness"] = _betweenness(papers, seed)
    result.columns["betweenness"] = (paper_ids, between)
    component = _component_numbers(papers)
    result.columns["eigenvector"] = (paper_ids, _eigenvector(papers, component))
    result.columns["component"] = (paper_ids, component.astype(np.float64))
    found, modularity = _leiden(papers, seed, resolution)
    smallest = smallest_community(papers.n) if min_community is None else min_community
    labels, other = _gather_small(found, smallest)
    result.columns["community"] = (paper_ids, labels.astype(np.float64))
    # Participation against Leiden's own groups: the gathered group is no community.
    result.columns["participation"] = (paper_ids, _participation(papers, found))
    members: dict[int, list[str]] = {}
    for paper, label in zip(papers.nodes, labels.tolist(), strict=True):
        members.setdefault(label, []).append(paper)
    result.members = dict(sorted(members.items()))
    result.other = other if other in result.members else None
    result.inside, result.outside = community_weights(papers, labels)
    sizes = np.bincount(component) if papers.n else np.zeros(0, dtype=np.int64)
    result.info = {
        "partition.method": (
            f"Leiden (igraph, modularity, resolution {resolution:g}, seed {seed}) on the paper "
            f"graph; groups under {smallest} papers gathered as 'other'"
        ),
        "partition.modularity": f"{modularity:.4f}",
        "partition.resolution": f"{resolution:g}",
        "partition.smallest": str(smallest),
        "partition.communities": str(len(result.members) - (result.other is not None)),
        "papers.isolated": str(int(np.count_nonzero(paper_degree == 0))),
        "papers.components": str(int(np.count_nonzero(sizes >= 2))),
    }
    result.notes["pagerank"] = (
        "PageRank (weighted, damping 0.85) on the paper graph (similar, shared_code, cites); "
        "a repository, owner or page gets the summed PageRank of the papers linking it"
    )
    result.notes["degree"] = (
        "paper-paper edges of a paper; papers linking a repository, owner or page; "
        "papers having a keyword"
    )
    result.notes["community"] = result.info["partition.method"]
    return result


def community_labels(
    members: dict[int, list[str]],
    keywords_by_paper: dict[str, list[str]],
    total_papers: int,
    top: int = 3,
) -> dict[int, tuple[str, list[str], list[int]]]:
    """A label for each community from the keywords its papers share and the corpus does not.

    Coverage here is keyword presence: a paper covers a phrase when the phrase is
    among its keywords (the build counts phrases in the texts instead, see
    :func:`label_communities`).

    >>> labels = community_labels({0: ["a", "b"], 1: ["c"]}, {"a": ["koopman"], "b": ["koopman"], "c": ["x"]}, 3)
    >>> labels[0]
    ('koopman', ['koopman'], [2])
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


def _distinctive(share: float, corpus_share: float) -> float:
    """How strongly a phrase marks a community: its share there times the log of its lift.

    This is the community's term of the Kullback-Leibler divergence from the corpus
    (share x pointwise mutual information), the measure behind the log-likelihood and
    mutual-information labels of CiteSpace and the class-based tf-idf of BERTopic: a
    phrase common in the community *and* rarer elsewhere scores high; one as common
    everywhere ("non-linear" in a machine-learning corpus) scores 0.
    """
    return share * max(math.log(share / max(corpus_share, 1e-12)), 0.0)


def _generic_word(word: str) -> bool:
    """A word the keyword extractor never keeps alone ("model", "data"): no name for a community."""
    folded = word.lower().replace("-", "")
    return folded in GENERIC_WORDS or folded in BREAK_WORDS or folded.rstrip("s") in GENERIC_WORDS


def term_counts(
    paper: np.ndarray, keyword: np.ndarray, keywords: Sequence[str], labels: np.ndarray
) -> list[tuple[int, str, int, int]]:
    """Per community and term: papers of the community with the term, papers of the corpus with it.

    ``paper[i]`` (a paper number, index into ``labels``, the community of each paper)
    has keyword ``keywords[keyword[i]]``. A term is a keyword or a word (3+ letters) of
    a keyword of several words: a community about quantum computing may keep only
    "quantum algorithm", "quantum simulation", ... per paper, and "quantum" is what they
    share. Counted with sparse products (papers x keywords x terms), so 100k papers with
    3M paper x term pairs take tens of MiB. Rows with one paper are left out, except in
    a community of one paper.

    >>> term_counts(np.array([0, 1, 2]), np.array([0, 1, 1]), ["quantum algorithm", "quantum simulation"],
    ...             np.array([0, 0, 1]))
    [(0, 'quantum', 2, 3)]
    """
    terms: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for index, text in enumerate(keywords):
        words = text.split()
        for term in {text, *(w for w in words if len(w) >= 3)} if len(words) > 1 else (text,):
            rows.append(index)
            cols.append(terms.setdefault(term, len(terms)))
    n, groups = len(labels), (int(labels.max()) + 1 if len(labels) else 0)
    if not len(paper) or not terms:
        return []
    has = sp.csr_array(
        (np.ones(len(paper), dtype=np.float32), (paper, keyword)), shape=(n, len(keywords))
    )
    spread = sp.csr_array(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(keywords), len(terms))
    )
    paper_terms = sp.csr_array(has @ spread)
    del has, spread
    paper_terms.data[:] = 1.0
    corpus = np.bincount(paper_terms.indices, minlength=len(terms))
    member = sp.csr_array((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(groups, n))
    inside = sp.coo_array(member @ paper_terms)
    del paper_terms, member
    sizes = np.bincount(labels, minlength=groups)
    count = np.rint(inside.data).astype(np.int64)
    keep = (count >= 2) | (sizes[inside.row] == 1)
    names = list(terms)
    return sorted(
        (int(c), names[t], int(k), int(corpus[t]))
        for c, t, k in zip(inside.row[keep], inside.col[keep], count[keep], strict=True)
    )


def label_candidates(
    sizes: dict[int, int],
    counts: Iterable[tuple[int, str, int, int]],
    total_papers: int,
    limit: int = LABEL_CANDIDATES,
) -> dict[int, list[str]]:
    """Per community, the ``limit`` keywords that mark it best (keyword counts as in :func:`label_communities`).

    >>> label_candidates({0: 2}, [(0, "koopman", 2, 2), (0, "x", 2, 9)], 10)
    {0: ['koopman', 'x']}
    """
    scored: dict[int, list[tuple[float, str]]] = {index: [] for index in sizes}
    for index, word, count, corpus in counts:
        if count >= 2 or sizes[index] == 1:
            share = count / sizes[index]
            scored[index].append((-_distinctive(share, corpus / max(total_papers, 1)), word))
    return {index: [w for _, w in sorted(found)[:limit]] for index, found in scored.items()}


def label_communities(
    sizes: dict[int, int],
    counts: Iterable[tuple[int, str, int, int]],
    total_papers: int,
    top: int = 3,
    covered: dict[tuple[int, str], int] | None = None,
) -> dict[int, tuple[str, list[str], list[int]]]:
    """Label, phrases and papers covered by each phrase, per community.

    ``counts`` holds per ``(community, keyword)`` how many of its papers and of the
    corpus' papers have the keyword; ``covered`` (optional) how many of the
    community's papers contain the phrase in their title or abstract, which the
    build counts in the database for the :func:`label_candidates`. A phrase is
    shown only when at least :data:`LABEL_MIN_SHARE` of the community's papers
    cover it, strongest first by :func:`_distinctive`; a phrase inside one already
    shown (or holding one) is skipped. A community where no phrase reaches that
    share is labelled "mixed: ..." with its most distinctive phrases.

    >>> label_communities({0: 2, 1: 1}, [(0, "koopman", 2, 2), (1, "x", 1, 1)], 3)[0]
    ('koopman', ['koopman'], [2])
    """
    scored: dict[int, list[tuple[float, str, int]]] = {index: [] for index in sizes}
    for index, word, count, corpus in counts:
        size = sizes[index]
        if count < 2 and size > 1:
            continue
        # The texts decide for a counted candidate, also when fewer of them write the
        # phrase than carry the keyword: a keyword can come from an acronym ("PDEs"
        # -> "partial differential equations") or a source's own list.
        found = count if covered is None else covered.get((index, word), count)
        words = len(word.split())
        if words == 1 and _generic_word(word):
            continue
        # Ranked on keyword counts, which are counted alike inside and outside the
        # community; the texts only decide whether enough papers bear the phrase out.
        # A phrase says more than the word it holds ("neural operators", not "operators").
        score = _distinctive(count / size, corpus / max(total_papers, 1))
        score *= 1.0 + 0.5 * (min(words, 3) - 1)
        scored[index].append((score, word, found))
    labels = {}
    for index, size in sizes.items():
        ranked = sorted(scored[index], key=lambda item: (-item[0], item[1]))
        chosen: list[str] = []
        papers: list[int] = []
        folded: list[str] = []
        for _, word, found in ranked:
            if len(chosen) >= top:
                break
            if found < LABEL_MIN_SHARE * size:
                continue
            if " " not in word:
                # A word is named by the phrase most of its papers write it in
                # ("reinforcement" -> "reinforcement learning") when there is one.
                longer = [
                    (n, w)
                    for _, w, n in ranked
                    if " " in w
                    and f" {label_needle(word)}" in f" {label_needle(w)}"
                    and n >= max(PHRASE_SHARE * found, LABEL_MIN_SHARE * size)
                ]
                if longer:
                    found, word = max(longer, key=lambda item: (item[0], item[1]))
            text = f" {label_needle(word)} "
            if any(text in other or other in text for other in folded):
                continue
            chosen.append(word)
            papers.append(found)
            folded.append(text)
        if chosen:
            text = ", ".join(chosen)
        elif ranked:
            # No phrase is shared by enough of the papers: the community is held together
            # by many small overlaps, and its label should not pretend otherwise.
            chosen = [word for _, word, _ in ranked[:top]]
            papers = [found for _, _, found in ranked[:top]]
            text = "mixed: " + ", ".join(chosen)
        else:
            text = f"{size} paper(s) without shared keywords"
        labels[index] = (text, chosen, papers)
    return labels


#: ASCII punctuation and symbols, read as spaces when texts and phrases are compared
_PUNCTUATION = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})


def fold_text(text: str) -> str:
    """Lower case with punctuation as spaces: how phrases meet texts.

    Runs of spaces are left as they are: they only stand where punctuation was, and a
    phrase does not run across a comma or a bracket.

    >>> fold_text("Fourier Neural-Operators (FNO), for PDEs.")
    'fourier neural operators  fno   for pdes '
    """
    return text.lower().translate(_PUNCTUATION)


def label_needle(phrase: str) -> str:
    """The text a paper must contain to cover ``phrase``: folded, with its last word's plural cut.

    Texts are folded the same way (:func:`fold_text`), so "Neural-Operators" covers
    "neural operator".

    >>> label_needle("Neural Operators"), label_needle("dependencies"), label_needle("LiDAR")
    ('neural operator', 'dependenc', 'lidar')
    """
    words = fold_text(phrase).split()
    if not words:
        return ""
    last = words[-1]
    if len(last) > 4 and last.endswith("ies"):
        last = last[:-3]
    elif len(last) > 4 and last.endswith(("ses", "xes", "ches", "shes")):
        last = last[:-2]
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def label_coverage(
    texts: Iterable[tuple[int, str, str]], candidates: dict[int, list[str]]
) -> dict[tuple[int, str], int]:
    """Per ``(community, phrase)``: how many ``(community, title, abstract)`` texts contain it
    (every candidate gets a count, 0 included).

    A text contains a phrase when its folded form holds the phrase's
    :func:`label_needle` at a word start ("neural operator" is in "... neural
    operators ..."). Each text is read against its own community's candidates only.

    >>> label_coverage([(0, "Neural operators", ""), (0, "Koopman", "a neural-operator view")],
    ...                {0: ["neural operators", "koopman"]})
    {(0, 'neural operators'): 2, (0, 'koopman'): 1}
    """
    needles = {c: [(w, " " + label_needle(w)) for w in words] for c, words in candidates.items()}
    found: Counter[tuple[int, str]] = Counter()
    for community, title, abstract in texts:
        wanted = needles.get(community)
        if not wanted:
            continue
        text = f" {fold_text(title)} {fold_text(abstract)} "
        for word, needle in wanted:
            if needle in text:
                found[(community, word)] += 1
    return {(c, w): found[(c, w)] for c, words in candidates.items() for w in words}
