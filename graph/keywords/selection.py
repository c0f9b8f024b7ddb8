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

__all__ = ["evidence_text", "paper_keywords", "rank_entries", "similarity_entries"]


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
) -> dict[str, list[tuple[str, float, str, str]]]:
    """The keywords shown per paper: its strongest phrases, minus those inside a stronger one.

    ``order[bounds[r]:bounds[r + 1]]`` are row r's entries strongest first and ``ranked``
    their columns. Python only walks a paper's phrases until ``per_paper`` are chosen.
    """
    by_paper: dict[str, list[tuple[str, float, str, str]]] = {}
    # " label " in lower case, for the containment test below
    padded = [f" {text.lower()} " for text in labels]
    # Few distinct evidence texts: one string object each, not one per keyword row.
    evidence_of: dict[tuple[int, int, str | None], str] = {}
    edges = bounds.tolist()
    for first in range(0, len(papers), ROW_CHUNK):
        last = min(first + ROW_CHUNK, len(papers))
        lo, hi = edges[first], edges[last]
        columns = ranked[lo:hi].tolist()
        chosen: list[list[int]] = []
        for row in range(first, last):
            # The strongest phrases, skipping one that is part of a phrase already kept:
            # without this a paper about "neural operators" would also list "neural" and
            # "operators" as keywords of their own and let them dominate its links.
            shown: list[int] = []
            kept_text = " | "
            for j in range(edges[row] - lo, edges[row + 1] - lo):
                text = padded[columns[j]]
                if text in kept_text:
                    continue
                shown.append(j)
                if len(shown) >= per_paper:
                    break
                kept_text += text[1:] + "| "
            chosen.append(shown)
        picked = np.array([j for shown in chosen for j in shown], dtype=np.int64)
        at = order[lo:hi][picked]
        weights = rounded[at].tolist()
        counts = zip(titles[at].tolist(), abstracts[at].tolist(), strict=True)
        linked = linkable_column[ranked[lo:hi][picked]].tolist()
        index = 0
        for row, shown in zip(range(first, last), chosen, strict=True):
            kept: list[tuple[str, float, str, str]] = []
            for j in shown:
                title_n, abstract_n = next(counts)
                origin = origins.get((row, columns[j])) if origins else None
                # Evidence is only read on keyword edges, which exist for linkable keywords.
                evidence = ""
                if linked[index]:
                    found = (title_n, abstract_n, origin)
                    evidence = evidence_of.get(found) or evidence_of.setdefault(
                        found, evidence_text(title_n, abstract_n, origin)
                    )
                kept.append((labels[columns[j]], weights[index], origin or "text", evidence))
                index += 1
            by_paper[papers[row][0]] = kept
    return by_paper


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
