"""References of the corpus papers: resolved to corpus papers or to works outside it.

Every reference a paper's sources list (works files, the online citation services) is
kept. A reference lands on a corpus paper when one of its keys is one of the paper's
(``arxiv:``, ``doi:``, ``openalex:``, ``s2:``), else when its normalised title is the
paper's and their years are at most a year apart (the de-duplication rule). The others
are *works*: one per set of keys that meet, counted by the corpus papers that cite them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
    #: ``cites`` edges between corpus papers and from corpus papers to ``work`` nodes, as
    #: columns (src, dst, kind, weight, evidence)
    edges: dict[str, list[Any]]
    nodes: list[NodeRow]
    #: each reference as numbers: its citing paper (row number) and what it cites (a row
    #: number, or ``len(rows)`` + a work's number), for the coupling matrix
    citing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cited: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the work key of each target number
    target_keys: list[str] = field(default_factory=list)

    def edge_rows(self) -> list[EdgeRow]:
        """The ``cites`` edges as records, in (src, dst) order between papers, then to works."""
        e = self.edges
        names = ("src", "dst", "kind", "weight", "evidence")
        return [EdgeRow(*values) for values in zip(*(e[n] for n in names), strict=True)]

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
    number: int


#: work key kinds, most portable first (the one a work is stored and drawn under)
KEY_ORDER = {"arxiv": 0, "doi": 1, "openalex": 2, "s2": 3, "title": 4}


def _preferred(keys: Sequence[str]) -> str:
    """The most portable of a work's keys (the first of them among equals)."""
    return min(keys, key=lambda k: KEY_ORDER.get(k.partition(":")[0], len(KEY_ORDER)))


def _key_of(keys: Iterable[str], prefix: str) -> str | None:
    return next((k.removeprefix(prefix) for k in keys if k.startswith(prefix)), None)


def _listed(
    rows: Sequence[PaperRow], resolver: _Resolver, more: Iterable[tuple[str, Reference]]
) -> tuple[list[str], list[Reference]]:
    """Every (citing paper, reference) as two lists: the papers' own lists, the services',
    and the corpus papers that a paper's ``cited_by`` names."""
    citing = [row.paper_id for row in rows for _ in row.references]
    refs = [ref for row in rows for ref in row.references]
    for pid, ref in more:
        citing.append(pid)
        refs.append(ref)
    for row in rows:
        if not row.cited_by:
            continue
        keys = tuple(_paper_keys(row) or [f"title:{normalise_title(row.title)}"])
        for by in row.cited_by:
            found = resolver.paper(by)
            if found is not None:
                citing.append(found)
                refs.append(Reference(keys, row.title, _year_of(row), by.source))
    return citing, refs


def _first_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct (a, b) pair, in their order."""
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    _, first = np.unique(a * (int(b.max()) + 1) + b, return_index=True)
    return np.sort(first)


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

    Each distinct key tuple is resolved once in Python; the per-reference work (3M
    references at 100k papers) is numpy over their numbers.
    """
    resolver = _Resolver(rows)
    index = {r.paper_id: i for i, r in enumerate(rows)}
    citing, refs = _listed(rows, resolver, more)
    codes: dict[tuple[str, ...], int] = {}
    code = np.fromiter(
        (codes.setdefault(ref.keys, len(codes)) for ref in refs), dtype=np.int64, count=len(refs)
    )
    first_ref = np.full(len(codes), -1, dtype=np.int64)
    first_ref[code[::-1]] = np.arange(len(refs) - 1, -1, -1)
    # A target is a corpus paper (its row number) or a work (number + len(rows)).
    works: list[_Work] = []
    work_of_key: dict[str, _Work] = {}
    target = np.empty(len(codes), dtype=np.int64)
    for c, ref_at in enumerate(first_ref.tolist()):
        ref = refs[ref_at]
        pid = resolver.paper(ref)
        target[c] = (
            index[pid] if pid is not None else len(rows) + _work_for(ref, works, work_of_key)
        )
    by_ref = target[code]
    source_of = [ref.source for ref in refs]
    citer = np.fromiter((index.get(p, -1) for p in citing), dtype=np.int64, count=len(citing))
    valid = np.flatnonzero(citer >= 0)
    kept = valid[_first_of_pairs(citer[valid], by_ref[valid])]
    for work in works:
        work.keys.sort(key=lambda k: KEY_ORDER.get(k.partition(":")[0], len(KEY_ORDER)))
    for at in kept.tolist():
        ref = refs[at]
        if (ref.title is not None or ref.year is not None) and by_ref[at] >= len(rows):
            work = works[by_ref[at] - len(rows)]
            work.title = work.title or ref.title
            work.year = work.year or ref.year
    to_work = by_ref[kept] >= len(rows)
    cited_by = np.bincount(by_ref[kept][to_work] - len(rows), minlength=len(works))
    ids = [r.paper_id for r in rows]
    keys = [resolver.first_key.get(pid, pid) for pid in ids] + [w.keys[0] for w in works]
    names = np.asarray([*ids, *keys[len(rows) :]], dtype=object)
    # Sort ranks of the target names, for edges in (src, dst) order without string sorts.
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    a, b, source = citer[kept], by_ref[kept], [source_of[at] for at in kept.tolist()]
    columns: dict[str, list[Any]] = {
        "paper_id": names[a].tolist(),
        "work_key": np.asarray(keys, dtype=object)[b].tolist(),
        "title": [refs[at].title for at in kept.tolist()],
        "year": [refs[at].year for at in kept.tolist()],
        "source": source,
        "cited_paper": [None if t >= len(rows) else ids[t] for t in b.tolist()],
    }
    counts = cited_by.tolist()
    shown = np.asarray([n >= min_cited for n in counts] or [False], dtype=bool)
    evidence_of = [SOURCE_NAMES.get(x, x) for x in source]
    between = (b < len(rows)) & (b != a)
    to_shown = np.flatnonzero(~between & (b >= len(rows)))
    to_shown = to_shown[shown[b[to_shown] - len(rows)]]
    pairs = _paper_cites(a[between], b[between], np.flatnonzero(between), evidence_of, cites, index)
    order = np.lexsort((rank[b[to_shown]], rank[a[to_shown]]))
    work_edges = to_shown[order]
    edges = {
        "src": names[pairs[0]].tolist() + names[a[work_edges]].tolist(),
        "dst": names[pairs[1]].tolist() + names[b[work_edges]].tolist(),
        "evidence": pairs[2] + [evidence_of[at] for at in work_edges.tolist()],
    }
    layer = _layer(columns, works, counts, edges, min_cited)
    layer.citing, layer.cited, layer.target_keys = a, b, keys
    return layer


