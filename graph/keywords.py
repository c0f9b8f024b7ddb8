"""Corpus-aware keyphrases: candidates from title and abstract, normalised so variants meet.

A candidate is a run of 1-4 content words between stop words and punctuation.
Its key folds case, hyphens and joined spellings (``non-linear`` = ``non linear`` =
``nonlinear``) and inflection (Snowball stems), and an acronym the text defines
("linear mode connectivity (LMC)") maps to its long form. Generic research words
("method", "results", "state of the art") never stand as keywords alone, and
keywords in a large share of papers are hubs: kept per paper, but not linked.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["KeywordOptions", "KeywordTable", "extract_keywords", "keyword_key"]

# Words that end a phrase: English function words and the verbs and fillers of abstracts.
BREAK_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    """we our us propose proposed proposes present presents presented introduce introduces
    introduced show shows shown showed demonstrate demonstrates demonstrated achieve achieves
    achieved achieving use uses used using based paper papers work works study studies
    approach approaches method methods technique techniques result results experiment
    experiments experimental extensive comprehensive novel new existing various different
    significant significantly substantially state art improve improves improved improving
    outperform outperforms outperforming compared compare comparison including include
    includes provide provides provided enable enables enabling leverage leverages leveraging
    allow allows address addresses furthermore moreover however additionally specifically
    particular particularly recently recent commonly widely effectively efficiently key
    important crucial challenging challenge challenges problem problems issue issues
    remain remains paradigm lead leads require requiring degrade degrades emerged emerge
    emerges access reason reasons yield yields make makes making way ways able
    capable given like via e.g i.e et al code available github com http https www
    analyze analyzes analyzing analyse analyses analysing analyzed determine determines
    employ employs employed replace replaces replacing accelerate accelerates accelerating
    limited limit limits promising existence directly actual tailored face faces facing
    learn learns learned learnt obtain obtains obtained require requires required reduce
    reduces reducing reduced increase increases increasing increased apply applies applied
    applying consider considers considered explore explores explored exploring focus
    focuses focused investigate investigates investigated evaluate evaluates evaluating
    develop develops developed developing design designs designed achieve maintain
    maintains maintaining preserve preserves preserving capture captures capturing
    demonstrating showing help helps allowing providing resulting results leading
    call called named termed known well typically often usually also further thus
    hence therefore still even across among within without toward towards upon whereas
    whose whether while first second third one two three four five several many much
    more most less least fewer high higher highest lower lowest better best large larger
    largest small smaller smallest extensive extensively notably""".split()
)
# Words that may sit inside a phrase but are too vague to be a keyword on their own.
GENERIC_WORDS = frozenset(
    """model models modeling framework frameworks performance learning network networks
    data dataset datasets task tasks training trained train large small high low deep
    accuracy efficient efficiency effective effectiveness benchmark benchmarks baseline
    baselines analysis algorithm algorithms system systems set sets number numbers time
    times result design level levels process processing application applications
    representation representations feature features structure structures function
    functions theory theoretical empirical empirically practical practice real world
    simple general strong better best good multiple single range scale scales type types
    form forms term terms order orders case cases example examples stateoftheart sota
    fast faster cost costs scheme schemes strategy strategies module modules component
    components tool tools setting settings solution solutions insight insights art
    evaluation evaluate evaluated quality property properties step steps version
    input inputs output outputs information knowledge research field area""".split()
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?%?|[^\sA-Za-z0-9]")
_ACRONYM_PAREN = re.compile(r"(?<=\w)\s+\(\s*([A-Za-z][A-Za-z0-9\-]{1,11}?)s?\s*\)")
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class KeywordOptions:
    """Tuning of keyword extraction; the defaults suit corpora of tens to 100k papers."""

    #: keywords stored (and shown) per paper
    per_paper: int = 12
    #: strongest phrases per paper that take part in similarity
    vector_size: int = 25
    title_weight: float = 3.0
    min_papers: int = 2
    #: a keyword in more than this share of papers is a hub: stored, never linked
    hub_share: float = 0.05
    #: ... or in more than this many papers, whatever the corpus size (this also bounds
    #: the work of the similarity product: each paper meets at most this many per keyword)
    hub_papers: int = 200


@dataclass(slots=True)
class KeywordTable:
    """Keywords per paper, corpus statistics, and the paper x keyword matrix for similarity."""

    #: paper_id -> [(keyword label, weight, where it was found)], strongest first
    by_paper: dict[str, list[tuple[str, float, str]]]
    #: keyword label -> number of papers whose text has it
    doc_freq: dict[str, int]
    #: keyword label -> inverse document frequency
    idf: dict[str, float]
    #: labels that connect papers: in >= min_papers papers and not hubs
    linkable: frozenset[str]
    #: row order of ``matrix``
    paper_ids: list[str] = field(default_factory=list)
    #: column labels of ``matrix``
    columns: list[str] = field(default_factory=list)
    #: tf-idf weights of linkable phrases (CSR, papers x columns)
    matrix: sparse.csr_matrix | None = None


_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    stem = _stem_cache.get(word)
    if stem is None:
        lowered = word.lower().replace("'", "")
        stem = "".join(_STEMMER.stemWords(lowered.split("-")))
        _stem_cache[word] = stem
    return stem


def keyword_key(phrase: str, aliases: dict[str, str] | None = None) -> str:
    """The variant-folding key of a phrase; ``aliases`` maps acronym stems to long-form keys.

    >>> keyword_key("Non-linear Operators") == keyword_key("nonlinear operator")
    True
    """
    if not aliases:
        return "".join(_stem(word) for word in phrase.split())
    # Only a word written as an acronym (two or more capitals) stands for its long form.
    return "".join(
        aliases.get(_stem(word), _stem(word))
        if sum(c.isupper() for c in word) >= 2
        else _stem(word)
        for word in phrase.split()
    )


def _acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines, mapped to their long form ("LMC" -> "linear mode connectivity")."""
    found: dict[str, str] = {}
    for match in _ACRONYM_PAREN.finditer(text):
        acronym = match.group(1)
        letters = [c.lower() for c in acronym if c.isupper()] or [
            c.lower() for c in acronym if c.isalpha()
        ]
        if len(letters) < 2:
            continue
        words = text[max(0, match.start() - 120) : match.start()].split()[-(len(letters) + 1) :]
        for size in range(min(len(words), len(letters) + 1), 0, -1):
            long_words = [w.strip(",;:") for w in words[-size:]]
            if not all(w[:1].isalpha() for w in long_words):
                continue
            heads = [w[0].lower() for w in long_words]
            initials = heads + [p[0].lower() for w in long_words for p in w.split("-")[1:] if p]
            if heads == letters or sorted(initials) == sorted(letters):
                if long_words[0].lower() not in BREAK_WORDS:
                    found[acronym] = " ".join(long_words)
                break
    return found


