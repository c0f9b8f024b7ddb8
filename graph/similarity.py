"""Paper-paper edges: ``similar`` through shared keywords, ``shared_code`` through repositories.

Both are sparsified so edges grow linearly with papers: ``similar`` keeps the
strongest k neighbours of every paper (from a sparse paper x keyword product),
and ``shared_code`` skips the all-pairs expansion of a repository or owner linked
by very many papers (those papers still meet at the repo or owner node).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from collectors.links import repo_owner
from graph.keywords import KeywordTable
from graph.linkgraph import EdgeRow, NodeRow
from graph.parallel import MIN_PARALLEL_ROWS, Steps, available_workers, map_ranges, no_steps
from graph.words import everyday_word

__all__ = [
    "keyword_edge_columns",
    "keyword_layer",
    "keyword_nodes",
    "keyword_support",
    "shared_code_edges",
    "similar_edge_columns",
    "similar_edges",
]

#: cosine below which two papers are not similar, however few neighbours a paper has
MIN_SIMILARITY = 0.05
#: a paper's match must reach this share of its best match's cosine
RELATIVE_SIMILARITY = 0.5
#: weight of a repository two papers alone share: a strong keyword match (the top tenth
#: of `similar` cosines on real corpora is about 0.3-0.5), not more. PageRank on an
#: undirected graph follows weighted degree, and at weight 1 one shared repository
#: outweighed five typical keyword matches: papers with a GitHub link took the top ranks.
SHARED_REPO_WEIGHT = 0.5
#: share of a phrase's weight that also counts for the single-word keywords inside it
WORD_SHARE = 0.5
#: how many shared keywords an edge's evidence names
EVIDENCE_KEYWORDS = 6
#: papers per block of the sparse product (bounds memory on large corpora)
SIMILARITY_BLOCK = 2048
#: candidate pairs whose shared keywords are worked out at once
EVIDENCE_CHUNK = 100_000


def keyword_node_id(label: str) -> str:
    """Node id of a keyword node."""
    return f"keyword:{label}"


def keyword_nodes(table: KeywordTable) -> list[NodeRow]:
    """A keyword node for each linkable keyword, in label order."""
    return [
        NodeRow(keyword_node_id(label), "keyword", label, None) for label in sorted(table.linkable)
    ]


def keyword_layer(table: KeywordTable) -> tuple[list[NodeRow], list[EdgeRow]]:
    """Keyword nodes for the linkable keywords and the paper -> keyword edges."""
    return keyword_nodes(table), _edge_rows(keyword_edge_columns(table), "keyword")


def keyword_edge_columns(table: KeywordTable) -> dict[str, Any]:
    """The paper -> keyword edges as columns (src, dst, evidence: Arrow strings; weight:
    floats), in edge order: by paper id, a paper's keywords strongest first."""
    shown = table.shown
    linkable = np.array([label in table.linkable for label in shown.labels], dtype=bool)
    entries = np.flatnonzero(linkable[shown.label]) if len(shown.labels) else np.zeros(0, int)
    # Papers in id order; a paper's entries are contiguous, so a stable sort keeps them
    # strongest first.
    ids, rank = _id_ranks(table.paper_ids)
    entries = entries[np.argsort(rank[shown.rows[entries]], kind="stable")]
    nodes = pa.array([keyword_node_id(label) for label in shown.labels], pa.string())
    return {
        "src": ids.take(shown.rows[entries]),
        "dst": nodes.take(shown.label[entries]),
        "weight": shown.weight[entries],
        "evidence": pa.array(shown.evidences, pa.string()).take(shown.evidence[entries]),
    }


def _id_ranks(paper_ids: list[str]) -> tuple[pa.Array, np.ndarray]:
    """The ids as an Arrow array, and each one's place in id order (edges are stored by id)."""
    ids = pa.array(paper_ids, pa.string())
    rank = np.empty(len(ids), dtype=np.int64)
    rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids))
    return ids, rank


def _edge_rows(columns: dict[str, Any], kind: str) -> list[EdgeRow]:
    values = [
        column.to_pylist() if isinstance(column, (pa.Array, pa.ChunkedArray)) else column
        for column in (columns[name] for name in ("src", "dst", "weight", "evidence"))
    ]
    return [
        EdgeRow(src, dst, kind, float(weight), evidence)
        for src, dst, weight, evidence in zip(*values, strict=True)
    ]