def _paper_cites(
    a: np.ndarray,
    b: np.ndarray,
    at: np.ndarray,
    evidence_of: list[str],
    cites: Iterable[tuple[str, str, str]],
    index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(citing, cited, evidence) of the ``cites`` edges between corpus papers, in id order
    (rows are in id order): one per pair, its evidence every source that gives it."""
    bit: dict[str, int] = {}
    found = [bit.setdefault(evidence_of[i], 1 << len(bit)) for i in at.tolist()]
    more_a, more_b, more_bits = [], [], []
    for src, dst, evidence in cites:
        if src != dst and src in index and dst in index:
            more_a.append(index[src])
            more_b.append(index[dst])
            more_bits.append(sum({bit.setdefault(n, 1 << len(bit)) for n in evidence.split("; ")}))
    all_a = np.concatenate([a, np.asarray(more_a, dtype=np.int64)])
    all_b = np.concatenate([b, np.asarray(more_b, dtype=np.int64)])
    bits = np.asarray(found + more_bits, dtype=np.int64)
    if not len(all_a):
        return all_a, all_b, []
    pair, inverse = np.unique(all_a * (int(all_b.max()) + 1) + all_b, return_inverse=True)
    merged = np.zeros(len(pair), dtype=np.int64)
    np.bitwise_or.at(merged, inverse.ravel(), bits)
    names = {v: k for k, v in bit.items()}
    text = {
        m: "; ".join(sorted(names[1 << i] for i in range(len(bit)) if m & (1 << i)))
        for m in set(merged.tolist())
    }
    width = int(all_b.max()) + 1
    return pair // width, pair % width, [text[m] for m in merged.tolist()]


def _work_for(ref: Reference, works: list[_Work], work_of_key: dict[str, _Work]) -> int:
    """The number of the work a reference outside the corpus is: one already met by any of
    its keys, or a new one."""
    work = next((work_of_key[k] for k in ref.keys if k in work_of_key), None)
    if work is None:
        work = _Work([], ref.title, ref.year, len(works))
        works.append(work)
    for key in ref.keys:
        if key not in work.keys:
            work.keys.append(key)
        work_of_key.setdefault(key, work)
    return work.number


def _layer(
    columns: dict[str, list[Any]],
    works: list[_Work],
    cited_by: list[int],
    edges: dict[str, list[Any]],
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
                cited_by=count,
            )
            for work, count in zip(works, cited_by, strict=True)
        ),
        key=lambda w: w.work_key,
    )
    nodes = [
        NodeRow(w.work_key, "work", w.title or w.work_key, work_url(w.work_key))
        for w in work_rows
        if w.cited_by >= min_cited
    ]
    edges |= {"kind": ["cites"] * len(edges["src"]), "weight": [1.0] * len(edges["src"])}
    return CitationLayer(columns, work_rows, edges, nodes)
