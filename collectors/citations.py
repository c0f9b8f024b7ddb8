"""Citations between the papers of a corpus, from Semantic Scholar, OpenAlex, or both.

Each source is asked about the corpus papers (arXiv ids in batches, the rest by
title, accepted only on an equal normalised title); a reference counts only when
it lands on another paper of the corpus. References are matched:

* Semantic Scholar: by the S2 paper id, arXiv id or DOI of the referenced paper
  against the ids of the corpus papers (their own S2 ids come from the lookup);
* OpenAlex: by the referenced W ids against the W ids the lookup gave the corpus
  papers, so no extra requests are needed for the references themselves.

Failed requests do not stop the others: each paper they covered gets a failure
record (``(paper_id, reason)``) and the result holds whatever else was found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from collectors.citation_files import work_keys
from collectors.openalex import (
    OPENALEX_BATCH_SIZE,
    OpenAlexWork,
    arxiv_doi,
    fetch_openalex_ids,
    fetch_openalex_works,
    parse_openalex_work,
    search_openalex_title,
)
from collectors.records import Reference
from collectors.scholar import (
    S2_BATCH_SIZE,
    S2Paper,
    S2Reference,
    arxiv_key,
    fetch_s2_batch,
    match_s2_title,
    parse_s2_batch,
)
from paperweb.errors import FetchError

__all__ = [
    "OPENALEX",
    "SEMANTIC_SCHOLAR",
    "Citation",
    "CitationResult",
    "citations_for",
    "parse_openalex_work",
    "parse_s2_batch",
]

SEMANTIC_SCHOLAR = "Semantic Scholar"
OPENALEX = "OpenAlex"
#: (paper_id, arxiv_id or None, title): what the corpus says about each paper
CorpusPaper = tuple[str, str | None, str]
T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Citation:
    """``citing`` references ``cited``; ``evidence`` names the source(s) that say so."""

    citing: str
    cited: str
    evidence: str


@dataclass(slots=True)
class CitationResult:
    """Citations inside the corpus, citation counts, and what could not be asked."""

    cites: list[Citation] = field(default_factory=list)
    #: paper_id -> times cited anywhere (the larger of the sources' counts)
    cited_by_count: dict[str, int] = field(default_factory=dict)
    #: source -> corpus papers it recognised
    resolved: dict[str, int] = field(default_factory=dict)
    #: (paper_id, "source: reason")
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: every reference each source lists for a corpus paper, in or out of the corpus
    references: list[tuple[str, Reference]] = field(default_factory=list)
    #: paper_id -> its ids at the sources (``s2:<id>``, ``openalex:W<n>``)
    keys: dict[str, list[str]] = field(default_factory=dict)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reason(source: str, exc: Exception) -> str:
    if isinstance(exc, FetchError):
        return f"{source}: {exc}"
    return f"{source}: {type(exc).__name__}: {exc}"


def _batches(
    papers: Sequence[CorpusPaper],
    size: int,
    fetch: Callable[[list[str]], list[T]],
    source: str,
    failures: list[tuple[str, str]],
) -> Iterator[tuple[Sequence[tuple[str, str]], list[T]]]:
    """(chunk of (paper_id, arXiv id), answer) of each batch asked by arXiv id that was answered;
    every paper of a batch that failed gets a failure record."""
    with_id = [(pid, arxiv) for pid, arxiv, _ in papers if arxiv]
    for chunk in _chunks(with_id, size):
        try:
            answers = fetch([arxiv for _, arxiv in chunk])
        except (FetchError, httpx.HTTPError) as exc:
            failures.extend((pid, _reason(source, exc)) for pid, _ in chunk)
            continue
        yield chunk, answers


def _match_titles(
    papers: Sequence[CorpusPaper],
    match: Callable[[str], T | None],
    source: str,
    found: dict[str, T],
    failures: list[tuple[str, str]],
) -> None:
    """Look up by title the papers without an arXiv id (one request each)."""
    for pid, arxiv, title in papers:
        if arxiv or not title.strip():
            continue
        try:
            matched = match(title)
        except (FetchError, httpx.HTTPError) as exc:
            failures.append((pid, _reason(source, exc)))
            continue
        if matched is not None:
            found[pid] = matched


def _s2_lookup(
    client: httpx.Client, papers: Sequence[CorpusPaper], failures: list[tuple[str, str]]
) -> dict[str, S2Paper]:
    found: dict[str, S2Paper] = {}
    batches = _batches(
        papers, S2_BATCH_SIZE, lambda ids: fetch_s2_batch(client, ids), SEMANTIC_SCHOLAR, failures
    )
    for chunk, answers in batches:
        for (pid, _), paper in zip(chunk, answers, strict=True):
            if paper is not None:
                found[pid] = paper
    _match_titles(
        papers, lambda title: match_s2_title(client, title), SEMANTIC_SCHOLAR, found, failures
    )
    return found


def _s2_pairs(found: dict[str, S2Paper], by_arxiv: dict[str, str]) -> set[tuple[str, str]]:
    index: dict[str, str] = {}
    for arxiv, pid in by_arxiv.items():
        index[f"arxiv:{arxiv}"] = pid
        index[f"doi:{arxiv_doi(arxiv).lower()}"] = pid
    for pid, paper in sorted(found.items()):
        if paper.paper_id:
            index[f"s2:{paper.paper_id}"] = pid
        if paper.arxiv_id:
            index.setdefault(f"arxiv:{paper.arxiv_id}", pid)
        if paper.doi:
            index.setdefault(f"doi:{paper.doi}", pid)
    pairs = set()
    for citing, paper in found.items():
        for ref in paper.references:
            keys = (f"s2:{ref.paper_id}", f"arxiv:{ref.arxiv_id}", f"doi:{ref.doi}")
            cited = next((index[k] for k in keys if k in index), None)
            if cited is not None and cited != citing:
                pairs.add((citing, cited))
    return pairs


def _openalex_lookup(
    client: httpx.Client,
    papers: Sequence[CorpusPaper],
    by_arxiv: dict[str, str],
    failures: list[tuple[str, str]],
) -> dict[str, OpenAlexWork]:
    found: dict[str, OpenAlexWork] = {}
    batches = _batches(
        papers,
        OPENALEX_BATCH_SIZE,
        lambda ids: fetch_openalex_works(client, ids),
        OPENALEX,
        failures,
    )
    for _, works in batches:
        for work in works:
            pid = by_arxiv.get(work.arxiv_id or "")
            if pid is not None:
                found.setdefault(pid, work)
    _match_titles(
        papers, lambda title: search_openalex_title(client, title), OPENALEX, found, failures
    )
    return found


def _openalex_pairs(found: dict[str, OpenAlexWork]) -> set[tuple[str, str]]:
    by_work = {work.openalex_id: pid for pid, work in sorted(found.items())}
    pairs = set()
    for citing, work in found.items():
        for referenced in work.referenced_works:
            cited = by_work.get(referenced)
            if cited is not None and cited != citing:
                pairs.add((citing, cited))
    return pairs


def _s2_keys(ref: S2Reference) -> tuple[str, ...]:
    keys = [f"arxiv:{ref.arxiv_id}"] if ref.arxiv_id else []
    if ref.doi and not ref.doi.startswith("10.48550/"):
        keys.append(f"doi:{ref.doi}")
    return (*keys, *([f"s2:{ref.paper_id}"] if ref.paper_id else []))


def _describe_missing(
    client: httpx.Client, works: dict[str, OpenAlexWork], failures: list[tuple[str, str]]
) -> dict[str, OpenAlexWork]:
    """Titles, years and DOIs of the outside works the corpus cites most, in one batched call.

    OpenAlex lists references as bare W ids; the works cited by 2+ corpus papers (the
    first 50 of them) are the ones the report and the work nodes name.
    """
    inside = {work.openalex_id for work in works.values()}
    counts = Counter(w for work in works.values() for w in work.referenced_works if w not in inside)
    top = sorted((w for w, n in counts.items() if n >= 2), key=lambda w: (-counts[w], w))
    if not top:
        return {}
    try:
        described = [
            parse_openalex_work(i) for i in fetch_openalex_ids(client, top[:OPENALEX_BATCH_SIZE])
        ]
    except (FetchError, httpx.HTTPError) as exc:
        failures.append(("most cited outside works", _reason(OPENALEX, exc)))
        return {}
    return {work.openalex_id: work for work in described}


def _openalex_reference(work_id: str, described: dict[str, OpenAlexWork]) -> Reference:
    known = described.get(work_id)
    if known is None:
        return Reference((f"openalex:{work_id}",), source="openalex")
    keys = work_keys(known.arxiv_id, known.doi, f"openalex:{work_id}")
    return Reference(keys, known.title, known.year, "openalex")


def _merge_counts(counts: dict[str, int], more: Iterable[tuple[str, int | None]]) -> None:
    for pid, count in more:
        if count is not None:
            counts[pid] = max(count, counts.get(pid, count))


def citations_for(
    papers: Iterable[CorpusPaper],
    s2_client: httpx.Client | None = None,
    openalex_client: httpx.Client | None = None,
) -> CitationResult:
    """``cites`` pairs between the given papers and their citation counts, from each source given.

    ``papers`` are ``(paper_id, arxiv_id, title)`` rows (e.g. from the papers
    table). Pairs are de-duplicated, never self-citations; a pair both sources
    know carries both names in its evidence.
    """
    corpus = sorted(
        (pid, arxiv_key(arxiv) if arxiv else None, title or "") for pid, arxiv, title in papers
    )
    by_arxiv: dict[str, str] = {}
    for pid, arxiv, _ in corpus:
        if arxiv:
            by_arxiv.setdefault(arxiv, pid)
    result = CitationResult()
    sources: dict[tuple[str, str], list[str]] = {}
    if s2_client is not None:
        s2 = _s2_lookup(s2_client, corpus, result.failures)
        result.resolved[SEMANTIC_SCHOLAR] = len(s2)
        for pid, paper in sorted(s2.items()):
            if paper.paper_id:
                result.keys.setdefault(pid, []).append(f"s2:{paper.paper_id}")
            result.references += [
                (pid, Reference(keys, ref.title, ref.year, "s2"))
                for ref in paper.references
                if (keys := _s2_keys(ref))
            ]
        for pair in _s2_pairs(s2, by_arxiv):
            sources.setdefault(pair, []).append(f"{SEMANTIC_SCHOLAR} reference")
        _merge_counts(result.cited_by_count, ((p, s.citation_count) for p, s in s2.items()))
    if openalex_client is not None:
        works = _openalex_lookup(openalex_client, corpus, by_arxiv, result.failures)
        result.resolved[OPENALEX] = len(works)
        described = _describe_missing(openalex_client, works, result.failures)
        for pid, work in sorted(works.items()):
            result.keys.setdefault(pid, []).append(f"openalex:{work.openalex_id}")
            result.references += [
                (pid, _openalex_reference(w, described)) for w in work.referenced_works
            ]
        for pair in _openalex_pairs(works):
            sources.setdefault(pair, []).append(f"{OPENALEX} reference")
        _merge_counts(result.cited_by_count, ((p, w.cited_by_count) for p, w in works.items()))
    # Sorting plain tuples, not the dataclasses: same order, a fraction of the comparisons' cost.
    result.cites = [
        Citation(citing, cited, "; ".join(names))
        for (citing, cited), names in sorted(sources.items())
    ]
    return result
