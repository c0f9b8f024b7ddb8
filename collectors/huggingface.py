"""The Hugging Face Papers client: pure parsers over its JSON, thin fetchers over an injected client.

Enrichment and online inputs (searches, daily lists, papers known by id) read the answers
alike, as ``Paper`` records, through the parser of Hugging Face objects in files
(:func:`collectors.jsonfeed.paper_from_hf_object`).

Endpoints (see API-NOTES): ``/api/papers/{arxiv_id}``, ``/api/papers/search?q=&limit=``
and ``/api/daily_papers?date=&p=&limit=``. Lists hold wrappers whose paper is under
``"paper"``; a bare paper object is accepted too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import httpx

from collectors.jsonfeed import paper_from_hf_object
from collectors.payloads import get_ok, reaching, read_json
from collectors.records import Link, Paper
from collectors.titles import normalise_title
from paperweb.errors import UnusableResponse, UsageError

__all__ = [
    "daily_papers",
    "fetch_full_paper",
    "fetch_hf_paper",
    "hf_links",
    "match_hf_paper",
    "parse_hf_paper",
    "search_hf_papers",
    "search_papers",
]

#: the search endpoint refuses longer queries; it answers at most 120 papers
MAX_QUERY, SEARCH_MAX = 250, 120
#: daily lists come in pages of at most 100 papers; 50 pages is more than any day has
DAILY_PAGE, DAILY_MAX_PAGES = 100, 50


def parse_hf_paper(data: Any, source: str = "hf", position: int = 1) -> Paper:
    """One paper object (or a wrapper holding it under ``"paper"``) as a ``Paper`` record.

    Enrichment needs both an arXiv id and a title; an answer with either missing is unusable.
    """
    try:
        paper = paper_from_hf_object(data, source, position) if isinstance(data, dict) else None
    except ValueError as exc:
        raise UnusableResponse(f"Hugging Face paper: {exc}") from exc
    if paper is None or not paper.arxiv_id or not paper.title:
        raise UnusableResponse("Hugging Face paper: answer has no id or title")
    return paper


def hf_links(paper: Paper) -> tuple[Link, ...]:
    """The repository and project page Hugging Face gives for the paper (origin ``hf``)."""
    return tuple(link for link in paper.links if link.origin == "hf")


def match_hf_paper(title: str, candidates: list[Paper]) -> Paper | None:
    """The candidate whose normalised title equals ``title``'s, or None (no fuzzy matches)."""
    wanted = normalise_title(title)
    for candidate in candidates:
        if wanted and normalise_title(candidate.title) == wanted:
            return candidate
    return None


def _answer(client: httpx.Client, path: str, what: str, params: dict[str, str]) -> Any:
    response = get_ok(client, path, what, params)
    return None if response is None else read_json(response, what)


def _listed(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise UnusableResponse(f"{what}: answer is not a JSON list")
    return data


# The three endpoints; each answers the raw JSON, which the public functions below read as
# Paper records, for enrichment and for online inputs alike.


def _paper_answer(client: httpx.Client, arxiv_id: str) -> Any:
    return _answer(client, f"/api/papers/{arxiv_id}", f"Hugging Face paper {arxiv_id}", {})


def _search_answer(client: httpx.Client, q: str, limit: int) -> list[Any]:
    query = " ".join(q.split())[:MAX_QUERY]
    params = {"q": query, "limit": str(max(1, min(limit, SEARCH_MAX)))}
    what = f"Hugging Face search {query[:60]!r}"
    return _listed(_answer(client, "/api/papers/search", what, params) or [], what)


def _daily_answer(client: httpx.Client, date: str, page: int, limit: int) -> list[Any]:
    params = {"date": date, "p": str(page), "limit": str(max(1, min(limit, DAILY_PAGE)))}
    what = f"Hugging Face daily papers {date}"
    return _listed(_answer(client, "/api/daily_papers", what, params) or [], what)


def fetch_hf_paper(client: httpx.Client, arxiv_id: str) -> Paper | None:
    """The paper with this arXiv id, or None when Hugging Face does not have it (404)."""
    data = _paper_answer(client, arxiv_id)
    return None if data is None else parse_hf_paper(data)


def search_hf_papers(client: httpx.Client, q: str, limit: int = 10) -> list[Paper]:
    """Papers matching the text ``q`` (cut to 250 characters), best first."""
    return [p for p in _papers(_search_answer(client, q, limit), "hf") if p.arxiv_id]


def _papers(items: list[Any], source: str, first: int = 1) -> list[Paper]:
    """Papers from HF objects; objects that are not papers are dropped (the service's own data)."""
    found: list[Paper] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            found.append(paper_from_hf_object(item, source, first + len(found)))
        except ValueError:
            continue
    return found


def search_papers(client: httpx.Client, query: str, limit: int = 50) -> list[Paper]:
    """Papers of a Hugging Face Papers search, best first, recorded as ``hf-search:<query>``."""
    text = " ".join(query.split())
    if not text:
        raise UsageError("--query is empty; give some words to search for")
    with reaching(client, "/api/papers/search"):
        items = _search_answer(client, text, limit)
    return _papers(items, f"hf-search:{text}")[:limit]


def daily_papers(client: httpx.Client, day: date) -> list[Paper]:
    """Every paper of one Hugging Face daily list, page by page, as ``hf-daily:<date>``."""
    source = f"hf-daily:{day.isoformat()}"
    found: list[Paper] = []
    for page in range(DAILY_MAX_PAGES):
        with reaching(client, "/api/daily_papers"):
            items = _daily_answer(client, day.isoformat(), page, DAILY_PAGE)
        found += _papers(items, source, len(found) + 1)
        if len(items) < DAILY_PAGE:
            break
    return found


def fetch_full_paper(
    client: httpx.Client, arxiv_id: str, source: str, position: int
) -> Paper | None:
    """The full paper for an id-only input, or None when HF does not have it or its answer is unusable.

    An unreadable answer counts as "not on HF": arXiv may still have the paper.
    """
    with reaching(client, f"/api/papers/{arxiv_id}"):
        try:
            data = _paper_answer(client, arxiv_id)
        except UnusableResponse:
            return None
    if not isinstance(data, dict):
        return None
    try:
        return replace(paper_from_hf_object(data, source, position), arxiv_id=arxiv_id)
    except ValueError:
        return None
