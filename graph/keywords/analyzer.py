"""Texts -> words: tokens, word classes, variant-folding keys and the acronyms texts define.

The first stage of keyword extraction (as scikit-learn's ``build_analyzer``): every
title and abstract becomes one stream of word ids, each word knowing its key part
(Snowball stem, British spelling folded, a defined acronym mapped to its long form),
how it is written, whether it is generic, and whether it may end a phrase.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import snowballstemmer

from graph.keywords.phrases import joined, renumber
from graph.keywords.vocabulary import BREAK_WORDS, GENERIC_WORDS
from graph.parallel import Steps, each_range, no_steps
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

__all__ = [
    "SENTINEL",
    "TOKENIZE",
    "TOKEN_PATTERN",
    "Words",
    "analyze",
    "defined_acronyms",
    "is_generic",
    "keyword_key",
    "scan_texts",
    "stem_word",
    "surface_form",
    "token_ids",
]

#: words (with inner hyphens and apostrophes), numbers, and single punctuation marks, which
#: end phrases just as stop words do
TOKEN_PATTERN = r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?%?|[^\sA-Za-z0-9]"
# All matches of the pattern, as scikit-learn's tokenizer for a pattern without capturing
# groups gives them (scikit-learn itself is not imported: its package import alone costs
# 0.5 s of start-up); its n-gram analyzer is not used either because it joins words across
# stop words and punctuation ("networks for PDEs" -> "networks pdes").
TOKENIZE = re.compile(TOKEN_PATTERN).findall
#: the token that closes each text
SENTINEL = "\x00"
#: the token a URL or e-mail address becomes
LINK = "|"
# Starts with a literal "(" so the scan is fast; the word and space before it are checked in code.
_ACRONYM_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,11}?)s?\s*\)")
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(slots=True)
class Words:
    """The corpus as word ids, and what each distinct word is."""

    #: word id per token, -1 for a token that breaks phrases
    stream: np.ndarray
    #: token position of each text's closing sentinel (text i = title or abstract of row i // 2)
    closes: np.ndarray
    #: per word id: its key part, how it is written, generic?, may end a phrase?
    parts: list[str]
    surfaces: list[str]
    generic: np.ndarray
    ends: np.ndarray
    #: acronym stem -> long-form key, and long-form key -> its label
    aliases: dict[str, str]
    long_forms: dict[str, str]


def analyze(
    papers: Sequence[tuple[str, str, str]],
    workers: int = 1,
    chunk: int = 0,
    steps: Steps = no_steps,
) -> Words:
    """Every title and abstract of ``(paper_id, title, abstract)`` as a stream of word ids.

    With ``workers`` >= 2 the texts are tokenised and scanned for acronyms in ranges of
    ``chunk`` papers in forked processes (see :func:`scan_texts`); the words are the same.
    """
    # The text of a token is the number of closing sentinels before it.
    aliases, long_forms, raw_ids, raw, closes = scan_texts(
        papers, workers, chunk or len(papers), steps
    )
    kinds = token_classes(list(raw_ids), raw)
    parts: list[str] = []
    surfaces: list[str] = []
    generic_flags: list[bool] = []
    end_flags: list[bool] = []
    word_of_surface: dict[str, int] = {}
    word_of_raw = np.full(len(raw_ids) + 1, -1, dtype=np.int32)
    for (token, index), kind in zip(raw_ids.items(), kinds.tolist(), strict=True):
        facts = word_facts(token, aliases, kind)
        if facts is not None:
            word = word_of_surface.setdefault(facts[1], len(parts))
            if word == len(parts):
                parts.append(facts[0])
                surfaces.append(facts[1])
                generic_flags.append(facts[2])
                end_flags.append(facts[3])
            word_of_raw[index] = word
    # In place: the raw stream is not needed any more, and a copy would be another GB at
    # 1M papers.
    renumber(raw, word_of_raw)
    return Words(
        stream=raw,
        closes=closes,
        parts=parts,
        surfaces=surfaces,
        generic=np.array(generic_flags, dtype=bool),
        ends=np.array(end_flags, dtype=bool),
        aliases=aliases,
        long_forms=long_forms,
    )


_stem_cache: dict[str, str] = {}


def stem_word(word: str) -> str:
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
        return "".join(stem_word(word) for word in phrase.split())
    # Only a word written as an acronym (two or more capitals) stands for its long form.
    return "".join(
        aliases.get(stem_word(word), stem_word(word))
        if sum(c.isupper() for c in word) >= 2
        else stem_word(word)
        for word in phrase.split()
    )


def defined_acronyms(text: str) -> dict[str, str]:
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


def surface_form(words: tuple[str, ...]) -> str:
    """Lower-case a phrase but keep acronyms and mixed-case names (LMC, ReLU, BiBench)."""
    return " ".join(
        w if any(c.isupper() for part in w.split("-") for c in part[1:]) else w.lower()
        for w in words
    )


def is_generic(words: tuple[str, ...]) -> bool:
    return all(
        w.lower().replace("-", "") in GENERIC_WORDS or w.lower() in BREAK_WORDS for w in words
    )


def word_facts(
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
    stem = stem_word(token)
    # Only a word written as an acronym (two or more capitals) stands for its long form.
    if sum(c.isupper() for c in token) >= 2:
        stem = aliases.get(stem, stem)
    return stem, surface_form((token,)), lowered.replace("-", "") in GENERIC_WORDS, kind == NOUN


#: papers whose texts are tokenised at once: the token strings of one chunk are all that
#: is held as Python objects (the whole corpus would be >1 GB of str at 100k papers)
TOKEN_CHUNK = 2000


def token_ids(
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
            f"{text.replace(SENTINEL, ' ')} {SENTINEL} "
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
            found = [LINK] if is_link_piece(piece) else TOKENIZE(piece)
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


def token_classes(tokens: list[str], raw: np.ndarray) -> np.ndarray:
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


#: a range's acronym votes (acronym stem -> long-form key -> papers, and long-form key ->
#: spelling -> papers), its distinct tokens in order of first appearance, and its tokens
_Scan = tuple[dict[str, Counter[str]], dict[str, Counter[str]], list[str], np.ndarray]


def scan_texts(
    papers: Sequence[tuple[str, str, str]], workers: int, chunk: int, steps: Steps = no_steps
) -> tuple[dict[str, str], dict[str, str], dict[str, int], np.ndarray, np.ndarray]:
    """Acronym aliases and long forms, distinct tokens, the token stream of all texts and
    the position of each text's closing sentinel in it.

    Ranges of papers are scanned on their own (in a process pool when ``workers`` >= 2)
    and merged in order as they come: votes are summed, and a range's new tokens get
    the next ids in its order of first appearance, so ids, stream and aliases are those
    one pass gives.
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    raw_ids: dict[str, int] = {}
    # The token streams are the stage's largest arrays (a GB at 1M papers): each range's
    # is renumbered in place as it arrives, while later ranges are still being scanned.
    parts: list[np.ndarray] = []
    closes: list[np.ndarray] = []
    done = 0
    for range_votes, range_forms, tokens, raw in each_range(
        _scan_range, papers, len(papers), workers, chunk, steps, "tokenising"
    ):
        for stem, counts in range_votes.items():
            votes[stem].update(counts)
        for key, counts in range_forms.items():
            forms[key].update(counts)
        global_id = np.fromiter(
            (raw_ids.setdefault(token, len(raw_ids)) for token in tokens),
            dtype=np.int32,
            count=len(tokens),
        )
        renumber(raw, global_id)
        closes.append(np.flatnonzero(raw == raw_ids.get(SENTINEL, -1)) + done)
        parts.append(raw)
        done += len(raw)
        del range_votes, range_forms, tokens, raw
    aliases, long_forms = _aliases(votes, forms)
    return (
        aliases,
        long_forms,
        raw_ids,
        joined(parts),
        np.concatenate(closes or [np.zeros(0, dtype=np.int64)]),
    )


