"""The Hugging Face Papers client: pure parsers over its JSON, thin fetchers over an injected client.

Enrichment reads answers as :class:`HFPaper`; online inputs (searches, daily lists,
papers known by id) read the same answers as ``Paper`` records.

Endpoints (see API-NOTES): ``/api/papers/{arxiv_id}``, ``/api/papers/search?q=&limit=``
and ``/api/daily_papers?date=&p=&limit=``. Lists hold wrappers whose paper is under
``"paper"``; a bare paper object is accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx

from collectors.jsonfeed import paper_from_hf_object
from collectors.links import canonical_link
from collectors.payloads import get_ok, reaching, read_json
from collectors.records import Link, Paper, stored_count
from collectors.titles import normalise_title
from paperweb.errors import UnusableResponse, UsageError

__all__ = [
    "HFPaper",
    "daily_papers",
    "fetch_daily_papers",
    "fetch_full_paper",
    "fetch_hf_paper",
    "hf_links",
    "match_hf_paper",
    "parse_hf_paper",
    "parse_hf_search",
    "search_hf_papers",
    "search_papers",
]

#: the search endpoint refuses longer queries; it answers at most 120 papers
MAX_QUERY, SEARCH_MAX = 250, 120
#: daily lists come in pages of at most 100 papers; 50 pages is more than any day has
DAILY_PAGE, DAILY_MAX_PAGES = 100, 50
_BARE_REPO = re.compile(r"^[\w.\-]+/[\w.\-]+$")
_VERSION = re.compile(r"v\d+$")


@dataclass(frozen=True, slots=True)
class HFPaper:
    """What Hugging Face knows about one paper."""

    arxiv_id: str
    title: str
    summary: str = ""
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    upvotes: int | None = None
    github_repo: str | None = None
    project_page: str | None = None
    ai_keywords: tuple[str, ...] = ()
    github_stars: int | None = None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _int(data: dict[str, Any], key: str) -> int | None:
    return stored_count(data.get(key))


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def parse_hf_paper(data: Any) -> HFPaper:
    """One paper object (or a wrapper holding it under ``"paper"``) as an :class:`HFPaper`."""
    paper = data.get("paper", data) if isinstance(data, dict) else data
    if not isinstance(paper, dict):
        raise UnusableResponse("Hugging Face paper: answer is not a JSON object")
    arxiv_id = _text(paper, "id")
    title = _text(paper, "title") or (_text(data, "title") if isinstance(data, dict) else None)
    if not arxiv_id or not title:
        raise UnusableResponse("Hugging Face paper: answer has no id or title")
    authors = _list(paper, "authors")
    keywords = _list(paper, "ai_keywords")
    return HFPaper(
        arxiv_id=_VERSION.sub("", arxiv_id),
        title=" ".join(title.split()),
        summary=_text(paper, "summary") or "",
        authors=tuple(
            a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ),
        published_at=_text(paper, "publishedAt"),
        upvotes=_int(paper, "upvotes"),
        github_repo=_text(paper, "githubRepo"),
        project_page=_text(paper, "projectPage"),
        ai_keywords=tuple(k.strip() for k in keywords if isinstance(k, str) and k.strip()),
        github_stars=_int(paper, "githubStars"),
    )


def parse_hf_search(data: Any) -> list[HFPaper]:
    """A search or daily-papers answer (a list of wrappers); unusable items are left out."""
    found: list[HFPaper] = []
    for item in _listed(data, "Hugging Face search"):
        try:
            found.append(parse_hf_paper(item))
        except UnusableResponse:
            continue
    return found


def hf_links(paper: HFPaper) -> tuple[Link, ...]:
    """The paper's repository and project page as links with origin ``hf``."""
    links: list[Link] = []
    repo = paper.github_repo
    if repo and _BARE_REPO.match(repo):
        repo = f"https://github.com/{repo}"
    for url in (repo, paper.project_page):
        if not url:
            continue
        if not re.match(r"^https?://", url, re.IGNORECASE):
            url = "https://" + url
        found = canonical_link(url)
        if found is not None:
            links.append(Link(url=url, kind=found[0], target=found[1], origin="hf"))
    return tuple(links)


def match_hf_paper(title: str, candidates: list[HFPaper]) -> HFPaper | None:
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


# The three endpoints; each answers the raw JSON, which the public functions below read
# either as HFPaper (enrichment) or as Paper records (online inputs).


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


def fetch_hf_paper(client: httpx.Client, arxiv_id: str) -> HFPaper | None:
    """The paper with this arXiv id, or None when Hugging Face does not have it (404)."""
    data = _paper_answer(client, arxiv_id)
    return None if data is None else parse_hf_paper(data)


def search_hf_papers(client: httpx.Client, q: str, limit: int = 10) -> list[HFPaper]:
    """Papers matching the text ``q`` (cut to 250 characters), best first."""
    return parse_hf_search(_search_answer(client, q, limit))


def fetch_daily_papers(
    client: httpx.Client, date: str, page: int = 0, limit: int = 100
) -> list[HFPaper]:
    """One page of the daily papers of ``date`` (YYYY-MM-DD)."""
    return parse_hf_search(_daily_answer(client, date, page, limit))


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
