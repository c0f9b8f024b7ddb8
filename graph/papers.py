"""De-duplicate paper occurrences into one row per paper with a stable id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from collectors.arxiv_ids import placeholder_title
from collectors.records import Link, Paper
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


def _group(papers: Sequence[Paper]) -> list[list[int]]:
    """Union occurrences that share a normalised title or an arXiv id."""
    parent = list(range(len(papers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[str, int] = {}
    for index, paper in enumerate(papers):
        keys = []
        title_key = normalise_title(paper.title)
        if title_key:
            keys.append("t:" + title_key)
        if paper.arxiv_id:
            keys.append("a:" + paper.arxiv_id)
        for key in keys:
            other = first_of.setdefault(key, index)
            root_a, root_b = find(index), find(other)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[int, list[int]] = {}
    for index in range(len(papers)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values())


def _merge(group: list[Paper]) -> PaperRow:
    # Order-independent choices: rank by richness, then by content, never by input order.
    ranked = sorted(
        group, key=lambda p: (tuple(-x for x in _richness(p)), p.title, p.source, p.position)
    )
    titles = sorted({normalise_title(p.title) for p in group} - {""})
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
    )


def merge_papers(papers: Iterable[Paper]) -> list[PaperRow]:
    """Merge occurrences of the same paper (same arXiv id or normalised title), sorted by id."""
    occurrences = list(papers)
    rows = [_merge([occurrences[i] for i in group]) for group in _group(occurrences)]
    return sorted(rows, key=lambda row: row.paper_id)