def similar_edges(
    table: KeywordTable, k: int = 10, min_similarity: float = MIN_SIMILARITY
) -> list[EdgeRow]:
    """Edges between papers that share linkable keywords: the union of every paper's top ``k``.

    Weight is the cosine of the papers' tf-idf keyword vectors; evidence names the
    shared keywords, those that contribute most first. Sorted as the rows sort.
    ``k`` is a maximum: a pair is a candidate only from ``min_similarity`` up, and it
    is kept only when what the papers share is informative (see :func:`keyword_support`),
    so a paper may have fewer neighbours, or none.
    """
    return _edge_rows(similar_edge_columns(table, k, min_similarity), "similar")


def keyword_support(label: str) -> float:
    """How much one shared keyword counts towards an edge: 1, or 0.5 for an everyday word.

    A phrase of several words, an acronym or name and a word rare in general English
    ("binarization", "koopman") count 1; a single everyday word (see
    :func:`graph.words.everyday_word`: "stars", "light", "feedback") counts 0.5, so two
    papers need two of them, or anything better, to be similar.

    >>> keyword_support("stars"), keyword_support("binarization"), keyword_support("dynamical systems")
    (0.5, 1.0, 1.0)
    """
    return 0.5 if everyday_word(label) else 1.0


def with_word_features(matrix: Any, columns: list[str], share: float = WORD_SHARE) -> Any:
    """The paper x keyword matrix where a phrase also counts, at ``share``, for its words.

    "network binarization" and "binarization" are the same topic, but as columns of
    the tf-idf matrix they never meet: a paper on "network binarization algorithms" and
    one on "binarization" share nothing. A phrase's weight is spread over the columns
    of the single words it holds (those that are keywords of their own), so papers
    meet on the words their phrases have in common, below what the phrase itself
    counts.
    """
    index = {label.lower(): i for i, label in enumerate(columns) if " " not in label}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for i, label in enumerate(columns):
        words = [index[w] for w in label.lower().split() if w in index] if " " in label else []
        for j in words:
            rows.append(i)
            cols.append(j)
            values.append(share / len(words))
    if not rows:
        return matrix
    spread = sparse.csr_matrix((values, (rows, cols)), shape=(len(columns), len(columns)))
    return sparse.csr_matrix(matrix + matrix @ spread)


