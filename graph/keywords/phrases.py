"""Words -> phrases: every run of 1-4 content words, numbered and folded to keys, vectorised.

The second stage of keyword extraction: the corpus's distinct phrases and where each
occurs, and per key the spelling its papers use most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from graph.parallel import available_workers, in_threads
from graph.words import EVERYDAY_ZIPF, word_zipf

__all__ = [
    "Grams",
    "count_ids",
    "gather",
    "gram_labels",
    "phrase_grams",
    "positions",
    "renumber",
    "scatter",
]


@dataclass(slots=True)
class Grams:
    """Distinct phrases of each length (1..4 words), folded to keys, and where they occur."""

    #: per length, per distinct phrase: key id (-1 if all words are generic), occurrences,
    #: the phrase one word shorter it extends, and its last word
    key: list[np.ndarray] = field(default_factory=list)
    count: list[np.ndarray] = field(default_factory=list)
    prefix: list[np.ndarray] = field(default_factory=list)
    last: list[np.ndarray] = field(default_factory=list)
    #: per length: token position where each kept occurrence starts, and its key id
    positions: list[np.ndarray] = field(default_factory=list)
    keys_at: list[np.ndarray] = field(default_factory=list)


def phrase_grams(
    words: np.ndarray,
    generic: np.ndarray,
    ends: np.ndarray,
    parts: list[str],
    keys: dict[str, int],
    limit: int,
) -> Grams:
    """Number every run of 1..limit content words and fold it to a key, vectorised over the corpus.

    ``words`` holds a word id per token (-1 for a token that breaks phrases); a phrase
    whose last word cannot end one (``ends`` false: an adjective or participle) is
    numbered, so longer phrases extend it, but gets no key. A phrase
    of n words is a (phrase of n-1 words, next word) pair, so each length costs one
    ``np.unique`` over the corpus and Python only touches distinct phrases.
    """
    grams = Grams()
    size, vocabulary = len(words), max(len(parts), 1)
    # Id of the phrase of the current length starting here (int32: ids count distinct
    # phrases, and token positions stay far below 2**31).
    code = words.astype(np.int32)
    # Index -1 (a phrase break) reads the padding; that also copes with an empty vocabulary.
    all_generic = gather(np.append(generic, False), words)
    text_keys: list[str] = list(parts)
    ids: np.ndarray  # phrase id of each occurrence in ``start``
    for n in range(1, limit + 1):
        if n == 1:
            start = positions(size, lambda lo, hi: code[lo:hi] >= 0)
            prefix = np.full(len(parts), -1, dtype=np.int64)
            last = np.arange(len(parts), dtype=np.int64)
            distinct_count = len(parts)
            ids = gather(code, start)
            count = count_ids(ids, distinct_count)
            # A word is generic or not wherever it stands (one that never does is not).
            generic_gram = generic[:distinct_count] & (count > 0)
        else:
            # Where a phrase of n - 1 words starts and a word follows it.
            start = positions(max(size - n + 1, 0), partial(_followed, code, words, n - 1))
            nxt_word = gather(words, start, n - 1)
            distinct_count, first, ids, count = number_pairs(
                gather(code, start), nxt_word, vocabulary
            )
            prefix = code[start[first]].astype(np.int64)
            last = nxt_word[first].astype(np.int64)
            shorter = text_keys
            text_keys = [
                shorter[p] + parts[w] for p, w in zip(prefix.tolist(), last.tolist(), strict=True)
            ]
            del shorter
            scatter(all_generic, start, gather(all_generic, start) & gather(generic, nxt_word))
            del nxt_word
            # Every occurrence of a phrase says the same (its words are generic or not):
            # its first one says it for all.
            generic_gram = all_generic[start[first]]
            del first
            code.fill(-1)
            scatter(code, start, ids)
        generic_gram |= ~ends[last]
        key = np.fromiter(
            (
                -1 if skip else keys.setdefault(text, len(keys))
                for text, skip in zip(text_keys, generic_gram.tolist(), strict=True)
            ),
            dtype=np.int64,
            count=distinct_count,
        )
        del generic_gram
        grams.key.append(key)
        grams.count.append(count)
        grams.prefix.append(prefix)
        grams.last.append(last)
        # The occurrences of phrases with a key, and their keys.
        key32 = key.astype(np.int32)
        kept = positions(len(ids), partial(_keyed, key32, ids))
        grams.positions.append(gather(start, kept))
        grams.keys_at.append(gather(key32, gather(ids, kept)))
        del ids, kept, start, key32
    return grams


def _followed(code: np.ndarray, words: np.ndarray, at: int, lo: int, hi: int) -> np.ndarray:
    """Which of positions lo..hi-1 start a phrase (``code``) with a word ``at`` tokens on."""
    return (code[lo:hi] >= 0) & (words[lo + at : hi + at] >= 0)


def _keyed(key: np.ndarray, ids: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Which of occurrences lo..hi-1 (phrase ``ids``) are of a phrase with a key."""
    return key[ids[lo:hi]] >= 0


