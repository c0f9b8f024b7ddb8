"""What a single word says on its own, judged against general English.

A keyword like "stars" or "feedback" is specific inside one abstract but means
little as the only thing two papers share, or as a community's name. The
corpus cannot tell: in a corpus of machine-learning papers "stars" is rare.
General English can: wordfreq ships word frequencies from many sources
(Wikipedia, subtitles, books, news, web text) inside the package, so the test
needs no network and no model.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

__all__ = ["EVERYDAY_ZIPF", "everyday_word"]

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
