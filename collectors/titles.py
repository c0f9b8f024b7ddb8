"""Title normalisation: the key that makes the same paper meet across inputs."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_title"]

_NON_WORD = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """Fold case, accents, punctuation and spacing so that variants of a title compare equal.

    >>> normalise_title("  Fourier Neural Operator: for  Parametric PDEs ")
    'fourier neural operator for parametric pdes'
    >>> normalise_title("Schrödinger-Bridge") == normalise_title("schrodinger bridge")
    True
    """
    decomposed = unicodedata.normalize("NFKD", title)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()
