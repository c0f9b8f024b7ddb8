"""References of the corpus papers: resolved to corpus papers or to works outside it.

Every reference a paper's sources list (works files, the online citation services) is
kept. A reference lands on a corpus paper when one of its keys is one of the paper's
(``arxiv:``, ``doi:``, ``openalex:``, ``s2:``), else when its normalised title is the
paper's and their years are at most a year apart (the de-duplication rule). The others
are *works*: one per set of keys that meet, counted by the corpus papers that cite them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


@dataclass(slots=True)
class CitationLayer:
    """What the citation stage stores."""

    references: list[ReferenceRow]
    works: list[WorkRow]
    #: ``cites`` edges between corpus papers and from corpus papers to ``work`` nodes
    edges: list[EdgeRow]
    nodes: list[NodeRow]


def work_url(key: str) -> str | None:
    """The page of a work key at its service.

    >>> work_url("openalex:W2741809807")
    'https://openalex.org/W2741809807'
    >>> work_url("doi:10.1000/x")
    'https://doi.org/10.1000/x'
    """
    kind, _, value = key.partition(":")
    pages = {
        "openalex": "https://openalex.org/",
        "s2": "https://www.semanticscholar.org/paper/",
        "doi": "https://doi.org/",
        "arxiv": "https://arxiv.org/abs/",
    }
    return pages[kind] + value if kind in pages and value else None


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
KEY_ORDER = ("arxiv", "doi", "openalex", "s2", "title")


def _preferred(keys: Sequence[str]) -> str:
    return min(
        keys,
        key=lambda k: (
            KEY_ORDER.index(k.partition(":")[0])
            if k.partition(":")[0] in KEY_ORDER
            else len(KEY_ORDER),
            keys.index(k),
        ),
    )


def _key_of(keys: Iterable[str], prefix: str) -> str | None:
    return next((k.removeprefix(prefix) for k in keys if k.startswith(prefix)), None)


def citation_layer(
    rows: Sequence[PaperRow],
    more: Iterable[tuple[str, Reference]] = (),
    cites: Iterable[tuple[str, str, str]] = (),
    min_cited: int = MIN_CITED,
) -> CitationLayer:
    """References, works, ``cites`` edges and ``work`` nodes of the corpus ``rows``.

    ``more`` adds (paper_id, reference) pairs (the online services' lists) and ``cites``
    (citing, cited, evidence) pairs between corpus papers found elsewhere.
    """
    resolver = _Resolver(rows)
    listed: list[tuple[str, Reference]] = [(r.paper_id, ref) for r in rows for ref in r.references]
    listed += list(more)
    # "X is cited by C": when C is a corpus paper, that is C's reference to X.
    for row in rows:
        keys = _paper_keys(row) or [f"title:{normalise_title(row.title)}"]
        own = Reference(tuple(keys), row.title, _year_of(row), "s2")
        for by in row.cited_by:
            pid = resolver.paper(by)
            if pid is not None:
                listed.append((pid, Reference(own.keys, own.title, own.year, by.source)))
    works: list[_Work] = []
    work_of_key: dict[str, _Work] = {}
    resolved: list[tuple[str, Reference, str | None, _Work | None]] = []
    sources: dict[tuple[str, str], set[str]] = {}
    corpus = {r.paper_id for r in rows}
    for src, dst, evidence in cites:
        if src != dst and src in corpus and dst in corpus:
            sources.setdefault((src, dst), set()).update(evidence.split("; "))
    for pid, ref in sorted(listed, key=lambda item: (item[0], item[1].keys, item[1].source)):
        cited = resolver.paper(ref)
        work = None
        if cited is not None:
            if cited != pid:
                sources.setdefault((pid, cited), set()).add(
                    SOURCE_NAMES.get(ref.source, ref.source)
                )
        else:
            work = next((work_of_key[k] for k in ref.keys if k in work_of_key), None)
            if work is None:
                work = _Work([], ref.title, ref.year, set())
                works.append(work)
            for k in ref.keys:
                if k not in work.keys:
                    work.keys.append(k)
                work_of_key.setdefault(k, work)
            work.title = work.title or ref.title
            work.year = work.year or ref.year
            work.citing.add(pid)
        resolved.append((pid, ref, cited, work))
    # Keys are final once every reference is seen: each work goes by its most portable one.
    by_key = {_preferred(w.keys): w for w in works}
    refs: dict[tuple[str, str], ReferenceRow] = {}
    for pid, ref, paper, work in resolved:
        key = (
            resolver.first_key.get(paper, paper) if paper else _preferred(work.keys) if work else ""
        )
        refs.setdefault((pid, key), ReferenceRow(pid, key, ref.title, ref.year, ref.source, paper))
    return _layer(refs, by_key, sources, min_cited)


def _layer(
    refs: dict[tuple[str, str], ReferenceRow],
    works: dict[str, _Work],
    sources: dict[tuple[str, str], set[str]],
    min_cited: int,
) -> CitationLayer:
    work_rows = [
        WorkRow(
            work_key=key,
            openalex_id=_key_of(work.keys, "openalex:"),
            s2_id=_key_of(work.keys, "s2:"),
            doi=_key_of(work.keys, "doi:"),
            arxiv_id=_key_of(work.keys, "arxiv:"),
            title=work.title,
            year=work.year,
            cited_by=len(work.citing),
        )
        for key, work in sorted(works.items())
    ]
    edges = [
        EdgeRow(citing, cited, "cites", 1.0, "; ".join(sorted(names)))
        for (citing, cited), names in sorted(sources.items())
    ]
    shown = {w.work_key: w for w in work_rows if w.cited_by >= min_cited}
    nodes = [NodeRow(key, "work", w.title or key, work_url(key)) for key, w in shown.items()]
    edges += [
        EdgeRow(row.paper_id, row.work_key, "cites", 1.0, SOURCE_NAMES.get(row.source, row.source))
        for _, row in sorted(refs.items())
        if row.cited_paper is None and row.work_key in shown
    ]
    return CitationLayer(
        sorted(refs.values(), key=lambda r: (r.paper_id, r.work_key)), work_rows, edges, nodes
    )
