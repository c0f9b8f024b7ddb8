"""References of the corpus papers: resolved to corpus papers or to works outside it.

Every reference a paper's sources list (works files, the online citation services) is
kept. A reference lands on a corpus paper when one of its keys is one of the paper's
(``arxiv:``, ``doi:``, ``openalex:``, ``s2:``), else when its normalised title is the
paper's and their years are at most a year apart (the de-duplication rule). The others
are *works*: one per set of keys that meet, counted by the corpus papers that cite them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from collectors.records import Reference
from collectors.titles import normalise_title
from graph.linkgraph import EdgeRow, NodeRow
from graph.papers import YEAR_TOLERANCE, PaperRow

__all__ = [
    "MIN_CITED",
    "CitationLayer",
    "ReferenceRow",
    "WorkRow",
    "citation_layer",
    "work_url",
]

#: corpus papers that must cite an outside work before it becomes a ``work`` node
MIN_CITED = 3
#: where each reference source is named in edge evidence
SOURCE_NAMES = {"openalex": "OpenAlex reference", "s2": "Semantic Scholar reference"}


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """A row of ``references``: ``paper_id`` cites ``work_key`` (a corpus paper when ``cited_paper``)."""

    paper_id: str
    work_key: str
    title: str | None
    year: int | None
    source: str
    cited_paper: str | None


@dataclass(frozen=True, slots=True)
class WorkRow:
    """A row of ``works``: a referenced work outside the corpus and how many corpus papers cite it."""

    work_key: str
    openalex_id: str | None
    s2_id: str | None
    doi: str | None
    arxiv_id: str | None
    title: str | None
    year: int | None
    cited_by: int


#: the columns of ``references``, in the order of :class:`ReferenceRow`'s fields
REFERENCE_COLUMNS = ("paper_id", "work_key", "title", "year", "source", "cited_paper")


@dataclass(slots=True)
class CitationLayer:
    """What the citation stage stores."""

    #: the ``references`` rows as columns (see :data:`REFERENCE_COLUMNS`), in paper order
    references: dict[str, list[Any]]
    works: list[WorkRow]
    #: ``cites`` edges between corpus papers and from corpus papers to ``work`` nodes
    edges: list[EdgeRow]
    nodes: list[NodeRow]

    def reference_rows(self) -> list[ReferenceRow]:
        """The ``references`` rows as records, sorted by paper and work key."""
        rows = [ReferenceRow(*values) for values in zip(*self.references.values(), strict=True)]
        return sorted(rows, key=lambda r: (r.paper_id, r.work_key))


#: where each kind of work key has its page
WORK_PAGES = {
    "openalex": "https://openalex.org/",
    "s2": "https://www.semanticscholar.org/paper/",
    "doi": "https://doi.org/",
    "arxiv": "https://arxiv.org/abs/",
}


def work_url(key: str) -> str | None:
    """The page of a work key at its service.

    >>> work_url("openalex:W2741809807")
    'https://openalex.org/W2741809807'
    >>> work_url("doi:10.1000/x")
    'https://doi.org/10.1000/x'
    """
    kind, _, value = key.partition(":")
    page = WORK_PAGES.get(kind)
    return page + value if page and value else None


def _paper_keys(row: PaperRow) -> list[str]:
    keys = [f"arxiv:{row.arxiv_id}"] if row.arxiv_id else []
    keys += [f"doi:{row.doi}"] if row.doi else []
    return keys + list(row.keys)


def _year_of(row: PaperRow) -> int | None:
    if row.published is not None:
        return row.published.year
    text = row.published_text or ""
    return int(text[:4]) if text[:4].isdigit() else None


class _Resolver:
    """Corpus papers by key and by normalised title."""

    def __init__(self, rows: Sequence[PaperRow]) -> None:
        self.by_key: dict[str, str] = {}
        self.by_title: dict[str, list[tuple[str, int | None]]] = {}
        #: the key a reference to a corpus paper is stored under (its paper id when it has none)
        self.first_key: dict[str, str] = {}
        for row in rows:
            keys = _paper_keys(row)
            if keys:
                self.first_key[row.paper_id] = keys[0]
            for key in keys:
                self.by_key.setdefault(key, row.paper_id)
            title = normalise_title(row.title)
            if title:
                self.by_title.setdefault(title, []).append((row.paper_id, _year_of(row)))

    def paper(self, ref: Reference) -> str | None:
        for key in ref.keys:
            if key in self.by_key:
                return self.by_key[key]
        if not ref.title:
            return None
        candidates = self.by_title.get(normalise_title(ref.title), [])
        agreeing = [
            pid
            for pid, year in candidates
            if year is None or ref.year is None or abs(year - ref.year) <= YEAR_TOLERANCE
        ]
        # Two corpus papers of one title: the title says nothing about which one is meant.
        return agreeing[0] if len(agreeing) == 1 else None


@dataclass(slots=True)
class _Work:
    keys: list[str]
    title: str | None
    year: int | None
    citing: set[str]


#: work key kinds, most portable first (the one a work is stored and drawn under)
KEY_ORDER = {"arxiv": 0, "doi": 1, "openalex": 2, "s2": 3, "title": 4}


def _preferred(keys: Sequence[str]) -> str:
    """The most portable of a work's keys (the first of them among equals)."""
    return min(keys, key=lambda k: KEY_ORDER.get(k.partition(":")[0], len(KEY_ORDER)))


def _key_of(keys: Iterable[str], prefix: str) -> str | None:
    return next((k.removeprefix(prefix) for k in keys if k.startswith(prefix)), None)


