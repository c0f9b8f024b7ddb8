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

PageRank, eigenvector centrality (an eigensolver per component), components
and participation are SciPy computations that follow NetworkX's definitions;
betweenness (sampled sources) and Leiden run in igraph's C core. Every public
function also accepts an ``nx.Graph``. PageRank and eigenvector centrality are
in :mod:`graph.centrality`; the community labels in :mod:`graph.labels`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TypeAlias

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.betweenness import SOURCE_GROUPS, igraph_of, sampled_betweenness
from graph.centrality import eigenvector_array, pagerank_array
from graph.ig import ig
from graph.network import IndexedGraph, edge_table, indexed_graph, node_table
from graph.parallel import MIN_BACKGROUND_ROWS, available_workers, background

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "MetricResult",
    "betweenness",
    "communities",
    "community_weights",
    "component_ids",
    "compute_metrics",
    "eigenvector_by_component",
    "pagerank",
    "participation",
]

#: graphs with more nodes than this get betweenness from sampled sources
EXACT_BETWEENNESS_LIMIT = 3000
#: work budget (sources x (nodes + edges)) of sampled betweenness: 50 sources for a 100k-paper build
BETWEENNESS_BUDGET = 40_000_000
#: fewest sources a sampled estimate uses, however large the graph
MIN_SOURCES = 32
#: sources from which betweenness takes longer than Leiden on the same graph, so that its
#: groups run in forked processes beside it: 373 sources at 10k papers took 0.45 s against
#: Leiden's 0.13 s; the 32 at 1M papers 7.9 s against 35 s
FORKED_SOURCES = 100
SEED = 42
#: communities with fewer papers are gathered in one "other" group rather than named one
#: by one (fewer in a small corpus: see smallest_community)
MIN_COMMUNITY = 5
#: Leiden iterations (each moves nodes, refines and aggregates). Run until stable, the
#: refinement keeps finding tiny gains: 86 rounds on a 200k-paper synthetic graph, each
#: adding about 1e-5 modularity, and over 14 minutes at 1M. Ten are within 0.03% of the
#: stable modularity there, and the cost stays linear in the graph (bench/RESULTS.md).
LEIDEN_ROUNDS = 10

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


