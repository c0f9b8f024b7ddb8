"""Shortest-path betweenness from a sample of sources, with igraph's Brandes implementation.

NetworkX runs Brandes' algorithm one source at a time in Python, about 2 CPU
seconds per source on a 100k-paper graph. igraph runs the same algorithm in C
(``Graph.betweenness(sources=...)``, hop counts, undirected) in under 0.1 s per
source. igraph counts each unordered pair once; here the dependencies of every
node on the chosen sources are summed as Brandes defines them (twice igraph's
number) and scaled as NetworkX scales sampled betweenness (``normalized=True``,
endpoints excluded), so with every node as a source the values equal
``nx.betweenness_centrality``.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import reverse_cuthill_mckee

from graph.ig import ig
from graph.network import IndexedGraph

__all__ = ["SOURCE_GROUPS", "betweenness_from_sources", "igraph_of", "sampled_betweenness"]


def igraph_of(graph: IndexedGraph) -> ig.Graph:
    """The undirected igraph graph with the same node numbers and edges (weights left out)."""
    # A list of int pairs converts about five times faster than a NumPy array.
    pairs = list(zip(graph.edges[:, 0].tolist(), graph.edges[:, 1].tolist(), strict=True))
    return ig.Graph(n=graph.n, edges=pairs, directed=False)


#: the sources are searched in this many groups, whose sums add up to the result: the
#: groups can run on as many cores, and the result is the same wherever they run
SOURCE_GROUPS = 2


def sampled_betweenness(
    graph: IndexedGraph, k: int | None = None, seed: int = 42, group: int | None = None
) -> np.ndarray:
    """Normalised betweenness per node number from ``k`` sources drawn with ``seed`` (all if None).

    The sources are split into :data:`SOURCE_GROUPS` groups; with ``group`` only that
    group's share is computed (the shares of all groups, added in group order, are the
    whole).
    """
    n = graph.n
    if n <= 2:
        return np.zeros(n)
    index = list(range(n))
    chosen = index if k is None or k >= n else sorted(random.Random(seed).sample(index, k))
    if len(graph.edges) == 0:
        return np.zeros(n)
    # Renumbered in reverse Cuthill-McKee order, neighbours sit close together in igraph's
    # arrays: the searches miss the cache less and run ~20% faster at 100k papers.
    position = np.empty(n, dtype=np.int64)
    position[reverse_cuthill_mckee(graph.adjacency, symmetric_mode=True)] = np.arange(n)
    pairs = position[graph.edges]
    renumbered = ig.Graph(n=n, edges=list(zip(*pairs.T.tolist(), strict=True)), directed=False)
    groups = np.array_split(np.asarray(chosen, dtype=np.int64), SOURCE_GROUPS)
    sampled = len(chosen)
    scale = np.full(n, 1.0 / (sampled * (n - 2)))
    # A source never counts itself, so it averages over one source fewer.
    scale[chosen] = 1.0 / ((sampled - 1) * (n - 2)) if sampled > 1 else 0.0
    total = np.zeros(n)
    for number, sources in enumerate(groups):
        if (group is None or number == group) and len(sources):
            found = renumbered.betweenness(directed=False, sources=position[sources].tolist())
            total += 2.0 * np.array(found)[position] * scale
    return total


def betweenness_from_sources(
    graph: nx.Graph | IndexedGraph, k: int | None = None, seed: int = 42
) -> dict[str, float]:
    """Normalised betweenness estimated from ``k`` sources drawn with ``seed`` (all nodes if None).

    Edge weights are ignored (hops count), as in ``nx.betweenness_centrality``
    without ``weight``; the estimate is scaled exactly as NetworkX scales its
    sampled betweenness, so ``k=None`` gives the exact values. Sources are
    drawn from the nodes in sorted order.

    >>> values = betweenness_from_sources(nx.path_graph(["a", "b", "c"]))
    >>> {node: round(value, 6) for node, value in values.items()}
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    indexed = graph if isinstance(graph, IndexedGraph) else IndexedGraph.from_networkx(graph, None)
    values = sampled_betweenness(indexed, k, seed)
    return dict(zip(indexed.nodes, values.tolist(), strict=True))
