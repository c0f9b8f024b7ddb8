"""Corpus-aware keyphrases: noun phrases from title and abstract, normalised so variants meet.

A candidate is a run of 1-4 content words between stop words and punctuation that
ends in a noun. Verbs, adverbs and evaluative adjectives ("diverse", "complex") break
runs, and URLs and e-mail addresses give no words (graph/wordclasses.py says which
word is which). Its key folds case, hyphens and joined spellings (``non-linear`` =
``non linear`` = ``nonlinear``), British spellings (``optimisation`` =
``optimization``) and inflection (Snowball stems), and an acronym the text defines
("linear mode connectivity (LMC)") maps to its long form. Generic research words
("method", "results", "state of the art") never stand as keywords alone, and
keywords in a large share of papers are hubs: kept per paper, but not linked.
"""

from __future__ import annotations

import gc
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

from graph.wordclasses import (
    BREAK,
    DETERMINERS,
    NOUN,
    VERB_MARKERS,
    american_spelling,
    is_link_piece,
    usage_counts,
    word_classes,
)

__all__ = ["KeywordOptions", "KeywordTable", "extract_keywords", "keyword_key", "paused_gc"]

# Words that end a phrase: English function words and the verbs and fillers of abstracts.
BREAK_WORDS = (
    frozenset(ENGLISH_STOP_WORDS)
    | frozenset(
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
    largest small smaller smallest extensive extensively notably
    despite reveal reveals revealed revealing offer offers offering offered define defines
    defined defining perform performs performed performing contribute contributes
    contributed contributing corrects correctly solve solves solving solved suffer suffers suffering remain
    remained remaining exhibit exhibits exhibited exhibiting serve serves serving become
    becomes became becoming needs need needed needing converge converges converged
    aim aims aimed aiming tackle tackles tackled adopt adopts adopted adopting
    incorporate incorporates incorporated incorporating integrate integrates integrated
    integrating combine combines combined combining introduce introducing presenting
    proposing utilize utilizes utilized utilizing utilise utilises utilised achieves
    enhance enhances enhanced enhancing surpass surpasses surpassing establish establishes
    established establishing highlight highlights highlighted highlighting suggest
    suggests suggested suggesting indicate indicates indicated indicating observe observes
    observed observing find finds found finding findings conduct conducts conducted
    conducting report reports reported reporting attain attains attained consistently
    substantial considerable notable remarkable remarkably superior competitive
    comparable crucially importantly simply easily readily naturally potentially
    primarily mainly largely highly fully partially relatively respectively subsequent
    subsequently unavailable rely relies relying facilitate facilitates facilitating ell""".split()
    )
    | frozenset(
        # Evaluative adjectives: they praise or qualify whatever follows them ("diverse user
        # queries", "strong multimodal reasoning"), and name no concept of their own.
        """diverse complex current specific original critical realistic consistent accurate
    reliable precise effective traditional conventional simple strong powerful rich
    typical prior previous future major minor main primary fundamental essential valuable
    useful meaningful relevant appropriate suitable sufficient numerous detailed rigorous
    careful successful impressive excellent exceptional unprecedented vast wide broad
    rapid great huge massive tremendous severe serious clear obvious solid unique
    distinct certain necessary possible additional overall desired desirable favorable
    favourable suboptimal inherent intrinsic sophisticated advanced superior inferior
    accurately reliable robustly diverse varied wide-ranging exact proper correct
    challenging difficult straightforward common popular
    prominent dominant leading top strongest stronger weaker weak poor good
    multiple single real-world high-quality large-scale explicit minimal final practical
    modern external intermediate coherent""".split()
    )
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
    input inputs output outputs information knowledge research field area
    correct balance balances balancing contrast contrasts survey surveys overview review
    codes approach novelty aspect aspects factor factors manner context score scores""".split()
)
#: words (with inner hyphens and apostrophes), numbers, and single punctuation marks, which
#: end phrases just as stop words do
TOKEN_PATTERN = r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?%?|[^\sA-Za-z0-9]"
# scikit-learn's tokenizer for the pattern; its n-gram analyzer is not used because it
# joins words across stop words and punctuation ("networks for PDEs" -> "networks pdes").
_TOKENIZE = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False).build_tokenizer()
_SENTINEL = "\x00"
#: the token a URL or e-mail address becomes
_LINK = "|"
_ABSTRACT_UNIT = 2.0**20
_GIVEN_UNIT = 2.0**40
# Starts with a literal "(" so the scan is fast; the word and space before it are checked in code.
_ACRONYM_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,11}?)s?\s*\)")
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class KeywordOptions:
    """Tuning of keyword extraction; the defaults suit corpora of tens to 100k papers."""

    #: keywords stored (and shown) per paper
    per_paper: int = 12
    #: strongest phrases per paper that take part in similarity
    vector_size: int = 25
    #: weight of a title occurrence of a phrase the abstract also uses
    title_weight: float = 3.0
    #: ... and of one the abstract never uses: title wording ("towards", "unlock the
    #: brainpower") more often than a keyword
    title_only_weight: float = 0.3
    #: score bonus per word after the first: longer phrases say more than their parts
    length_bonus: float = 0.25
    #: idf exponent for phrases of two words or more: a phrase many papers share
    #: ("sparse autoencoder") is a term of the field, not a sign of a weak keyword
    phrase_idf_power: float = 0.8
    #: score factor of a one-word keyword found in more than one paper: everyday words
    #: ("stars", "client") say less than the phrases they sit in
    common_word_factor: float = 0.5
    min_papers: int = 2
    #: a keyword in more than this share of papers is a hub: stored, never linked
    hub_share: float = 0.05
    #: ... or in more than this many papers, whatever the corpus size. This bounds the
    #: work of the similarity product (each paper meets at most this many per keyword);
    #: a paper's k strongest neighbours come from rarer keywords anyway.
    hub_papers: int = 100


