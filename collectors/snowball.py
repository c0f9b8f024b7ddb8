"""One snowballing step: works outside the corpus fetched as papers (``build --online --expand N``).

Each work goes to the service that knows it by id: OpenAlex for ``openalex:W...`` keys,
DOIs and arXiv ids (50 a call), Semantic Scholar for ``s2:...`` keys (500 a batch) and
for the DOIs and arXiv ids OpenAlex did not answer for.
The answers are parsed by the works-file parsers, so an added paper has its abstract,
keywords, links and reference list as if it had come from a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import httpx

from collectors.citation_files import (
    NotAWork,
    is_openalex_work,
    paper_from_openalex_object,
    paper_from_s2_object,
    work_keys,
)
from collectors.enrich import Failure
from collectors.openalex import (
    OPENALEX_BATCH_SIZE,
    arxiv_doi,
    fetch_openalex_ids,
    parse_openalex_work,
)
from collectors.payloads import UnusableResponse, error_reason, ok_json
from collectors.records import Paper
from collectors.scholar import S2_BATCH_SIZE
from paperweb.errors import FetchError

__all__ = ["EXPAND_SOURCE", "S2_PAPER_FIELDS", "fetch_works"]

#: the ``paper_sources.source`` of papers the snowballing step added
EXPAND_SOURCE = "online: most cited outside works"
S2_PAPER_FIELDS = (
    "title,externalIds,abstract,year,publicationDate,authors,citationCount,"
    "references.paperId,references.externalIds,references.title,references.year"
)
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _openalex_batches(keys: Sequence[str]) -> list[tuple[str, list[str], list[str]]]:
    """(filter field, values, the keys asked) per batch: W ids, then DOIs (arXiv ids as
    arXiv's DOIs)."""
    ids = [k for k in keys if k.startswith("openalex:")]
    dois = [k for k in keys if k.startswith(("doi:", "arxiv:"))]
    batches = [
        ("openalex", [k.removeprefix("openalex:") for k in c], list(c))
        for c in _chunks(ids, OPENALEX_BATCH_SIZE)
    ]
    return batches + [
        ("doi", [_doi_of(k) for k in c], list(c)) for c in _chunks(dois, OPENALEX_BATCH_SIZE)
    ]


def _doi_of(key: str) -> str:
    return arxiv_doi(key.removeprefix("arxiv:")) if key.startswith("arxiv:") else key[4:]


def _answered(items: Sequence[dict[str, Any]]) -> set[str]:
    """The keys (lower case) the OpenAlex work objects answer to: W id, DOI, arXiv id."""
    keys: set[str] = set()
    for item in items:
        try:
            work = parse_openalex_work(item)
        except UnusableResponse:
            continue
        keys.update(k.lower() for k in work_keys(None, work.doi, f"openalex:{work.openalex_id}"))
        if work.arxiv_id:
            keys.add(f"arxiv:{work.arxiv_id}".lower())
    return keys


def _s2_lookup(key: str) -> str | None:
    """The Semantic Scholar batch id of a DOI or arXiv key (a W id it does not know)."""
    if key.startswith("doi:"):
        return "DOI:" + key[4:]
    return "ARXIV:" + key[6:] if key.startswith("arxiv:") else None


Parse = Callable[[dict[str, Any], str, int], Paper]


def _papers(items: list[Any], parse: Parse, start: int, failures: list[Failure]) -> list[Paper]:
    papers: list[Paper] = []
    for item in items:
        try:
            papers.append(parse(item, EXPAND_SOURCE, start + len(papers) + 1))
        except NotAWork as exc:
            failures.append(Failure("expand", str(item.get("id") or "?")[:80], str(exc)))
    return papers


def fetch_works(
    keys: Sequence[str],
    openalex: httpx.Client | None = None,
    s2: httpx.Client | None = None,
    start: int = 0,
) -> tuple[list[Paper], list[Failure]]:
    """Papers for the works of ``keys`` (one preferred key each), and what could not be fetched.

    ``start`` is the number of papers already added (their positions follow on).
    """
    papers: list[Paper] = []
    failures: list[Failure] = []
    # DOIs and arXiv ids OpenAlex does not answer for go to Semantic Scholar as well.
    unanswered = [k for k in keys if k.startswith(("doi:", "arxiv:"))]
    if openalex is not None:
        unanswered = []
        for field, values, asked in _openalex_batches(keys):
            try:
                items = fetch_openalex_ids(openalex, values, field)
            except (FetchError, httpx.HTTPError) as exc:
                failures += [Failure("expand", v, error_reason(exc)) for v in values]
                unanswered += asked
                continue
            works = [item for item in items if is_openalex_work(item)]
            papers += _papers(works, paper_from_openalex_object, start + len(papers), failures)
            found = _answered(works)
            unanswered += [k for k in asked if k.lower() not in found]
    ids = [k.removeprefix("s2:") for k in keys if k.startswith("s2:")]
    ids += [i for k in unanswered if (i := _s2_lookup(k)) is not None]
    if s2 is not None:
        papers += _s2_papers(s2, ids, start + len(papers), failures)
    return papers, failures


def _s2_papers(
    s2: httpx.Client, ids: Sequence[str], start: int, failures: list[Failure]
) -> list[Paper]:
    papers: list[Paper] = []
    for chunk in _chunks(ids, S2_BATCH_SIZE):
        try:
            response = s2.post(
                "/paper/batch", params={"fields": S2_PAPER_FIELDS}, json={"ids": list(chunk)}
            )
            what = f"Semantic Scholar batch of {len(chunk)} papers"
            answer = ok_json(response, what)
        except (FetchError, httpx.HTTPError) as exc:
            failures += [Failure("expand", f"s2:{i}", error_reason(exc)) for i in chunk]
            continue
        found = (
            [item for item in answer if isinstance(item, dict)] if isinstance(answer, list) else []
        )
        papers += _papers(found, paper_from_s2_object, start + len(papers), failures)
    return papers
