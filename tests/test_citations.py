"""Tests for citations: Semantic Scholar and OpenAlex parsing, matching to the corpus, and storage."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from collectors.citations import Citation, CitationResult, citations_for
from collectors.openalex import fetch_openalex_work, parse_openalex_work
from collectors.scholar import S2_FIELDS, fetch_s2_batch, match_s2_title, parse_s2_batch
from paperweb.errors import UnusableResponse

S2_BASE = "https://s2.test/graph/v1"
OA_BASE = "https://openalex.test"

# Three corpus papers with arXiv ids, one known only by its title.
CORPUS = [
    ("pA", "2501.00001v2", "Sparse Routing for Tiny Graph Transformers"),
    ("pB", "2501.00002", "Koopman Operators Meet Spectral Graph Learning"),
    ("pC", None, "Private Inference with Fewer Nonlinearities"),
    ("pD", "2501.00004", "A Paper Nobody Indexed"),
]


def s2_paper(
    paper_id: str, arxiv: str | None, title: str, count: int, refs: list[Any]
) -> dict[str, Any]:
    """A Semantic Scholar paper object shaped like the batch endpoint's, written for these tests."""
    external: dict[str, Any] = {"CorpusId": sum(map(ord, paper_id))}
    if arxiv:
        external["ArXiv"] = arxiv
        external["DOI"] = f"10.48550/arXiv.{arxiv}"
    return {
        "paperId": paper_id,
        "externalIds": external,
        "title": title,
        "citationCount": count,
        "references": refs,
    }


def ref(paper_id: str | None, **external: str) -> dict[str, Any]:
    """One entry of a references list."""
    return {"paperId": paper_id, "externalIds": external or None}


S2_A = s2_paper(
    "s2a",
    "2501.00001",
    CORPUS[0][2],
    40,
    [
        ref("s2b", ArXiv="2501.00002"),
        ref("s2c"),  # the title-only paper, known to S2 by its paper id
        ref("s2x", DOI="10.1000/elsewhere"),  # outside the corpus
        ref("s2a", ArXiv="2501.00001"),  # a self-reference is dropped
        ref(None),
    ],
)
S2_B = s2_paper("s2b", "2501.00002", CORPUS[1][2], 7, [ref(None, DOI="10.48550/arXiv.2501.00001")])
S2_C = {**s2_paper("s2c", None, CORPUS[2][2].upper(), 3, []), "matchScore": 181.2}


def s2_handler(seen: list[httpx.Request], match: httpx.Response | None = None) -> Any:
    """A fake Semantic Scholar: the batch knows A and B (D is null), the title match finds C."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/graph/v1/paper/batch":
            ids = json.loads(request.content)["ids"]
            known = {"ARXIV:2501.00001": S2_A, "ARXIV:2501.00002": S2_B}
            return httpx.Response(200, json=[known.get(i) for i in ids])
        if request.url.path == "/graph/v1/paper/search/match":
            return match or httpx.Response(200, json={"data": [S2_C]})
        return httpx.Response(404, json={"error": "Not found"})

    return handler


def oa_work(wid: str, arxiv: str | None, title: str, count: int, refs: list[str]) -> dict[str, Any]:
    """An OpenAlex work object, written for these tests."""
    doi = f"https://doi.org/10.48550/arxiv.{arxiv}" if arxiv else None
    return {
        "id": f"https://openalex.org/{wid}",
        "doi": doi,
        "title": title,
        "display_name": title,
        "publication_year": 2025,
        "ids": {"openalex": f"https://openalex.org/{wid}", **({"doi": doi} if doi else {})},
        "cited_by_count": count,
        "referenced_works": [f"https://openalex.org/{w}" for w in refs],
        "related_works": [],
    }


OA_A = oa_work("W101", "2501.00001", CORPUS[0][2], 55, ["W102", "W999"])
OA_B = oa_work("W102", "2501.00002", CORPUS[1][2], 5, [])  # arXiv works often list no references
OA_C = oa_work("W103", None, "Private inference with fewer non-linearities", 2, ["W101"])
OA_C_EXACT = {**OA_C, "title": CORPUS[2][2], "display_name": CORPUS[2][2]}


def oa_handler(seen: list[httpx.Request], title_hits: list[dict[str, Any]]) -> Any:
    """A fake OpenAlex: the DOI filter finds A and B, the title search answers ``title_hits``."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        flt = request.url.params.get("filter", "")
        if request.url.path == "/works" and flt.startswith("doi:"):
            asked = {d.lower() for d in flt.removeprefix("doi:").split("|")}
            works = [w for w in (OA_A, OA_B) if w["doi"].removeprefix("https://doi.org/") in asked]
            return httpx.Response(200, json={"meta": {"count": len(works)}, "results": works})
        if request.url.path == "/works" and flt.startswith("title.search:"):
            return httpx.Response(200, json={"meta": {"count": 1}, "results": title_hits})
        return httpx.Response(404, json={"error": "not found"})

    return handler


