"""JSON and JSONL: Hugging Face objects, wrappers, the simple schema, bad lines, streaming."""

from __future__ import annotations

import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from collectors.jsonfeed import iter_jsonl, paper_from_hf_object, parse_json
from paperweb.errors import InputError
from tests.fake_hub import hf_paper

SIMPLE = {
    "title": "Koopman Operators Meet Spectral Graph Learning",
    "abstract": "A spectral method, see www.github.com/example-lab/koopgraph.",
    "arxiv_id": "arXiv:2401.00002v3",
    "published": "2024-01-05",
    "authors": ["Ada", "Grace"],
    "upvotes": 4,
    "keywords": ["koopman operator"],
    "links": ["https://example-lab.github.io/koopgraph/", "not a url", 42],
}


def test_paper_from_hf_object_reads_fields_and_links() -> None:
    """id, title, summary, authors, publishedAt, upvotes, githubRepo, projectPage, ai_keywords."""
    obj = hf_paper(
        "2506.22712",
        "Sparse Routing",
        summary="Code: https://github.com/Example-Lab/TinyRoute.",
        githubRepo="example-lab/other",
        projectPage="https://tinyroute.example.org/",
        ai_keywords=["sparse routing", " "],
        n_authors=4,
    )
    paper = paper_from_hf_object({"paper": obj, "numComments": 2}, "hf-search:x", 3)
    assert (paper.title, paper.arxiv_id, paper.authors, paper.upvotes, paper.origin) == (
        "Sparse Routing",
        "2506.22712",
        4,
        7,
        "hf",
    )
    assert (paper.published, paper.published_text) == (date(2025, 6, 27), "Jun 27, 2025")
    assert paper.keywords == ("sparse routing",)
    assert [(link.target, link.origin) for link in paper.links] == [
        ("github.com/example-lab/other", "hf"),
        ("tinyroute.example.org", "hf"),
        ("github.com/example-lab/tinyroute", "abstract"),
    ]


def test_parse_json_simple_schema() -> None:
    """The documented simple schema: id cleaned, author list counted, bad links dropped."""
    paper = parse_json(json.dumps([SIMPLE]), "papers.json").papers[0]
    assert (paper.arxiv_id, paper.authors, paper.published, paper.upvotes, paper.origin) == (
        "2401.00002",
        2,
        date(2024, 1, 5),
        4,
        "json",
    )
    assert paper.keywords == ("koopman operator",)
    assert sorted(link.target for link in paper.links) == [
        "example-lab.github.io/koopgraph",
        "github.com/example-lab/koopgraph",
    ]


@pytest.mark.parametrize(
    "document",
    [
        [SIMPLE],
        {"papers": [SIMPLE], "count": 1},
        {"data": [{"paper": {"id": "2401.00002", "title": SIMPLE["title"]}}]},
        SIMPLE,
    ],
    ids=["array", "object-with-list", "hf-wrappers", "single-object"],
)
def test_parse_json_accepts_container_shapes(document: object) -> None:
    """An array, an object holding one list, HF wrappers, or one paper object all read."""
    papers = parse_json(json.dumps(document), "papers.json").papers
    assert [(p.title, p.arxiv_id) for p in papers] == [(SIMPLE["title"], "2401.00002")]


def test_parse_json_reports_items_that_are_not_papers() -> None:
    """Items without title or id, or not objects, are skipped and named by their place."""
    result = parse_json(json.dumps([SIMPLE, 3, {"abstract": "no title"}]), "p.json")
    assert len(result.papers) == 1
    assert result.skipped == (
        "p.json: item 2: expected an object, found int",
        "p.json: item 3: object has neither 'title' nor 'arxiv_id'",
    )


def test_parse_json_invalid_names_file_and_line() -> None:
    """Broken JSON is one error naming file and line."""
    with pytest.raises(InputError, match=r"^p\.json:3: not valid JSON"):
        parse_json('[\n{"title": "a"},\n{"title": }\n]', "p.json")


def test_iter_jsonl_reports_bad_lines_with_crlf_and_bom(tmp_path: Path) -> None:
    """A BOM and CRLF are fine; a line that does not parse is reported by file:line and skipped."""
    path = tmp_path / "papers.jsonl"
    lines = [
        json.dumps({"paper": hf_paper("2506.22712", "One")}),
        "{broken",
        "",
        json.dumps(SIMPLE),
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    skipped: list[str] = []
    papers = list(iter_jsonl(path, skipped))
    assert [(p.title, p.position, p.origin) for p in papers] == [
        ("One", 1, "hf"),
        (SIMPLE["title"], 2, "json"),
    ]
    assert len(skipped) == 1 and skipped[0].startswith(f"{path}:2: not a JSON object")


@pytest.mark.slow
def test_iter_jsonl_streams_50_mb_with_small_memory(tmp_path: Path) -> None:
    """A 50 MB JSONL is read line by line: traced memory peaks far below the file size."""
    path = tmp_path / "big.jsonl"
    filler = "word " * 800
    with path.open("w", encoding="utf-8") as out:
        for n in range(13_200):
            row = {
                "title": f"Paper {n}",
                "abstract": filler,
                "links": [f"https://github.com/o/r{n}"],
            }
            out.write(json.dumps(row) + "\n")
    assert path.stat().st_size > 50 * 2**20
    skipped: list[str] = []
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_jsonl(path, skipped))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 13_200 and skipped == []
    assert peak < 2 * 2**20, f"peak {peak / 2**20:.1f} MiB while streaming"
