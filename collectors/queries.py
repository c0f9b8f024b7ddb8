"""Online inputs: full papers for ids (Hugging Face, then arXiv), searches and daily lists.

Every function takes injected ``httpx.Client`` objects (base URLs, timeouts, retries and the
cache belong to whoever builds the clients) and returns plain ``Paper`` records; the requests
themselves belong to the two clients, ``collectors.huggingface`` and ``collectors.arxiv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from collectors.arxiv import fetch_arxiv_papers
from collectors.huggingface import daily_papers, fetch_full_paper, search_papers
from collectors.records import Paper
from paperweb.errors import FetchError, UsageError

__all__ = ["OnlineInputs", "collect_online", "days_between", "fetch_full_papers"]


@dataclass(slots=True)
class OnlineInputs:
    """What to fetch online, and the clients to fetch it with."""

    hf: httpx.Client
    arxiv: httpx.Client
    queries: Sequence[str] = ()
    limit: int = 50
    days: Sequence[date] = ()
    #: seconds between arXiv API requests (its terms: one every 3 seconds)
    arxiv_pause: float = 3.0
    sleep: Callable[[float], None] = field(default=time.sleep)


def days_between(start: str, end: str) -> list[date]:
    """Every day from ``start`` to ``end`` (YYYY-MM-DD, both included)."""
    first, last = _day(start), _day(end)
    if last < first:
        raise UsageError(f"--daily-range {start} {end}: the end is before the start")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def fetch_full_papers(
    online: OnlineInputs, papers: Sequence[Paper]
) -> tuple[list[Paper], list[str]]:
    """Replace papers known only by id with full ones (HF first, then arXiv); report the rest."""
    full: dict[tuple[str, int], Paper] = {}
    missing: list[Paper] = []
    failed: dict[str, str] = {}
    for paper in papers:
        if not paper.arxiv_id or paper.title:
            continue  # only papers known by their id alone are completed
        try:
            fetched = fetch_full_paper(online.hf, paper.arxiv_id, paper.source, paper.position)
        except FetchError:
            fetched = None  # HF failing costs nothing but the detour: arXiv may have it
        if fetched is None:
            missing.append(paper)
            continue
        full[(paper.source, paper.position)] = fetched
    if missing:
        arxiv = fetch_arxiv_papers(online.arxiv, missing, online.arxiv_pause, online.sleep, failed)
        for fetched in arxiv:
            full[(fetched.source, fetched.position)] = fetched
    skipped = [
        f"{p.source}:{p.position}: arXiv id {p.arxiv_id} not found on Hugging Face or arXiv"
        + (f" (arXiv: {failed[p.arxiv_id]})" if p.arxiv_id in failed else "")
        + "; kept with its id only"
        for p in missing
        if (p.source, p.position) not in full
    ]
    return [full.get((p.source, p.position), p) for p in papers], skipped


def collect_online(online: OnlineInputs, papers: Sequence[Paper]) -> tuple[list[Paper], list[str]]:
    """Complete id-only papers, then add the papers of every query and daily list."""
    completed, skipped = fetch_full_papers(online, papers)
    for query in online.queries:
        completed += search_papers(online.hf, query, online.limit)
    for day in online.days:
        completed += daily_papers(online.hf, day)
    return completed, skipped
