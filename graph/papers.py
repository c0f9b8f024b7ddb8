"""De-duplicate paper occurrences into one row per paper with a stable id.

Occurrences with one arXiv id are one paper. Occurrences whose normalised titles agree are
one paper too, unless something says they are not: arXiv ids or DOIs that differ, or years
more than one apart ("Dynamic Programming", a 1957 book and a 1966 article, are two works;
a 2023 preprint and its 2024 proceedings version are one).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from collectors.arxiv_ids import placeholder_title
from collectors.records import Link, Paper, Reference
from collectors.titles import normalise_title

__all__ = ["PaperRow", "merge_papers", "paper_id_for"]


@dataclass(frozen=True, slots=True)
class PaperRow:
    """One distinct paper after de-duplication, with every place it came from."""

    paper_id: str
    title: str
    abstract: str
    authors: int | None
    published: date | None
    published_text: str | None
    upvotes: int | None
    arxiv_id: str | None
    sources: tuple[tuple[str, int], ...]
    links: tuple[Link, ...]
    keywords: tuple[tuple[str, str], ...]  # (keyword, origin)
    doi: str | None = None
    categories: tuple[str, ...] = ()
    #: ids at citation services (``openalex:W1``, ``s2:<id>``), from works files
    keys: tuple[str, ...] = ()
    #: every work its occurrences cite, and every work they say cites it
    references: tuple[Reference, ...] = ()
    cited_by: tuple[Reference, ...] = ()
    cited_by_count: int | None = None


def paper_id_for(normalised_title: str, arxiv_id: str | None = None) -> str:
    """A stable id: from the normalised title when there is one, else from the arXiv id."""
    key = normalised_title if normalised_title else f"arxiv:{arxiv_id or ''}"
    return "p" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _richness(paper: Paper) -> tuple[int, int, int, int, int]:
    return (
        paper.published is not None,
        paper.authors is not None,
        paper.published_text is not None,
        paper.upvotes is not None,
        len(paper.abstract),
    )


_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
#: years further apart than this make two works of one title different papers
YEAR_TOLERANCE = 1


def _year(paper: Paper) -> int | None:
    if paper.published is not None:
        return paper.published.year
    found = _YEAR.search(paper.published_text or "")
    return int(found.group(1)) if found else None


@dataclass(slots=True)
class _Evidence:
    """What a group of occurrences says about its identity."""

    arxiv_ids: set[str] = field(default_factory=set)
    dois: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    def absorb(self, other: _Evidence) -> None:
        self.arxiv_ids |= other.arxiv_ids
        self.dois |= other.dois
        self.years |= other.years

    def agrees_with(self, other: _Evidence) -> bool:
        if self.arxiv_ids and other.arxiv_ids and not self.arxiv_ids & other.arxiv_ids:
            return False
        if self.dois and other.dois and not self.dois & other.dois:
            return False
        years = self.years | other.years
        return not years or max(years) - min(years) <= YEAR_TOLERANCE


def _id_keys(paper: Paper) -> list[str]:
    keys = [f"arxiv:{paper.arxiv_id}"] if paper.arxiv_id else []
    keys += [f"doi:{paper.doi}"] if paper.doi else []
    return keys + list(paper.keys)


def _group(papers: Sequence[Paper], title_keys: Sequence[str]) -> list[list[int]]:
    """Union occurrences that share an arXiv id, and those that share a normalised title
    (``title_keys``) when nothing they say contradicts it."""
    parent = list(range(len(papers)))
    evidence = [
        _Evidence(
            {p.arxiv_id} if p.arxiv_id else set(),
            {p.doi} if p.doi else set(),
            {year} if (year := _year(p)) is not None else set(),
        )
        for p in papers
    ]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            keep, gone = min(root_a, root_b), max(root_a, root_b)
            parent[gone] = keep
            evidence[keep].absorb(evidence[gone])

    # Content order, never input order, so that which occurrences meet never depends on it.
    order = sorted(
        range(len(papers)),
        key=lambda i: (
            papers[i].arxiv_id or "",
            papers[i].title,
            papers[i].source,
            papers[i].position,
        ),
    )
    first_with_id: dict[str, int] = {}
    by_title: dict[str, list[int]] = {}
    for index in order:
        paper = papers[index]
        # The same arXiv id, DOI or citation-service id is the same work.
        for key in _id_keys(paper):
            union(first_with_id.setdefault(key, index), index)
        title_key = title_keys[index]
        if title_key:
            by_title.setdefault(title_key, []).append(index)
    for title_key in sorted(by_title):
        # Each group with this title joins the first earlier group it agrees with.
        kept: list[int] = []
        for index in by_title[title_key]:
            root = find(index)
            if root in kept:
                continue
            for other in kept:
                if find(other) == root:
                    break
                if evidence[find(other)].agrees_with(evidence[root]):
                    union(other, root)
                    break
            else:
                kept.append(root)
    groups: dict[int, list[int]] = {}
    for index in range(len(papers)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values())


def _merge(group: list[Paper], title_keys: list[str]) -> PaperRow:
    """One row from the occurrences of a paper; ``title_keys`` are their normalised titles."""
    # Order-independent choices: rank by richness, then by content, never by input order.
    # (Most papers occur once: nothing to rank.)
    ranked = (
        group
        if len(group) == 1
        else sorted(
            group, key=lambda p: (tuple(-x for x in _richness(p)), p.title, p.source, p.position)
        )
    )
    titles = sorted(set(title_keys) - {""})
    arxiv_ids = sorted({p.arxiv_id for p in group if p.arxiv_id})
    dated = [p for p in ranked if p.published is not None]
    texted = [p for p in ranked if p.published_text is not None]
    with_authors = [p.authors for p in ranked if p.authors is not None]
    upvotes = [p.upvotes for p in group if p.upvotes is not None]
    abstract = max((p.abstract for p in group), key=lambda a: (len(a), a))
    links: dict[tuple[str, str], Link] = {}
    for link in sorted(
        {link for p in group for link in p.links}, key=lambda k: (k.target, k.origin, k.url)
    ):
        links.setdefault((link.target, link.origin), link)
    keywords = sorted({(kw, p.origin) for p in group for kw in p.keywords})
    dois = sorted({p.doi for p in group if p.doi})
    categories = dict.fromkeys(c for p in ranked for c in p.categories)
    counts = [p.cited_by_count for p in group if p.cited_by_count is not None]
    # Papers known only by an arXiv id (an id list read offline) show "arXiv:<id>" as title.
    titled = [p.title for p in ranked if p.title]
    title = titled[0] if titled else placeholder_title(arxiv_ids[0]) if arxiv_ids else ""
    return PaperRow(
        paper_id=paper_id_for(titles[0] if titles else "", arxiv_ids[0] if arxiv_ids else None),
        title=title,
        abstract=abstract,
        authors=with_authors[0] if with_authors else None,
        published=dated[0].published if dated else None,
        published_text=(
            dated[0].published_text if dated else texted[0].published_text if texted else None
        ),
        upvotes=max(upvotes) if upvotes else None,
        arxiv_id=arxiv_ids[0] if arxiv_ids else None,
        sources=tuple(sorted({(p.source, p.position) for p in group})),
        links=tuple(links.values()),
        keywords=tuple(keywords),
        doi=dois[0] if dois else None,
        categories=tuple(categories),
        keys=tuple(sorted({k for p in group for k in p.keys})),
        references=tuple(dict.fromkeys(r for p in ranked for r in p.references)),
        cited_by=tuple(dict.fromkeys(r for p in ranked for r in p.cited_by)),
        cited_by_count=max(counts) if counts else None,
    )


def _distinct_ids(rows: list[PaperRow]) -> list[PaperRow]:
    """Give papers that share a title (so an id) ids of their own, from what tells them apart."""
    by_id: dict[str, list[PaperRow]] = {}
    for row in rows:
        by_id.setdefault(row.paper_id, []).append(row)
    result: list[PaperRow] = []
    for same in by_id.values():
        if len(same) == 1:
            result.extend(same)
            continue
        used: set[str] = set()
        for row in sorted(same, key=_identity):
            key = "|".join([normalise_title(row.title), *_identity(row)])
            while key in used:
                key += "'"
            used.add(key)
            result.append(dataclasses.replace(row, paper_id=paper_id_for(key)))
    return result


def _identity(row: PaperRow) -> tuple[str, str, str]:
    year = row.published.year if row.published else _YEAR.search(row.published_text or "")
    return (
        row.arxiv_id or "",
        row.doi or "",
        str(year if isinstance(year, int) else year.group(1) if year else ""),
    )


def merge_papers(papers: Iterable[Paper]) -> list[PaperRow]:
    """Merge occurrences of the same paper (same arXiv id, or normalised title when nothing
    contradicts it), sorted by id."""
    occurrences = list(papers)
    # Each title normalised once: grouping and merging both need it.
    keys = [normalise_title(p.title) for p in occurrences]
    rows = [
        _merge([occurrences[i] for i in group], [keys[i] for i in group])
        for group in _group(occurrences, keys)
    ]
    return sorted(_distinct_ids(rows), key=lambda row: row.paper_id)