@dataclass(slots=True)
class KeywordTable:
    """Keywords per paper, corpus statistics, and the paper x keyword matrix for similarity."""

    #: paper_id -> [(keyword label, weight, origin, evidence)], strongest first; origin is
    #: 'text' for phrases found in title or abstract, else the source that gave it
    by_paper: dict[str, list[tuple[str, float, str, str]]]
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


_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    stem = _stem_cache.get(word)
    if stem is None:
        lowered = word.lower().replace("'", "")
        if any(c.isdigit() for c in word) or any(
            c.isupper() for part in word.split("-") for c in part[1:]
        ):
            # Names and acronyms (BiBench, I-ViT, GPT4) are not English words: only fold
            # case, hyphens and a plural s after a capital (LLMs, ReLUs).
            stem = lowered.replace("-", "")
            if len(word) > 2 and word[-1] == "s" and word[-2].isupper():
                stem = stem[:-1]
        else:
            stem = "".join(_STEMMER.stemWords(map(american_spelling, lowered.split("-"))))
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
        before = text[max(0, match.start() - 120) : match.start()]
        stripped = before.rstrip()
        if len(letters) < 2 or len(stripped) == len(before) or not stripped[-1:].isalnum():
            continue
        words = stripped.split()[-(len(letters) + 1) :]
        for size in range(min(len(words), len(letters) + 1), 0, -1):
            long_words = [w.strip(",;:") for w in words[-size:]]
            if not all(w[:1].isalpha() for w in long_words):
                continue
            heads = [w[0].lower() for w in long_words]
            initials = heads + [p[0].lower() for w in long_words for p in w.split("-")[1:] if p]
            if heads == letters or sorted(initials) == sorted(letters):
                # "large language models (LLMs)": the long form starts at the first content
                # word, so the acronym meets the phrase the text actually keeps.
                while long_words and long_words[0].lower() in BREAK_WORDS:
                    long_words = long_words[1:]
                if long_words:
                    found[acronym] = " ".join(long_words)
                break
    return found


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