class _Tokens:
    """Per-word facts computed once per distinct word: key part, surface form, genericness."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.cache: dict[str, tuple[str, str, bool] | None] = {}

    def facts(self, token: str) -> tuple[str, str, bool] | None:
        """(key part, surface, generic) of a content word, or None for a word that breaks phrases."""
        found = self.cache.get(token, False)
        if found is not False:
            return found  # type: ignore[return-value]
        lowered = token.lower()
        result: tuple[str, str, bool] | None = None
        if token[0].isalpha() and len(token) > 1 and lowered not in BREAK_WORDS:
            stem = _stem(token)
            if sum(c.isupper() for c in token) >= 2:
                stem = self.aliases.get(stem, stem)
            generic = lowered.replace("-", "") in GENERIC_WORDS
            result = (stem, _surface((token,)), generic)
        self.cache[token] = result
        return result

    def phrases(self, text: str, limit: int = 4) -> Iterable[tuple[str, str, int]]:
        """(key, surface, words) of every non-generic run of 1..limit content words."""
        run: list[tuple[str, str, bool]] = []
        for token in _TOKEN.findall(text):
            facts = self.facts(token)
            if facts is not None:
                run.append(facts)
                continue
            if run:
                yield from _run_phrases(run, limit)
                run = []
        if run:
            yield from _run_phrases(run, limit)


def _run_phrases(run: list[tuple[str, str, bool]], limit: int) -> Iterable[tuple[str, str, int]]:
    for start in range(len(run)):
        for end in range(start + 1, min(start + limit, len(run)) + 1):
            part = run[start:end]
            if all(generic for _, _, generic in part):
                continue
            yield "".join(p[0] for p in part), " ".join(p[1] for p in part), end - start


def _surface(words: tuple[str, ...]) -> str:
    """Lower-case a phrase but keep acronyms and mixed-case names (LMC, ReLU, BiBench)."""
    return " ".join(
        w if any(c.isupper() for part in w.split("-") for c in part[1:]) else w.lower()
        for w in words
    )


def _is_generic(words: tuple[str, ...]) -> bool:
    return all(
        w.lower().replace("-", "") in GENERIC_WORDS or w.lower() in BREAK_WORDS for w in words
    )


class _Vocabulary:
    """Phrase keys as integer ids, with the ways each is written."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.first_surface: list[str] = []
        self.first_count: list[int] = []
        self.words: list[int] = []
        self.other_surfaces: dict[int, Counter[str]] = defaultdict(Counter)

    def add(self, key: str, surface: str, words: int) -> int:
        index = self.ids.get(key)
        if index is None:
            index = self.ids[key] = len(self.first_surface)
            self.first_surface.append(surface)
            self.first_count.append(1)
            self.words.append(words)
        elif surface == self.first_surface[index]:
            self.first_count[index] += 1
        else:
            self.other_surfaces[index][surface] += 1
        return index

    def label(self, index: int, long_form: str | None) -> str:
        if long_form:
            return long_form
        forms = Counter(self.other_surfaces.get(index, {}))
        forms[self.first_surface[index]] += self.first_count[index]
        # Most frequent way of writing it; shortest, then alphabetical, on ties.
        return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def extract_keywords(
    papers: Sequence[tuple[str, str, str]],
    options: KeywordOptions = KeywordOptions(),
    given: Iterable[tuple[str, str, str]] = (),
) -> KeywordTable:
    """Keyphrases for ``(paper_id, title, abstract)`` triples, weighted by tf-idf over the corpus.

    ``given`` holds ``(paper_id, keyword, origin)`` keywords a source already assigned
    (Hugging Face ``ai_keywords``, GitHub topics); they are normalised the same way and
    count as much as a title phrase.
    """
    given_by_paper: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for paper_id, keyword, origin in given:
        given_by_paper[paper_id].append((keyword, origin))
    aliases, long_forms = _acronym_aliases(papers)
    tokens = _Tokens(aliases)
    tokens = _Tokens(aliases)
    vocab = _Vocabulary()
    counted: list[tuple[np.ndarray, np.ndarray, set[int], dict[int, str]]] = []
    for paper_id, title, abstract in papers:
        counts: dict[int, float] = defaultdict(float)
        in_title: set[int] = set()
        origins: dict[int, str] = {}
        for text, weight in ((title, options.title_weight), (abstract, 1.0)):
            for key, surface, size in tokens.phrases(text):
                index = vocab.add(key, surface, size)
                counts[index] += weight
                if weight != 1.0:
                    in_title.add(index)
        for keyword, origin in sorted(given_by_paper.get(paper_id, ())):
            words = tuple(w for w in _TOKEN.findall(keyword) if w[0].isalnum())
            if words and not _is_generic(words):
                index = vocab.add(
                    keyword_key(" ".join(words), aliases), _surface(words), len(words)
                )
                counts[index] += options.title_weight
                origins.setdefault(index, origin)
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tfs = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        counted.append((ids, tfs, in_title, origins))
    total = max(len(papers), 1)
    df = np.bincount(
        np.concatenate([c[0] for c in counted]) if counted else np.zeros(0, np.int64),
        minlength=len(vocab.first_surface),
    )
    idf = np.log((1 + total) / (1 + df)) + 1.0
    # Longer phrases say more than their parts.
    length_bonus = 1.0 + 0.25 * (np.asarray(vocab.words, dtype=np.float64) - 1.0)
    hub_limit = min(options.hub_papers, max(options.min_papers, int(options.hub_share * total)))
    long_form_of = {vocab.ids[key]: form for key, form in long_forms.items() if key in vocab.ids}
    labels: dict[int, str] = {}

    def label(index: int) -> str:
        if index not in labels:
            labels[index] = vocab.label(index, long_form_of.get(index))
        return labels[index]

    by_paper: dict[str, list[tuple[str, float, str]]] = {}
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for row, ((paper_id, _, _), (ids, tfs, in_title, origins)) in enumerate(
        zip(papers, counted, strict=True)
    ):
        if len(ids) == 0:
            by_paper[paper_id] = []
            continue
        scores = (1.0 + np.log(tfs)) * idf[ids] * length_bonus[ids]
        order = np.lexsort((ids, -scores))
        shown = _drop_contained(
            ((label(int(ids[i])), float(scores[i]), int(ids[i])) for i in order), options.per_paper
        )
        by_paper[paper_id] = [
            (
                text,
                round(weight, 6),
                origins.get(index) or ("title" if index in in_title else "abstract"),
            )
            for text, weight, index in shown
        ]
        linkable = order[(df[ids[order]] >= options.min_papers) & (df[ids[order]] <= hub_limit)][
            : options.vector_size
        ]
        rows.append(np.full(len(linkable), row, dtype=np.int64))
        cols.append(ids[linkable])
        vals.append(scores[linkable])
    used = np.unique(np.concatenate(cols)) if cols else np.zeros(0, np.int64)
    column_of = np.full(len(vocab.first_surface), -1, dtype=np.int64)
    column_of[used] = np.arange(len(used))
    matrix = sparse.csr_matrix(
        (
            np.concatenate(vals) if vals else [],
            (np.concatenate(rows) if rows else [], column_of[np.concatenate(cols)] if cols else []),
        ),
        shape=(len(papers), len(used)),
    )
    shown_labels = {text for kws in by_paper.values() for text, _, _ in kws}
    index_of_label = {label(int(i)): int(i) for i in used}
    for text in shown_labels:
        index_of_label.setdefault(text, vocab.ids.get(keyword_key(text, aliases), -1))
    doc_freq = {text: int(df[i]) for text, i in index_of_label.items() if i >= 0}
    return KeywordTable(
        by_paper=by_paper,
        doc_freq=doc_freq,
        idf={text: float(idf[i]) for text, i in index_of_label.items() if i >= 0},
        linkable=frozenset(
            text
            for text in shown_labels
            if options.min_papers <= doc_freq.get(text, 0) <= hub_limit
        ),
        paper_ids=[p[0] for p in papers],
        columns=[label(int(i)) for i in used],
        matrix=matrix,
    )


def _acronym_aliases(
    papers: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """Acronym stem -> long-form key (the corpus's most common definition), and long-form labels."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for _paper_id, title, abstract in papers:
        for acronym, long_form in _acronyms(f"{title}. {abstract}").items():
            long_key = keyword_key(long_form)
            votes[_stem(acronym)][long_key] += 1
            forms[long_key][long_form.lower()] += 1
    aliases = {acronym: ranked.most_common(1)[0][0] for acronym, ranked in votes.items()}
    long_forms = {
        key: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for key, c in forms.items()
    }
    return aliases, long_forms


def _drop_contained(
    scored: Iterable[tuple[str, float, int]], limit: int
) -> list[tuple[str, float, int]]:
    """Keep the strongest phrases, skipping one that is part of a phrase already kept."""
    chosen: list[tuple[str, float, int]] = []
    kept = " | "
    seen: set[str] = set()
    for text, weight, index in scored:
        if f" {text.lower()} " in kept or text in seen:
            continue
        chosen.append((text, weight, index))
        kept += f"{text.lower()} | "
        seen.add(text)
        if len(chosen) >= limit:
            break
    return chosen
