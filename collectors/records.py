"""Record types every collector returns: plain, frozen, comparable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "LINK_KINDS",
    "MAX_COUNT",
    "Link",
    "Paper",
    "ParseResult",
    "Reference",
    "spelled_date",
    "stored_count",
]

#: ``links.kind`` values: a code repository, the account of a person or organisation
#: on a code host, a project page, an unresolved short link, or anything else (a dataset,
#: a paper elsewhere, ...).
LINK_KINDS = ("repo", "owner", "page", "short", "other")
#: the largest count the store keeps (its count columns are 32-bit INTEGERs)
MAX_COUNT = 2**31 - 1


def spelled_date(day: date) -> str:
    """``day`` as Hugging Face pages write it.

    >>> spelled_date(date(2024, 3, 7))
    'Mar 7, 2024'
    """
    return f"{day:%b} {day.day}, {day.year}"


def stored_count(value: object) -> int | None:
    """``value`` when it is a whole number from 0 to :data:`MAX_COUNT`, else None.

    Counts (authors, upvotes, stars, citations) from inputs and services go through
    this, so a hostile 10**30 or -3 is dropped rather than stored or crashing the store.

    >>> stored_count(12), stored_count(10**30), stored_count(-3), stored_count(True)
    (12, None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


@dataclass(frozen=True, slots=True)
class Link:
    """One URL found for a paper, cleaned and classified.

    ``url`` is the cleaned URL as written (scheme added when it was missing),
    ``target`` its canonical form (see DESIGN.md), which is also the node id
    of repo and page nodes.
    """

    url: str
    kind: str
    target: str
    origin: str = "abstract"


@dataclass(frozen=True, slots=True)
class Reference:
    """One work a paper cites, by every id its source gave (``openalex:W1``, ``s2:<id>``,
    ``arxiv:<id>``, ``doi:<doi>``; the preferred one first), with title and year when known."""

    keys: tuple[str, ...]
    title: str | None = None
    year: int | None = None
    #: where the reference list came from: openalex, s2 (a file or the online service)
    source: str = "openalex"


@dataclass(frozen=True, slots=True)
class Paper:
    """One occurrence of a paper in one input, before de-duplication."""

    title: str
    source: str
    position: int
    abstract: str = ""
    authors: int | None = None
    published: date | None = None
    published_text: str | None = None
    upvotes: int | None = None
    arxiv_id: str | None = None
    #: a bare lower-case DOI other than arXiv's own (10.48550/arXiv.<id> is the arXiv id)
    doi: str | None = None
    links: tuple[Link, ...] = ()
    #: keyphrases a source already assigned (e.g. Hugging Face ``ai_keywords``)
    keywords: tuple[str, ...] = ()
    #: what kind of input the record came from: page, ids, bibtex, json, hf, arxiv, ...
    origin: str = "page"
    #: subject categories the source gave (arXiv's ``cs.LG``, ``stat.ML``, ...)
    categories: tuple[str, ...] = ()
    #: the paper's own ids at citation services (``openalex:W1``, ``s2:<id>``)
    keys: tuple[str, ...] = ()
    #: the works it cites, when its source lists them (OpenAlex, Semantic Scholar)
    references: tuple[Reference, ...] = ()
    #: works its source says cite it (Semantic Scholar ``citations``)
    cited_by: tuple[Reference, ...] = ()
    #: times cited anywhere, when the source says
    cited_by_count: int | None = None

    def __post_init__(self) -> None:
        # A known date is shown the way Hugging Face pages spell it whatever the input, so
        # the page and the report read alike; sources with only a year or a month say so
        # themselves.
        if self.published_text is None and self.published is not None:
            object.__setattr__(self, "published_text", spelled_date(self.published))


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a parser read from one input: the papers, and what it had to skip."""

    papers: tuple[Paper, ...]
    #: one human-readable line per skipped item ("line 812: paper 'X' cut off ...")
    skipped: tuple[str, ...] = field(default=())