def _word_facts(
    token: str, aliases: dict[str, str], kind: int
) -> tuple[str, str, bool, bool] | None:
    """(key part, surface, generic, ends phrases) of a content word, or None for a word that
    breaks phrases; ``kind`` is its word class."""
    lowered = token.lower()
    if (
        not token[0].isalpha()
        or len(token) < 2
        or lowered in BREAK_WORDS
        or kind == BREAK
        # A possessive ("YuE's") ends a noun phrase that the next word does not continue.
        or lowered.endswith("'s")
    ):
        return None
    stem = _stem(token)
    # Only a word written as an acronym (two or more capitals) stands for its long form.
    if sum(c.isupper() for c in token) >= 2:
        stem = aliases.get(stem, stem)
    return stem, _surface((token,)), lowered.replace("-", "") in GENERIC_WORDS, kind == NOUN


@dataclass(slots=True)
class _Grams:
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


def _phrase_grams(
    words: np.ndarray,
    generic: np.ndarray,
    ends: np.ndarray,
    parts: list[str],
    keys: dict[str, int],
    limit: int,
) -> _Grams:
    """Number every run of 1..limit content words and fold it to a key, vectorised over the corpus.

    ``words`` holds a word id per token (-1 for a token that breaks phrases); a phrase
    whose last word cannot end one (``ends`` false: an adjective or participle) is
    numbered, so longer phrases extend it, but gets no key. A phrase
    of n words is a (phrase of n-1 words, next word) pair, so each length costs one
    ``np.unique`` over the corpus and Python only touches distinct phrases.
    """
    grams = _Grams()
    size, vocabulary = len(words), max(len(parts), 1)
    # Id of the phrase of the current length starting here (int32: ids count distinct
    # phrases, and token positions stay far below 2**31).
    code = words.astype(np.int32)
    # Index -1 (a phrase break) reads the padding; that also copes with an empty vocabulary.
    all_generic = np.append(generic, False)[words]
    text_keys: list[str] = list(parts)
    ids: np.ndarray  # phrase id of each occurrence in ``start``
    for n in range(1, limit + 1):
        if n == 1:
            start = _positions(code >= 0)
            prefix = np.full(len(parts), -1, dtype=np.int64)
            last = np.arange(len(parts), dtype=np.int64)
            distinct_count = len(parts)
            ids = code[start]
        else:
            start = _positions(code[: max(size - n + 1, 0)] >= 0)
            start = start[words[start + (n - 1)] >= 0]
            nxt_word = words[start + (n - 1)]
            distinct_count, first, ids = _number_pairs(code[start], nxt_word, vocabulary)
            prefix = code[start[first]].astype(np.int64)
            last = nxt_word[first].astype(np.int64)
            del first
            shorter = text_keys
            text_keys = [
                shorter[p] + parts[w] for p, w in zip(prefix.tolist(), last.tolist(), strict=True)
            ]
            del shorter
            all_generic[start] &= generic[nxt_word]
            del nxt_word
            code.fill(-1)
            code[start] = ids
        generic_gram = np.zeros(distinct_count, dtype=bool)
        generic_gram[ids] = all_generic[start]
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
        grams.count.append(np.bincount(ids, minlength=distinct_count))
        grams.prefix.append(prefix)
        grams.last.append(last)
        at = key.astype(np.int32)[ids]
        del ids
        kept = at >= 0
        grams.positions.append(start[kept])
        grams.keys_at.append(at[kept])
        del at, kept, start
    return grams


#: papers whose texts are tokenised at once: the token strings of one chunk are all that
#: is held as Python objects (the whole corpus would be >1 GB of str at 100k papers)
TOKEN_CHUNK = 2000


