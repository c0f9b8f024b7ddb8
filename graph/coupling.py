"""``coupling`` and ``cocited`` edges: papers that cite the same works, papers cited together.

Both are Salton's cosine over a sparse binary matrix: papers x the works they cite
(bibliographic coupling), or corpus papers x the corpus papers that cite them
(co-citation). ``shared / sqrt(n_a * n_b)``, where ``n`` counts what each paper has of the
columns that count. A column counts when it can tell papers apart:

* it is shared at all (held by 2 papers or more: a column held once joins nothing);
* it is not a hub: held by at most ``max(HUB_FLOOR, min(HUB_SHARE * papers, HUB_MAX))``
  papers. A work a fifth of the corpus cites says "same field", which the whole corpus is;
  the absolute cap keeps the product linear (a column held by ``d`` papers costs ``d**2``
  pairs), and under 4 citers a work always counts (a small corpus has no hubs but the
  work everybody cites).

An edge needs ``MIN_SHARED`` (2) shared columns, so one shared reference is never an edge,
and a cosine of at least ``MIN_COUPLING``: 0.05 is 2 shared among 40 references each (the
median reference list of a machine-learning paper is about that long); 2 shared among 60
each (0.033) is chance. Each paper keeps its ``k`` best; the edge set is their union.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

__all__ = [
    "HUB_FLOOR",
    "HUB_MAX",
    "HUB_SHARE",
    "MIN_COUPLING",
    "MIN_SHARED",
    "binary_matrix",
    "salton_edge_columns",
    "salton_pairs",
]

HUB_SHARE = 0.2
HUB_FLOOR = 3
HUB_MAX = 1000
MIN_SHARED = 2
MIN_COUPLING = 0.05
#: rows per block of the sparse product (bounds memory: each block is cut to top-k at once)
BLOCK = 2048
#: shared works named in an edge's evidence (the rest are counted)
EVIDENCE_ITEMS = 3
#: a cosine is kept to 6 decimals: this many steps between 0 and 1
SCORE_STEPS = 1_000_000
#: edges per block of the evidence step (bounds the memory of the gathered rows)
EVIDENCE_BLOCK = 32768


def _counted_columns(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The matrix with only the columns that can tell papers apart (see the module docstring)."""
    return matrix[:, np.flatnonzero(_held_ok(matrix))].tocsr()


