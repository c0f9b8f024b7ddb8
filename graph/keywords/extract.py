"""Keyword extraction end to end: analyzer -> phrases -> weighting -> selection.

Each stage lives in its own module and fills a part of one :class:`_Extraction`;
what a stage no longer needs is dropped at once, because at 100k papers the token and
occurrence arrays are the stage's peak memory.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from graph.keywords.analyzer import Words, analyze, keyword_key
from graph.keywords.options import KeywordOptions, KeywordTable, ShownKeywords
from graph.keywords.phrases import NUMBER_CHUNK, THREADS, Grams, gram_labels, phrase_grams
from graph.keywords.selection import (
    paper_keywords,
    rank_entries,
    similarity_entries,
    similarity_matrix,
)
from graph.keywords.weighting import (
    Given,
    Scores,
    count_matrix,
    given_commonness,
    given_keywords,
    score_entries,
)
from graph.parallel import (
    MIN_BACKGROUND_ROWS,
    MIN_PARALLEL_ROWS,
    Steps,
    available_workers,
    background,
    in_threads,
    no_steps,
)
from graph.store import release_memory
from graph.words import word_zipf

__all__ = ["DEFAULT_OPTIONS", "extract_keywords", "paused_gc"]

DEFAULT_OPTIONS = KeywordOptions()

_gc_frozen = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off the objects alive when the block starts.

    A stage that allocates millions of objects triggers many collections, and each full
    one walks every live object, however old (``gc.freeze``). Cycles made inside the
    block are still collected. Nested blocks leave the outermost one in charge.
    """
    global _gc_frozen
    if _gc_frozen == 0:
        gc.freeze()
    _gc_frozen += 1
    try:
        yield
    finally:
        _gc_frozen -= 1
        if _gc_frozen == 0:
            gc.unfreeze()


def extract_keywords(
    papers: Sequence[tuple[str, str, str]],
    options: KeywordOptions = DEFAULT_OPTIONS,
    given: Iterable[tuple[str, str, str]] = (),
    workers: int | None = None,
    chunk: int = 0,
    steps: Steps = no_steps,
    consume: bool = False,
) -> KeywordTable:
    """Keyphrases for ``(paper_id, title, abstract)`` triples, weighted by tf-idf over the corpus.

    ``given`` holds ``(paper_id, keyword, origin)`` keywords a source already assigned
    (Hugging Face ``ai_keywords``, GitHub topics); they are normalised the same way and
    count as much as a title phrase.

    Tokenising, the acronym scan and the choice of shown keywords run in ranges of
    ``chunk`` papers over ``workers`` forked processes (default: every core for
    :data:`MIN_PARALLEL_ROWS` papers or more, else this process only); the table is the
    same whatever the two are. ``steps`` hears how many papers each of those parts has done.
    With ``consume`` the caller hands its list over: it is emptied once tokenised, since
    after that only the ids are needed and the texts are a GB at 1M papers.

    >>> table = extract_keywords([("a", "Neural Operators", "Neural operators for PDEs."),
    ...                           ("b", "Koopman Theory", "Koopman operators and neural operators.")])
    >>> [kw[0] for kw in table.by_paper["a"]][:2], table.doc_freq["neural operators"]
    (['neural operators', 'PDEs'], 2)
    """
    # The stage allocates millions of tuples and strings; without this the collector
    # walks every object alive before it again and again (7 of 21 s at 100k papers in a build).
    if workers is None:
        workers = available_workers() if len(papers) >= MIN_PARALLEL_ROWS else 1
    if not chunk:
        chunk = _chunk(len(papers), workers)
    with paused_gc():
        state = _Extraction(papers, options, workers, chunk, steps)
        words = analyze(papers, workers, chunk, steps)
        if consume and isinstance(papers, list):
            state.papers = [(paper[0], "", "") for paper in papers]
            papers.clear()
            papers = state.papers
            release_memory()
        # How common each word is (wordfreq look-ups, ~2 s at 100k papers) is worked
        # out in another process while this one numbers the phrases.
        alone = available_workers() if len(state.papers) >= MIN_BACKGROUND_ROWS else 1
        with background(word_zipf, words.surfaces, alone) as zipf:
            _count_phrases(state, words)
            del words
            state.given = given_keywords(papers, given, state.keys, state.aliases)
            if not state.keys:  # no content word anywhere (say, papers known only by arXiv id)
                return _empty_table(papers)
            _score(state, zipf())
        return _select(state)


