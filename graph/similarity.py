"""Paper-paper edges: ``similar`` through shared keywords, ``shared_code`` through repositories.

Both are sparsified so edges grow linearly with papers: ``similar`` keeps the
strongest k neighbours of every paper (from a sparse paper x keyword product),
and ``shared_code`` skips the all-pairs expansion of a repository or owner linked
by very many papers (those papers still meet at the repo or owner node).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from collectors.links import repo_owner
from graph.keywords import KeywordTable
from graph.linkgraph import EdgeRow, NodeRow

__all__ = ["keyword_layer", "shared_code_edges", "similar_edges"]

#: how many shared keywords an edge's evidence names
EVIDENCE_KEYWORDS = 6
#: papers per block of the sparse product (bounds memory on large corpora)
SIMILARITY_BLOCK = 2048
#: candidate pairs whose shared keywords are worked out at once
EVIDENCE_CHUNK = 100_000


def keyword_node_id(label: str) -> str:
    """Node id of a keyword node."""
    return f"keyword:{label}"


def keyword_layer(table: KeywordTable) -> tuple[list[NodeRow], list[EdgeRow]]:
    """Keyword nodes for the linkable keywords and the paper -> keyword edges."""
    nodes = [
        NodeRow(keyword_node_id(label), "keyword", label, None) for label in sorted(table.linkable)
    ]
    edges = [
        EdgeRow(paper_id, keyword_node_id(label), "keyword", weight, evidence)
        for paper_id in sorted(table.by_paper)
        for label, weight, _, evidence in table.by_paper[paper_id]
        if label in table.linkable
    ]
    return nodes, edges


def similar_edges(table: KeywordTable, k: int = 10) -> list[EdgeRow]:
    """Edges between papers that share linkable keywords: the union of every paper's top ``k``.

    Weight is the cosine of the papers' tf-idf keyword vectors; evidence names the
    shared keywords, those that contribute most first.
    """
    matrix = table.matrix
    if k <= 0 or matrix is None or matrix.nnz == 0:
        return []
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    transposed = matrix.T.tocsr()
    sources, targets, weights = [], [], []
    # Row blocks bound memory: a block's products are cut to top-k before the next one.
    for first in range(0, matrix.shape[0], SIMILARITY_BLOCK):
        block = (matrix[first : first + SIMILARITY_BLOCK] @ transposed).tocsr()
        block.sort_indices()
        block = block.tocoo()
        rows, cols = block.row + first, block.col
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
        scores = np.round(block.data[keep] / (norms[rows] * norms[cols]), 6)
        # Strongest first within each row; a stable sort keeps column order among ties.
        order = np.argsort(rows - scores / 2.0, kind="stable")
        rows, cols, scores = rows[order], cols[order], scores[order]
        per_row = np.bincount(rows - first, minlength=block.shape[0])
        starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
        top = (np.arange(len(rows)) - starts) < k
        sources.append(rows[top])
        targets.append(cols[top])
        weights.append(scores[top])
    if not sources:
        return []
    low = np.minimum(np.concatenate(sources), np.concatenate(targets))
    high = np.maximum(np.concatenate(sources), np.concatenate(targets))
    weight = np.concatenate(weights)
    pairs = np.unique(
        np.stack([low, high, np.round(weight * 1e6).astype(np.int64)], axis=1), axis=0
    )
    pairs = pairs[np.unique(pairs[:, :2], axis=0, return_index=True)[1]]
    # Papers in id order, so that each pair is stored once as src < dst.
    ids = np.asarray(table.paper_ids, dtype=object)
    swap = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    names = np.asarray(table.columns, dtype=object)
    edges = []
    for chunk in range(0, len(pairs), EVIDENCE_CHUNK):
        part = pairs[chunk : chunk + EVIDENCE_CHUNK]
        # Row p of ``shared`` holds the product of both papers' weights on the keywords they share.
        shared = matrix[part[:, 0]].multiply(matrix[part[:, 1]]).tocsr()
        shared.eliminate_zeros()
        pair_of = np.repeat(np.arange(len(part)), np.diff(shared.indptr))
        # Strongest shared keyword first; ties by column so the order never depends on chance.
        order = np.lexsort((shared.indices, -shared.data, pair_of))
        ranked = names[shared.indices[order]].tolist()
        bounds = shared.indptr.tolist()
        left, right = part[:, 0], part[:, 1]
        flip = swap[left] > swap[right]
        src = np.where(flip, ids[right], ids[left]).tolist()
        dst = np.where(flip, ids[left], ids[right]).tolist()
        for p, micro in enumerate(part[:, 2].tolist()):
            start, end = bounds[p], bounds[p + 1]
            shown = ", ".join(ranked[start : min(end, start + EVIDENCE_KEYWORDS)])
            if end - start > EVIDENCE_KEYWORDS:
                shown += f" (+{end - start - EVIDENCE_KEYWORDS} more)"
            edges.append(
                EdgeRow(src[p], dst[p], "similar", micro / 1e6, f"shares keywords: {shown}")
            )
    edges.sort()
    return edges


def shared_code_edges(code_links: Iterable[tuple[str, str]], max_papers: int = 50) -> list[EdgeRow]:
    """Edges between papers that link the same repository (weight 1) or the same owner (0.5).

    ``code_links`` are ``(paper_id, repo_target)`` pairs. A repository or owner linked
    by more than ``max_papers`` papers adds no pairwise edges.
    """
    by_repo: dict[str, set[str]] = defaultdict(set)
    for paper_id, target in code_links:
        by_repo[target].add(paper_id)
    same_repo: dict[tuple[str, str], list[str]] = defaultdict(list)
    for target in sorted(by_repo):
        members = sorted(by_repo[target])
        if len(members) <= max_papers:
            for a_index, a in enumerate(members):
                for b in members[a_index + 1 :]:
                    same_repo[(a, b)].append(target)
    by_owner: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for target, linking in by_repo.items():
        owner = repo_owner(target)
        if owner is not None:
            for paper_id in linking:
                by_owner[owner][paper_id].add(target)
    same_owner: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for owner in sorted(by_owner):
        members = sorted(by_owner[owner])
        if len(members) > max_papers:
            continue
        for a_index, a in enumerate(members):
            for b in members[a_index + 1 :]:
                repos_a, repos_b = by_owner[owner][a], by_owner[owner][b]
                if (a, b) not in same_repo and repos_a != repos_b:
                    same_owner[(a, b)] = (owner, repos_a | repos_b)
    edges = [
        EdgeRow(a, b, "shared_code", 1.0, "both link " + ", ".join(targets))
        for (a, b), targets in sorted(same_repo.items())
    ]
    edges += [
        EdgeRow(
            a, b, "shared_code", 0.5, f"both link repos of {owner}: " + ", ".join(sorted(repos))
        )
        for (a, b), (owner, repos) in sorted(same_owner.items())
    ]
    return sorted(edges)
