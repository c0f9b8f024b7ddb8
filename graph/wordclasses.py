"""What a word can do in a keyphrase: end it (a noun), sit inside it (a modifier), or break it.

Keyphrases are noun phrases: "sparse autoencoder", not "backward models corrupts" or
"causing training inconsistency". A word's class comes from three sources, cheapest
first:

- its form: acronyms and names (LLMs, SAM2, MovieAgent) are nouns; "-ly" words are
  adverbs; unknown words take the class their suffix suggests ("-ive" adjective);
- the part-of-speech lexicon TextBlob ships (Brill's, from the Brown corpus and Penn
  Treebank, read from the installed package; nothing is downloaded): the word's most
  frequent tag;
- how the corpus itself uses the word. A word often followed by a determiner ("the",
  "a", "their") is a verb ("leveraging the", "unlock the"); an "-ing" word that follows
  another content word ("reinforcement learning", "mathematical reasoning") is a noun,
  one that follows stop words and punctuation ("by employing", ", ensuring") a verb.

Also here: British spellings folded to American ones (optimise = optimize, behaviour =
behavior) and the pieces of text that are URLs or e-mail addresses, whose words
("divelab" of github.com/divelab/...) are never keyphrases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import metadata

import numpy as np

from graph.parallel import available_workers, in_threads

__all__ = [
    "BREAK",
    "DETERMINERS",
    "MODIFIER",
    "NOUN",
    "VERB_MARKERS",
    "american_spelling",
    "is_link_piece",
    "lexicon_tags",
    "usage_counts",
    "word_classes",
]

#: breaks a phrase (verbs, adverbs, function words)
BREAK = 0
#: may start or sit inside a phrase but not end it (adjectives, participles)
MODIFIER = 1
#: may end a phrase
NOUN = 2

# an "-ing" form: a noun or a verb, as the corpus uses it
_GERUND = -1

#: words after which a verb, not a noun, is the rule
DETERMINERS = frozenset(
    "the a an its their our this these those his her them it us both each every any".split()
)
#: words before which a verb is the rule ("to generate", "can handle")
VERB_MARKERS = frozenset("to can cannot could may might must shall should will would".split())
#: share of a word's uses followed by a determiner, or after a verb marker, from which it
#: counts as a verb
VERB_SHARE = 0.2
#: share of an "-ing" word's uses after another content word from which it is a noun
NOUN_SHARE = 0.3
#: uses of a word needed before the corpus's evidence overrules the lexicon
MIN_USES = 3

_NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "FW"})
_MODIFIER_TAGS = frozenset({"JJ", "JJR", "JJS", "VBN", "VBD"})
# Base forms that are also nouns in papers ("prompt", "spin glass") count as nouns unless
# the corpus shows them taking objects; "-ing" forms are decided by what precedes them.
_BASE_TAGS = frozenset({"VB", "VBP"})
# Third-person verbs, adverbs, modals and the closed classes.
_BREAK_TAGS = frozenset(
    "VBZ RB RBR RBS MD IN DT CC PRP PRP$ WDT WP WP$ WRB TO UH EX PDT POS RP CD LS SYM".split()
)
_ADJECTIVE_SUFFIXES = ("ive", "ous", "able", "ible", "ful", "less", "ic", "ical", "al", "ed")
_VERB_SUFFIXES = ("izes", "ises", "ifies", "yzes")


@cache
def lexicon_tags() -> dict[str, str]:
    """Word -> most frequent Penn tag, from the lexicon file TextBlob installs."""
    path = metadata.distribution("textblob").locate_file("textblob/en/en-lexicon.txt")
    tags: dict[str, str] = {}
    with open(str(path), encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(";;;"):
                continue
            word, _, tag = line.strip().partition(" ")
            if word and tag:
                tags.setdefault(word, tag.split("|")[0])
    return tags


def _is_name(token: str) -> bool:
    """Acronyms, names and product words: a capital after the first letter, or a digit."""
    return any(c.isdigit() for c in token) or any(
        c.isupper() for part in token.split("-") for c in part[1:]
    )


def _lexicon_class(word: str) -> int | None:
    """The class the lexicon's tag gives, VBG for an ambiguous verb form, or None if unknown."""
    tags = lexicon_tags()
    tag = tags.get(word) or tags.get(word.capitalize())
    if tag is None:
        return None
    if tag in _NOUN_TAGS:
        return NOUN
    if tag in _MODIFIER_TAGS:
        return MODIFIER
    if tag in _BASE_TAGS:
        return NOUN
    if tag == "VBG":
        return _GERUND
    return BREAK if tag in _BREAK_TAGS else NOUN


def _form_class(word: str) -> int:
    """Class of a word the lexicon lacks, from its form (last part of a hyphenated word)."""
    last = word.rsplit("-", 1)[-1]
    if last != word and last:
        known = _lexicon_class(last)
        if known is not None:
            # "human-like" modifies; "decision-making", "post-training" are nouns.
            return {BREAK: MODIFIER, _GERUND: NOUN}.get(known, known)
    if len(word) > 4 and word.endswith("ly"):
        return BREAK
    if word.endswith(_VERB_SUFFIXES):
        return BREAK
    if word.endswith("ing"):
        return _GERUND
    if len(last) > 5 and last.endswith(_ADJECTIVE_SUFFIXES):
        return MODIFIER
    return NOUN


