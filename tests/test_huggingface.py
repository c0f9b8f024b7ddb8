"""Hugging Face Papers: parsing realistic payloads, fetching through the HTTP stack, enrichment."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from collectors.enrich import PaperRef, enrich_with_hf
from collectors.http import HttpSettings, make_client
from collectors.huggingface import (
    daily_papers,
    fetch_hf_paper,
    hf_links,
    match_hf_paper,
    parse_hf_paper,
    search_hf_papers,
)
from collectors.records import Link
from paperweb.errors import FetchError, UnusableResponse


def _paper(**fields: Any) -> dict[str, Any]:
    """A paper object shaped like /api/papers/{id} (written for the tests)."""
    return {
        "id": "2401.01234",
        "title": "Sparse Routing for Tiny Graph Transformers",
        "summary": "We route sparsely.",
        "authors": [{"_id": "a1", "name": "Ada Example", "hidden": False}, {"name": "Bo Test"}],
        "publishedAt": "2024-01-03T17:59:01.000Z",
        "upvotes": 12,
        "githubRepo": "https://github.com/Example-Lab/TinyRoute",
        "githubStars": 40,
        "projectPage": "https://example-lab.github.io/tinyroute/",
        "ai_keywords": ["graph transformers", "sparse routing"],
        "ai_summary": "Routes sparsely.",
    } | fields


def _client(handler: Any) -> httpx.Client:
    settings = HttpSettings(
        base_urls={"hf": "https://hf.test"}, sleep=lambda s: None, jitter=lambda: 0.0
    )
    return make_client("hf", settings, inner=httpx.MockTransport(handler))


def test_parse_hf_paper_reads_fields() -> None:
    """Every field we use is read, with snake_case and camelCase names as HF mixes them."""
    paper = parse_hf_paper(_paper(id="2401.01234v2"))
    assert (paper.arxiv_id, paper.title, paper.abstract) == (
        "2401.01234",
        "Sparse Routing for Tiny Graph Transformers",
        "We route sparsely.",
    )
    assert (paper.authors, paper.published, paper.upvotes) == (2, date(2024, 1, 3), 12)
    assert paper.keywords == ("graph transformers", "sparse routing")
    assert [(link.kind, link.target, link.origin) for link in paper.links] == [
        ("repo", "github.com/example-lab/tinyroute", "hf"),
        ("page", "example-lab.github.io/tinyroute", "hf"),
    ]


@pytest.mark.parametrize("bad", [[], "x", {"title": "no id"}, {"id": "2401.1", "title": " "}])
def test_parse_hf_paper_rejects_unusable(bad: Any) -> None:
    """Answers without an id and a title are unusable, not crashes."""
    with pytest.raises(UnusableResponse):
        parse_hf_paper(bad)


def test_search_unwraps_and_skips_broken_items() -> None:
    """Search and daily lists hold wrappers; a broken item is left out."""
    answer = [
        {"paper": _paper(), "title": "x", "numComments": 2},
        {"paper": {"id": None}},
        _paper(),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    with _client(handle) as client:
        found = search_hf_papers(client, "sparse routing")
    assert [p.arxiv_id for p in found] == ["2401.01234", "2401.01234"]


@pytest.mark.parametrize(
    ("repo", "page", "expected"),
    [
        (
            "https://github.com/Example-Lab/TinyRoute",
            None,
            [("repo", "github.com/example-lab/tinyroute")],
        ),
        ("Example-Lab/TinyRoute", None, [("repo", "github.com/example-lab/tinyroute")]),
        (None, "example.org/proj/", [("page", "example.org/proj")]),
        (None, "javascript:alert(1)", []),
        (None, None, []),
    ],
)
def test_hf_links_canonical_with_origin_hf(
    repo: str | None, page: str | None, expected: list[tuple[str, str]]
) -> None:
    """githubRepo (URL or bare owner/repo) and projectPage become canonical links from 'hf'."""
    links = hf_links(parse_hf_paper(_paper(githubRepo=repo, projectPage=page)))
    assert [(link.kind, link.target) for link in links] == expected
    assert all(link.origin == "hf" for link in links)


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("sparse routing for tiny graph-transformers", True),
        ("Sparse Routing for Tiny Graph Transformers, Revisited", False),
        ("", False),
    ],
)
def test_match_hf_paper_only_exact_normalised_titles(wanted: str, found: bool) -> None:
    """A search hit counts only when its normalised title equals the one we look for."""
    assert (match_hf_paper(wanted, [parse_hf_paper(_paper())]) is not None) == found


def test_fetch_hf_paper_found_and_404() -> None:
    """A known id gives the paper; 404 means HF does not have it (None), not an error."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/papers/2401.01234":
            return httpx.Response(200, json=_paper())
        return httpx.Response(404, json={"error": "Paper not found"})

    with _client(handle) as client:
        paper = fetch_hf_paper(client, "2401.01234")
        assert paper is not None and paper.upvotes == 12
        assert fetch_hf_paper(client, "2401.99999") is None


