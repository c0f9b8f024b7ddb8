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


# One record in the shape of the arXiv metadata snapshot (values invented for the test).
SNAPSHOT = {
    "id": "0704.0999",
    "submitter": "Ada Example",
    "authors": "A. Example, B. Sample and C. Test",
    "title": "Spectra of $\\alpha$-Stable\n  Random Graphs",
    "comments": "12 pages; code at https://github.com/example-lab/spectra",
    "journal-ref": "J. Invented Results 1 (2008) 1-12",
    "doi": "10.1000/JIR.2008.1",
    "report-no": None,
    "categories": "math.PR cs.DM",
    "license": None,
    "abstract": "  We study spectra of random graphs.\n",
    "versions": [
        {"version": "v2", "created": "Tue, 10 Apr 2007 10:00:00 GMT"},
        {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
    ],
    "update_date": "2008-11-13",
    "authors_parsed": [["Example", "A.", ""], ["Sample", "B.", ""], ["Test", "C.", ""]],
}


def test_arxiv_snapshot_record_read_as_its_own_kind(tmp_path: Path) -> None:
    """A snapshot line gives the arXiv id, authors, first-version date, DOI and categories."""
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    old_style = dict(SNAPSHOT, id="hep-th/9901001", doi=None, authors_parsed=[["X", "Y", ""]])
    path.write_text(
        "\n".join(json.dumps(o) for o in (SNAPSHOT, old_style)) + "\n", encoding="utf-8"
    )
    skipped: list[str] = []
    first, second = iter_jsonl(path, skipped)
    assert skipped == []
    assert (first.arxiv_id, first.authors, first.published, first.doi) == (
        "0704.0999",
        3,
        date(2007, 4, 2),
        "10.1000/jir.2008.1",
    )
    assert first.title == "Spectra of α-Stable Random Graphs"
    assert first.abstract == "We study spectra of random graphs."
    assert first.categories == ("math.PR", "cs.DM")
    assert first.origin == "arxiv"
    assert [link.target for link in first.links] == ["github.com/example-lab/spectra"]
    assert (second.arxiv_id, second.authors, second.doi) == ("hep-th/9901001", 1, None)


def test_simple_schema_takes_published_at_and_doi() -> None:
    """published_at / publishedAt stand for published; a doi is kept bare and lower case."""
    papers = parse_json(
        json.dumps(
            [
                {"title": "A", "published_at": "2024-03-01T12:00:00Z"},
                {"title": "B", "publishedAt": "2024-03-02", "doi": "doi:10.1000/XY"},
            ]
        ),
        "p.json",
    ).papers
    assert [p.published for p in papers] == [date(2024, 3, 1), date(2024, 3, 2)]
    assert [p.doi for p in papers] == [None, "10.1000/xy"]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("[]", "JSON array is empty"),
        ('{"error": "Invalid date"}', "an error answer of a web service, not papers"),
        (
            json.dumps(["{'paper': {'id': '2412.00001', 'title': 'X'}}", "{'paper': {}}"]),
            "the JSON array holds 2 strings (Python reprs, not JSON objects), not paper objects",
        ),
        ("[1, 2]", "the JSON array holds int values, not paper objects"),
    ],
)
def test_parse_json_unusable_file_says_why(document: str, reason: str) -> None:
    """A file with no paper is one error naming the file and what it holds instead."""
    with pytest.raises(InputError, match=r"^day\.json: ") as caught:
        parse_json(document, "day.json")
    assert reason in str(caught.value)


def test_hf_counts_from_python_repr_strings() -> None:
    """authors and upvotes saved as Python reprs still count."""
    obj = {"paper": {"id": "2412.00001", "title": "T", "authors": "[{'name': 'A'}, {'name': 'B'}]"}}
    obj["paper"]["upvotes"] = "7"
    paper = paper_from_hf_object(obj, "x.json", 1)
    assert (paper.authors, paper.upvotes) == (2, 7)


def test_iter_jsonl_without_any_paper_is_one_error(tmp_path: Path) -> None:
    """A JSONL file of which no line is a paper is one error, not a report per line."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{oops\n"a string"\n', encoding="utf-8")
    skipped: list[str] = []
    with pytest.raises(
        InputError, match=r"no paper in the JSONL \(2 unusable lines; first, line 1"
    ):
        list(iter_jsonl(path, skipped))
    assert skipped == []