def test_parse_s2_batch_keeps_request_order_and_nulls() -> None:
    """Null answers stay None in their place; ids are read from externalIds."""
    papers = parse_s2_batch([S2_A, None, S2_B], ["ARXIV:a", "ARXIV:x", "ARXIV:b"])
    assert papers[1] is None
    assert papers[0] is not None and papers[2] is not None
    assert (papers[0].paper_id, papers[0].arxiv_id, papers[0].citation_count) == (
        "s2a",
        "2501.00001",
        40,
    )
    assert papers[2].references[0].doi == "10.48550/arxiv.2501.00001"
    assert len(papers[0].references) == 4  # the entry with no ids at all is dropped


@pytest.mark.parametrize("body", [[S2_A], {"data": []}, "nope"])
def test_parse_s2_batch_rejects_misaligned_answers(body: object) -> None:
    """An answer that is not a list as long as the request is unusable."""
    with pytest.raises(UnusableResponse):
        parse_s2_batch(body, ["ARXIV:a", "ARXIV:b"])


def test_fetch_s2_batch_posts_ids_under_base_path() -> None:
    """One POST to <base>/paper/batch with the fields parameter and ARXIV: ids, versions stripped."""
    seen: list[httpx.Request] = []
    with httpx.Client(base_url=S2_BASE, transport=httpx.MockTransport(s2_handler(seen))) as client:
        papers = fetch_s2_batch(client, ["2501.00001v3", "2501.00004"])
    assert [p.paper_id if p else None for p in papers] == ["s2a", None]
    assert len(seen) == 1 and seen[0].method == "POST"
    assert seen[0].url.path == "/graph/v1/paper/batch"
    assert seen[0].url.params["fields"] == S2_FIELDS
    assert json.loads(seen[0].content) == {"ids": ["ARXIV:2501.00001", "ARXIV:2501.00004"]}


@pytest.mark.parametrize(
    ("response", "found"),
    [
        (httpx.Response(404, json={"error": "Title match not found"}), None),
        (httpx.Response(200, json={"data": [S2_C]}), "s2c"),
        (
            httpx.Response(200, json={"data": [{**S2_C, "title": "Private Inference Revisited"}]}),
            None,
        ),
    ],
)
def test_match_s2_title_accepts_only_equal_titles(
    response: httpx.Response, found: str | None
) -> None:
    """404 means no match; a match counts only when the normalised titles agree."""
    with httpx.Client(
        base_url=S2_BASE, transport=httpx.MockTransport(lambda r: response)
    ) as client:
        paper = match_s2_title(client, CORPUS[2][2])
    assert (paper.paper_id if paper else None) == found


def test_citations_for_s2_maps_references_to_corpus() -> None:
    """References by arXiv id, DOI and S2 id become cites pairs inside the corpus only."""
    seen: list[httpx.Request] = []
    with httpx.Client(base_url=S2_BASE, transport=httpx.MockTransport(s2_handler(seen))) as client:
        result = citations_for(CORPUS, s2_client=client)
    assert result.cites == [
        Citation("pA", "pB", "Semantic Scholar reference"),
        Citation("pA", "pC", "Semantic Scholar reference"),
        Citation("pB", "pA", "Semantic Scholar reference"),
    ]
    assert result.cited_by_count == {"pA": 40, "pB": 7, "pC": 3}
    assert result.resolved == {"Semantic Scholar": 3}
    assert result.failures == []
    assert [r.url.path.rsplit("/", 1)[-1] for r in seen] == ["batch", "match"]
    # Every reference is kept, the one outside the corpus too (the id-less one has nothing to keep).
    kept = [(pid, ref.keys) for pid, ref in result.references if pid == "pA"]
    assert kept == [
        ("pA", ("arxiv:2501.00002", "s2:s2b")),
        ("pA", ("s2:s2c",)),
        ("pA", ("doi:10.1000/elsewhere", "s2:s2x")),
        ("pA", ("arxiv:2501.00001", "s2:s2a")),
    ]
    assert result.keys["pC"] == ["s2:s2c"]
    assert "references.title" in seen[0].url.params["fields"]


def test_citations_for_s2_title_404_leaves_paper_unresolved() -> None:
    """A title with no match is not a failure; the paper just gets no citations from S2."""
    seen: list[httpx.Request] = []
    miss = httpx.Response(404, json={"error": "Title match not found"})
    with httpx.Client(
        base_url=S2_BASE, transport=httpx.MockTransport(s2_handler(seen, miss))
    ) as client:
        result = citations_for(CORPUS, s2_client=client)
    assert [(c.citing, c.cited) for c in result.cites] == [("pA", "pB"), ("pB", "pA")]
    assert "pC" not in result.cited_by_count and result.failures == []


