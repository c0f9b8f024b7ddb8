"""OpenAlex works: arXiv papers by DOI (one at a time or 50 per call), others by title search.

Parsers are pure; fetchers do one request through an injected client (base URL
and ``api_key`` parameter are the client's business) and raise a
:class:`paperweb.errors.FetchError` subclass when the answer is unusable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from collectors.payloads import UnusableResponse, listed, ok_json
from collectors.records import stored_count
from collectors.scholar import arxiv_key
from collectors.titles import normalise_title

__all__ = [
    "OPENALEX_BATCH_SIZE",
    "OpenAlexWork",
    "arxiv_doi",
    "fetch_openalex_ids",
    "fetch_openalex_work",
    "fetch_openalex_works",
    "parse_openalex_list",
    "parse_openalex_work",
    "search_openalex_title",
]

#: DOIs per filter call; with ``per_page`` the same, every match fits on the first page
OPENALEX_BATCH_SIZE = 50

_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_ABS = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:\.pdf)?$", re.IGNORECASE)
# Characters with a meaning in a filter value: "," separates filters, "|" means OR.
_FILTER_SYNTAX = re.compile(r"[,|]")


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for a paper (``10.48550/arXiv.<id>``)."""
    return f"10.48550/arXiv.{arxiv_key(arxiv_id)}"


@dataclass(frozen=True, slots=True)
class OpenAlexWork:
    """One work as OpenAlex knows it: short W id, DOI, arXiv id, counts and references."""

    openalex_id: str
    doi: str | None
    arxiv_id: str | None
    title: str | None
    cited_by_count: int | None
    referenced_works: tuple[str, ...]
    year: int | None = None


def _short_id(value: object) -> str | None:
    """``W123`` from ``https://openalex.org/W123`` (or from ``W123`` itself)."""
    if not isinstance(value, str) or not value:
        return None
    short = value.rstrip("/").rsplit("/", 1)[-1]
    return short.upper() if short[:1] in ("W", "w") and short[1:].isdigit() else None


def _doi(value: object) -> str | None:
    if not isinstance(value, str) or "10." not in value:
        return None
    return value[value.index("10.") :].lower()


def _arxiv_from(doi: str | None, data: dict[str, Any]) -> str | None:
    if doi and (found := _ARXIV_DOI.search(doi)):
        return arxiv_key(found.group(1))
    for location in data.get("locations") or ():
        url = location.get("landing_page_url") if isinstance(location, dict) else None
        if isinstance(url, str) and (found := _ARXIV_ABS.search(url)):
            return arxiv_key(found.group(1))
    return None


def parse_openalex_work(data: Any) -> OpenAlexWork:
    """An :class:`OpenAlexWork` from one work object; arXiv id from the DOI or an arXiv location."""
    if not isinstance(data, dict):
        raise UnusableResponse("OpenAlex work is not a JSON object")
    openalex_id = _short_id(data.get("id"))
    if openalex_id is None:
        raise UnusableResponse("OpenAlex work has no https://openalex.org/W... id")
    ids = data.get("ids")
    ids = ids if isinstance(ids, dict) else {}
    doi = _doi(data.get("doi")) or _doi(ids.get("doi"))
    title = data.get("title") or data.get("display_name")
    count = data.get("cited_by_count")
    year = data.get("publication_year")
    references = [_short_id(w) for w in data.get("referenced_works") or ()]
    return OpenAlexWork(
        openalex_id=openalex_id,
        doi=doi,
        arxiv_id=_arxiv_from(doi, data),
        title=title if isinstance(title, str) else None,
        cited_by_count=stored_count(count),
        referenced_works=tuple(dict.fromkeys(w for w in references if w is not None)),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
    )


def parse_openalex_list(data: Any) -> list[OpenAlexWork]:
    """The works of a list answer (``{"meta": ..., "results": [...]}``)."""
    return [parse_openalex_work(item) for item in listed(data, "results", "OpenAlex list")]


def fetch_openalex_work(client: httpx.Client, arxiv_id: str) -> OpenAlexWork | None:
    """The work for one arXiv id via ``/works/doi:10.48550/arXiv.<id>``; None on 404."""
    response = client.get(f"/works/doi:{arxiv_doi(arxiv_id)}")
    if response.status_code == 404:
        return None
    what = f"OpenAlex work for arXiv {arxiv_id}"
    return parse_openalex_work(ok_json(response, what))


def fetch_openalex_works(client: httpx.Client, arxiv_ids: Sequence[str]) -> list[OpenAlexWork]:
    """The works of up to 50 arXiv ids in one ``/works?filter=doi:...|...`` call (unknown ones absent)."""
    if len(arxiv_ids) > OPENALEX_BATCH_SIZE:
        raise ValueError(f"at most {OPENALEX_BATCH_SIZE} ids per call, got {len(arxiv_ids)}")
    value = "|".join(arxiv_doi(a) for a in arxiv_ids)
    response = client.get(
        "/works", params={"filter": f"doi:{value}", "per_page": OPENALEX_BATCH_SIZE}
    )
    what = f"OpenAlex lookup of {len(arxiv_ids)} arXiv DOIs"
    return parse_openalex_list(ok_json(response, what))


def fetch_openalex_ids(
    client: httpx.Client, work_ids: Sequence[str], field: str = "openalex"
) -> list[dict[str, Any]]:
    """The work objects of up to 50 W ids (or DOIs, with ``field="doi"``) in one
    ``/works?filter=openalex:W1|W2`` call; unknown ones are absent."""
    if len(work_ids) > OPENALEX_BATCH_SIZE:
        raise ValueError(f"at most {OPENALEX_BATCH_SIZE} ids per call, got {len(work_ids)}")
    response = client.get(
        "/works",
        params={"filter": f"{field}:{'|'.join(work_ids)}", "per_page": OPENALEX_BATCH_SIZE},
    )
    what = f"OpenAlex lookup of {len(work_ids)} works"
    results = listed(ok_json(response, what), "results", what)
    return [item for item in results if isinstance(item, dict)]


def search_openalex_title(client: httpx.Client, title: str) -> OpenAlexWork | None:
    """The work whose normalised title equals ``title``'s, from a ``title.search`` filter; else None."""
    words = " ".join(_FILTER_SYNTAX.sub(" ", title).split())
    response = client.get("/works", params={"filter": f"title.search:{words}", "per_page": 10})
    what = f"OpenAlex title search for {title[:60]!r}"
    wanted = normalise_title(title)
    for work in parse_openalex_list(ok_json(response, what)):
        if work.title is not None and normalise_title(work.title) == wanted:
            return work
    return None