def _sources(graph: IndexedGraph) -> int:
    """How many sources betweenness is computed from (every node on small graphs)."""
    n, m = graph.n, len(graph.edges)
    if n <= EXACT_BETWEENNESS_LIMIT:
        return n
    return max(MIN_SOURCES, min(n, BETWEENNESS_BUDGET // max(n + m, 1)))


def _betweenness(
    graph: IndexedGraph, seed: int, group: int | None = None
) -> tuple[np.ndarray, str]:
    """Betweenness and how it was found; with ``group``, that source group's share."""
    n = graph.n
    if n <= EXACT_BETWEENNESS_LIMIT:
        return sampled_betweenness(graph, group=group), "exact"
    k = _sources(graph)
    return sampled_betweenness(graph, k=k, seed=seed, group=group), (
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


def pagerank(graph: Graph) -> dict[str, float]:
    """Weighted PageRank (damping 0.85), the values ``nx.pagerank(graph, weight="weight")`` gives.

    >>> values = pagerank(nx.path_graph(["a", "b", "c"]))
    >>> values["b"] > values["a"]
    True
    """
    indexed = _indexed(graph)
    return dict(zip(indexed.nodes, pagerank_array(indexed).tolist(), strict=True))


def eigenvector_by_component(
    graph: Graph, max_iter: int = 1000, tol: float = 0.0
) -> dict[str, float]:
    """Eigenvector centrality computed per connected component, so disconnected graphs work.

    Within each component: the principal eigenvector of its weighted adjacency, unit
    length and positive, as ``nx.eigenvector_centrality_numpy`` gives on the component
    alone (small components solved densely, large ones by ARPACK from a fixed start, so a
    rebuild gives the same digits; see :func:`graph.centrality.eigenvector_array`).
    Values are scaled by the component's share of nodes, which keeps a small component's
    members from ranking alongside the centre of the largest one; isolated nodes get 0.

    >>> values = eigenvector_by_component(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")]))
    >>> values["d"] > values["c"] > 0
    True
    """
    indexed = _indexed(graph)
    values = eigenvector_array(indexed, _component_numbers(indexed), max_iter, tol)
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
            n_iterations=LEIDEN_ROUNDS,
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
    return sp.csr_array((direct + direct @ to_owner) > 0, dtype=np.float64)


def graph_metrics(
    graph: IndexedGraph,
    papers: IndexedGraph,
    keyword_ids: pa.Array,
    keyword_degree: np.ndarray,
    seed: int = SEED,
    resolution: float = 1.0,
    is_owner: np.ndarray | None = None,
    min_community: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> MetricResult:
    """Every stored metric from the built graphs (see :func:`compute_metrics`).

    ``graph`` is the analysis graph (papers and link nodes), ``papers`` the paper
    graph; ``keyword_ids`` (ascending) and ``keyword_degree`` give the keyword nodes
    and their number of ``keyword`` edges; ``is_owner`` flags owner nodes of ``graph``.
    Papers are measured on the paper graph; link nodes by the papers that link them.
    ``meanwhile`` is called once the centralities are done, while Leiden may still run
    in its own process: the caller's work that needs no communities fills that wait.
    """
    ids, paper_ids = pa.array(graph.nodes, pa.string()), pa.array(papers.nodes, pa.string())
    is_paper = np.asarray(pc.is_in(ids, value_set=paper_ids).to_numpy(False), dtype=bool)
    if is_owner is None:
        is_owner = np.zeros(graph.n, dtype=bool)
    # Leiden (a third of the stage at 1M papers, in igraph's C core) and, on graphs where
    # it is the longer, the sampled betweenness (two source groups) run in forked
    # processes while this one computes the other centralities, which need neither.
    workers = available_workers() if papers.n >= MIN_BACKGROUND_ROWS else 1
    with ExitStack() as forked:
        leiden = forked.enter_context(
            background(_leiden_task, (papers, seed, resolution), workers, inherit=True)
        )
        # Betweenness outweighs Leiden only from about FORKED_SOURCES sources on; with
        # fewer, its forks would hold back Leiden, which then decides the stage's time.
        alone = workers if _sources(papers) >= FORKED_SOURCES else 1
        shares = [
            forked.enter_context(
                background(_betweenness_task, (papers, seed, group), alone, inherit=True)
            )
            for group in range(SOURCE_GROUPS)
        ]

        def between() -> tuple[np.ndarray, str]:
            # The groups' shares added in group order, as one process adds them.
            total, how = np.zeros(papers.n), ""
            for share in shares:
                values, how = share()
                total += values
            return total, how

        result, degree, component = _centralities(
            graph, papers, ids, paper_ids, is_paper, is_owner, keyword_ids, keyword_degree, between
        )
        if meanwhile is not None:
            meanwhile()
        found, modularity = leiden()
    return _with_communities(
        result,
        papers,
        paper_ids,
        degree,
        component,
        found,
        modularity,
        resolution,
        seed,
        min_community,
    )


def _leiden_task(task: tuple[IndexedGraph, int, float]) -> tuple[np.ndarray, float]:
    return _leiden(*task)


def _betweenness_task(task: tuple[IndexedGraph, int, int]) -> tuple[np.ndarray, str]:
    return _betweenness(*task)


def _centralities(
    graph: IndexedGraph,
    papers: IndexedGraph,
    ids: pa.Array,
    paper_ids: pa.Array,
    is_paper: np.ndarray,
    is_owner: np.ndarray,
    keyword_ids: pa.Array,
    keyword_degree: np.ndarray,
    betweenness: Callable[[], tuple[np.ndarray, str]],
) -> tuple[MetricResult, np.ndarray, np.ndarray]:
    """Degree, PageRank, weighted degree, betweenness (from ``betweenness``, which may be
    computed elsewhere meanwhile), eigenvector centrality and components; also each
    paper's degree and component number, which the community notes use."""
    link_ids = ids.filter(pa.array(~is_paper))
    result = MetricResult()
    paper_degree = np.diff(papers.adjacency.indptr).astype(np.float64)
    rank = pagerank_array(papers)
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
    component = _component_numbers(papers)
    result.columns["eigenvector"] = (paper_ids, eigenvector_array(papers, component))
    result.columns["component"] = (paper_ids, component.astype(np.float64))
    between, result.notes["betweenness"] = betweenness()
    result.columns["betweenness"] = (paper_ids, between)
    return result, paper_degree, component


def _with_communities(
    result: MetricResult,
    papers: IndexedGraph,
    paper_ids: pa.Array,
    paper_degree: np.ndarray,
    component: np.ndarray,
    found: np.ndarray,
    modularity: float,
    resolution: float,
    seed: int,
    min_community: int | None,
) -> MetricResult:
    """``result`` with Leiden's communities (``found``), small ones gathered, and their notes."""
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
