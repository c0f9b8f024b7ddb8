"""The NetworkX graphs the metrics run on, built in bulk from the ``nodes``/``edges`` rows.

Both graphs are simple undirected ``nx.Graph`` objects with a summed ``weight``
per node pair, not ``MultiGraph``: centrality and Leiden treat a pair of
papers joined by both ``similar`` and ``shared_code`` as one stronger tie,
which is what the weights mean, and a simple graph takes about half the
memory at 100k papers. ``cites`` is directed in the data; centrality runs on
the undirected view (a citation is a connection either way). Evidence stays in
DuckDB: the report reads it there for the few papers it explains.

* the **analysis graph**: papers, repos, owners and pages with every edge
  between them (keyword nodes left out). It tells which papers link which
  repository, owner or page, which is how those nodes are ranked.
* the **paper projection** (the paper graph): papers and the paper-paper edges
  only. Papers are ranked and grouped on it alone, so a link to a repository
  is evidence about a paper, not a source of its centrality.

:func:`indexed_graph` builds the same two graphs as SciPy sparse matrices over
integer node numbers, straight from Arrow columns. The metrics stage of a build
uses that form: at 100k papers building the ``nx.Graph`` objects alone took
about 20 s, the arrays take about one. :func:`IndexedGraph.from_networkx` turns
a NetworkX graph into the same form, so every metric also runs on a graph a
caller built with NetworkX.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

__all__ = [
    "PAPER_EDGE_KINDS",
    "IndexedGraph",
    "analysis_graph",
    "edge_table",
    "indexed_graph",
    "node_table",
    "paper_projection",
]

PAPER_EDGE_KINDS = frozenset({"similar", "shared_code", "cites", "coupling", "cocited"})

Pair = tuple[str, str]


def _add_summed(graph: nx.Graph, weights: dict[Pair, float]) -> None:
    # One bulk call in sorted order: far faster than has_edge/add_edge per row, and
    # the adjacency order (which iteration-based algorithms see) is reproducible.
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))


def analysis_graph(
    nodes: Iterable[tuple[str, str]], edges: Iterable[tuple[str, str, str, float]]
) -> nx.Graph:
    """Undirected weighted graph of every non-keyword node from ``(id, kind)`` and ``(src, dst, kind, weight)``.

    >>> g = analysis_graph([("p1", "paper"), ("p2", "paper"), ("kw", "keyword")],
    ...                    [("p1", "p2", "similar", 1.0), ("p2", "p1", "cites", 0.5),
    ...                     ("p1", "kw", "keyword", 1.0)])
    >>> sorted(g.edges(data="weight")), g.nodes["p1"]["kind"]
    ([('p1', 'p2', 1.5)], 'paper')
    """
    graph = nx.Graph()
    graph.add_nodes_from(
        sorted((node_id, {"kind": kind}) for node_id, kind in nodes if kind != "keyword")
    )
    weights: dict[Pair, float] = {}
    for src, dst, kind, weight in edges:
        if kind == "keyword" or src == dst or src not in graph or dst not in graph:
            continue
        pair = (src, dst) if src < dst else (dst, src)
        weights[pair] = weights.get(pair, 0.0) + float(weight)
    _add_summed(graph, weights)
    return graph


def paper_projection(graph: nx.Graph, edges: Iterable[tuple[str, str, str, float]]) -> nx.Graph:
    """Papers and the paper-paper edges between them (weights of parallel kinds added).

    >>> g = analysis_graph([("a", "paper"), ("b", "paper"), ("r", "repo")],
    ...                    [("a", "b", "shared_code", 1.0), ("a", "r", "code", 1.0)])
    >>> sorted(paper_projection(g, [("a", "b", "shared_code", 1.0), ("a", "r", "code", 1.0)]).edges)
    [('a', 'b')]
    """
    papers = nx.Graph()
    papers.add_nodes_from(sorted(n for n, kind in graph.nodes(data="kind") if kind == "paper"))
    weights: dict[Pair, float] = {}
    for src, dst, kind, weight in edges:
        if kind not in PAPER_EDGE_KINDS or src == dst or src not in papers or dst not in papers:
            continue
        pair = (src, dst) if src < dst else (dst, src)
        weights[pair] = weights.get(pair, 0.0) + float(weight)
    _add_summed(papers, weights)
    return papers


@dataclass(frozen=True, slots=True)
class IndexedGraph:
    """A simple undirected weighted graph over node numbers ``0..n-1``.

    Node ``i`` is ``nodes[i]``; ``nodes`` is sorted, so comparing numbers
    compares ids. ``adjacency`` is symmetric CSR holding the summed weight of
    each pair (no self-loops); ``edges`` lists each pair once as ``(i, j)``
    with ``i < j``, in row order, with ``weights`` beside it.
    """

    nodes: list[str]
    adjacency: sp.csr_array
    edges: np.ndarray
    weights: np.ndarray

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @classmethod
    def from_pairs(
        cls, nodes: list[str], a: np.ndarray, b: np.ndarray, weight: np.ndarray
    ) -> IndexedGraph:
        """Sum the weights of each unordered pair ``(a[k], b[k])`` (self-loops dropped)."""
        n = len(nodes)
        keep = a != b
        low = np.minimum(a, b)[keep]
        high = np.maximum(a, b)[keep]
        # COO -> CSR adds duplicate pairs in input order: the same input gives the same sums.
        upper = sp.coo_array(
            (np.asarray(weight, dtype=np.float64)[keep], (low, high)), shape=(n, n)
        ).tocsr()
        upper.sum_duplicates()
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(upper.indptr))
        cols = upper.indices.astype(np.int64)
        weights = upper.data.copy()
        adjacency = sp.csr_array(
            (
                np.concatenate([weights, weights]),
                (np.concatenate([rows, cols]), np.concatenate([cols, rows])),
            ),
            shape=(n, n),
        )
        adjacency.sort_indices()
        return cls(nodes, adjacency, np.column_stack([rows, cols]), weights)

    @classmethod
    def from_networkx(cls, graph: nx.Graph, weight: str | None = "weight") -> IndexedGraph:
        """The same graph with nodes numbered in sorted order (a missing weight counts 1)."""
        nodes = sorted(graph)
        index = {node: i for i, node in enumerate(nodes)}
        pairs = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
        pairs = pairs.reshape(-1, 2)
        weights = np.array(
            [
                1.0 if weight is None else float(d.get(weight, 1.0))
                for _, _, d in graph.edges(data=True)
            ]
        )
        return cls.from_pairs(nodes, pairs[:, 0], pairs[:, 1], weights)


def node_table(nodes: Sequence[tuple[str, str]] | pa.Table) -> pa.Table:
    """``(node_id, kind)`` rows as an Arrow table (an Arrow table is passed through)."""
    if isinstance(nodes, pa.Table):
        return nodes
    return pa.table(
        {
            "node_id": pa.array([n[0] for n in nodes], pa.string()),
            "kind": pa.array([n[1] for n in nodes], pa.string()),
        }
    )


def edge_table(edges: Sequence[tuple[str, str, str, float]] | pa.Table) -> pa.Table:
    """``(src, dst, kind, weight)`` rows as an Arrow table (an Arrow table is passed through)."""
    if isinstance(edges, pa.Table):
        return edges
    return pa.table(
        {
            "src": pa.array([e[0] for e in edges], pa.string()),
            "dst": pa.array([e[1] for e in edges], pa.string()),
            "kind": pa.array([e[2] for e in edges], pa.string()),
            "weight": pa.array([float(e[3]) for e in edges], pa.float64()),
        }
    )


def indexed_graph(nodes: pa.Table, edges: pa.Table) -> tuple[IndexedGraph, IndexedGraph]:
    """The analysis graph and the paper projection of :func:`analysis_graph` and :func:`paper_projection` as arrays.

    ``nodes`` has columns ``node_id, kind`` and ``edges`` ``src, dst, kind,
    weight`` (see :func:`node_table`, :func:`edge_table`). Same rules as the
    NetworkX builders: keyword nodes and edges to nodes outside the graph are
    left out, parallel edges of a pair are one edge with the summed weight.

    >>> g, papers = indexed_graph(
    ...     node_table([("p1", "paper"), ("p2", "paper"), ("r", "repo"), ("kw", "keyword")]),
    ...     edge_table([("p1", "p2", "similar", 1.0), ("p2", "p1", "cites", 0.5),
    ...                 ("p1", "r", "code", 1.0), ("p1", "kw", "keyword", 1.0)]))
    >>> g.nodes, g.edges.tolist(), g.weights.tolist(), papers.nodes, papers.weights.tolist()
    (['p1', 'p2', 'r'], [[0, 1], [0, 2]], [1.5, 1.0], ['p1', 'p2'], [1.5])
    """
    kept = nodes.filter(pc.not_equal(nodes["kind"], "keyword"))
    kept = kept.take(pc.sort_indices(kept, [("node_id", "ascending")]))
    ids = kept["node_id"].combine_chunks()
    is_paper = np.asarray(pc.equal(kept["kind"], "paper").combine_chunks().to_numpy(False))
    links = edges.filter(pc.not_equal(edges["kind"], "keyword"))
    src = pc.index_in(links["src"], value_set=ids)
    dst = pc.index_in(links["dst"], value_set=ids)
    inside = pc.and_(pc.is_valid(src), pc.is_valid(dst))
    a = np.asarray(src.filter(inside).to_numpy(), dtype=np.int64)
    b = np.asarray(dst.filter(inside).to_numpy(), dtype=np.int64)
    weight = np.asarray(links["weight"].filter(inside).to_numpy(), dtype=np.float64)
    paper_kind = np.asarray(
        pc.is_in(
            links["kind"].filter(inside), value_set=pa.array(sorted(PAPER_EDGE_KINDS))
        ).to_numpy(False)
    )
    return graphs_from_numbers(ids.to_pylist(), is_paper, a, b, weight, paper_kind)


def graphs_from_numbers(
    names: list[str],
    is_paper: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    weight: np.ndarray,
    paper_kind: np.ndarray,
) -> tuple[IndexedGraph, IndexedGraph]:
    """The analysis graph and paper projection from edges already given as node numbers.

    ``names`` are the sorted ids of the non-keyword nodes, ``is_paper`` flags papers
    among them; edge ``k`` joins ``a[k]`` and ``b[k]`` with ``weight[k]``, and
    ``paper_kind[k]`` says whether its kind is one of :data:`PAPER_EDGE_KINDS`.
    Parallel edges add up in the order given.
    """
    graph = IndexedGraph.from_pairs(names, a, b, weight)
    number = np.cumsum(is_paper) - 1
    between = paper_kind & is_paper[a] & is_paper[b]
    papers = IndexedGraph.from_pairs(
        [name for name, paper in zip(names, is_paper.tolist(), strict=True) if paper],
        number[a[between]],
        number[b[between]],
        weight[between],
    )
    return graph, papers
