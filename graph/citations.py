"""References of the corpus papers: resolved to corpus papers or to works outside it.

Every reference a paper's sources list (works files, the online citation services) is
kept. A reference lands on a corpus paper when one of its keys is one of the paper's
(``arxiv:``, ``doi:``, ``openalex:``, ``s2:``), else when its normalised title is the
paper's and their years are at most a year apart (the de-duplication rule). The others
are *works*: one per set of keys that meet, counted by the corpus papers that cite them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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

    #: the ``references`` rows as Arrow columns (see :data:`REFERENCE_COLUMNS`), in paper order
    references: dict[str, Any]
    works: list[WorkRow]
    #: ``cites`` edges between corpus papers and from corpus papers to ``work`` nodes, as
    #: Arrow and NumPy columns (src, dst, kind, weight, evidence)
    edges: dict[str, Any]
    nodes: list[NodeRow]
    #: each reference as numbers: its citing paper (row number) and what it cites (a row
    #: number, or ``len(rows)`` + a work's number), for the coupling matrix
    citing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cited: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the work key of each target number
    target_keys: list[str] = field(default_factory=list)

    def edge_rows(self) -> list[EdgeRow]:
        """The ``cites`` edges as records, in (src, dst) order between papers, then to works."""
        names = ("src", "dst", "kind", "weight", "evidence")
        e = [_listed_values(self.edges[n]) for n in names]
        return [EdgeRow(*values) for values in zip(*e, strict=True)]

    def reference_rows(self) -> list[ReferenceRow]:
        """The ``references`` rows as records, sorted by paper and work key."""
        columns = [_listed_values(self.references[n]) for n in REFERENCE_COLUMNS]
        rows = [ReferenceRow(*values) for values in zip(*columns, strict=True)]
        return sorted(rows, key=lambda r: (r.paper_id, r.work_key))


def _listed_values(values: Any) -> list[Any]:
    """A column (Arrow, NumPy or a list) as a list of Python values."""
    return list(values.to_pylist() if hasattr(values, "to_pylist") else values.tolist())


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
    """Corpus papers (row numbers) by key and by normalised title."""

    def __init__(self, rows: Sequence[PaperRow]) -> None:
        self.rows = rows
        self.by_key: dict[str, int] = {}
        self._by_title: dict[str, list[tuple[int, int | None]]] | None = None
        #: the key a reference to a corpus paper is stored under (its paper id when it has none)
        self.first_key: dict[str, str] = {}
        for at, row in enumerate(rows):
            keys = _paper_keys(row)
            if keys:
                self.first_key[row.paper_id] = keys[0]
            for key in keys:
                self.by_key.setdefault(key, at)

    def by_title(self) -> dict[str, list[tuple[int, int | None]]]:
        """The papers by normalised title, made when a reference first needs it (references
        with ids seldom do, and normalising 100k titles takes seconds)."""
        if self._by_title is None:
            self._by_title = {}
            for at, row in enumerate(self.rows):
                title = normalise_title(row.title)
                if title:
                    self._by_title.setdefault(title, []).append((at, _year_of(row)))
        return self._by_title

    def paper(self, ref: Reference) -> int | None:
        """The row number of the corpus paper a reference is, if any."""
        by_key = self.by_key
        for key in ref.keys:
            found = by_key.get(key)
            if found is not None:
                return found
        if not ref.title:
            return None
        candidates = self.by_title().get(normalise_title(ref.title), [])
        agreeing = [
            at
            for at, year in candidates
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


def _ids_of(keys: Iterable[str]) -> dict[str, str]:
    """The first id of each kind among a work's keys (``doi:10.1/x`` is the DOI 10.1/x)."""
    ids: dict[str, str] = {}
    for key in keys:
        kind, _, value = key.partition(":")
        ids.setdefault(kind, value)
    return ids


def _listed(
    rows: Sequence[PaperRow], resolver: _Resolver, more: Iterable[tuple[str, Reference]]
) -> tuple[np.ndarray, list[Reference]]:
    """Every (citing paper, reference): the citing row numbers (-1 for a paper not in the
    corpus) and the references. The papers' own lists, the services', and the corpus
    papers that a paper's ``cited_by`` names."""
    refs = [ref for row in rows for ref in row.references]
    counts = np.fromiter((len(row.references) for row in rows), dtype=np.int64, count=len(rows))
    citing = [np.repeat(np.arange(len(rows), dtype=np.int64), counts)]
    index = {r.paper_id: i for i, r in enumerate(rows)}
    extra: list[int] = []
    for pid, ref in more:
        extra.append(index.get(pid, -1))
        refs.append(ref)
    for row in rows:
        if not row.cited_by:
            continue
        keys = tuple(_paper_keys(row) or [f"title:{normalise_title(row.title)}"])
        for by in row.cited_by:
            found = resolver.paper(by)
            if found is not None:
                extra.append(found)
                refs.append(Reference(keys, row.title, _year_of(row), by.source))
    citing.append(np.asarray(extra, dtype=np.int64))
    return np.concatenate(citing), refs