#: occurrences handled at once when phrases are numbered (bounds the temporary arrays)
NUMBER_CHUNK = 1 << 20
#: threads the chunked gathers run on
THREADS = available_workers()


def positions(length: int, test: Callable[[int, int], np.ndarray]) -> np.ndarray:
    """The indices below ``length`` where a test holds, in order, as int32: ``test(lo, hi)``
    says it for ``lo..hi-1``.

    A chunk at a time on :data:`THREADS` threads: each chunk's count first, then each
    chunk writes its own slice. Neither a mask nor an int64 array of the whole corpus is
    built (each is a serial pass over GBs at 1M papers); a chunk is tested twice instead.

    >>> values = np.array([-1, 4, 2, -1, 7])
    >>> positions(len(values), lambda lo, hi: values[lo:hi] >= 0).tolist()
    [1, 2, 4]
    """
    starts = range(0, length, NUMBER_CHUNK)
    counts = np.zeros(len(starts) + 1, dtype=np.int64)

    def count(lo: int) -> None:
        counts[lo // NUMBER_CHUNK + 1] = np.count_nonzero(test(lo, min(lo + NUMBER_CHUNK, length)))

    in_threads(count, starts, THREADS)
    offsets = np.cumsum(counts)
    found = np.empty(int(offsets[-1]), dtype=np.int32)

    def fill(lo: int) -> None:
        at = offsets[lo // NUMBER_CHUNK]
        here = np.flatnonzero(test(lo, min(lo + NUMBER_CHUNK, length)))
        found[at : at + len(here)] = here + lo

    in_threads(fill, starts, THREADS)
    return found


# numpy copies an index array to int64 before it gathers or scatters with it: for the
# token positions of 1M papers that is GBs at once, so these go a chunk at a time.


def gather(values: np.ndarray, index: np.ndarray, offset: int = 0) -> np.ndarray:
    """``values[index + offset]``, a chunk of ``index`` at a time.

    >>> gather(np.array([5, 6, 7]), np.array([2, 0], dtype=np.int32), 0).tolist()
    [7, 5]
    """
    found = np.empty(len(index), dtype=values.dtype)

    def chunk(lo: int) -> None:
        part = index[lo : lo + NUMBER_CHUNK]
        found[lo : lo + len(part)] = values[part + offset if offset else part]

    in_threads(chunk, range(0, len(index), NUMBER_CHUNK), THREADS)
    return found


def scatter(target: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``target[index] = values``, a chunk at a time (in order, so the last write wins)."""
    for lo in range(0, len(index), NUMBER_CHUNK):
        target[index[lo : lo + NUMBER_CHUNK]] = values[lo : lo + NUMBER_CHUNK]


def joined(parts: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate(parts)`` with the parts copied on the threads, each let go once
    copied (the whole is a GB at 1M papers: a serial copy waits on fresh memory).

    >>> joined([np.arange(3), np.arange(2)]).tolist()
    [0, 1, 2, 0, 1]
    """
    if not parts:
        return np.zeros(0, dtype=np.int32)
    whole = np.empty(sum(len(part) for part in parts), dtype=parts[0].dtype)
    starts = np.cumsum([0] + [len(part) for part in parts]).tolist()

    def copy(index: int) -> None:
        whole[starts[index] : starts[index + 1]] = parts[index]
        parts[index] = whole[:0]

    in_threads(copy, range(len(parts)), THREADS)
    parts.clear()
    return whole


def renumber(ids: np.ndarray, new_id: np.ndarray) -> None:
    """``ids[:] = new_id[ids]`` in place, a chunk at a time (no copy of the whole array)."""

    def chunk(lo: int) -> None:
        part = ids[lo : lo + NUMBER_CHUNK]
        part[:] = new_id[part]

    in_threads(chunk, range(0, len(ids), NUMBER_CHUNK), THREADS)


def pair_lookup(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    width: int,
    at_rows: np.ndarray,
    at_cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which ``(at_rows[i], at_cols[i])`` are among the pairs ``(rows, cols)`` (columns below
    ``width``), and the ``values`` of those found, in their order.

    >>> hit, found = pair_lookup(np.array([0, 2]), np.array([1, 0]), np.array([7, 9]), 3,
    ...                          np.array([2, 0, 1]), np.array([0, 0, 1]))
    >>> hit.tolist(), found.tolist()
    ([True, False, False], [9])
    """
    key = rows.astype(np.int64) * width + cols
    sort = np.argsort(key, kind="stable")
    key, values = key[sort], values[sort]
    wanted = at_rows.astype(np.int64) * width + at_cols
    if not len(key):
        return np.zeros(len(wanted), dtype=bool), values[:0]
    at = np.minimum(np.searchsorted(key, wanted), len(key) - 1)
    hit = key[at] == wanted
    return hit, values[at[hit]]


def count_ids(ids: np.ndarray, length: int) -> np.ndarray:
    """``np.bincount(ids, minlength=length)``, a chunk at a time."""
    counts = np.zeros(length, dtype=np.int64)
    for lo in range(0, len(ids), NUMBER_CHUNK):
        counts += np.bincount(ids[lo : lo + NUMBER_CHUNK], minlength=length)
    return counts


def number_pairs(
    prefix: np.ndarray, word: np.ndarray, vocabulary: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Number the distinct (prefix, word) pairs in sorted order, as ``np.unique`` would.

    Returns the number of distinct pairs, where each first occurs, the number of each
    pair (int32) and how often each occurs. Works in chunks on :data:`THREADS` threads
    (NumPy's sorts and searches let go of the GIL), so no corpus-size sort or int64
    inverse is built; the counts come from each chunk's distinct pairs, not from a
    corpus-length ``bincount`` per chunk.

    >>> count, first, number, often = number_pairs(np.array([3, 1, 3, 1]), np.array([0, 2, 0, 1]), 4)
    >>> count, first.tolist(), number.tolist(), often.tolist()
    (3, [3, 1, 0], [2, 1, 2, 0], [1, 1, 2])
    """
    total = len(prefix)
    starts = range(0, total, NUMBER_CHUNK)

    def values(lo: int) -> np.ndarray:
        return (
            prefix[lo : lo + NUMBER_CHUNK].astype(np.int64) * vocabulary
            + word[lo : lo + NUMBER_CHUNK]
        )

    # Per chunk, its distinct pairs and how often each occurs there (int32: a chunk has
    # at most NUMBER_CHUNK occurrences).
    nothing = (np.zeros(0, np.int64), np.zeros(0, np.int32))
    seen: list[tuple[np.ndarray, np.ndarray]] = [nothing] * len(starts)

    def distinct_in(lo: int) -> None:
        pairs, counts = np.unique(values(lo), return_counts=True)
        seen[lo // NUMBER_CHUNK] = pairs, counts.astype(np.int32)

    in_threads(distinct_in, starts, THREADS)
    distinct = (
        np.unique(np.concatenate([pairs for pairs, _ in seen])) if seen else np.zeros(0, np.int64)
    )
    often = np.zeros(len(distinct), dtype=np.int64)
    for pairs, counts in seen:
        # A chunk's pairs are distinct, so a plain fancy-indexed add counts each once.
        often[np.searchsorted(distinct, pairs)] += counts
    seen.clear()
    number = np.empty(total, dtype=np.int32)

    def look_up(lo: int) -> None:
        number[lo : lo + NUMBER_CHUNK] = np.searchsorted(distinct, values(lo))

    in_threads(look_up, starts, THREADS)
    first = np.full(len(distinct), -1, dtype=np.int64)
    for lo in starts:
        here = number[lo : lo + NUMBER_CHUNK]
        # Pairs not met in an earlier chunk: their first occurrence is in this one.
        new = np.flatnonzero(first[here] < 0)
        found, at = np.unique(here[new], return_index=True)
        first[found] = new[at] + lo
    return len(distinct), first, number, often


def gram_labels(
    grams: Grams, surfaces: list[str], columns: int, zipf: np.ndarray | None = None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per key: its most frequent spelling, written as the corpus writes it, its word count,
    and the mean Zipf frequency of that spelling's words in general English.

    Keys with no phrase (given keywords the texts never use) get an empty label here.
    ``zipf`` is :func:`graph.words.word_zipf` of ``surfaces`` when already known.
    """
    key = np.concatenate(grams.key)
    count = np.concatenate(grams.count)
    length = np.concatenate([np.full(len(k), n, dtype=np.int64) for n, k in enumerate(grams.key)])
    phrase = np.concatenate([np.arange(len(k), dtype=np.int64) for k in grams.key])
    keep = key >= 0
    key, count, length, phrase = key[keep], count[keep], length[keep], phrase[keep]
    # Most frequent first; ties go to the shorter phrase, then the earlier one (stable order).
    order = np.lexsort((phrase, length, -count, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]] if len(order) else order
    found = key[first]
    size = np.ones(columns, dtype=np.float64)
    size[found] = length[first] + 1
    # Walk every representative back from its last word: a phrase of n + 1 words is a
    # phrase of n words (``prefix``) and a last word.
    at_length, at_phrase = length[first], phrase[first]
    words = np.full((len(first), len(grams.key)), -1, dtype=np.int64)
    for step in range(len(grams.key)):
        for n in range(len(grams.key)):
            here = np.flatnonzero(at_length == n)
            words[here, step] = grams.last[n][at_phrase[here]]
            at_phrase[here] = grams.prefix[n][at_phrase[here]]
        at_length = at_length - 1
    commonness = np.full(columns, EVERYDAY_ZIPF, dtype=np.float64)
    if len(found):
        used = words >= 0
        zipf = np.append(word_zipf(surfaces) if zipf is None else zipf, 0.0)[words]
        commonness[found] = np.where(used, zipf, 0.0).sum(axis=1) / used.sum(axis=1)
    labels = [""] * columns
    for column, backwards in zip(found.tolist(), words.tolist(), strict=True):
        labels[column] = " ".join([surfaces[w] for w in reversed(backwards) if w >= 0])
    return labels, size, commonness