def word_classes(
    tokens: Sequence[str],
    uses: np.ndarray,
    before_determiner: np.ndarray,
    after_content: np.ndarray,
    after_marker: np.ndarray,
) -> np.ndarray:
    """The class (BREAK, MODIFIER, NOUN) of each token, given how the corpus uses it.

    ``uses[i]`` counts the occurrences of ``tokens[i]``, ``before_determiner[i]`` those
    followed by a determiner, ``after_content[i]`` those preceded by a content word and
    ``after_marker[i]`` those preceded by "to" or a modal verb.
    """
    classes = np.empty(len(tokens), dtype=np.int8)
    for i, token in enumerate(tokens):
        head, _, last = token.rpartition("-")
        if head and last.isalpha() and last.islower() and _is_name(head):
            # "LLM-based", "DINO-guided": the plain last part decides.
            token = last
        if _is_name(token):
            classes[i] = NOUN
            continue
        word = token.lower()
        found = _lexicon_class(word)
        kind = _form_class(word) if found is None else found
        if kind == NOUN and len(word) >= 7 and word.endswith("ing") and uses[i] >= MIN_USES:
            # The lexicon's noun "handling" or "spending" may be the corpus's verb.
            kind = _GERUND
        used = max(int(uses[i]), 1)
        if (
            kind != BREAK
            and used >= MIN_USES
            and max(before_determiner[i], after_marker[i]) / used >= VERB_SHARE
        ):
            kind = BREAK
        if kind == _GERUND:
            kind = NOUN if after_content[i] / used >= NOUN_SHARE else BREAK
        classes[i] = kind
    return classes


#: tokens counted at once by :func:`usage_counts`
USAGE_CHUNK = 1 << 22


def usage_counts(
    raw: np.ndarray,
    form_of: np.ndarray,
    is_determiner: np.ndarray,
    is_content: np.ndarray,
    is_marker: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per word form: uses, uses followed by a determiner, after a content word, after a marker.

    ``raw`` is the corpus as token ids; ``form_of`` maps a token id to its form (its
    lower-case spelling) and the masks say which token ids are determiners, content
    words and verb markers. Counted a chunk at a time, so no corpus-size temporary is built.
    """
    forms = int(form_of.max()) + 1 if len(form_of) else 0
    chunk = USAGE_CHUNK
    starts = range(0, len(raw), chunk)
    # Per group (every groups-th chunk, on a thread of its own: the gathers and masks let go
    # of the GIL, bincount mostly does not, so more than two groups gain little and each
    # holds counts of every form): uses, before, after and marked, in int32 while the
    # corpus has fewer than 2**31 tokens (as its int32 token positions assume).
    groups = min(available_workers(), 2)
    sums = np.zeros((groups, 4, forms), dtype=np.int32 if len(raw) < 2**31 else np.int64)

    def count(group: int) -> None:
        found = sums[group]
        for lo in starts[group::groups]:
            # One token beyond the chunk, for the pairs that cross into the next one.
            here = raw[lo : lo + chunk + 1]
            found[0] += np.bincount(form_of[here[:chunk]], minlength=forms)
            first, second = here[:-1], here[1:]
            found[1] += np.bincount(form_of[first[is_determiner[second]]], minlength=forms)
            found[2] += np.bincount(form_of[second[is_content[first]]], minlength=forms)
            found[3] += np.bincount(form_of[second[is_marker[first]]], minlength=forms)

    in_threads(count, range(groups), groups)
    total = sums.sum(axis=0, dtype=np.int64)
    # (No corpus-size temporary: form_of[raw] of the whole corpus, cast to int64 by
    # bincount, was 2.6 GB at 1M papers, the keyword stage's peak.)
    return total[0], total[1], total[2], total[3]


# British spellings and the American ones they fold to. Folding only changes the
# internal key (labels keep the corpus's own spelling), so a word wrongly folded
# ("promise" -> "promize") harms nothing unless its new key is another word's.
_SPELLINGS = [
    (re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|er|ers|ation|ations|ational)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (
        re.compile(r"(?<=[a-z]{3})our(s|ed|ing|ful|ite|ites|able|al|ally|less|hood|hoods)?$"),
        r"or\1",
    ),
    (re.compile(r"(?<=[a-z]{2}[^aeiou])(t|b)re(s|d)?$"), r"\1er\2"),
    (re.compile(r"(?<=[a-z]{3})([ea])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"(?<=[a-z]{3})ogue(s)?$"), r"og\1"),
]


def american_spelling(word: str) -> str:
    """A lower-case word with British endings made American ("optimisation" -> "optimization")."""
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


# A whitespace-separated piece holding a URL (scheme, www., or a host name with a common
# top-level domain) or an e-mail address: its words are path parts and user names.
_LINK_PIECE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://|www\.|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|(?:[A-Za-z0-9-]+\.)+(?:com|org|net|io|ai|edu|gov|dev|app|co|cn|uk|de|html?)(?:[/:#?)\]}]|$)",
    re.IGNORECASE,
)


def is_link_piece(piece: str) -> bool:
    """Whether a piece of text (no whitespace) is or holds a URL or an e-mail address."""
    return _LINK_PIECE.search(piece) is not None
