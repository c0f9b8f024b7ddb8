"""Weights -> keywords: per paper its strongest phrases, and the vectors similarity compares.

The last stage of keyword extraction: entries ranked within each paper, the shown
keywords (a phrase inside a stronger one skipped), and the paper x keyword matrix of
each paper's strongest linkable phrases.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from graph.keywords.options import ROW_CHUNK
from graph.parallel import Steps, map_ranges, no_steps

__all__ = [
    "evidence_text",
    "paper_keywords",
    "rank_entries",
    "shown_entries",
    "similarity_entries",
]


def rank_entries(
    bounds: np.ndarray, scores: np.ndarray, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every paper's entries strongest first, and the row of each entry.

    One stable sort over the corpus, so columns stay in ascending order among equal
    scores. Row r holds ``order[bounds[r]:bounds[r + 1]]``.
    """
    row_at = np.repeat(np.arange(rows, dtype=np.int32), np.diff(bounds))
    order = np.empty(len(scores), dtype=np.int32 if len(scores) < 2**31 else np.int64)
    for first in range(0, rows, ROW_CHUNK):
        lo, hi = bounds[first], bounds[min(first + ROW_CHUNK, rows)]
        order[lo:hi] = lo + np.lexsort((-scores[lo:hi], row_at[lo:hi]))
    return order, row_at


def similarity_entries(
    order: np.ndarray,
    ranked: np.ndarray,
    row_at: np.ndarray,
    linkable_column: np.ndarray,
    vector_size: int,
    rows: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and entry positions of each paper's ``vector_size`` strongest linkable phrases."""
    at_link = np.flatnonzero(linkable_column[ranked])
    link_rows = row_at[at_link]  # rows are contiguous, so the row of a sorted position
    per_row = np.bincount(link_rows, minlength=rows)
    within = np.arange(len(at_link)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    keep = within < vector_size
    return link_rows[keep], order[at_link[keep]]


def similarity_matrix(
    scores: np.ndarray,
    indices: np.ndarray,
    link_rows: np.ndarray,
    link: np.ndarray,
    shape: tuple[int, int],
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The paper x keyword matrix of the chosen entries, over the keys they use (returned too)."""
    all_cols = indices[link]
    used = np.unique(all_cols)
    column_of = np.full(shape[1], -1, dtype=np.int64)
    column_of[used] = np.arange(len(used))
    matrix = sparse.csr_matrix(
        (scores[link], (link_rows, column_of[all_cols])), shape=(shape[0], len(used))
    )
    return matrix, used


def paper_keywords(
    papers: Sequence[tuple[str, str, str]],
    bounds: np.ndarray,
    order: np.ndarray,
    ranked: np.ndarray,
    labels: list[str],
    per_paper: int,
    rounded: np.ndarray,
    titles: np.ndarray,
    abstracts: np.ndarray,
    linkable_column: np.ndarray,
    origins: dict[tuple[int, int], str],
    workers: int = 1,
    chunk: int = 0,
    steps: Steps = no_steps,
) -> dict[str, list[tuple[str, float, str, str]]]:
    """The keywords shown per paper: its strongest phrases, minus those inside a stronger one.

    ``order[bounds[r]:bounds[r + 1]]`` are row r's entries strongest first and ``ranked``
    their columns. The choice (:func:`shown_entries`) runs in ranges of ``chunk`` papers,
    in forked processes when ``workers`` >= 2; the rows are then built here.
    """
    # " label " in lower case, for the containment test of shown_entries
    padded = [f" {text.lower()} " for text in labels]
    chosen = map_ranges(
        shown_entries,
        (padded, ranked, bounds, per_paper),
        len(papers),
        workers,
        chunk or len(papers),
        steps,
        "choosing keywords",
    )
    del padded
    shown = np.concatenate([c[0] for c in chosen]) if chosen else np.zeros(0, dtype=np.int64)
    per_row = np.concatenate([c[1] for c in chosen]) if chosen else np.zeros(0, dtype=np.int64)
    del chosen
    ends = np.concatenate([[0], np.cumsum(per_row)]).tolist()
    by_paper: dict[str, list[tuple[str, float, str, str]]] = {}
    # Few distinct evidence texts: one string object each, not one per keyword row.
    evidence_of: dict[tuple[int, int, str | None], str] = {}
    for first in range(0, len(papers), ROW_CHUNK):
        last = min(first + ROW_CHUNK, len(papers))
        picked = shown[ends[first] : ends[last]]
        at = order[picked]
        columns = ranked[picked].tolist()
        weights = rounded[at].tolist()
        counts = zip(titles[at].tolist(), abstracts[at].tolist(), strict=True)
        linked = linkable_column[ranked[picked]].tolist()
        index = 0
        for row in range(first, last):
            kept: list[tuple[str, float, str, str]] = []
            for _ in range(ends[row], ends[row + 1]):
                title_n, abstract_n = next(counts)
                column = columns[index]
                origin = origins.get((row, column)) if origins else None
                # Evidence is only read on keyword edges, which exist for linkable keywords.
                evidence = ""
                if linked[index]:
                    found = (title_n, abstract_n, origin)
                    evidence = evidence_of.get(found) or evidence_of.setdefault(
                        found, evidence_text(title_n, abstract_n, origin)
                    )
                kept.append((labels[column], weights[index], origin or "text", evidence))
                index += 1
            by_paper[papers[row][0]] = kept
    return by_paper


def shown_entries(
    shared: tuple[list[str], np.ndarray, np.ndarray, int], first: int, last: int
) -> tuple[np.ndarray, np.ndarray]:
    """Entries (positions in ``ranked``) shown for rows first..last-1, and how many per row.

    ``shared`` is (padded labels, ranked columns, row bounds, keywords per paper).
    """
    padded, ranked, bounds, per_paper = shared
    picked: list[int] = []
    per_row: list[int] = []
    for lo in range(first, last, ROW_CHUNK):
        hi = min(lo + ROW_CHUNK, last)
        edges = bounds[lo : hi + 1].tolist()
        base = edges[0]
        columns = ranked[base : edges[-1]].tolist()
        for row in range(hi - lo):
            # The strongest phrases, skipping one that is part of a phrase already kept:
            # without this a paper about "neural operators" would also list "neural" and
            # "operators" as keywords of their own and let them dominate its links.
            found = 0
            kept_text = " | "
            for j in range(edges[row] - base, edges[row + 1] - base):
                text = padded[columns[j]]
                if text in kept_text:
                    continue
                picked.append(base + j)
                found += 1
                if found >= per_paper:
                    break
                kept_text += text[1:] + "| "
            per_row.append(found)
    return np.array(picked, dtype=np.int64), np.array(per_row, dtype=np.int64)


def evidence_text(title: int, abstract: int, origin: str | None) -> str:
    """Where a keyword was found, in words a person reads ("appears 3 times in abstract")."""
    found = []
    if title and abstract:
        found.append("appears in title and abstract")
    elif title or abstract:
        times = title or abstract
        place = "title" if title else "abstract"
        found.append(f"appears {times} times in {place}" if times > 1 else f"appears in {place}")
    if origin:
        found.append(f"given by {origin}")
    return "; ".join(found)