def similar_edge_columns(
    table: KeywordTable,
    k: int = 10,
    min_similarity: float = MIN_SIMILARITY,
    relative: float = RELATIVE_SIMILARITY,
    workers: int | None = None,
    steps: Steps = no_steps,
) -> dict[str, Any]:
    """The ``similar`` edges as columns: src and dst (Arrow strings, src < dst), weight
    (array), evidence (Arrow strings).

    Rows are in (src, dst) order, the order of the sorted :func:`similar_edges`. Each
    paper's matches are found on its own, so ranges of papers run in ``workers`` forked
    processes (default: every core from :data:`MIN_PARALLEL_ROWS` papers) with the same edges.
    """
    empty: dict[str, Any] = {"src": [], "dst": [], "weight": np.zeros(0), "evidence": []}
    if k <= 0 or table.matrix is None or table.matrix.nnz == 0:
        return empty
    matrix = with_word_features(table.matrix, table.columns)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    transposed = matrix.T.tocsr()
    rows = matrix.shape[0]
    if workers is None:
        workers = available_workers() if rows >= MIN_PARALLEL_ROWS else 1
    # Whole blocks per range; a few ranges per worker balance the load.
    blocks = -(-rows // (3 * workers * SIMILARITY_BLOCK))
    found = map_ranges(
        _strongest_matches,
        (matrix, transposed, norms, k, min_similarity, relative),
        rows,
        workers,
        max(blocks, 1) * SIMILARITY_BLOCK,
        steps,
        "matching papers",
    )
    del transposed
    sources = [part[0] for part in found]
    targets = [part[1] for part in found]
    weights = [part[2] for part in found]
    del found
    if not sources:
        return empty
    low = np.minimum(np.concatenate(sources), np.concatenate(targets))
    high = np.maximum(np.concatenate(sources), np.concatenate(targets))
    micro = np.round(np.concatenate(weights) * 1e6).astype(np.int64)
    del sources, targets, weights
    # Each pair once (found from both ends, it may differ in the last digit: the smaller wins).
    low, high, micro = _sorted_triples(low, high, micro, rows)
    leading = np.ones(len(low), dtype=bool)
    leading[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    pairs = np.stack([low[leading], high[leading], micro[leading]], axis=1)
    del low, high, micro, leading
    # Papers in id order, so that each pair is stored once as src < dst, and the rows
    # go in (src, dst) order.
    ids, rank = _id_ranks(table.paper_ids)
    left, right = pairs[:, 0], pairs[:, 1]
    flip = rank[left] > rank[right]
    src_row = np.where(flip, right, left)
    dst_row = np.where(flip, left, right)
    order = _pair_order(rank[src_row], rank[dst_row], rows)
    pairs, src_row, dst_row = pairs[order], src_row[order], dst_row[order]
    names = np.asarray(table.columns, dtype=object)
    support = np.array([keyword_support(label) for label in table.columns], dtype=np.float64)
    # Naming each pair's shared keywords is Python string work per pair (4M pairs at 1M
    # papers), so ranges of pairs are named in the pool too; only the texts come back, as
    # Arrow arrays (their buffers, not 4M objects, are pickled and joined).
    # (Not reported as steps: those count papers.)
    kept_parts, evidence = [], []
    for kept_part, named in map_ranges(
        _shared_keywords,
        (matrix, pairs, names, support),
        len(pairs),
        workers,
        EVIDENCE_CHUNK,
    ):
        kept_parts.append(kept_part)
        evidence.append(named)
    kept = np.concatenate(kept_parts) if kept_parts else np.zeros(0, dtype=bool)
    return {
        "src": ids.take(src_row[kept]),
        "dst": ids.take(dst_row[kept]),
        "weight": pairs[kept, 2] / 1e6,
        "evidence": pa.chunked_array(evidence, pa.string()),
    }


#: bits of a similarity in millionths (at most 1,000,000)
_MICRO_BITS = 20


def _sorted_triples(
    first: np.ndarray, second: np.ndarray, micro: np.ndarray, rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The triples sorted by ``first``, then ``second``, then ``micro`` (row numbers below
    ``rows``, millionths of a similarity).

    Packed into one uint64 and sorted as such where they fit (up to 4M papers): one
    sort of the values instead of three index sorts and gathers (6.3 s against 1.5 s
    over 9M triples).

    >>> [a.tolist() for a in _sorted_triples(np.array([2, 0, 2]), np.array([1, 5, 1]), np.array([9, 3, 4]), 6)]
    [[0, 2, 2], [5, 1, 1], [3, 4, 9]]
    """
    bits = max(rows - 1, 1).bit_length()
    if 2 * bits + _MICRO_BITS > 64:
        order = np.lexsort((micro, second, first))
        return first[order], second[order], micro[order]
    shift, mask = np.uint64(bits + _MICRO_BITS), np.uint64((1 << bits) - 1)
    packed = first.astype(np.uint64) << shift
    packed |= second.astype(np.uint64) << np.uint64(_MICRO_BITS)
    packed |= micro.astype(np.uint64)
    packed.sort()
    return (
        (packed >> shift).astype(np.int64),
        ((packed >> np.uint64(_MICRO_BITS)) & mask).astype(np.int64),
        (packed & np.uint64((1 << _MICRO_BITS) - 1)).astype(np.int64),
    )


def _pair_order(first: np.ndarray, second: np.ndarray, rows: int) -> np.ndarray:
    """``np.lexsort((second, first))`` for values below ``rows``, from one packed key.

    >>> _pair_order(np.array([1, 0, 1]), np.array([0, 2, 1]), 3).tolist()
    [1, 0, 2]
    """
    key = first.astype(np.int64) * rows + second
    return np.argsort(key, kind="stable")


def _shared_keywords(
    shared: tuple[Any, np.ndarray, np.ndarray, np.ndarray], first: int, last: int
) -> tuple[np.ndarray, pa.Array]:
    """Which of pairs first..last-1 share enough to be kept, and the evidence of those kept."""
    matrix, pairs, names, support = shared
    part = pairs[first:last]
    # Row p of ``both`` holds the product of both papers' weights on the keywords they share.
    both = matrix[part[:, 0]].multiply(matrix[part[:, 1]]).tocsr()
    both.eliminate_zeros()
    pair_of = np.repeat(np.arange(len(part)), np.diff(both.indptr))
    # Strongest shared keyword first; ties by column so the order never depends on chance.
    order = np.lexsort((both.indices, -both.data, pair_of))
    ranked = names[both.indices[order]].tolist()
    bounds = both.indptr.tolist()
    backed = np.bincount(pair_of, weights=support[both.indices], minlength=len(part)) >= 1.0
    evidence = []
    for p in np.flatnonzero(backed).tolist():
        start, end = bounds[p], bounds[p + 1]
        shown = ", ".join(ranked[start : min(end, start + EVIDENCE_KEYWORDS)])
        if end - start > EVIDENCE_KEYWORDS:
            shown += f" (+{end - start - EVIDENCE_KEYWORDS} more)"
        evidence.append(f"shares keywords: {shown}")
    return backed, pa.array(evidence, pa.string())


def _strongest_matches(
    shared: tuple[Any, Any, np.ndarray, int, float, float], first: int, last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, cosine) of the kept matches of papers first..last-1, row by row."""
    matrix, transposed, norms, k, min_similarity, relative = shared
    sources, targets, weights = [], [], []
    # Row blocks bound memory: a block's products are cut to top-k before the next one.
    for lo in range(first, last, SIMILARITY_BLOCK):
        block = (matrix[lo : min(lo + SIMILARITY_BLOCK, last)] @ transposed).tocsr()
        block.sort_indices()
        block = block.tocoo()
        rows, cols = block.row + lo, block.col
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
        scores = np.round(block.data[keep] / (norms[rows] * norms[cols]), 6)
        # A match counts when it is good in absolute terms and, for this paper, close to
        # its best one: a paper whose best match is strong does not also keep weak ones.
        best = np.zeros(block.shape[0])
        np.maximum.at(best, rows - lo, scores)
        strong = scores >= np.maximum(min_similarity, relative * best[rows - lo])
        rows, cols, scores = rows[strong], cols[strong], scores[strong]
        # Strongest first within each row; a stable sort keeps column order among ties.
        order = np.argsort(rows - scores / 2.0, kind="stable")
        rows, cols, scores = rows[order], cols[order], scores[order]
        per_row = np.bincount(rows - lo, minlength=block.shape[0])
        starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
        top = (np.arange(len(rows)) - starts) < k
        sources.append(rows[top])
        targets.append(cols[top])
        weights.append(scores[top])
    return np.concatenate(sources), np.concatenate(targets), np.concatenate(weights)


def shared_code_edges(code_links: Iterable[tuple[str, str]], max_papers: int = 50) -> list[EdgeRow]:
    """Edges between papers that link the same repository or repositories of the same owner.

    ``code_links`` are ``(paper_id, repo_target)`` pairs. Two papers that are the only
    ones linking a repository get :data:`SHARED_REPO_WEIGHT` (half that for the same
    owner); a repository linked by ``n`` papers gives each pair ``1 / (n - 1)`` of it, so
    that every paper gains the same weight from it however many share it (the
    fractional projection of a bipartite graph): a toolkit linked by twenty papers is
    not twenty times the evidence. Weights of several shared repositories add up, to at
    most :data:`SHARED_REPO_WEIGHT`. A repository or owner linked by more than ``max_papers`` papers
    adds no pairwise edges.
    """
    by_repo: dict[str, set[str]] = defaultdict(set)
    for paper_id, target in code_links:
        by_repo[target].add(paper_id)
    same_repo: dict[tuple[str, str], list[str]] = defaultdict(list)
    repo_weight: dict[tuple[str, str], float] = defaultdict(float)
    for target in sorted(by_repo):
        members = sorted(by_repo[target])
        if len(members) <= max_papers:
            for a_index, a in enumerate(members):
                for b in members[a_index + 1 :]:
                    same_repo[(a, b)].append(target)
                    repo_weight[(a, b)] += SHARED_REPO_WEIGHT / (len(members) - 1)
    by_owner: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for target, linking in by_repo.items():
        owner = repo_owner(target)
        if owner is not None:
            for paper_id in linking:
                by_owner[owner][paper_id].add(target)
    same_owner: dict[tuple[str, str], tuple[str, set[str], float]] = {}
    for owner in sorted(by_owner):
        members = sorted(by_owner[owner])
        if len(members) > max_papers:
            continue
        for a_index, a in enumerate(members):
            for b in members[a_index + 1 :]:
                repos_a, repos_b = by_owner[owner][a], by_owner[owner][b]
                if (a, b) not in same_repo and repos_a != repos_b:
                    same_owner[(a, b)] = (
                        owner,
                        repos_a | repos_b,
                        SHARED_REPO_WEIGHT / 2 / (len(members) - 1),
                    )
    edges = [
        EdgeRow(
            a,
            b,
            "shared_code",
            round(min(repo_weight[(a, b)], SHARED_REPO_WEIGHT), 6),
            "both link " + ", ".join(targets),
        )
        for (a, b), targets in sorted(same_repo.items())
    ]
    edges += [
        EdgeRow(
            a,
            b,
            "shared_code",
            round(weight, 6),
            f"both link repos of {owner}: " + ", ".join(sorted(repos)),
        )
        for (a, b), (owner, repos, weight) in sorted(same_owner.items())
    ]
    return sorted(edges)
