"""Weights -> keywords: per paper its strongest phrases, and the vectors similarity compares.

The last stage of keyword extraction: entries ranked within each paper, the shown
keywords (a phrase inside a stronger one skipped), and the paper x keyword matrix of
each paper's strongest linkable phrases.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from graph.keywords.options import ROW_CHUNK, ShownKeywords
from graph.keywords.phrases import pair_lookup
from graph.parallel import Steps, in_threads, map_ranges, no_steps

__all__ = [
    "evidence_text",
    "paper_keywords",
    "rank_entries",
    "shown_entries",
    "similarity_entries",
]


def rank_entries(
    bounds: np.ndarray, scores: np.ndarray, rows: int, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Every paper's entries strongest first, and the row of each entry.

    A stable sort per block of rows (on ``workers`` threads), so columns stay in
    ascending order among equal scores. Row r holds ``order[bounds[r]:bounds[r + 1]]``.
    """
    row_at = np.repeat(np.arange(rows, dtype=np.int32), np.diff(bounds))
    order = np.empty(len(scores), dtype=np.int32 if len(scores) < 2**31 else np.int64)

    def block(first: int) -> None:
        lo, hi = bounds[first], bounds[min(first + ROW_CHUNK, rows)]
        order[lo:hi] = lo + np.lexsort((-scores[lo:hi], row_at[lo:hi]))

    in_threads(block, range(0, rows, ROW_CHUNK), workers)
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
    used, column = used_columns(all_cols, shape[1])
    matrix = sparse.csr_matrix((scores[link], (link_rows, column)), shape=(shape[0], len(used)))
    return matrix, used


def used_columns(columns: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(columns, return_inverse=True)`` for columns below ``width``, without a sort:
    the columns that occur, in order, and each entry's place among them.

    A mark per column and a running count: at 1M papers ``np.unique`` sorted the 11M
    shown keywords' columns in 3.9 s, this takes a tenth of that.

    >>> used, place = used_columns(np.array([7, 2, 7, 5]), 9)
    >>> used.tolist(), place.tolist()
    ([2, 5, 7], [2, 0, 2, 1])
    """
    present = np.zeros(width, dtype=bool)
    present[columns] = True
    used = np.flatnonzero(present)
    place: np.ndarray = np.cumsum(present, dtype=np.int32 if width < 2**31 else np.int64)
    return used, place[columns] - 1


def paper_keywords(
    papers: int,
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
) -> ShownKeywords:
    """The keywords shown for each of ``papers`` rows: its strongest phrases, minus those
    inside a stronger one.

    ``order[bounds[r]:bounds[r + 1]]`` are row r's entries strongest first and ``ranked``
    their columns. The choice (:func:`shown_entries`) runs in ranges of ``chunk`` papers,
    in forked processes when ``workers`` >= 2; the columns are then gathered here.
    """
    # " label " in lower case, for the containment test of shown_entries
    padded = [f" {text.lower()} " for text in labels]
    chosen = map_ranges(
        shown_entries,
        (padded, ranked, bounds, per_paper),
        papers,
        workers,
        chunk or papers,
        steps,
        "choosing keywords",
    )
    del padded
    shown = np.concatenate([c[0] for c in chosen]) if chosen else np.zeros(0, dtype=np.int64)
    per_row = np.concatenate([c[1] for c in chosen]) if chosen else np.zeros(0, dtype=np.int64)
    del chosen
    rows = np.repeat(np.arange(papers, dtype=np.int32), per_row)
    at = order[shown]
    columns = ranked[shown]
    used, label = used_columns(columns, len(labels))
    origin, origin_names = _origins(rows, columns, origins, len(labels))
    # Evidence is only read on keyword edges, which exist for linkable keywords; the
    # evidence texts are few, one per (title count, abstract count, origin).
    linked = linkable_column[columns]
    # (title count, abstract count, origin), each under 2**20, as one int64: np.unique of
    # rows (axis=0) sorts structured views, several times slower; the order is the same.
    packed = (
        (titles[at][linked].astype(np.int64) << 40)
        | (abstracts[at][linked].astype(np.int64) << 20)
        | origin[linked].astype(np.int64)
    )
    unique, kind_of = np.unique(packed, return_inverse=True)
    kinds = np.stack([unique >> 40, (unique >> 20) & (2**20 - 1), unique & (2**20 - 1)], axis=1)
    evidence = np.zeros(len(columns), dtype=np.int32)
    evidence[linked] = 1 + kind_of.reshape(-1)
    evidences = [""] + [
        evidence_text(title, abstract, origin_names[source] if source else None)
        for title, abstract, source in kinds.tolist()
    ]
    return ShownKeywords(
        rows=rows,
        label=label.astype(np.int32).reshape(-1),
        weight=rounded[at],
        origin=origin,
        evidence=evidence,
        labels=[labels[c] for c in used.tolist()],
        origins=origin_names,
        evidences=evidences,
    )


def _origins(
    rows: np.ndarray, columns: np.ndarray, origins: dict[tuple[int, int], str], width: int
) -> tuple[np.ndarray, list[str]]:
    """Per entry the number of the source that gave it (0: 'text', found in the text), and
    the names those numbers stand for."""
    names = ["text", *sorted(set(origins.values()))]
    origin = np.zeros(len(rows), dtype=np.int32)
    if not origins or not len(rows):
        return origin, names
    number = {name: at for at, name in enumerate(names)}
    given_rows = np.fromiter((r for r, _ in origins), dtype=np.int64, count=len(origins))
    given_cols = np.fromiter((c for _, c in origins), dtype=np.int64, count=len(origins))
    given_origin = np.fromiter(
        (number[name] for name in origins.values()), dtype=np.int32, count=len(origins)
    )
    hit, found = pair_lookup(given_rows, given_cols, given_origin, width, rows, columns)
    origin[hit] = found
    return origin, names


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
