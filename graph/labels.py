"""Community labels from what a community's papers share: distinctive keywords and words,
shown only when enough of its papers' titles and abstracts contain them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from graph.keywords import BREAK_WORDS, GENERIC_WORDS
from graph.keywords.phrases import pair_lookup
from graph.parallel import map_batches

__all__ = [
    "Background",
    "PaperTerms",
    "TermCounts",
    "community_labels",
    "community_terms",
    "fold_text",
    "label_candidates",
    "label_communities",
    "label_coverage",
    "label_needle",
    "paper_terms",
    "term_counts",
]

#: a label phrase must occur in at least this share of its community's papers
LABEL_MIN_SHARE = 0.25
#: ... and be this many times as common in its papers' texts as in the rest of the corpus's
LABEL_MIN_LIFT = 2.0
#: texts read for how common each candidate phrase is in the corpus as a whole
CORPUS_SAMPLE = 5_000
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


def _distinctive(share: np.ndarray, corpus_share: np.ndarray) -> np.ndarray:
    """How strongly a phrase marks a community: its share there times the log of its lift.

    This is the community's term of the Kullback-Leibler divergence from the corpus
    (share x pointwise mutual information), the measure behind the log-likelihood and
    mutual-information labels of CiteSpace and the class-based tf-idf of BERTopic: a
    phrase common in the community *and* rarer elsewhere scores high; one as common
    everywhere ("non-linear" in a machine-learning corpus) scores 0.
    """
    return share * np.maximum(np.log(share / np.maximum(corpus_share, 1e-12)), 0.0)


def _generic_word(word: str) -> bool:
    """A word the keyword extractor never keeps alone ("model", "data"): no name for a community."""
    folded = word.lower().replace("-", "")
    return folded in GENERIC_WORDS or folded in BREAK_WORDS or folded.rstrip("s") in GENERIC_WORDS


@dataclass(frozen=True, slots=True)
class Background:
    """How common phrases are in the texts of the whole corpus: of ``sampled`` texts drawn
    evenly from ``papers`` papers, ``counts[phrase]`` contain the phrase.

    Keyword counts rank a community's phrases, but a phrase can be a keyword of few papers
    and yet stand in a quarter of all abstracts (a verb such as "estimates" in a corpus of
    one field): its texts then cover any large community without marking it. What the
    texts say of the rest of the corpus decides that.
    """

    counts: dict[str, int]
    sampled: int
    papers: int

    @classmethod
    def every(cls, papers: int, sample: int = CORPUS_SAMPLE) -> int:
        """Read every k-th paper for a sample of about ``sample`` texts (all of a small corpus)."""
        return max(1, -(-papers // max(sample, 1)))

    @classmethod
    def from_texts(
        cls, texts: Iterable[pa.RecordBatch], phrases: Iterable[str], papers: int, every: int
    ) -> Background:
        """Count ``phrases`` in the ``texts`` of every ``every``-th of ``papers`` papers
        (record batches as :func:`label_coverage` reads them)."""
        found = label_coverage(texts, {0: sorted(set(phrases))})
        return cls(
            {phrase: n for (_, phrase), n in found.items()}, len(range(0, papers, every)), papers
        )

    def outside_share(self, phrase_count: np.ndarray, found: np.ndarray, size: int) -> np.ndarray:
        """Share of the papers outside a community of ``size`` whose texts hold each phrase,
        from the phrases' sample counts and the ``found`` papers holding them inside it."""
        corpus = phrase_count / max(self.sampled, 1) * self.papers
        return np.maximum(corpus - found, 0.0) / max(self.papers - size, 1)


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Per (community, term) row: how many papers of the community have the term
    (``count``) and how many of the corpus (``corpus``), as columns sorted by community,
    then term; ``term`` numbers into ``names``.

    At 1M papers there are millions of rows: as arrays they are scored and ranked at
    once, and only the few phrases a label shows become Python strings.
    """

    community: np.ndarray
    term: np.ndarray
    count: np.ndarray
    corpus: np.ndarray
    names: list[str]
    #: place of each name in sorted order (ties of a score go to the earlier name)
    name_rank: np.ndarray

    @classmethod
    def of(
        cls,
        community: np.ndarray,
        term: np.ndarray,
        count: np.ndarray,
        corpus: np.ndarray,
        names: list[str],
    ) -> TermCounts:
        """The rows in any order; sorted here."""
        name_rank = np.empty(len(names), dtype=np.int64)
        name_rank[pc.sort_indices(pa.array(names, pa.string())).to_numpy()] = np.arange(len(names))
        order = np.lexsort((name_rank[term], community))
        return cls(community[order], term[order], count[order], corpus[order], names, name_rank)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str, int, int]]) -> TermCounts:
        """From ``(community, term, count, corpus)`` tuples."""
        listed = list(rows)
        number: dict[str, int] = {}
        term = [number.setdefault(row[1], len(number)) for row in listed]

        def column(values: Iterable[int]) -> np.ndarray:
            return np.fromiter(values, dtype=np.int64, count=len(listed))

        return cls.of(
            column(row[0] for row in listed),
            column(term),
            column(row[2] for row in listed),
            column(row[3] for row in listed),
            list(number),
        )

    def rows(self) -> list[tuple[int, str, int, int]]:
        """The rows as ``(community, term, count, corpus)`` tuples, in order."""
        names = self.names
        columns = (self.community, self.term, self.count, self.corpus)
        return [
            (c, names[t], k, n) for c, t, k, n in zip(*(a.tolist() for a in columns), strict=True)
        ]

    def without(self, community: int | None) -> TermCounts:
        """These rows but those of ``community``."""
        if community is None:
            return self
        keep = self.community != community
        return TermCounts(
            self.community[keep],
            self.term[keep],
            self.count[keep],
            self.corpus[keep],
            self.names,
            self.name_rank,
        )


def term_counts(
    paper: np.ndarray, keyword: np.ndarray, keywords: Sequence[str], labels: np.ndarray
) -> TermCounts:
    """Per community and term: papers of the community with the term, papers of the corpus with it.

    ``paper[i]`` (a paper number, index into ``labels``, the community of each paper)
    has keyword ``keywords[keyword[i]]``. A term is a keyword or a word (3+ letters) of
    a keyword of several words: a community about quantum computing may keep only
    "quantum algorithm", "quantum simulation", ... per paper, and "quantum" is what they
    share. Counted with sparse products (papers x keywords x terms), so 100k papers with
    3M paper x term pairs take tens of MiB. Rows with one paper are left out, except in
    a community of one paper.

    >>> term_counts(np.array([0, 1, 2]), np.array([0, 1, 1]), ["quantum algorithm", "quantum simulation"],
    ...             np.array([0, 0, 1])).rows()  # doctest: +NORMALIZE_WHITESPACE
    [(0, 'quantum', 2, 3), (1, 'quantum', 1, 3), (1, 'quantum simulation', 1, 2),
     (1, 'simulation', 1, 2)]
    """
    return community_terms(paper_terms(paper, keyword, keywords, len(labels)), labels)


@dataclass(frozen=True, slots=True)
class PaperTerms:
    """Which paper has which term (papers x terms, 0/1), how many papers have each, and the
    terms: what :func:`term_counts` needs before the communities are known."""

    has: sp.csr_array
    corpus: np.ndarray
    names: list[str]


def paper_terms(
    paper: np.ndarray, keyword: np.ndarray, keywords: Sequence[str], papers: int
) -> PaperTerms:
    """The paper x term matrix of ``papers`` papers (see :func:`term_counts`)."""
    terms: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for index, text in enumerate(keywords):
        words = text.split()
        for term in {text, *(w for w in words if len(w) >= 3)} if len(words) > 1 else (text,):
            rows.append(index)
            cols.append(terms.setdefault(term, len(terms)))
    has = sp.csr_array(
        (np.ones(len(paper), dtype=np.float32), (paper, keyword)), shape=(papers, len(keywords))
    )
    spread = sp.csr_array(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(keywords), len(terms))
    )
    found = sp.csr_array(has @ spread)
    del has, spread
    found.data[:] = 1.0
    return PaperTerms(found, np.bincount(found.indices, minlength=len(terms)), list(terms))


def community_terms(terms: PaperTerms, labels: np.ndarray) -> TermCounts:
    """:func:`term_counts` from the paper x term matrix and each paper's community."""
    n, groups = len(labels), (int(labels.max()) + 1 if len(labels) else 0)
    if not terms.has.nnz or not terms.names:
        return TermCounts.of(*(np.zeros(0, dtype=np.int64),) * 4, [])
    member = sp.csr_array((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(groups, n))
    inside = sp.coo_array(member @ terms.has)
    del member
    sizes = np.bincount(labels, minlength=groups)
    count = np.rint(inside.data).astype(np.int64)
    keep = (count >= 2) | (sizes[inside.row] == 1)
    term = inside.col[keep].astype(np.int64)
    return TermCounts.of(
        inside.row[keep].astype(np.int64), term, count[keep], terms.corpus[term], terms.names
    )


def _scored(
    counts: TermCounts, sizes: dict[int, int], total_papers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the communities in ``sizes`` held by two of their papers or more (or by the
    one paper of a community of one): their positions, community sizes and
    :func:`_distinctive` scores, computed on the arrays at once."""
    top = max(max(sizes, default=0), int(counts.community.max(initial=0))) + 1
    size_of = np.zeros(top, dtype=np.int64)
    size_of[list(sizes)] = list(sizes.values())
    size = size_of[counts.community]
    keep = np.flatnonzero((size > 0) & ((counts.count >= 2) | (size == 1)))
    size = size[keep]
    share = counts.count[keep] / size
    return keep, size, _distinctive(share, counts.corpus[keep] / max(total_papers, 1))


def _ranked(counts: TermCounts, keep: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Positions into ``keep``: by community, then strongest first, ties by name."""
    return np.lexsort((counts.name_rank[counts.term[keep]], -score, counts.community[keep]))


def _groups(community: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """(community, first, end) of each run of equal values in ``community``."""
    if not len(community):
        return
    starts = np.flatnonzero(np.r_[True, community[1:] != community[:-1]])
    ends = np.r_[starts[1:], len(community)]
    yield from zip(community[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)


def label_candidates(
    sizes: dict[int, int],
    counts: TermCounts | Iterable[tuple[int, str, int, int]],
    total_papers: int,
    limit: int = LABEL_CANDIDATES,
) -> dict[int, list[str]]:
    """Per community, the ``limit`` keywords that mark it best (keyword counts as in :func:`label_communities`).

    >>> label_candidates({0: 2}, [(0, "koopman", 2, 2), (0, "x", 2, 9)], 10)
    {0: ['koopman', 'x']}
    """
    if not isinstance(counts, TermCounts):
        counts = TermCounts.from_rows(counts)
    keep, _, score = _scored(counts, sizes, total_papers)
    order = keep[_ranked(counts, keep, score)]
    found: dict[int, list[str]] = {index: [] for index in sizes}
    names = counts.names
    for index, first, end in _groups(counts.community[order]):
        found[index] = [names[t] for t in counts.term[order[first : min(end, first + limit)]]]
    return found


def label_communities(
    sizes: dict[int, int],
    counts: TermCounts | Iterable[tuple[int, str, int, int]],
    total_papers: int,
    top: int = 3,
    covered: dict[tuple[int, str], int] | None = None,
    background: Background | None = None,
) -> dict[int, tuple[str, list[str], list[int]]]:
    """Label, phrases and papers covered by each phrase, per community.

    ``counts`` holds per ``(community, keyword)`` how many of its papers and of the
    corpus' papers have the keyword; ``covered`` (optional) how many of the
    community's papers contain the phrase in their title or abstract, which the
    build counts in the database for the :func:`label_candidates`. A phrase is
    shown only when at least :data:`LABEL_MIN_SHARE` of the community's papers
    cover it, strongest first by :func:`_distinctive`; a phrase inside one already
    shown (or holding one) is skipped. With a ``background`` (how common the
    phrases are in the corpus's texts), a phrase must also be at least
    :data:`LABEL_MIN_LIFT` times as common in the community's texts as in the rest
    of the corpus's. A community where no phrase passes is labelled "mixed: ..."
    with its most distinctive phrases.

    >>> label_communities({0: 2, 1: 1}, [(0, "koopman", 2, 2), (1, "x", 1, 1)], 3)[0]
    ('koopman', ['koopman'], [2])
    """
    if not isinstance(counts, TermCounts):
        counts = TermCounts.from_rows(counts)
    names = counts.names
    keep, size, score = _scored(counts, sizes, total_papers)
    # Per distinct term met: its word count, and whether it is a generic word.
    terms = counts.term[keep]
    met = np.unique(terms)
    words = np.zeros(len(names), dtype=np.int64)
    words[met] = [len(names[t].split()) for t in met.tolist()]
    generic = np.zeros(len(names), dtype=bool)
    generic[met] = [words[t] == 1 and _generic_word(names[t]) for t in met.tolist()]
    useful = ~generic[terms]
    keep, size, score, terms = keep[useful], size[useful], score[useful], terms[useful]
    # Ranked on keyword counts, which are counted alike inside and outside the
    # community; the texts only decide whether enough papers bear the phrase out.
    # A phrase says more than the word it holds ("neural operators", not "operators").
    score = score * (1.0 + 0.5 * (np.minimum(words[terms], 3) - 1))
    # The texts decide for a counted candidate, also when fewer of them write the
    # phrase than carry the keyword: a keyword can come from an acronym ("PDEs"
    # -> "partial differential equations") or a source's own list.
    found = counts.count[keep].copy()
    number = {name: at for at, name in enumerate(names)} if covered or background else {}
    if covered:
        known = [(c, number[w], n) for (c, w), n in covered.items() if w in number]
        community, term, value = (
            (np.array(column, dtype=np.int64) for column in zip(*known, strict=True))
            if known
            else (np.zeros(0, dtype=np.int64),) * 3
        )
        hit, value = pair_lookup(community, term, value, len(names), counts.community[keep], terms)
        found[hit] = value
    order = _ranked(counts, keep, score)
    community, terms, found, size = (
        counts.community[keep][order],
        terms[order],
        found[order],
        size[order],
    )
    # Sample counts per term; a term the sample was not asked about is not held back.
    phrase_count = np.zeros(len(names), dtype=np.float64)
    if background is not None:
        for phrase, n in background.counts.items():
            if phrase in number:
                phrase_count[number[phrase]] = n
    labels: dict[int, tuple[str, list[str], list[int]]] = {}
    for index, first, end in _groups(community):
        term_list = terms[first:end]
        found_list = found[first:end]
        size_here = int(size[first])
        marks = np.ones(len(term_list), dtype=bool)
        if background is not None:
            outside = background.outside_share(phrase_count[term_list], found_list, size_here)
            marks = found_list >= LABEL_MIN_LIFT * outside * size_here
        labels[index] = _label(names, term_list, found_list, size_here, top, marks)
    for index, size_here in sizes.items():
        if index not in labels:
            labels[index] = (f"{size_here} paper(s) without shared keywords", [], [])
    return {index: labels[index] for index in sizes}


def _label(
    names: list[str],
    terms: np.ndarray,
    found: np.ndarray,
    size: int,
    top: int,
    marks: np.ndarray,
) -> tuple[str, list[str], list[int]]:
    """The label of one community from its terms, strongest first, and their coverage
    (``marks``: which terms are common enough here against the rest of the corpus)."""
    shared = LABEL_MIN_SHARE * size
    # Only terms enough papers bear out can be shown, or name a word they hold.
    eligible = np.flatnonzero((found >= shared) & marks)
    shown = [
        (names[t], n)
        for t, n in zip(terms[eligible].tolist(), found[eligible].tolist(), strict=True)
    ]
    # A word below is compared with every phrase of its community that could name it,
    # each phrase's needle folded once (folding is what this stage spends on).
    phrases: list[tuple[int, str, str]] | None = None
    chosen: list[str] = []
    papers: list[int] = []
    folded: list[str] = []
    for word, count in shown:
        if len(chosen) >= top:
            break
        if " " not in word:
            if phrases is None:
                phrases = [(n, w, f" {label_needle(w)}") for w, n in shown if " " in w]
            # A word is named by the phrase most of its papers write it in
            # ("reinforcement" -> "reinforcement learning") when there is one.
            least = max(PHRASE_SHARE * count, shared)
            needle = f" {label_needle(word)}"
            longer = [(n, w) for n, w, text in phrases if needle in text and n >= least]
            if longer:
                count, word = max(longer, key=lambda item: (item[0], item[1]))
        text = f" {label_needle(word)} "
        if any(text in other or other in text for other in folded):
            continue
        chosen.append(word)
        papers.append(count)
        folded.append(text)
    if chosen:
        return ", ".join(chosen), chosen, papers
    # No phrase is shared by enough of the papers: the community is held together by
    # many small overlaps, and its label should not pretend otherwise. It names the
    # strongest phrases that mark it against the rest of the corpus (any, when none
    # does), none inside another ("LLM", not also "LLMs").
    for at in np.argsort(~marks, kind="stable").tolist():
        if len(chosen) >= top:
            break
        word = names[int(terms[at])]
        text = f" {label_needle(word)} "
        if not any(text in other or other in text for other in folded):
            chosen.append(word)
            papers.append(int(found[at]))
            folded.append(text)
    return "mixed: " + ", ".join(chosen), chosen, papers


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
    automata = _automata(needles)
    columns = (texts.column(i).to_pylist() for i in range(3))
    for community, title, abstract in zip(*columns, strict=True):
        automaton = automata.get(community)
        if automaton is None:
            wanted = needles.get(community)
            if not wanted:
                continue
            automaton = automata[community] = _automaton(wanted)
        text = f" {fold_text(title)} {fold_text(abstract)} "
        # Each candidate once per text that holds it, however often it occurs there.
        for numbers in {numbers for _, numbers in automaton.iter(text)}:
            hits += numbers
    return np.array(hits, dtype=np.int64)


# The automata of the needles last searched, built a community at a time as its texts come.
_built: tuple[object, dict[int, ahocorasick.Automaton]] = (None, {})


def _automata(needles: dict[int, list[tuple[int, str]]]) -> dict[int, ahocorasick.Automaton]:
    global _built
    if _built[0] is not needles:
        _built = (needles, {})
    return _built[1]


def _automaton(wanted: list[tuple[int, str]]) -> ahocorasick.Automaton:
    """One Aho-Corasick automaton of a community's needles: a text is read once for all
    of them (40 substring searches per text took 28 us, the automaton 10 us). Its value
    per needle is the candidates that share it ("neural operator" and "neural operators")."""
    numbers: dict[str, list[int]] = {}
    for number, needle in wanted:
        numbers.setdefault(needle, []).append(number)
    automaton = ahocorasick.Automaton()
    for needle, found in numbers.items():
        automaton.add_word(needle, tuple(found))
    automaton.make_automaton()
    return automaton
