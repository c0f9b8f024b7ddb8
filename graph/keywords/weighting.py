"""Phrases -> weights: occurrences per paper and key, tf-idf, length and termhood.

The third stage of keyword extraction (as scikit-learn's ``TfidfTransformer`` after
its vectorizer): a paper x key count matrix that keeps title, abstract and given
occurrences apart, then one score per entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from graph.keywords.analyzer import TOKENIZE, is_generic, keyword_key, surface_form
from graph.keywords.options import ROW_CHUNK, KeywordOptions
from graph.keywords.phrases import NUMBER_CHUNK, THREADS
from graph.parallel import in_threads
from graph.words import EVERYDAY_ZIPF, word_zipf

__all__ = ["Given", "Scores", "count_matrix", "given_keywords", "score_entries", "smoothed_idf"]

_ABSTRACT_UNIT = 2.0**20
_GIVEN_UNIT = 2.0**40


@dataclass(slots=True)
class Given:
    """Keywords a source assigned, as (row, column) entries of the count matrix."""

    rows: np.ndarray
    cols: np.ndarray
    #: column -> label and word count, for keys the texts never use
    labels: dict[int, str]
    words: dict[int, int]
    #: (row, column) -> the source that gave the keyword
    origins: dict[tuple[int, int], str]


def given_keywords(
    papers: Sequence[tuple[str, str, str]],
    given: Iterable[tuple[str, str, str]],
    keys: dict[str, int],
    aliases: dict[str, str],
) -> Given:
    """Fold ``(paper_id, keyword, origin)`` triples to keys, adding a column for a new key."""
    text_keys = len(keys)
    labels: dict[int, str] = {}
    words: dict[int, int] = {}
    origins: dict[tuple[int, int], str] = {}
    row_of = {p[0]: i for i, p in enumerate(papers)}
    rows: list[int] = []
    cols: list[int] = []
    for paper_id, keyword, source in sorted(given):
        found = tuple(w for w in TOKENIZE(keyword) if w[0].isalnum())
        if paper_id not in row_of or not found or is_generic(found):
            continue
        column = keys.setdefault(keyword_key(" ".join(found), aliases), len(keys))
        if column >= text_keys:
            labels.setdefault(column, surface_form(found))
            words.setdefault(column, len(found))
        origins.setdefault((row_of[paper_id], column), source)
        rows.append(row_of[paper_id])
        cols.append(column)
    return Given(
        np.array(rows, dtype=np.int32), np.array(cols, dtype=np.int32), labels, words, origins
    )


def count_matrix(
    text_at: list[np.ndarray],
    keys_at: list[np.ndarray],
    given: tuple[np.ndarray, np.ndarray],
    shape: tuple[int, int],
) -> sparse.csr_matrix:
    """Occurrences per (paper, key) as CSR, built for a chunk of papers at a time.

    Title, abstract and given occurrences are summed in one number (title + 2**20 *
    abstract + 2**40 * given; counts stay below 2**20). They are exact integers in
    float64, so the order of summation does not matter.
    """
    given_rows, given_cols = given
    # Where each chunk's rows start in each (sorted) occurrence array, found in one pass per
    # array. The bounds take the array's own dtype: searching a list of Python ints would
    # cast (copy) the whole array on every call, which made this quadratic in the corpus.
    starts = np.append(np.arange(0, shape[0], ROW_CHUNK), shape[0])
    cuts = [np.searchsorted(texts, (2 * starts).astype(texts.dtype)).tolist() for texts in text_at]
    blocks: list[sparse.csr_matrix | None] = [None] * (len(starts) - 1)

    def block(chunk: int) -> None:
        first = int(starts[chunk])
        last = min(first + ROW_CHUNK, shape[0])
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for texts, keys, cut in zip(text_at, keys_at, cuts, strict=True):
            lo, hi = cut[chunk], cut[chunk + 1]
            rows.append(texts[lo:hi] // 2 - first)
            cols.append(keys[lo:hi])
            values.append(np.where(texts[lo:hi] % 2 == 0, 1.0, _ABSTRACT_UNIT))
        mine = np.flatnonzero((given_rows >= first) & (given_rows < last))
        rows.append(given_rows[mine] - first)
        cols.append(given_cols[mine])
        values.append(np.full(len(mine), _GIVEN_UNIT))
        built = sparse.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(last - first, shape[1]),
        ).tocsr()
        built.sum_duplicates()
        blocks[chunk] = built

    # Each block is NumPy and SciPy's compiled sparse code (which lets go of the GIL).
    in_threads(block, range(len(blocks)), THREADS)
    built_blocks = [b for b in blocks if b is not None]
    assert len(built_blocks) == len(blocks)
    ends = np.cumsum([0] + [b.nnz for b in built_blocks], dtype=np.int64)
    return sparse.csr_matrix(
        (
            np.concatenate([np.zeros(0)] + [b.data for b in built_blocks]),
            np.concatenate([np.zeros(0, dtype=np.int32)] + [b.indices for b in built_blocks]),
            np.concatenate(
                [np.zeros(1, dtype=np.int64)]
                + [
                    b.indptr[1:].astype(np.int64) + end
                    for b, end in zip(built_blocks, ends[:-1], strict=True)
                ]
            ),
        ),
        shape=shape,
    )


@dataclass(slots=True)
class Scores:
    """One score per (paper, key) entry, with the counts behind it and per-key statistics."""

    #: paper x key matrix; ``data`` holds the scores
    matrix: sparse.csr_matrix
    #: title and abstract occurrences of each entry
    titles: np.ndarray
    abstracts: np.ndarray
    idf: np.ndarray
    #: papers per key
    df: np.ndarray


def score_entries(
    counts: sparse.csr_matrix,
    size: np.ndarray,
    commonness: np.ndarray,
    options: KeywordOptions,
) -> Scores:
    """Score every entry of the packed count matrix (:func:`count_matrix`), in place.

    Weighted tf (a title occurrence counts ``title_weight`` when the abstract uses the
    phrase too, else ``title_only_weight``), log-scaled, times idf (softened for phrases
    of several words), a length bonus, half for a one-word keyword of several papers,
    and the termhood factor of :class:`KeywordOptions`.
    """
    data, indices = counts.data, counts.indices
    size_of_entries = len(data)
    starts = range(0, size_of_entries, NUMBER_CHUNK)
    titles = np.empty(size_of_entries, dtype=np.int32)
    abstracts = np.empty(size_of_entries, dtype=np.int32)
    weighted = np.empty(size_of_entries, dtype=np.float64)

    # Elementwise, a chunk at a time on threads (NumPy's arithmetic lets go of the GIL);
    # the same operations in the same order as on the whole arrays, so the same numbers.
    def unpack(lo: int) -> None:
        hi = lo + NUMBER_CHUNK
        packed = data[lo:hi].astype(np.int64)
        given_n = (packed >> 40).astype(np.int32)
        found_abstracts = ((packed >> 20) & (2**20 - 1)).astype(np.int32)
        found_titles = (packed & (2**20 - 1)).astype(np.int32)
        abstracts[lo:hi], titles[lo:hi] = found_abstracts, found_titles
        tf = np.where(
            found_abstracts > 0,
            options.title_weight * found_titles,
            options.title_only_weight * found_titles,
        )
        tf += options.title_weight * given_n + found_abstracts
        weighted[lo:hi] = tf

    in_threads(unpack, starts, THREADS)
    df = np.bincount(indices, minlength=counts.shape[1])
    idf = smoothed_idf(df, counts.shape[0])
    # Longer phrases say more than their parts.
    length_bonus = 1.0 + options.length_bonus * (size - 1.0)
    key_factor = np.where(size > 1, idf**options.phrase_idf_power, idf) * length_bonus
    key_factor[(size == 1) & (df >= 2)] *= options.common_word_factor
    key_factor *= np.exp(-options.specificity * (commonness - EVERYDAY_ZIPF))

    def score(lo: int) -> None:
        hi = lo + NUMBER_CHUNK
        found = np.log(weighted[lo:hi])
        found += 1.0
        found *= key_factor[indices[lo:hi]]
        weighted[lo:hi] = found

    in_threads(score, starts, THREADS)
    counts.data = weighted
    return Scores(counts, titles, abstracts, idf, df)


def smoothed_idf(df: np.ndarray, papers: int) -> np.ndarray:
    """scikit-learn's smoothed idf, ln((1 + n) / (1 + df)) + 1, as float64.

    Computed here rather than through ``TfidfTransformer``, whose import costs 0.5 s of
    every build's start-up; the tests compare the two.

    >>> smoothed_idf(np.array([1, 3]), 3).round(4).tolist()
    [1.6931, 1.0]
    """
    return np.log((papers + 1) / (df + 1.0)) + 1.0


def given_commonness(labels: dict[int, str], commonness: np.ndarray) -> None:
    """Set the commonness of the columns only given keywords have, from their labels."""
    for column, text in labels.items():
        commonness[column] = float(word_zipf(text.split()).mean())