def _scan_range(papers: Sequence[tuple[str, str, str]], first: int, last: int) -> _Scan:
    part = papers[first:last]
    votes, forms = acronym_votes(part)
    ids, raw = token_ids(part)
    return votes, forms, list(ids), raw


def acronym_aliases(
    papers: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """Acronym stem -> long-form key (the corpus's most common definition), and long-form labels."""
    return _aliases(*acronym_votes(papers))


def acronym_votes(
    papers: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """Per acronym stem, the papers defining it by each long-form key; per key, its spellings."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    key_of: dict[str, str] = {}
    for _paper_id, title, abstract in papers:
        for acronym, long_form in defined_acronyms(f"{title}. {abstract}").items():
            long_key = key_of.get(long_form)
            if long_key is None:
                long_key = key_of[long_form] = keyword_key(long_form)
            votes[stem_word(acronym)][long_key] += 1
            forms[long_key][long_form.lower()] += 1
    return votes, forms


def _aliases(
    votes: dict[str, Counter[str]], forms: dict[str, Counter[str]]
) -> tuple[dict[str, str], dict[str, str]]:
    # most_common breaks ties by first appearance, which the in-order merge keeps.
    aliases = {acronym: ranked.most_common(1)[0][0] for acronym, ranked in votes.items()}
    long_forms = {
        key: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for key, c in forms.items()
    }
    return aliases, long_forms
