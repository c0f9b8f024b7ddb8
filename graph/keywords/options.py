"""What keyword extraction is tuned by, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

__all__ = ["ROW_CHUNK", "KeywordOptions", "KeywordTable", "ShownKeywords"]

#: papers whose rows are handled at once (bounds the temporary arrays)
ROW_CHUNK = 4096


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
    #: termhood: a phrase's score is multiplied by exp(-specificity * (z - 4)), z being the
    #: mean Zipf frequency of its words in general English (wordfreq). A phrase of
    #: everyday words ("similar tasks", "broader impact") is less often a term of the field
    #: than one of rare words ("spiking neural networks", "GRPO") at the same tf-idf.
    specificity: float = 0.2
    min_papers: int = 2
    #: a keyword in more than this share of papers is a hub: stored, never linked
    hub_share: float = 0.05
    #: ... or in more than this many papers, whatever the corpus size. This bounds the
    #: work of the similarity product (each paper meets at most this many per keyword);
    #: a paper's k strongest neighbours come from rarer keywords anyway.
    hub_papers: int = 100


@dataclass(slots=True)
class ShownKeywords:
    """The keywords shown per paper, as columns: entry i is a keyword of paper ``rows[i]``.

    Rows ascend and a paper's entries run strongest first. Labels, origins and evidence
    texts are numbers into short lists: at 1M papers there are 11M entries but a few
    hundred thousand distinct labels and a few dozen evidence texts, and 11M tuples of
    Python objects cost more to build and to store than the keywords' whole extraction.
    """

    #: paper row (into ``KeywordTable.paper_ids``) of each entry
    rows: np.ndarray
    #: index into ``labels``
    label: np.ndarray
    #: keyword weight, rounded to 6 places
    weight: np.ndarray
    #: index into ``origins``: 'text' (0) for a phrase found in title or abstract, else
    #: the source that gave it
    origin: np.ndarray
    #: index into ``evidences``: where the keyword was found, said for linkable ones
    evidence: np.ndarray
    labels: list[str]
    origins: list[str]
    evidences: list[str]

    @classmethod
    def empty(cls) -> ShownKeywords:
        none = np.zeros(0, dtype=np.int32)
        return cls(none, none, np.zeros(0), none, none, [], ["text"], [""])


@dataclass(slots=True)
class KeywordTable:
    """Keywords per paper, corpus statistics, and the paper x keyword matrix for similarity."""

    #: the shown keywords of every paper, strongest first
    shown: ShownKeywords
    #: keyword label -> number of papers whose text has it
    doc_freq: dict[str, int]
    #: keyword label -> inverse document frequency
    idf: dict[str, float]
    #: labels that connect papers: in >= min_papers papers and not hubs
    linkable: frozenset[str]
    #: row order of ``matrix`` and of ``shown``
    paper_ids: list[str] = field(default_factory=list)
    #: column labels of ``matrix``
    columns: list[str] = field(default_factory=list)
    #: tf-idf weights of linkable phrases (CSR, papers x columns)
    matrix: sparse.csr_matrix | None = None

    @property
    def by_paper(self) -> dict[str, list[tuple[str, float, str, str]]]:
        """paper_id -> [(keyword label, weight, origin, evidence)], strongest first, in
        paper order (built from :attr:`shown` on each call: for small corpora and tests)."""
        shown = self.shown
        ends = np.searchsorted(shown.rows, np.arange(len(self.paper_ids) + 1)).tolist()
        labels, origins, evidences = shown.labels, shown.origins, shown.evidences
        columns = (shown.label, shown.weight, shown.origin, shown.evidence)
        entries = [
            (labels[label], weight, origins[origin], evidences[evidence])
            for label, weight, origin, evidence in zip(*(c.tolist() for c in columns), strict=True)
        ]
        return {
            paper_id: entries[ends[row] : ends[row + 1]]
            for row, paper_id in enumerate(self.paper_ids)
        }
