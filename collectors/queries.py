"""Online inputs: Hugging Face searches and daily lists, and full papers for ids (HF, then arXiv).

Every function takes injected ``httpx.Client`` objects (base URLs, timeouts, retries and the
cache belong to whoever builds the clients) and returns plain ``Paper`` records.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from collectors.arxiv_ids import parse_arxiv_id
from collectors.jsonfeed import paper_from_hf_object
from collectors.links import extract_links
from collectors.records import Paper
from collectors.safejson import load_json
from paperweb.errors import FetchError, UsageError

__all__ = [
    "ARXIV_BATCH",
    "OnlineInputs",
    "collect_online",
    "daily_papers",
    "days_between",
    "fetch_arxiv_papers",
    "fetch_full_papers",
    "parse_arxiv_feed",
    "search_papers",
]

#: ids per arXiv API request (its terms ask for few, large requests)
ARXIV_BATCH = 50
#: HF limits: search answers at most 120 papers, daily pages at most 100
_SEARCH_MAX, _DAILY_PAGE, _DAILY_MAX_PAGES = 120, 100, 50
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


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


def _get(client: httpx.Client, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as exc:
        raise FetchError(
            f"{client.base_url}{path}: request failed ({exc}); check the network"
        ) from exc
    if response.status_code != 404 and response.status_code >= 400:
        raise FetchError(f"{response.request.url}: HTTP {response.status_code}; try again later")
    return response


def _json_list(response: httpx.Response) -> list[Any]:
    try:
        body = load_json(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{response.request.url}: answer is not JSON") from exc
    if not isinstance(body, list):
        raise FetchError(f"{response.request.url}: expected a list of papers")
    return body


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
    response = _get(
        client, "/api/papers/search", {"q": text[:250], "limit": max(1, min(limit, _SEARCH_MAX))}
    )
    return _papers(_json_list(response), f"hf-search:{text}")[:limit]


def daily_papers(client: httpx.Client, day: date) -> list[Paper]:
    """Every paper of one Hugging Face daily list, page by page, as ``hf-daily:<date>``."""
    source = f"hf-daily:{day.isoformat()}"
    found: list[Paper] = []
    for page in range(_DAILY_MAX_PAGES):
        response = _get(
            client, "/api/daily_papers", {"date": day.isoformat(), "p": page, "limit": _DAILY_PAGE}
        )
        items = _json_list(response) if response.status_code != 404 else []
        found += _papers(items, source, len(found) + 1)
        if len(items) < _DAILY_PAGE:
            break
    return found


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


def _text(element: ET.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def parse_arxiv_feed(xml: str, sources: dict[str, tuple[str, int]]) -> list[Paper]:
    """Papers from an arXiv API Atom feed; ``sources`` maps each id to its (source, position)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise FetchError(f"arXiv API answer is not Atom XML ({exc})") from exc
    found: list[Paper] = []
    for entry in root.iter(f"{_ATOM}entry"):
        raw_id = _text(entry.find(f"{_ATOM}id")).rsplit("/abs/", 1)[-1]
        arxiv_id = parse_arxiv_id(raw_id)
        if arxiv_id is None or arxiv_id not in sources:
            continue  # an error entry, or a paper we did not ask for
        source, position = sources[arxiv_id]
        abstract = _text(entry.find(f"{_ATOM}summary"))
        comment = _text(entry.find(f"{_ARXIV}comment"))
        published_raw = _text(entry.find(f"{_ATOM}published"))
        try:
            published: date | None = datetime.fromisoformat(
                published_raw.replace("Z", "+00:00")
            ).date()
        except ValueError:
            published = None
        found.append(
            Paper(
                title=_text(entry.find(f"{_ATOM}title")),
                source=source,
                position=position,
                abstract=abstract,
                authors=len(entry.findall(f"{_ATOM}author")) or None,
                published=published,
                published_text=(
                    f"{published:%b} {published.day}, {published.year}" if published else None
                ),
                arxiv_id=arxiv_id,
                links=extract_links(f"{abstract} {comment}"),
                origin="arxiv",
            )
        )
    return found


def fetch_arxiv_papers(
    client: httpx.Client,
    wanted: Sequence[Paper],
    pause: float,
    sleep: Callable[[float], None],
    failures: dict[str, str] | None = None,
) -> list[Paper]:
    """Full papers from the arXiv API for papers known by id, in batches with a pause between.

    With ``failures``, a batch arXiv cannot answer costs only its own ids (id -> reason).
    """
    sources = {p.arxiv_id: (p.source, p.position) for p in wanted if p.arxiv_id}
    ids = list(sources)
    found: list[Paper] = []
    for start in range(0, len(ids), ARXIV_BATCH):
        if start:
            sleep(pause)
        batch = ids[start : start + ARXIV_BATCH]
        try:
            response = _get(
                client, "/api/query", {"id_list": ",".join(batch), "max_results": len(batch)}
            )
            if response.status_code == 404:
                continue
            found += parse_arxiv_feed(response.text, {i: sources[i] for i in batch})
        except FetchError as exc:
            if failures is None:
                raise
            # The message starts with the request's URL (50 ids long); the reason follows it.
            text = str(exc)
            failures |= dict.fromkeys(batch, text.split(": ", 1)[-1] if "://" in text else text)
    return found


def _known_only_by_id(paper: Paper) -> bool:
    return bool(paper.arxiv_id) and not paper.title


def fetch_full_papers(
    online: OnlineInputs, papers: Sequence[Paper]
) -> tuple[list[Paper], list[str]]:
    """Replace papers known only by id with full ones (HF first, then arXiv); report the rest."""
    full: dict[tuple[str, int], Paper] = {}
    missing: list[Paper] = []
    failed: dict[str, str] = {}
    for paper in papers:
        if not _known_only_by_id(paper):
            continue
        try:
            response = _get(online.hf, f"/api/papers/{paper.arxiv_id}")
        except FetchError:
            missing.append(paper)  # arXiv may still have it
            continue
        if response.status_code == 404:
            missing.append(paper)
            continue
        try:
            body = load_json(response.content)
            if not isinstance(body, dict):
                raise ValueError("not a paper object")
            fetched = paper_from_hf_object(body, paper.source, paper.position)
        except ValueError:
            # An answer we cannot read counts as "not on HF": arXiv may still have the paper.
            missing.append(paper)
            continue
        full[(paper.source, paper.position)] = replace(fetched, arxiv_id=paper.arxiv_id)
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