@pytest.mark.parametrize(
    ("first", "tries"),
    [
        (httpx.Response(429, headers={"RateLimit": '"api";r=0;t=2'}), 2),
        (httpx.Response(500, text="oops"), 2),
    ],
)
def test_fetch_hf_paper_retries_then_succeeds(first: httpx.Response, tries: int) -> None:
    """A rate limit or a server error is retried and the paper still arrives."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return first if len(seen) == 1 else httpx.Response(200, json=_paper())

    with _client(handle) as client:
        assert fetch_hf_paper(client, "2401.01234") is not None
    assert len(seen) == tries


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(200, text="{not json"), UnusableResponse),
        (httpx.Response(403, json={"error": "forbidden"}), FetchError),
        (httpx.ReadTimeout("slow"), httpx.TimeoutException),
    ],
)
def test_fetch_hf_paper_failures_raise(answer: httpx.Response | Exception, error: type) -> None:
    """Malformed JSON, an unexpected status and a timeout raise (the caller records them)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    with _client(handle) as client, pytest.raises(error):
        fetch_hf_paper(client, "2401.01234")


def test_search_and_daily_send_documented_parameters() -> None:
    """Search cuts q to 250 characters; daily papers sends date, p and limit."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"paper": _paper(), "title": "x"}])

    with _client(handle) as client:
        assert len(search_hf_papers(client, "word " * 100, limit=500)) == 1
        assert len(daily_papers(client, date(2024, 3, 1))) == 1
    assert len(seen[0].url.params["q"]) == 250 and seen[0].url.params["limit"] == "120"
    assert dict(seen[1].url.params) == {"date": "2024-03-01", "p": "0", "limit": "100"}


def test_enrich_with_hf_records_failures_and_goes_on() -> None:
    """One broken answer becomes a failure; the others still resolve (by id, by title)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/papers/2401.01234":
            return httpx.Response(200, json=_paper())
        if request.url.params.get("q", "").startswith("Broken"):
            return httpx.Response(200, text="<html>")
        title = request.url.params.get("q", "")
        return httpx.Response(200, json=[{"paper": _paper(id="2402.00002", title=title)}])

    refs = [
        PaperRef("p1", "Sparse Routing for Tiny Graph Transformers", "2401.01234"),
        PaperRef("p2", "Broken Answer Paper"),
        PaperRef("p3", "Koopman Operators Meet Spectral Graph Learning"),
    ]
    with _client(handle) as client:
        found = enrich_with_hf(client, refs)
    assert found.arxiv_ids == {"p1": "2401.01234", "p3": "2402.00002"}
    assert [(f.service, f.item) for f in found.failures] == [("hf", "Broken Answer Paper")]
    assert (
        "p1",
        Link(
            "https://github.com/Example-Lab/TinyRoute",
            "repo",
            "github.com/example-lab/tinyroute",
            "hf",
        ),
    ) in found.links
    assert ("p3", "sparse routing", "hf") in found.keywords


def test_enrich_with_hf_gives_up_on_unreachable_service() -> None:
    """After 3 items in a row fail to connect, the rest are skipped instead of retried."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("refused")

    refs = [PaperRef(f"p{i}", f"Paper {i}") for i in range(10)]
    with _client(handle) as client:
        found = enrich_with_hf(client, refs)
    assert len(seen) == 3 * 4  # three items, four tries each
    assert len(found.failures) == 10
    assert found.failures[-1].reason == "skipped: service unreachable in this run"
