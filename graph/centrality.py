"""PageRank and eigenvector centrality as SciPy sparse power iterations over an
:class:`~graph.network.IndexedGraph`, with NetworkX's definitions (so a rebuild gives the
same digits as ``nx.pagerank`` and ``nx.eigenvector_centrality`` would)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.network import IndexedGraph

__all__ = ["eigenvector_array", "pagerank_array"]


def pagerank_array(
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


def eigenvector_array(
    graph: IndexedGraph, component: np.ndarray, max_iter: int = 1000, tol: float = 1e-9
) -> np.ndarray:
    """Eigenvector centrality per connected component (``component``: each node's number),
    scaled by the component's share of nodes; isolated nodes get 0."""
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