def test_citations_for_failed_batch_records_each_paper() -> None:
    """A batch answered with 500 gives one failure per paper it held; the title match still runs."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/paper/batch"):
            return httpx.Response(500, json={"message": "Internal Server Error"})
        return httpx.Response(200, json={"data": [S2_C]})

    with httpx.Client(base_url=S2_BASE, transport=httpx.MockTransport(handler)) as client:
        result = citations_for(CORPUS, s2_client=client)
    assert [pid for pid, _ in result.failures] == ["pA", "pB", "pD"]
    assert result.failures[0][1] == (
        "Semantic Scholar: Semantic Scholar batch of 3 papers: HTTP 500: Internal Server Error"
    )
    assert result.cites == [] and result.cited_by_count == {"pC": 3}


def test_parse_openalex_work_reads_ids_and_references() -> None:
    """The short W id, lower-case DOI, arXiv id from the DOI, count and referenced W ids."""
    work = parse_openalex_work(OA_A)
    assert (work.openalex_id, work.doi, work.arxiv_id) == (
        "W101",
        "10.48550/arxiv.2501.00001",
        "2501.00001",
    )
    assert (work.cited_by_count, work.referenced_works) == (55, ("W102", "W999"))
    assert parse_openalex_work(OA_B).referenced_works == ()


def test_parse_openalex_work_arxiv_from_location() -> None:
    """A work with a publisher DOI still gets its arXiv id from an arxiv.org landing page."""
    data = {
        **OA_C,
        "doi": "https://doi.org/10.1000/Journal.42",
        "locations": [{"landing_page_url": "https://arxiv.org/abs/2501.00003v1"}],
    }
    work = parse_openalex_work(data)
    assert (work.doi, work.arxiv_id) == ("10.1000/journal.42", "2501.00003")


def test_fetch_openalex_work_by_doi() -> None:
    """One GET /works/doi:10.48550/arXiv.<id>; 404 gives None."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/works/doi:10.48550/arXiv.2501.00001":
            return httpx.Response(200, json=OA_A)
        return httpx.Response(404, json={"error": "Not Found"})

    with httpx.Client(base_url=OA_BASE, transport=httpx.MockTransport(handler)) as client:
        found = fetch_openalex_work(client, "2501.00001v1")
        missing = fetch_openalex_work(client, "2501.09999")
    assert found is not None and found.openalex_id == "W101"
    assert missing is None and len(seen) == 2


@pytest.mark.parametrize(("hits", "c_found"), [([OA_C_EXACT], True), ([OA_C], False), ([], False)])
def test_citations_for_openalex_maps_referenced_works(
    hits: list[dict[str, Any]], c_found: bool
) -> None:
    """W ids map to corpus papers through their own lookups; title hits count only when equal."""
    seen: list[httpx.Request] = []
    with httpx.Client(
        base_url=OA_BASE, transport=httpx.MockTransport(oa_handler(seen, hits))
    ) as client:
        result = citations_for(CORPUS, openalex_client=client)
    expected = [Citation("pA", "pB", "OpenAlex reference")]
    if c_found:
        expected.append(Citation("pC", "pA", "OpenAlex reference"))
    assert result.cites == expected
    assert result.resolved == {"OpenAlex": 3 if c_found else 2}
    doi_filter = seen[0].url.params["filter"]
    assert (
        doi_filter
        == "doi:10.48550/arXiv.2501.00001|10.48550/arXiv.2501.00002|10.48550/arXiv.2501.00004"
    )
    assert (
        seen[1].url.params["filter"] == "title.search:Private Inference with Fewer Nonlinearities"
    )


def test_citations_for_strips_commas_from_title_search() -> None:
    """Commas and bars separate filters in OpenAlex, so they leave the title search words."""
    seen: list[httpx.Request] = []
    papers = [("pZ", None, "Graphs, Operators | and Routing")]
    with httpx.Client(
        base_url=OA_BASE, transport=httpx.MockTransport(oa_handler(seen, []))
    ) as client:
        citations_for(papers, openalex_client=client)
    assert seen[0].url.params["filter"] == "title.search:Graphs Operators and Routing"


def test_citations_for_both_sources_merges_evidence_and_counts() -> None:
    """A pair both sources know names both; counts take the larger of the two."""
    s2_seen: list[httpx.Request] = []
    oa_seen: list[httpx.Request] = []
    with (
        httpx.Client(base_url=S2_BASE, transport=httpx.MockTransport(s2_handler(s2_seen))) as s2,
        httpx.Client(
            base_url=OA_BASE, transport=httpx.MockTransport(oa_handler(oa_seen, [OA_C_EXACT]))
        ) as oa,
    ):
        result = citations_for(CORPUS, s2_client=s2, openalex_client=oa)
    assert result.cites == [
        Citation("pA", "pB", "Semantic Scholar reference; OpenAlex reference"),
        Citation("pA", "pC", "Semantic Scholar reference"),
        Citation("pB", "pA", "Semantic Scholar reference"),
        Citation("pC", "pA", "OpenAlex reference"),
    ]
    assert result.cited_by_count == {"pA": 55, "pB": 7, "pC": 3}


def test_citations_for_without_clients_asks_nothing() -> None:
    """With no client there is nothing to ask and nothing is invented."""
    assert citations_for(CORPUS) == CitationResult()
