"""The arXiv API client: full papers for ids, read from its Atom feed.

``/api/query?id_list=&max_results=`` answers up to ``ARXIV_BATCH`` papers at a time;
its terms ask for few, large requests and one every 3 seconds (the caller's pause).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import date, datetime

import httpx

from collectors.arxiv_ids import parse_arxiv_id
from collectors.links import extract_links
from collectors.payloads import get_ok, reaching
from collectors.records import Paper
from paperweb.errors import FetchError

__all__ = ["ARXIV_BATCH", "fetch_arxiv_papers", "parse_arxiv_feed"]

#: ids per arXiv API request (its terms ask for few, large requests)
ARXIV_BATCH = 50
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


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
        params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
        what = f"arXiv API batch of {len(batch)}"
        try:
            with reaching(client, "/api/query"):
                response = get_ok(client, "/api/query", what, params)
            if response is None:
                continue
            found += parse_arxiv_feed(response.text, {i: sources[i] for i in batch})
        except FetchError as exc:
            if failures is None:
                raise
            # The message names the batch (or the URL, 50 ids long); the reason follows it.
            failures |= dict.fromkeys(batch, str(exc).split(": ", 1)[-1])
    return found
