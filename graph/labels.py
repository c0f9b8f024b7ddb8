"""Community labels from what a community's papers share: distinctive keywords and words,
shown only when enough of its papers' titles and abstracts contain them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from graph.keywords import BREAK_WORDS, GENERIC_WORDS
from graph.parallel import map_batches

__all__ = [
    "community_labels",
    "fold_text",
    "label_candidates",
    "label_communities",
    "label_coverage",
    "label_needle",
    "term_counts",
]

#: a label phrase must occur in at least this share of its community's papers
LABEL_MIN_SHARE = 0.25
#: a word is shown as a phrase holding it when the phrase covers this share of its papers
PHRASE_SHARE = 0.6
#: distinctive keywords per community whose occurrences in the texts are counted
LABEL_CANDIDATES = 40
#: texts per batch of :func:`label_coverage` handed to a worker
COVERAGE_BATCH = 4096


def community_labels(
    members: dict[int, list[str]],
    keywords_by_paper: dict[str, list[str]],
    total_papers: int,
    top: int = 3,
) -> dict[int, tuple[str, list[str], list[int]]]:
    """A label for each community from the keywords its papers share and the corpus does not.

    Coverage here is keyword presence: a paper covers a phrase when the phrase is
    among its keywords (the build counts phrases in the texts instead, see
    :func:`label_communities`).

    >>> labels = community_labels({0: ["a", "b"], 1: ["c"]}, {"a": ["koopman"], "b": ["koopman"], "c": ["x"]}, 3)
    >>> labels[0]
    ('koopman', ['koopman'], [2])
    """
    corpus: Counter[str] = Counter()
    for words in keywords_by_paper.values():
        corpus.update(set(words))
    counts = []
    for index, papers in members.items():
        inside: Counter[str] = Counter()
        for paper in papers:
            inside.update(set(keywords_by_paper.get(paper, ())))
        counts += [(index, word, count, corpus[word]) for word, count in inside.items()]
    sizes = {index: len(papers) for index, papers in members.items()}
    return label_communities(sizes, counts, total_papers, top)


def _distinctive(share: float, corpus_share: float) -> float:
    """How strongly a phrase marks a community: its share there times the log of its lift.

    This is the community's term of the Kullback-Leibler divergence from the corpus
    (share x pointwise mutual information), the measure behind the log-likelihood and
    mutual-information labels of CiteSpace and the class-based tf-idf of BERTopic: a
    phrase common in the community *and* rarer elsewhere scores high; one as common
    everywhere ("non-linear" in a machine-learning corpus) scores 0.
    """
    return share * max(math.log(share / max(corpus_share, 1e-12)), 0.0)


def _generic_word(word: str) -> bool:
    """A word the keyword extractor never keeps alone ("model", "data"): no name for a community."""
    folded = word.lower().replace("-", "")
    return folded in GENERIC_WORDS or folded in BREAK_WORDS or folded.rstrip("s") in GENERIC_WORDS


def term_counts(
    paper: np.ndarray, keyword: np.ndarray, keywords: Sequence[str], labels: np.ndarray
) -> list[tuple[int, str, int, int]]:
    """Per community and term: papers of the community with the term, papers of the corpus with it.

    ``paper[i]`` (a paper number, index into ``labels``, the community of each paper)
    has keyword ``keywords[keyword[i]]``. A term is a keyword or a word (3+ letters) of
    a keyword of several words: a community about quantum computing may keep only
    "quantum algorithm", "quantum simulation", ... per paper, and "quantum" is what they
    share. Counted with sparse products (papers x keywords x terms), so 100k papers with
    3M paper x term pairs take tens of MiB. Rows with one paper are left out, except in
    a community of one paper.

    >>> term_counts(np.array([0, 1, 2]), np.array([0, 1, 1]), ["quantum algorithm", "quantum simulation"],
    ...             np.array([0, 0, 1]))  # doctest: +NORMALIZE_WHITESPACE
    [(0, 'quantum', 2, 3), (1, 'quantum', 1, 3), (1, 'quantum simulation', 1, 2),
     (1, 'simulation', 1, 2)]
    """
    terms: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for index, text in enumerate(keywords):
        words = text.split()
        for term in {text, *(w for w in words if len(w) >= 3)} if len(words) > 1 else (text,):
            rows.append(index)
            cols.append(terms.setdefault(term, len(terms)))
    n, groups = len(labels), (int(labels.max()) + 1 if len(labels) else 0)
    if not len(paper) or not terms:
        return []
    has = sp.csr_array(
        (np.ones(len(paper), dtype=np.float32), (paper, keyword)), shape=(n, len(keywords))
    )
    spread = sp.csr_array(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(keywords), len(terms))
    )
    paper_terms = sp.csr_array(has @ spread)
    del has, spread
    paper_terms.data[:] = 1.0
    corpus = np.bincount(paper_terms.indices, minlength=len(terms))
    member = sp.csr_array((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(groups, n))
    inside = sp.coo_array(member @ paper_terms)
    del paper_terms, member
    sizes = np.bincount(labels, minlength=groups)
    count = np.rint(inside.data).astype(np.int64)
    keep = (count >= 2) | (sizes[inside.row] == 1)
    names = list(terms)
    return sorted(
        (int(c), names[t], int(k), int(corpus[t]))
        for c, t, k in zip(inside.row[keep], inside.col[keep], count[keep], strict=True)
    )


def label_candidates(
    sizes: dict[int, int],
    counts: Iterable[tuple[int, str, int, int]],
    total_papers: int,
    limit: int = LABEL_CANDIDATES,
) -> dict[int, list[str]]:
    """Per community, the ``limit`` keywords that mark it best (keyword counts as in :func:`label_communities`).

    >>> label_candidates({0: 2}, [(0, "koopman", 2, 2), (0, "x", 2, 9)], 10)
    {0: ['koopman', 'x']}
    """
    scored: dict[int, list[tuple[float, str]]] = {index: [] for index in sizes}
    for index, word, count, corpus in counts:
        if count >= 2 or sizes[index] == 1:
            share = count / sizes[index]
            scored[index].append((-_distinctive(share, corpus / max(total_papers, 1)), word))
    return {index: [w for _, w in sorted(found)[:limit]] for index, found in scored.items()}


def label_communities(
    sizes: dict[int, int],
    counts: Iterable[tuple[int, str, int, int]],
    total_papers: int,
    top: int = 3,
    covered: dict[tuple[int, str], int] | None = None,
) -> dict[int, tuple[str, list[str], list[int]]]:
    """Label, phrases and papers covered by each phrase, per community.

    ``counts`` holds per ``(community, keyword)`` how many of its papers and of the
    corpus' papers have the keyword; ``covered`` (optional) how many of the
    community's papers contain the phrase in their title or abstract, which the
    build counts in the database for the :func:`label_candidates`. A phrase is
    shown only when at least :data:`LABEL_MIN_SHARE` of the community's papers
    cover it, strongest first by :func:`_distinctive`; a phrase inside one already
    shown (or holding one) is skipped. A community where no phrase reaches that
    share is labelled "mixed: ..." with its most distinctive phrases.

    >>> label_communities({0: 2, 1: 1}, [(0, "koopman", 2, 2), (1, "x", 1, 1)], 3)[0]
    ('koopman', ['koopman'], [2])
    """
    scored: dict[int, list[tuple[float, str, int]]] = {index: [] for index in sizes}
    for index, word, count, corpus in counts:
        size = sizes[index]
        if count < 2 and size > 1:
            continue
        # The texts decide for a counted candidate, also when fewer of them write the
        # phrase than carry the keyword: a keyword can come from an acronym ("PDEs"
        # -> "partial differential equations") or a source's own list.
        found = count if covered is None else covered.get((index, word), count)
        words = len(word.split())
        if words == 1 and _generic_word(word):
            continue
        # Ranked on keyword counts, which are counted alike inside and outside the
        # community; the texts only decide whether enough papers bear the phrase out.
        # A phrase says more than the word it holds ("neural operators", not "operators").
        score = _distinctive(count / size, corpus / max(total_papers, 1))
        score *= 1.0 + 0.5 * (min(words, 3) - 1)
        scored[index].append((score, word, found))
    labels = {}
    for index, size in sizes.items():
        ranked = sorted(scored[index], key=lambda item: (-item[0], item[1]))
        # A word below is compared with every phrase of its community that could name
        # it, each phrase's needle folded once (folding is what this stage spends on).
        shared = LABEL_MIN_SHARE * size
        phrases = [(n, w, f" {label_needle(w)}") for _, w, n in ranked if " " in w and n >= shared]
        chosen: list[str] = []
        papers: list[int] = []
        folded: list[str] = []
        for _, word, found in ranked:
            if len(chosen) >= top:
                break
            if found < LABEL_MIN_SHARE * size:
                continue
            if " " not in word:
                # A word is named by the phrase most of its papers write it in
                # ("reinforcement" -> "reinforcement learning") when there is one.
                least = max(PHRASE_SHARE * found, shared)
                needle = f" {label_needle(word)}"
                longer = [(n, w) for n, w, text in phrases if needle in text and n >= least]
                if longer:
                    found, word = max(longer, key=lambda item: (item[0], item[1]))
            text = f" {label_needle(word)} "
            if any(text in other or other in text for other in folded):
                continue
            chosen.append(word)
            papers.append(found)
            folded.append(text)
        if chosen:
            text = ", ".join(chosen)
        elif ranked:
            # No phrase is shared by enough of the papers: the community is held together
            # by many small overlaps, and its label should not pretend otherwise.
            chosen = [word for _, word, _ in ranked[:top]]
            papers = [found for _, _, found in ranked[:top]]
            text = "mixed: " + ", ".join(chosen)
        else:
            text = f"{size} paper(s) without shared keywords"
        labels[index] = (text, chosen, papers)
    return labels


#: ASCII punctuation and symbols, read as spaces when texts and phrases are compared
_PUNCTUATION = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})


def fold_text(text: str) -> str:
    """Lower case with punctuation as spaces: how phrases meet texts.

    Runs of spaces are left as they are: they only stand where punctuation was, and a
    phrase does not run across a comma or a bracket.

    >>> fold_text("Fourier Neural-Operators (FNO), for PDEs.")
    'fourier neural operators  fno   for pdes '
    """
    return text.lower().translate(_PUNCTUATION)


def label_needle(phrase: str) -> str:
    """The text a paper must contain to cover ``phrase``: folded, with its last word's plural cut.

    Texts are folded the same way (:func:`fold_text`), so "Neural-Operators" covers
    "neural operator".

    >>> label_needle("Neural Operators"), label_needle("dependencies"), label_needle("LiDAR")
    ('neural operator', 'dependenc', 'lidar')
    """
    words = fold_text(phrase).split()
    if not words:
        return ""
    last = words[-1]
    if len(last) > 4 and last.endswith("ies"):
        last = last[:-3]
    elif len(last) > 4 and last.endswith(("ses", "xes", "ches", "shes")):
        last = last[:-2]
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def label_coverage(
    texts: Iterable[tuple[int, str, str]] | Iterable[pa.RecordBatch],
    candidates: dict[int, list[str]],
    workers: int = 1,
    batch: int = COVERAGE_BATCH,
) -> dict[tuple[int, str], int]:
    """Per ``(community, phrase)``: how many ``(community, title, abstract)`` texts contain it
    (every candidate gets a count, 0 included).

    A text contains a phrase when its folded form holds the phrase's
    :func:`label_needle` at a word start ("neural operator" is in "... neural
    operators ..."). Each text is read against its own community's candidates only.
    ``texts`` are tuples, or Arrow record batches of those three columns (as the
    database streams them: a batch goes to a worker as a few buffers, where millions
    of Python strings would be pickled one by one). With ``workers`` >= 2 the batches
    (of ``batch`` tuples) are searched in forked processes; the counts are sums, the
    same in any order.

    >>> label_coverage([(0, "Neural operators", ""), (0, "Koopman", "a neural-operator view")],
    ...                {0: ["neural operators", "koopman"]})
    {(0, 'neural operators'): 2, (0, 'koopman'): 1}
    """
    # Every candidate has a number; a batch answers with the numbers it found, once per
    # text that holds them (a Counter of tuples per batch cost 7 s to merge at 1M papers).
    flat = [(c, w) for c, words in candidates.items() for w in words]
    needles: dict[int, list[tuple[int, str]]] = {}
    for number, (c, w) in enumerate(flat):
        needles.setdefault(c, []).append((number, " " + label_needle(w)))
    found = np.zeros(len(flat), dtype=np.int64)
    for hits in map_batches(_covered, needles, _batches(texts, batch), workers):
        found += np.bincount(hits, minlength=len(flat))
    return dict(zip(flat, found.tolist(), strict=True))


def _batches(
    texts: Iterable[tuple[int, str, str]] | Iterable[pa.RecordBatch], size: int
) -> Iterator[pa.RecordBatch]:
    batch: list[tuple[int, str, str]] = []
    for text in texts:
        if isinstance(text, pa.RecordBatch):
            yield text
            continue
        batch.append(text)
        if len(batch) >= size:
            yield _record_batch(batch)
            batch = []
    if batch:
        yield _record_batch(batch)


def _record_batch(texts: list[tuple[int, str, str]]) -> pa.RecordBatch:
    columns = list(zip(*texts, strict=True))
    return pa.record_batch(
        [pa.array(columns[0], pa.int64()), pa.array(columns[1]), pa.array(columns[2])],
        names=["community", "title", "abstract"],
    )


def _covered(needles: dict[int, list[tuple[int, str]]], texts: pa.RecordBatch) -> np.ndarray:
    hits: list[int] = []
    columns = (texts.column(i).to_pylist() for i in range(3))
    for community, title, abstract in zip(*columns, strict=True):
        wanted = needles.get(community)
        if not wanted:
            continue
        text = f" {fold_text(title)} {fold_text(abstract)} "
        hits += [number for number, needle in wanted if needle in text]
    return np.array(hits, dtype=np.int64)
