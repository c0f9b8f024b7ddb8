"""What a single word says on its own, judged against general English.

A keyword like "stars" or "feedback" is specific inside one abstract but means
little as the only thing two papers share, or as a community's name. The
corpus cannot tell: in a corpus of machine-learning papers "stars" is rare.
General English can: wordfreq ships word frequencies from many sources
(Wikipedia, subtitles, books, news, web text) inside the package, so the test
needs no network and no model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from wordfreq import get_frequency_dict, zipf_frequency

__all__ = ["EVERYDAY_ZIPF", "everyday_word", "word_zipf"]

#: a word at least this common in general English (Zipf scale: 4 = ten uses per million
#: words; "stars" 4.9, "privacy" 4.4, "convex" 3.3, "koopman" 1.8) is an everyday word
EVERYDAY_ZIPF = 4.0


@lru_cache(maxsize=1 << 16)
def everyday_word(word: str) -> bool:
    """True for one common English word; False for phrases, acronyms, names and rare words.

    >>> everyday_word("stars"), everyday_word("binarization"), everyday_word("LiDAR")
    (True, False, False)
    >>> everyday_word("dynamical systems")
    False
    """
    text = word.strip()
    if " " in text or sum(c.isupper() for c in text) >= 2:
        return False
    return zipf_frequency(text.lower(), "en") >= EVERYDAY_ZIPF


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    return get_frequency_dict("en", wordlist="best")


def word_zipf(words: Sequence[str]) -> np.ndarray:
    """How common each word is in general English, on the Zipf scale (0 for unknown words).

    Words are looked up in lower case in wordfreq's table directly (a build meets
    hundreds of thousands of distinct words), a plural by its singular when only that is
    listed ("LLMs" as "llm"); hyphenated ones go through ``zipf_frequency``, which combines
    their parts. Acronyms of everyday use are common ("GPU" 3.2); names a field coins
    ("GRPO", "BiBench") are unknown, so 0.

    >>> word_zipf(["stars", "binarization", "GPU", "GRPO"]).round(1).tolist()
    [4.9, 0.0, 3.2, 0.0]
    """
    table = _frequencies()
    found = np.zeros(len(words), dtype=np.float64)
    for index, word in enumerate(words):
        lowered = word.lower()
        if "-" in lowered or "'" in lowered:
            found[index] = zipf_frequency(lowered, "en")
            continue
        frequency = table.get(lowered, 0.0)
        if frequency == 0.0 and lowered.endswith("s"):
            frequency = table.get(lowered[:-1], 0.0)
        if frequency > 0.0:
            found[index] = max(math.log10(frequency) + 9.0, 0.0)
    return found
