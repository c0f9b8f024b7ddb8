"""Semantic Scholar Graph API: papers and their references, by arXiv id in batches or by title.

Parsers are pure; fetchers do one request through an injected client (base URL
``.../graph/v1`` and the ``x-api-key`` header are the client's business) and
raise a :class:`paperweb.errors.FetchError` subclass when the answer is unusable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from collectors.payloads import UnusableResponse, listed, ok_json
from collectors.records import stored_count
from collectors.titles import normalise_title

__all__ = [
    "S2_BATCH_SIZE",
    "S2_FIELDS",
    "S2Paper",
    "S2Reference",
    "arxiv_key",
    "fetch_s2_batch",
    "match_s2_title",
    "parse_s2_batch",
    "parse_s2_paper",
    "s2_ids",
]

S2_FIELDS = "externalIds,references.paperId,references.externalIds,references.title,references.year,citationCount,title"
#: ids the batch endpoint accepts in one call
S2_BATCH_SIZE = 500

_VERSION = re.compile(r"v\d+$")


def arxiv_key(arxiv_id: str) -> str:
    """The bare, lower-case arXiv id: prefix and version suffix dropped (``arXiv:2506.22712v2``)."""
    bare = arxiv_id.strip().removeprefix("arXiv:").removeprefix("arxiv:")
    return _VERSION.sub("", bare).lower()


@dataclass(frozen=True, slots=True)
class S2Reference:
    """The ids Semantic Scholar gives for one referenced paper (any may be missing)."""

    paper_id: str | None
    arxiv_id: str | None
    doi: str | None
    title: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class S2Paper:
    """One paper as Semantic Scholar knows it, with the papers it references."""

    paper_id: str | None
    arxiv_id: str | None
    doi: str | None
    title: str | None
    citation_count: int | None
    references: tuple[S2Reference, ...]


def s2_ids(item: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(paperId, bare arXiv id, lower-case DOI) of a paper object; each None when absent."""
    external = item.get("externalIds")
    external = external if isinstance(external, dict) else {}
    paper_id = item.get("paperId")
    arxiv = external.get("ArXiv")
    doi = external.get("DOI")
    return (
        paper_id if isinstance(paper_id, str) and paper_id else None,
        arxiv_key(arxiv) if isinstance(arxiv, str) and arxiv else None,
        doi.lower() if isinstance(doi, str) and doi else None,
    )


def parse_s2_paper(item: Any) -> S2Paper:
    """An :class:`S2Paper` from one paper object (of a batch, a lookup or a title match)."""
    if not isinstance(item, dict):
        raise UnusableResponse("Semantic Scholar paper is not a JSON object")
    paper_id, arxiv, doi = s2_ids(item)
    references = []
    for ref in item.get("references") or ():
        if isinstance(ref, dict):
            title, year = ref.get("title"), ref.get("year")
            found = S2Reference(
                *s2_ids(ref),
                title=title if isinstance(title, str) and title else None,
                year=year if isinstance(year, int) and not isinstance(year, bool) else None,
            )
            if found.paper_id or found.arxiv_id or found.doi:
                references.append(found)
    count = item.get("citationCount")
    title = item.get("title")
    return S2Paper(
        paper_id=paper_id,
        arxiv_id=arxiv,
        doi=doi,
        title=title if isinstance(title, str) else None,
        citation_count=stored_count(count),
        references=tuple(references),
    )


def parse_s2_batch(data: Any, requested_ids: Sequence[str]) -> list[S2Paper | None]:
    """The batch answer aligned with ``requested_ids``: a paper, or None for an unknown id."""
    if not isinstance(data, list) or len(data) != len(requested_ids):
        got = len(data) if isinstance(data, list) else type(data).__name__
        raise UnusableResponse(
            f"Semantic Scholar batch answered {got} items for {len(requested_ids)} ids"
        )
    return [None if item is None else parse_s2_paper(item) for item in data]


def fetch_s2_batch(client: httpx.Client, arxiv_ids: Sequence[str]) -> list[S2Paper | None]:
    """Look up at most 500 arXiv ids in one ``POST /paper/batch``; None where S2 has no paper."""
    if len(arxiv_ids) > S2_BATCH_SIZE:
        raise ValueError(f"at most {S2_BATCH_SIZE} ids per batch, got {len(arxiv_ids)}")
    ids = [f"ARXIV:{arxiv_key(a)}" for a in arxiv_ids]
    response = client.post("/paper/batch", params={"fields": S2_FIELDS}, json={"ids": ids})
    what = f"Semantic Scholar batch of {len(ids)} papers"
    return parse_s2_batch(ok_json(response, what), ids)


def match_s2_title(client: httpx.Client, title: str) -> S2Paper | None:
    """The paper whose title matches ``title`` once normalised, or None (404 means no match)."""
    response = client.get("/paper/search/match", params={"query": title, "fields": S2_FIELDS})
    if response.status_code == 404:
        return None
    what = f"Semantic Scholar title match for {title[:60]!r}"
    matches = listed(ok_json(response, what), "data", what)
    wanted = normalise_title(title)
    for item in matches:
        paper = parse_s2_paper(item)
        # S2 returns its best guess even for a different paper: only an equal title is the same one.
        if paper.title is not None and normalise_title(paper.title) == wanted:
            return paper
    return None