def salton_pairs(
    matrix: sparse.csr_matrix,
    k: int = 10,
    min_shared: int = MIN_SHARED,
    min_cosine: float = MIN_COUPLING,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, cosine) with a < b: row pairs of a binary matrix that pass the thresholds.

    >>> m = sparse.csr_matrix(np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]]))
    >>> a, b, w = salton_pairs(m)
    >>> a.tolist(), b.tolist(), np.round(w, 4).tolist()
    ([0], [1], [0.8165])
    """
    # Counts are small integers: float32 holds them exactly at half the memory traffic.
    counted = _counted_columns(matrix).astype(np.float32)
    norms = np.sqrt(counted.getnnz(axis=1).astype(np.float64))
    norms[norms == 0] = 1.0
    transposed = counted.T.tocsr()
    lows, highs, scores = [], [], []
    for first in range(0, counted.shape[0], BLOCK):
        product = counted[first : first + BLOCK] @ transposed
        # Most pairs share one column: drop them before anything is indexed or sorted.
        product.data[product.data < min_shared] = 0
        product.eliminate_zeros()
        block = product.tocoo()
        del product
        rows, cols, shared = block.row + first, block.col, block.data.astype(np.float64)
        keep = rows != cols
        rows, cols, shared = rows[keep], cols[keep], shared[keep]
        score = np.round(shared / (norms[rows] * norms[cols]), 6)
        strong = score >= min_cosine
        rows, cols, score = rows[strong], cols[strong], score[strong]
        # Best first within each row (ties by column), then the first k of each row: one
        # sort of a single integer key (row, millionths below 1, column), not a lexsort.
        width = counted.shape[0]
        below = SCORE_STEPS - np.rint(score * SCORE_STEPS).astype(np.int64)
        key = ((rows - first).astype(np.int64) * (SCORE_STEPS + 1) + below) * width + cols
        order = np.argsort(key)
        del key, below
        rows, cols, score = rows[order], cols[order], score[order]
        per_row = np.bincount(rows - first, minlength=block.shape[0])
        starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
        top = (np.arange(len(rows)) - starts) < k
        lows.append(np.minimum(rows[top], cols[top]))
        highs.append(np.maximum(rows[top], cols[top]))
        scores.append(score[top])
    if not lows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    low, high, weight = np.concatenate(lows), np.concatenate(highs), np.concatenate(scores)
    order = np.lexsort((high, low))
    low, high, weight = low[order], high[order], weight[order]
    first_of_pair = np.ones(len(low), dtype=bool)
    first_of_pair[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    return low[first_of_pair], high[first_of_pair], weight[first_of_pair]


def binary_matrix(a: np.ndarray, b: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """The 0/1 matrix with a one at each (a[i], b[i]) (a pair given twice is still one)."""
    matrix = sparse.csr_matrix((np.ones(len(a)), (a, b)), shape=shape)
    matrix.data[:] = 1.0
    return matrix


def salton_edge_columns(
    kind: str,
    what: str,
    matrix: sparse.csr_matrix,
    names: Sequence[str],
    labels: Sequence[str],
    k: int = 10,
    min_cosine: float = MIN_COUPLING,
) -> dict[str, Any]:
    """Edges of ``kind`` between the rows of a binary matrix (named by ``names``) that share
    columns (named by ``labels`` in the evidence), by :func:`salton_pairs`, as columns
    (src, dst, kind, weight, evidence) in (src, dst) order.

    >>> m = sparse.csr_matrix(np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]]))
    >>> e = salton_edge_columns("coupling", "shared", m, ["p2", "p1", "p3"], list("dcba"))
    >>> e["src"], e["dst"], e["evidence"].to_pylist()
    (['p1'], ['p2'], ['2 shared: c; d'])
    """
    low, high, weight = salton_pairs(matrix, k, MIN_SHARED, min_cosine)
    evidence = _shared_evidence(matrix, low, high, labels, what)
    # Each edge goes from the smaller name to the larger; edges in (src, dst) order.
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    swap = rank[low] > rank[high]
    src, dst = np.where(swap, high, low), np.where(swap, low, high)
    order = np.lexsort((rank[dst], rank[src]))
    listed = list(names)
    return {
        "src": [listed[i] for i in src[order].tolist()],
        "dst": [listed[i] for i in dst[order].tolist()],
        "kind": [kind] * len(order),
        "weight": weight[order],
        "evidence": evidence.take(pa.array(order, type=pa.int64())),
    }


def _shared_evidence(
    matrix: sparse.csr_matrix,
    low: np.ndarray,
    high: np.ndarray,
    labels: Sequence[str],
    what: str,
) -> pa.Array:
    """The evidence of each (low, high) row pair: how many counted columns they share and
    the first :data:`EVIDENCE_ITEMS` of their labels in label order.

    The columns are renumbered in label order, so the elementwise product of the two rows
    lists the shared ones already sorted; only the kept edges get a string.
    """
    kept = np.flatnonzero(_held_ok(matrix))
    counted = matrix[:, kept].tocsr()
    kept_labels = [labels[c] for c in kept.tolist()]
    by_label = sorted(range(len(kept_labels)), key=kept_labels.__getitem__)
    rank_of = np.empty(len(kept_labels), dtype=np.int32)
    rank_of[by_label] = np.arange(len(kept_labels), dtype=np.int32)
    ranked = sparse.csr_matrix(
        (np.ones(counted.nnz, dtype=np.int8), rank_of[counted.indices], counted.indptr),
        shape=counted.shape,
    )
    ranked.sort_indices()
    del counted
    in_order = pa.array([kept_labels[i] for i in by_label], type=pa.string())
    del kept_labels, by_label
    parts: list[pa.Array] = []
    for first in range(0, len(low), EVIDENCE_BLOCK):
        part = slice(first, first + EVIDENCE_BLOCK)
        shared = ranked[low[part]].multiply(ranked[high[part]]).tocsr()
        shared.sort_indices()
        parts.append(_evidence_texts(shared, in_order, what))
    return pa.concat_arrays(parts) if parts else pa.array([], type=pa.string())


def _evidence_texts(shared: sparse.csr_matrix, in_order: pa.Array, what: str) -> pa.Array:
    """``"<n> <what>: a; b; c (+<n - 3> more)"`` per row of the shared columns (sorted column
    numbers into ``in_order``), put together by Arrow rather than a Python loop per edge."""
    counts = np.diff(shared.indptr)
    starts = shared.indptr[:-1]
    named = []
    for slot in range(EVIDENCE_ITEMS):
        has = counts > slot
        column = np.zeros(len(counts), dtype=np.int64)
        column[has] = shared.indices[starts[has] + slot]
        taken = in_order.take(pa.array(column, type=pa.int64()))
        named.append(pc.if_else(pa.array(has), taken, pa.scalar(None, pa.string())))
    listed = pc.binary_join_element_wise(*named, "; ", null_handling="skip")
    count_text = pc.cast(pa.array(counts, type=pa.int64()), pa.string())
    more_text = pc.cast(pa.array(counts - EVIDENCE_ITEMS, type=pa.int64()), pa.string())
    more = pc.if_else(
        pa.array(counts > EVIDENCE_ITEMS),
        pc.binary_join_element_wise(" (+", more_text, " more)", ""),
        "",
    )
    return pc.binary_join_element_wise(count_text, f" {what}: ", listed, more, "")


def _held_ok(matrix: sparse.csr_matrix) -> np.ndarray:
    """Which columns count: held by 2 papers or more, and by no more than the hub limit."""
    held = np.asarray((matrix > 0).sum(axis=0)).ravel()
    papers = int(np.count_nonzero(matrix.getnnz(axis=1)))
    return (held >= 2) & (held <= max(HUB_FLOOR, min(HUB_SHARE * papers, HUB_MAX)))