def _listed(
    rows: Sequence[PaperRow], resolver: _Resolver, more: Iterable[tuple[str, Reference]]
) -> Iterator[tuple[str, Reference]]:
    """Every (citing paper, reference): the papers' own lists, the services', and the
    corpus papers that a paper's ``cited_by`` names."""
    for row in rows:
        for ref in row.references:
            yield row.paper_id, ref
    yield from more
    for row in rows:
        if not row.cited_by:
            continue
        keys = _paper_keys(row) or [f"title:{normalise_title(row.title)}"]
        for by in row.cited_by:
            pid = resolver.paper(by)
            if pid is not None:
                yield pid, Reference(tuple(keys), row.title, _year_of(row), by.source)


def citation_layer(
    rows: Sequence[PaperRow],
    more: Iterable[tuple[str, Reference]] = (),
    cites: Iterable[tuple[str, str, str]] = (),
    min_cited: int = MIN_CITED,
) -> CitationLayer:
    """References, works, ``cites`` edges and ``work`` nodes of the corpus ``rows``.

    ``more`` adds (paper_id, reference) pairs (the online services' lists) and ``cites``
    (citing, cited, evidence) pairs between corpus papers found elsewhere. References are
    met in paper order; a work's title and year are the first its references give.
    """
    resolver = _Resolver(rows)
    corpus = {r.paper_id for r in rows}
    sources: dict[tuple[str, str], set[str]] = {}
    for src, dst, evidence in cites:
        if src != dst and src in corpus and dst in corpus:
            sources.setdefault((src, dst), set()).update(evidence.split("; "))
    works: list[_Work] = []
    work_of_key: dict[str, _Work] = {}
    # One resolution per distinct key tuple: at 100k papers x 30 references most repeat.
    target: dict[tuple[str, ...], str | _Work] = {}
    listed: list[tuple[str, Reference, str | _Work]] = []
    for pid, ref in _listed(rows, resolver, more):
        found = target.get(ref.keys)
        if found is None:
            found = resolver.paper(ref) or _work_for(ref, works, work_of_key)
            target[ref.keys] = found
        if isinstance(found, str):
            if found != pid:
                sources.setdefault((pid, found), set()).add(
                    SOURCE_NAMES.get(ref.source, ref.source)
                )
        elif found.title is None or found.year is None:
            found.title = found.title or ref.title
            found.year = found.year or ref.year
        listed.append((pid, ref, found))
    del target
    # Keys are final once every reference is seen: each work goes by its most portable one.
    for work in works:
        work.keys.sort(key=lambda k: KEY_ORDER.get(k.partition(":")[0], len(KEY_ORDER)))
    paper_id: list[str] = []
    work_key: list[str] = []
    title: list[str | None] = []
    year: list[int | None] = []
    source: list[str] = []
    cited_paper: list[str | None] = []
    done: set[tuple[str, str]] = set()
    for pid, ref, found in listed:
        if isinstance(found, str):
            key, paper = resolver.first_key.get(found, found), found
        else:
            key, paper = found.keys[0], None
            found.citing.add(pid)
        if (pid, key) in done:
            continue
        done.add((pid, key))
        paper_id.append(pid)
        work_key.append(key)
        title.append(ref.title)
        year.append(ref.year)
        source.append(ref.source)
        cited_paper.append(paper)
    del listed, done
    values: tuple[list[Any], ...] = (paper_id, work_key, title, year, source, cited_paper)
    columns = dict(zip(REFERENCE_COLUMNS, values, strict=True))
    return _layer(columns, works, sources, min_cited)


def _work_for(ref: Reference, works: list[_Work], work_of_key: dict[str, _Work]) -> _Work:
    """The work a reference outside the corpus is: one already met by any of its keys, or new."""
    work = next((work_of_key[k] for k in ref.keys if k in work_of_key), None)
    if work is None:
        work = _Work([], ref.title, ref.year, set())
        works.append(work)
    for key in ref.keys:
        if key not in work.keys:
            work.keys.append(key)
        work_of_key.setdefault(key, work)
    return work


def _layer(
    columns: dict[str, list[Any]],
    works: list[_Work],
    sources: dict[tuple[str, str], set[str]],
    min_cited: int,
) -> CitationLayer:
    work_rows = sorted(
        (
            WorkRow(
                work_key=work.keys[0],
                openalex_id=_key_of(work.keys, "openalex:"),
                s2_id=_key_of(work.keys, "s2:"),
                doi=_key_of(work.keys, "doi:"),
                arxiv_id=_key_of(work.keys, "arxiv:"),
                title=work.title,
                year=work.year,
                cited_by=len(work.citing),
            )
            for work in works
        ),
        key=lambda w: w.work_key,
    )
    edges = [
        EdgeRow(citing, cited, "cites", 1.0, "; ".join(sorted(names)))
        for (citing, cited), names in sorted(sources.items())
    ]
    shown = {w.work_key: w for w in work_rows if w.cited_by >= min_cited}
    nodes = [NodeRow(key, "work", w.title or key, work_url(key)) for key, w in shown.items()]
    to_works = sorted(
        (pid, key, source)
        for pid, key, source, paper in zip(
            columns["paper_id"],
            columns["work_key"],
            columns["source"],
            columns["cited_paper"],
            strict=True,
        )
        if paper is None and key in shown
    )
    edges += [
        EdgeRow(pid, key, "cites", 1.0, SOURCE_NAMES.get(source, source))
        for pid, key, source in to_works
    ]
    return CitationLayer(columns, work_rows, edges, nodes)