def _chunk(papers: int, workers: int) -> int:
    """Papers per range: up to three ranges per worker balance the load, but each range
    tokenises its own distinct pieces again (a range of 2,000 papers costs 40% more
    per paper than one of 10,000), so a range has 10,000 papers or more where it can,
    and at most 50,000. The ranges come in a multiple of ``workers``: with one range
    more, one worker would scan it alone at the end (6 s at 1M papers).

    >>> [_chunk(n, 2) for n in (10_000, 30_000, 60_000, 100_000, 949_872, 1_000_000)]
    [5000, 15000, 10000, 16667, 47494, 50000]
    """
    per_worker = min(max(papers // (workers * 10_000), 1), 3)
    per_worker = max(per_worker, -(-papers // (workers * 50_000)))
    return max(-(-papers // (workers * per_worker)), 1)


@dataclass(slots=True)
class _Extraction:
    """What the stages hand on to each other."""

    papers: Sequence[tuple[str, str, str]]
    options: KeywordOptions
    workers: int
    chunk: int
    steps: Steps
    #: variant-folding key -> column
    keys: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    long_forms: dict[str, str] = field(default_factory=dict)
    grams: Grams | None = None
    surfaces: list[str] = field(default_factory=list)
    #: per phrase length, the text of each occurrence (2 * row, + 1 in the abstract); sorted
    text_at: list[np.ndarray] = field(default_factory=list)
    given: Given | None = None
    #: per column: label, word count, mean Zipf frequency of its words
    labels: list[str] = field(default_factory=list)
    size: np.ndarray = field(default_factory=lambda: np.zeros(0))
    commonness: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scores: Scores | None = None


def _count_phrases(state: _Extraction, words: Words) -> None:
    state.aliases, state.long_forms, state.surfaces = (
        words.aliases,
        words.long_forms,
        words.surfaces,
    )
    state.grams = phrase_grams(words.stream, words.generic, words.ends, words.parts, state.keys, 4)
    state.text_at = [texts_at(words.closes, at) for at in state.grams.positions]
    state.grams.positions.clear()


def texts_at(closes: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The text (int32) of each token position in ``at``: how many texts close before it.

    A chunk at a time: searched at once, the int32 positions would be copied to int64
    and answered in int64, 1.8 GB per phrase length at 1M papers.
    """
    found = np.empty(len(at), dtype=np.int32)

    def chunk(lo: int) -> None:
        found[lo : lo + NUMBER_CHUNK] = np.searchsorted(closes, at[lo : lo + NUMBER_CHUNK])

    in_threads(chunk, range(0, len(at), NUMBER_CHUNK), THREADS)
    return found


def _score(state: _Extraction, zipf: np.ndarray) -> None:
    assert state.grams is not None and state.given is not None
    given = state.given
    counts = count_matrix(
        state.text_at,
        state.grams.keys_at,
        (given.rows, given.cols),
        (len(state.papers), len(state.keys)),
    )
    state.text_at = []
    state.grams.keys_at.clear()
    state.labels, state.size, state.commonness = gram_labels(
        state.grams, state.surfaces, len(state.keys), zipf
    )
    state.grams = None
    for column, count in given.words.items():
        state.size[column] = count
    given_commonness(given.labels, state.commonness)
    state.scores = score_entries(counts, state.size, state.commonness, state.options)
    for column, text in given.labels.items():
        state.labels[column] = text
    for key, form in state.long_forms.items():
        if key in state.keys:
            state.labels[state.keys[key]] = form


def _select(state: _Extraction) -> KeywordTable:
    assert state.scores is not None and state.given is not None
    papers, options, labels, keys = state.papers, state.options, state.labels, state.keys
    scored = state.scores
    state.scores = None
    indices, bounds, scores = scored.matrix.indices, scored.matrix.indptr, scored.matrix.data
    df, idf = scored.df, scored.idf
    total = max(len(papers), 1)
    hub_limit = min(options.hub_papers, max(options.min_papers, int(options.hub_share * total)))
    linkable_column = (df >= options.min_papers) & (df <= hub_limit)
    order, row_at = rank_entries(bounds, scores, len(papers), state.workers)
    ranked = indices[order]
    # The similarity vector of a paper: its vector_size strongest linkable phrases.
    link_rows, link = similarity_entries(
        order, ranked, row_at, linkable_column, options.vector_size, len(papers)
    )
    del row_at
    shown = paper_keywords(
        len(papers),
        bounds,
        order,
        ranked,
        labels,
        options.per_paper,
        _rounded(scores, 6),
        scored.titles,
        scored.abstracts,
        linkable_column,
        state.given.origins,
        state.workers,
        state.chunk,
        state.steps,
    )
    del order, ranked, scored
    matrix, used = similarity_matrix(scores, indices, link_rows, link, (len(papers), len(keys)))
    del scores, indices, link, link_rows
    column_labels = {c: labels[c] for c in used.tolist()}
    shown_labels = set(shown.labels)
    index_of_label = {text: c for c, text in column_labels.items()}
    for text in sorted(shown_labels - set(index_of_label)):
        index_of_label[text] = keys.get(keyword_key(text, state.aliases), -1)
    doc_freq = {text: int(df[i]) for text, i in index_of_label.items() if i >= 0}
    return KeywordTable(
        shown=shown,
        doc_freq=doc_freq,
        idf={text: float(idf[i]) for text, i in index_of_label.items() if i >= 0},
        linkable=frozenset(
            text
            for text in shown_labels
            if options.min_papers <= doc_freq.get(text, 0) <= hub_limit
        ),
        paper_ids=[p[0] for p in papers],
        columns=[column_labels[int(c)] for c in used],
        matrix=matrix,
    )


def _rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """``np.round(values, decimals)``, a chunk at a time on threads (0.9 s at 1M papers in one).

    >>> _rounded(np.array([0.1234567, 2.5e-7]), 6).tolist()
    [0.123457, 0.0]
    """
    found = np.empty_like(values)

    def chunk(lo: int) -> None:
        np.round(values[lo : lo + NUMBER_CHUNK], decimals, out=found[lo : lo + NUMBER_CHUNK])

    in_threads(chunk, range(0, len(values), NUMBER_CHUNK), THREADS)
    return found


def _empty_table(papers: Sequence[tuple[str, str, str]]) -> KeywordTable:
    return KeywordTable(
        shown=ShownKeywords.empty(),
        doc_freq={},
        idf={},
        linkable=frozenset(),
        paper_ids=[paper_id for paper_id, _, _ in papers],
        columns=[],
        matrix=sparse.csr_matrix((len(papers), 0)),
    )
