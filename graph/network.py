"""The NetworkX graphs the metrics run on, built in bulk from the ``nodes``/``edges`` rows.

Both graphs are simple undirected ``nx.Graph`` objects with a summed ``weight``
per node pair, not ``MultiGraph``: centrality and Louvain treat a pair of
papers joined by both ``similar`` and ``shared_code`` as one stronger tie,
which is what the weights mean, and a simple graph takes about half the
memory at 100k papers. ``cites`` is directed in the data; centrality runs on
the undirected view (a citation is a connection either way). Evidence stays in
DuckDB: the report reads it there for the few papers it explains.

* the **analysis graph**: papers, repos, owners and pages with every edge
  between them. Keyword nodes are left out so that ubiquitous keywords do not
  dominate centrality; their relations are already in the ``similar`` edges.
* the **paper projection**: papers and the paper-paper edges only.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

__all__ = ["PAPER_EDGE_KINDS", "analysis_graph", "paper_projection"]

PAPER_EDGE_KINDS = frozenset({"similar", "shared_code", "cites"})

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
