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

from graph.keywords.analyzer import keyword_key
from graph.keywords.extract import extract_keywords, paused_gc
from graph.keywords.options import KeywordOptions, KeywordTable, ShownKeywords
from graph.keywords.vocabulary import BREAK_WORDS, GENERIC_WORDS

__all__ = [
    "BREAK_WORDS",
    "GENERIC_WORDS",
    "KeywordOptions",
    "KeywordTable",
    "ShownKeywords",
    "extract_keywords",
    "keyword_key",
    "paused_gc",
]