def _token_ids(
    papers: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, int], np.ndarray]:
    """Every title and abstract as one stream of token ids (int32), with the distinct tokens.

    A sentinel token, which breaks phrases like any punctuation, closes each text. Ids
    are numbered in order of first appearance, so they do not depend on the chunk size.

    No token spans whitespace (the pattern's one-mark alternative excludes ``\\s``, and
    ``str.split`` and ``re`` agree on what whitespace is), so the text is split on
    whitespace and each distinct piece ("networks,", "(LMC)") goes through the regex once.
    """
    # A missing key gets the next id; map() over the dict keeps the loop in C.
    raw_ids: defaultdict[str, int] = defaultdict()
    raw_ids.default_factory = raw_ids.__len__
    piece_ids: defaultdict[str, int] = defaultdict()
    piece_ids.default_factory = piece_ids.__len__
    # Tokens of piece i: flat[bounds[i]:bounds[i + 1]].
    flat = np.zeros(0, dtype=np.int32)
    bounds = np.zeros(1, dtype=np.int64)
    chunks: list[np.ndarray] = []
    for first in range(0, len(papers), TOKEN_CHUNK):
        pieces = "".join(
            f"{text.replace(_SENTINEL, ' ')} {_SENTINEL} "
            for _paper_id, title, abstract in papers[first : first + TOKEN_CHUNK]
            for text in (title, abstract)
        ).split()
        known = len(piece_ids)
        ids = np.fromiter(map(piece_ids.__getitem__, pieces), dtype=np.int64, count=len(pieces))
        # Pieces seen for the first time, in order of first appearance (= id order).
        at = np.flatnonzero(ids >= known)
        at = at[np.unique(ids[at], return_index=True)[1]]
        tokens: list[int] = []
        lengths: list[int] = []
        for index in at.tolist():
            piece = pieces[index]
            # A URL or e-mail address breaks phrases like punctuation, and gives no words.
            found = [_LINK] if is_link_piece(piece) else _TOKENIZE(piece)
            tokens.extend(map(raw_ids.__getitem__, found))
            lengths.append(len(found))
        del pieces
        flat = np.concatenate([flat, np.array(tokens, dtype=np.int32)])
        bounds = np.concatenate([bounds, bounds[-1] + np.cumsum(lengths, dtype=np.int64)])
        starts, sizes = bounds[ids], bounds[ids + 1] - bounds[ids]
        offsets = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
        offsets += np.arange(len(offsets))
        chunks.append(flat[offsets])
    raw = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
    return raw_ids, raw


#: occurrences handled at once when phrases are numbered (bounds the temporary arrays)
NUMBER_CHUNK = 1 << 20