def _key_codes(refs: Sequence[Reference]) -> np.ndarray:
    """A number for each reference's key tuple, in the order the tuples first appear.

    Arrow joins and hashes the keys in C: a dict of 3M tuples costs seconds. The keys are
    joined with a control character no id has.
    """
    keys = list(map(attrgetter("keys"), refs))
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = pa.array(list(itertools.chain.from_iterable(keys)), type=pa.large_string())
    del keys
    listed = pa.LargeListArray.from_arrays(pa.array(offsets), flat)
    joined = pc.binary_join(listed, pa.scalar("\x1f", pa.large_string()))
    codes = pc.dictionary_encode(joined).indices
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)


def _first_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct (a, b) pair, in their order."""
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    _, first = np.unique(a * (int(b.max()) + 1) + b, return_index=True)
    return np.sort(first)


def _first_truthy(values: pa.Array, at: np.ndarray, groups: np.ndarray, size: int) -> list[Any]:
    """Per group, the first non-empty of ``values[at]`` (in ``at`` order) with its group in
    ``groups``, else None."""
    taken = values.take(pa.array(at, type=pa.int64()))
    ok = pc.fill_null(pc.not_equal(taken, pa.scalar(_EMPTY[values.type.id], values.type)), False)
    where = np.flatnonzero(np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool))
    first: list[Any] = [None] * size
    if len(where):
        group, pos = np.unique(groups[where], return_index=True)
        shown = taken.take(pa.array(where[pos], type=pa.int64())).to_pylist()
        for g, value in zip(group.tolist(), shown, strict=True):
            first[g] = value
    return first


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
    references at 100k papers) is numpy and Arrow over their numbers, and the columns
    are Arrow arrays (no Python string per reference).
    """
    resolver = _Resolver(rows)
    n = len(rows)
    citer, refs = _listed(rows, resolver, more)
    code = _key_codes(refs)
    distinct = int(code.max()) + 1 if len(code) else 0
    first_ref = np.full(distinct, -1, dtype=np.int64)
    first_ref[code[::-1]] = np.arange(len(refs) - 1, -1, -1)
    # A target is a corpus paper (its row number) or a work (number + n).
    works: list[_Work] = []
    work_of_key: dict[str, _Work] = {}
    target = np.empty(distinct, dtype=np.int64)
    for c, ref_at in enumerate(first_ref.tolist()):
        ref = refs[ref_at]
        found = resolver.paper(ref)
        target[c] = found if found is not None else n + _work_for(ref, works, work_of_key)
    by_ref = target[code]
    del code, target
    valid = np.flatnonzero(citer >= 0)
    kept = valid[_first_of_pairs(citer[valid], by_ref[valid])]
    del valid
    a, b = citer[kept], by_ref[kept]
    del citer, by_ref
    for work in works:
        if len(work.keys) > 1:
            work.keys.sort(key=lambda k: KEY_ORDER.get(k.partition(":")[0], len(KEY_ORDER)))
    kept_refs = list(map(refs.__getitem__, kept.tolist()))
    del refs
    titles = pa.array(list(map(attrgetter("title"), kept_refs)), type=pa.string())
    years = pa.array(list(map(attrgetter("year"), kept_refs)), type=pa.int32())
    sources = pc.dictionary_encode(
        pa.array(list(map(attrgetter("source"), kept_refs)), type=pa.string())
    )
    del kept_refs
    to_work = np.flatnonzero(b >= n)
    work_no = b[to_work] - n
    # The title and year of the reference that made the work, else the first given.
    for name, values in (("title", titles), ("year", years)):
        given = _first_truthy(values, to_work, work_no, len(works))
        for work, value in zip(works, given, strict=True):
            if not getattr(work, name) and value:
                setattr(work, name, value)
    cited_by = np.bincount(work_no, minlength=len(works))
    ids = [r.paper_id for r in rows]
    keys = [resolver.first_key.get(pid, pid) for pid in ids] + [w.keys[0] for w in works]
    names = pa.array([*ids, *keys[n:]], type=pa.string())
    key_column = pa.array(keys, type=pa.string())
    # Sort ranks of the target names, for edges in (src, dst) order without Python sorts.
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.asarray(pc.sort_indices(names).to_numpy(), dtype=np.int64)] = np.arange(len(names))
    taken_a, taken_b = pa.array(a, type=pa.int64()), pa.array(b, type=pa.int64())
    columns: dict[str, Any] = {
        "paper_id": names.take(taken_a),
        "work_key": key_column.take(taken_b),
        "title": titles,
        "year": years,
        "source": sources.cast(pa.string()),
        "cited_paper": pa.array([*ids, *([None] * len(works))], type=pa.string()).take(taken_b),
    }
    del titles, years, taken_a, taken_b
    source_codes = np.asarray(sources.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    evidence_names = [SOURCE_NAMES.get(x, x) for x in sources.dictionary.to_pylist()]
    counts = cited_by.tolist()
    shown = np.asarray([c >= min_cited for c in counts] or [False], dtype=bool)
    between = (b < n) & (b != a)
    to_shown = np.flatnonzero(~between & (b >= n))
    to_shown = to_shown[shown[b[to_shown] - n]]
    index = {pid: i for i, pid in enumerate(ids)}
    pairs = _paper_cites(
        a[between], b[between], source_codes[between], evidence_names, cites, index
    )
    work_edges = to_shown[np.lexsort((rank[b[to_shown]], rank[a[to_shown]]))]
    evidence_of = pa.array(evidence_names, type=pa.string())
    edges = {
        "src": names.take(pa.array(np.concatenate([pairs[0], a[work_edges]]), type=pa.int64())),
        "dst": names.take(pa.array(np.concatenate([pairs[1], b[work_edges]]), type=pa.int64())),
        "evidence": pa.concat_arrays(
            [pairs[2], evidence_of.take(pa.array(source_codes[work_edges], type=pa.int64()))]
        ),
    }
    layer = _layer(columns, works, counts, edges, min_cited)
    layer.citing, layer.cited, layer.target_keys = a, b, keys
    return layer


#: the value that counts as not given, by Arrow type id (the title "", the year 0)
_EMPTY = {pa.string().id: "", pa.int32().id: 0}


def _paper_cites(
    a: np.ndarray,
    b: np.ndarray,
    source: np.ndarray,
    evidence_names: list[str],
    cites: Iterable[tuple[str, str, str]],
    index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(citing, cited, evidence) of the ``cites`` edges between corpus papers, in id order
    (rows are in id order): one per pair, its evidence every source that gives it.

    ``source`` numbers each reference's evidence name in ``evidence_names``."""
    bit: dict[str, int] = {}
    code_bits = np.asarray(
        [bit.setdefault(name, 1 << len(bit)) for name in evidence_names], dtype=np.int64
    )
    more_a, more_b, more_bits = [], [], []
    for src, dst, evidence in cites:
        if src != dst and src in index and dst in index:
            more_a.append(index[src])
            more_b.append(index[dst])
            more_bits.append(sum({bit.setdefault(n, 1 << len(bit)) for n in evidence.split("; ")}))
    all_a = np.concatenate([a, np.asarray(more_a, dtype=np.int64)])
    all_b = np.concatenate([b, np.asarray(more_b, dtype=np.int64)])
    bits = np.concatenate([code_bits[source], np.asarray(more_bits, dtype=np.int64)])
    if not len(all_a):
        return all_a, all_b, pa.array([], type=pa.string())
    pair, inverse = np.unique(all_a * (int(all_b.max()) + 1) + all_b, return_inverse=True)
    merged = np.zeros(len(pair), dtype=np.int64)
    np.bitwise_or.at(merged, inverse.ravel(), bits)
    names = {v: k for k, v in bit.items()}
    masks, which = np.unique(merged, return_inverse=True)
    text = pa.array(
        [
            "; ".join(sorted(names[1 << i] for i in range(len(bit)) if m & (1 << i)))
            for m in masks.tolist()
        ],
        type=pa.string(),
    )
    width = int(all_b.max()) + 1
    return pair // width, pair % width, text.take(pa.array(which.ravel(), type=pa.int64()))


def _work_for(ref: Reference, works: list[_Work], work_of_key: dict[str, _Work]) -> int:
    """The number of the work a reference outside the corpus is: one already met by any of
    its keys, or a new one."""
    work = None
    for key in ref.keys:
        work = work_of_key.get(key)
        if work is not None:
            break
    if work is None:
        # The usual case (a work met for the first time): its keys as given, once each.
        work = _Work(list(dict.fromkeys(ref.keys)), ref.title, ref.year, len(works))
        works.append(work)
        for key in ref.keys:
            work_of_key.setdefault(key, work)
        return work.number
    for key in ref.keys:
        if key not in work.keys:
            work.keys.append(key)
        work_of_key.setdefault(key, work)
    return work.number


def _layer(
    columns: dict[str, Any],
    works: list[_Work],
    cited_by: list[int],
    edges: dict[str, Any],
    min_cited: int,
) -> CitationLayer:
    work_rows = sorted(
        (
            WorkRow(
                work_key=work.keys[0],
                openalex_id=ids.get("openalex"),
                s2_id=ids.get("s2"),
                doi=ids.get("doi"),
                arxiv_id=ids.get("arxiv"),
                title=work.title,
                year=work.year,
                cited_by=count,
            )
            for work, count in zip(works, cited_by, strict=True)
            for ids in (_ids_of(work.keys),)
        ),
        key=lambda w: w.work_key,
    )
    nodes = [
        NodeRow(w.work_key, "work", w.title or w.work_key, work_url(w.work_key))
        for w in work_rows
        if w.cited_by >= min_cited
    ]
    count = len(edges["src"])
    edges["kind"] = pa.array(["cites"]).take(pa.array(np.zeros(count, dtype=np.int64)))
    edges["weight"] = np.ones(count)
    return CitationLayer(columns, work_rows, edges, nodes)
