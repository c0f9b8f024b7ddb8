"""Hugging Face Papers: pure parsers over its JSON, thin fetchers over an injected client.

Endpoints (see API-NOTES): ``/api/papers/{arxiv_id}``, ``/api/papers/search?q=&limit=``
and ``/api/daily_papers?date=&p=&limit=``. Lists hold wrappers whose paper is under
``"paper"``; a bare paper object is accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from collectors.http import UnusableAnswer, failure_reason, json_body
from collectors.links import canonical_link
from collectors.records import Link, stored_count
from collectors.titles import normalise_title
from paperweb.errors import FetchError

__all__ = [
    "HFPaper",
    "fetch_daily_papers",
    "fetch_hf_paper",
    "hf_links",
    "match_hf_paper",
    "parse_hf_paper",
    "parse_hf_search",
    "search_hf_papers",
]

#: the search endpoint refuses longer queries
MAX_QUERY = 250
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
        raise UnusableAnswer("Hugging Face paper: answer is not a JSON object")
    arxiv_id = _text(paper, "id")
    title = _text(paper, "title") or (_text(data, "title") if isinstance(data, dict) else None)
    if not arxiv_id or not title:
        raise UnusableAnswer("Hugging Face paper: answer has no id or title")
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
    if not isinstance(data, list):
        raise UnusableAnswer("Hugging Face search: answer is not a JSON list")
    found: list[HFPaper] = []
    for item in data:
        try:
            found.append(parse_hf_paper(item))
        except UnusableAnswer:
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


def _checked(response: httpx.Response, what: str) -> Any:
    if response.status_code != 200:
        raise FetchError(f"{what}: {failure_reason(response)}")
    return json_body(response, what)


def fetch_hf_paper(client: httpx.Client, arxiv_id: str) -> HFPaper | None:
    """The paper with this arXiv id, or None when Hugging Face does not have it (404)."""
    response = client.get(f"/api/papers/{arxiv_id}")
    if response.status_code == 404:
        return None
    return parse_hf_paper(_checked(response, f"Hugging Face paper {arxiv_id}"))


def search_hf_papers(client: httpx.Client, q: str, limit: int = 10) -> list[HFPaper]:
    """Papers matching the text ``q`` (cut to 250 characters), best first."""
    query = " ".join(q.split())[:MAX_QUERY]
    params = {"q": query, "limit": str(max(1, min(limit, 120)))}
    response = client.get("/api/papers/search", params=params)
    return parse_hf_search(_checked(response, f"Hugging Face search {query[:60]!r}"))


def fetch_daily_papers(
    client: httpx.Client, date: str, page: int = 0, limit: int = 100
) -> list[HFPaper]:
    """One page of the daily papers of ``date`` (YYYY-MM-DD)."""
    params = {"date": date, "p": str(page), "limit": str(max(1, min(limit, 100)))}
    response = client.get("/api/daily_papers", params=params)
    return parse_hf_search(_checked(response, f"Hugging Face daily papers {date}"))