def _positions(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(mask)`` as int32, without an int64 array of the whole corpus."""
    found = np.empty(int(np.count_nonzero(mask)), dtype=np.int32)
    done = 0
    for lo in range(0, len(mask), NUMBER_CHUNK):
        here = np.flatnonzero(mask[lo : lo + NUMBER_CHUNK])
        found[done : done + len(here)] = here + lo
        done += len(here)
    return found


def _number_pairs(
    prefix: np.ndarray, word: np.ndarray, vocabulary: int
) -> tuple[int, np.ndarray, np.ndarray]:
    """Number the distinct (prefix, word) pairs in sorted order, as ``np.unique`` would.

    Returns the number of distinct pairs, where each first occurs, and the number of each
    pair (int32). Works in chunks, so no corpus-size sort or int64 inverse is built.
    """
    total = len(prefix)

    def values(lo: int) -> np.ndarray:
        return (
            prefix[lo : lo + NUMBER_CHUNK].astype(np.int64) * vocabulary
            + word[lo : lo + NUMBER_CHUNK]
        )

    seen = [np.unique(values(lo)) for lo in range(0, total, NUMBER_CHUNK)]
    distinct = np.unique(np.concatenate(seen)) if seen else np.zeros(0, dtype=np.int64)
    del seen
    number = np.empty(total, dtype=np.int32)
    first = np.full(len(distinct), -1, dtype=np.int64)
    for lo in range(0, total, NUMBER_CHUNK):
        here = np.searchsorted(distinct, values(lo))
        number[lo : lo + len(here)] = here
        # Pairs not met in an earlier chunk: their first occurrence is in this one.
        new = np.flatnonzero(first[here] < 0)
        found, at = np.unique(here[new], return_index=True)
        first[found] = new[at] + lo
    return len(distinct), first, number


def _count_matrix(
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
    indptr = [np.zeros(1, dtype=np.int64)]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    stored = 0
    for first in range(0, shape[0], ROW_CHUNK):
        last = min(first + ROW_CHUNK, shape[0])
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for texts, keys in zip(text_at, keys_at, strict=True):
            lo, hi = np.searchsorted(texts, [2 * first, 2 * last]).tolist()
            rows.append(texts[lo:hi] // 2 - first)
            cols.append(keys[lo:hi])
            values.append(np.where(texts[lo:hi] % 2 == 0, 1.0, _ABSTRACT_UNIT))
        mine = np.flatnonzero((given_rows >= first) & (given_rows < last))
        rows.append(given_rows[mine] - first)
        cols.append(given_cols[mine])
        values.append(np.full(len(mine), _GIVEN_UNIT))
        block = sparse.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(last - first, shape[1]),
        ).tocsr()
        block.sum_duplicates()
        indptr.append(block.indptr[1:].astype(np.int64) + stored)
        indices.append(block.indices)
        data.append(block.data)
        stored += block.nnz
    return sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32),
            np.concatenate(indptr),
        ),
        shape=shape,
    )


def _evidence(title: int, abstract: int, origin: str | None) -> str:
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
    # The stage allocates millions of tuples and strings; without this the collector
    # walks every object alive before it again and again (7 of 21 s at 100k papers in a build).
    with paused_gc():
        return _extract_keywords(papers, options, given)


def _extract_keywords(
    papers: Sequence[tuple[str, str, str]],
    options: KeywordOptions,
    given: Iterable[tuple[str, str, str]],
) -> KeywordTable:
    aliases, long_forms = _acronym_aliases(papers)
    raw_ids, raw = _token_ids(papers)
    # Position of each text's closing sentinel: the text of a token is the number of
    # sentinels before it.
    closes = np.flatnonzero(raw == raw_ids.get(_SENTINEL, -1))
    kinds = _token_classes(list(raw_ids), raw)
    parts: list[str] = []
    surfaces: list[str] = []
    generic_flags: list[bool] = []
    end_flags: list[bool] = []
    word_of_surface: dict[str, int] = {}
    word_of_raw = np.full(len(raw_ids) + 1, -1, dtype=np.int32)
    for (token, index), kind in zip(raw_ids.items(), kinds.tolist(), strict=True):
        facts = _word_facts(token, aliases, kind)
        if facts is not None:
            word = word_of_surface.setdefault(facts[1], len(parts))
            if word == len(parts):
                parts.append(facts[0])
                surfaces.append(facts[1])
                generic_flags.append(facts[2])
                end_flags.append(facts[3])
            word_of_raw[index] = word
    words = word_of_raw[raw]
    del raw, word_of_raw
    keys: dict[str, int] = {}
    grams = _phrase_grams(
        words,
        np.array(generic_flags, dtype=bool),
        np.array(end_flags, dtype=bool),
        parts,
        keys,
        4,
    )
    text_keys = len(keys)
    # Per phrase length, the text of each occurrence (2 * row, + 1 in the abstract); sorted.
    text_at = [np.searchsorted(closes, at).astype(np.int32) for at in grams.positions]
    grams.positions.clear()
    del words, closes
    given_label: dict[int, str] = {}
    given_words: dict[int, int] = {}
    origins: dict[tuple[int, int], str] = {}
    row_of = {p[0]: i for i, p in enumerate(papers)}
    given_rows: list[int] = []
    given_cols: list[int] = []
    for paper_id, keyword, source in sorted(given):
        found = tuple(w for w in _TOKENIZE(keyword) if w[0].isalnum())
        if paper_id not in row_of or not found or _is_generic(found):
            continue
        column = keys.setdefault(keyword_key(" ".join(found), aliases), len(keys))
        if column >= text_keys:
            given_label.setdefault(column, _surface(found))
            given_words.setdefault(column, len(found))
        origins.setdefault((row_of[paper_id], column), source)
        given_rows.append(row_of[paper_id])
        given_cols.append(column)
    del row_of
    tf = _count_matrix(
        text_at,
        grams.keys_at,
        (np.array(given_rows, dtype=np.int32), np.array(given_cols, dtype=np.int32)),
        (len(papers), len(keys)),
    )
    del text_at
    grams.keys_at.clear()
    packed = tf.data.astype(np.int64)
    given_n = (packed >> 40).astype(np.int32)
    abstracts = ((packed >> 20) & (2**20 - 1)).astype(np.int32)
    titles = (packed & (2**20 - 1)).astype(np.int32)
    del packed
    tf.data = np.where(
        abstracts > 0, options.title_weight * titles, options.title_only_weight * titles
    )
    tf.data += options.title_weight * given_n + abstracts
    del given_n
    if not keys:  # no content word anywhere (say, papers known only by arXiv id)
        return KeywordTable(
            by_paper={paper_id: [] for paper_id, _, _ in papers},
            doc_freq={},
            idf={},
            linkable=frozenset(),
            paper_ids=[paper_id for paper_id, _, _ in papers],
            columns=[],
            matrix=sparse.csr_matrix((len(papers), 0)),
        )
    # scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1.
    idf = TfidfTransformer(norm=None, smooth_idf=True, sublinear_tf=True).fit(tf).idf_
    df = np.bincount(tf.indices, minlength=len(keys))
    labels, size = _gram_labels(grams, surfaces, len(keys))
    del grams
    for column, count in given_words.items():
        size[column] = count
    # Longer phrases say more than their parts.
    length_bonus = 1.0 + options.length_bonus * (size - 1.0)
    indices, bounds = tf.indices, tf.indptr
    scores = np.log(tf.data)
    scores += 1.0
    key_factor = np.where(size > 1, idf**options.phrase_idf_power, idf) * length_bonus
    key_factor[(size == 1) & (df >= 2)] *= options.common_word_factor
    scores *= key_factor[indices]
    del key_factor
    del tf
    total = max(len(papers), 1)
    hub_limit = min(options.hub_papers, max(options.min_papers, int(options.hub_share * total)))
    for column, text in given_label.items():
        labels[column] = text
    for key, form in long_forms.items():
        if key in keys:
            labels[keys[key]] = form
    linkable_column = (df >= options.min_papers) & (df <= hub_limit)
    # Every paper's phrases strongest first: one stable sort over the corpus, so columns
    # stay in ascending order among equal scores. Row r holds order[bounds[r]:bounds[r+1]].
    row_at = np.repeat(np.arange(len(papers), dtype=np.int32), np.diff(bounds))
    order = np.empty(len(scores), dtype=np.int32 if len(scores) < 2**31 else np.int64)
    for first in range(0, len(papers), ROW_CHUNK):
        lo, hi = bounds[first], bounds[min(first + ROW_CHUNK, len(papers))]
        order[lo:hi] = lo + np.lexsort((-scores[lo:hi], row_at[lo:hi]))
    ranked = indices[order]
    # The similarity vector of a paper: its vector_size strongest linkable phrases.
    at_link = np.flatnonzero(linkable_column[ranked])
    link_rows = row_at[at_link]  # rows are contiguous, so the row of a sorted position
    del row_at
    per_row = np.bincount(link_rows, minlength=len(papers))
    within = np.arange(len(at_link)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    keep = within < options.vector_size
    link_rows, link = link_rows[keep], order[at_link[keep]]
    del at_link
    del per_row, within, keep
    by_paper = _paper_keywords(
        papers,
        bounds,
        order,
        ranked,
        labels,
        options.per_paper,
        np.round(scores, 6),
        titles,
        abstracts,
        linkable_column,
        origins,
    )
    del order, ranked, titles, abstracts
    all_cols = indices[link]
    used = np.unique(all_cols)
    column_of = np.full(len(keys), -1, dtype=np.int64)
    column_of[used] = np.arange(len(used))
    matrix = sparse.csr_matrix(
        (scores[link], (link_rows, column_of[all_cols])),
        shape=(len(papers), len(used)),
    )
    del scores, indices, link, link_rows, all_cols
    column_labels = {c: labels[c] for c in used.tolist()}
    shown_labels = {text for kws in by_paper.values() for text, _, _, _ in kws}
    index_of_label = {text: c for c, text in column_labels.items()}
    for text in sorted(shown_labels - set(index_of_label)):
        index_of_label[text] = keys.get(keyword_key(text, aliases), -1)
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
        columns=[column_labels[int(c)] for c in used],
        matrix=matrix,
    )


#: papers whose keyword rows are built from one batch of numpy look-ups
ROW_CHUNK = 4096


def _paper_keywords(
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
                        found, _evidence(title_n, abstract_n, origin)
                    )
                kept.append((labels[columns[j]], weights[index], origin or "text", evidence))
                index += 1
            by_paper[papers[row][0]] = kept
    return by_paper


def _gram_labels(grams: _Grams, surfaces: list[str], columns: int) -> tuple[list[str], np.ndarray]:
    """Per key: its most frequent spelling, written as the corpus writes it, and its word count.

    Keys with no phrase (given keywords the texts never use) get an empty label here.
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
    labels = [""] * columns
    for column, backwards in zip(found.tolist(), words.tolist(), strict=True):
        labels[column] = " ".join([surfaces[w] for w in reversed(backwards) if w >= 0])
    return labels, size


def _token_classes(tokens: list[str], raw: np.ndarray) -> np.ndarray:
    """The word class of each distinct token, from its form, the lexicon and the corpus's usage."""
    lowered = [t.lower() for t in tokens]
    form_ids: dict[str, int] = {}
    form_of = np.fromiter(
        (form_ids.setdefault(t, len(form_ids)) for t in lowered), dtype=np.int32, count=len(tokens)
    )
    is_determiner = np.fromiter((t in DETERMINERS for t in lowered), bool, len(tokens))
    is_marker = np.fromiter((t in VERB_MARKERS for t in lowered), bool, len(tokens))
    is_content = np.fromiter(
        (t[0].isalpha() and len(t) > 1 and t not in BREAK_WORDS for t in lowered),
        bool,
        len(tokens),
    )
    del lowered
    uses, before, after, marked = usage_counts(raw, form_of, is_determiner, is_content, is_marker)
    return word_classes(tokens, uses[form_of], before[form_of], after[form_of], marked[form_of])


def _acronym_aliases(
    papers: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """Acronym stem -> long-form key (the corpus's most common definition), and long-form labels."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    key_of: dict[str, str] = {}
    for _paper_id, title, abstract in papers:
        for acronym, long_form in _acronyms(f"{title}. {abstract}").items():
            long_key = key_of.get(long_form)
            if long_key is None:
                long_key = key_of[long_form] = keyword_key(long_form)
            votes[_stem(acronym)][long_key] += 1
            forms[long_key][long_form.lower()] += 1
    aliases = {acronym: ranked.most_common(1)[0][0] for acronym, ranked in votes.items()}
    long_forms = {
        key: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for key, c in forms.items()
    }
    return aliases, long_forms
