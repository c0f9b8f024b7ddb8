"""Generated hostile inputs through the collectors and the build (issue 18, acceptance).

hypothesis writes JSON, JSONL, BibTeX and listing-page text that is valid enough to
reach the parsers and hostile in its values: huge and negative numbers, lone
surrogates, deep nesting, wrong types, unbalanced braces, ``#`` joins. The only
exceptions allowed are the documented ones (``InputError`` for inputs, ``FetchError``
for service answers), everything a parser returns can be stored, and a build that
fails leaves the previous database byte for byte as it was.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.bibtex import parse_bibtex
from collectors.github import parse_repo
from collectors.huggingface import parse_hf_paper
from collectors.jsonfeed import iter_jsonl, parse_json
from collectors.listing import parse_listing_page
from collectors.openalex import parse_openalex_work
from collectors.records import MAX_COUNT, Paper
from collectors.safejson import load_json
from collectors.scholar import parse_s2_paper
from paperweb.errors import FetchError, InputError, PaperwebError
from paperweb.pipeline import BuildOptions, build

EXAMPLES = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with the characters that break things: lone surrogates, NUL, controls, RTL marks.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b", "\u202e", "{", "}", "#", '"']),
    ),
    max_size=40,
)
hostile_int = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([10**30, -(10**30), 2**31, 2**31 - 1, -1, 2**63, 10**12]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    hostile_int,
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)
    ),
    max_leaves=12,
)
PAPER_KEYS = [
    "title",
    "abstract",
    "arxiv_id",
    "authors",
    "upvotes",
    "keywords",
    "links",
    "doi",
    "published",
    "publishedAt",
    "paper",
    "id",
    "summary",
    "ai_keywords",
    "githubRepo",
    "projectPage",
    "versions",
    "categories",
    "authors_parsed",
    "comments",
    "error",
]
paper_objects = st.dictionaries(st.sampled_from(PAPER_KEYS), json_values, max_size=8).map(
    lambda obj: obj | {"title": obj.get("title", "A Generated Paper")} if len(obj) % 2 else obj
)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


json_documents = st.one_of(
    st.lists(paper_objects, max_size=5).map(json.dumps),
    paper_objects.map(json.dumps),
    json_values.map(json.dumps),
    st.integers(min_value=900, max_value=120_000).map(_deep),
    st.builds(
        lambda n: '[{"title": "x", "upvotes": ' + "9" * n + "}]",
        st.integers(min_value=4_000, max_value=6_000),
    ),
)


def _storable(paper: Paper) -> None:
    """What the store needs of a paper: counts in its INTEGER range, strings UTF-8 text."""
    for count in (paper.authors, paper.upvotes):
        assert count is None or 0 <= count <= MAX_COUNT
    texts = [paper.title, paper.abstract, paper.published_text or "", paper.doi or ""]
    texts += list(paper.keywords) + [link.url for link in paper.links]
    for text in texts:
        text.encode("utf-8")


@EXAMPLES
@given(json_documents)
def test_parse_json_raises_only_input_errors(text: str) -> None:
    """Any JSON document gives papers that can be stored, or one InputError."""
    try:
        result = parse_json(text, "gen.json")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for paper in result.papers:
        _storable(paper)


@EXAMPLES
@given(
    st.lists(
        st.one_of(
            paper_objects.map(json.dumps),
            json_values.map(json.dumps),
            hostile_text,
            st.integers(min_value=900, max_value=50_000).map(_deep),
        ),
        max_size=6,
    )
)
def test_iter_jsonl_raises_only_input_errors(lines: list[str]) -> None:
    """Any JSONL file gives storable papers and one skipped line per problem, or one InputError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gen.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        skipped: list[str] = []
        try:
            papers = list(iter_jsonl(path, skipped))
        except InputError:
            return
    for paper in papers:
        _storable(paper)
    assert all(line.startswith(str(path)) for line in skipped)


bib_values = st.one_of(
    hostile_text.map(lambda t: "{" + t + "}"),
    hostile_text.map(lambda t: '"' + t.replace('"', "") + '"'),
    st.sampled_from(["foo", "jan", "12", "undefined", "foo # { bar}", '"a" # foo # "b"', "{{{"]),
    st.lists(st.sampled_from(["foo", '"x"', "{y}", "7", "nosuch"]), min_size=2, max_size=5).map(
        " # ".join
    ),
)
bib_fields = st.lists(
    st.tuples(
        st.sampled_from(["title", "author", "year", "month", "eprint", "doi", "url", "keywords"]),
        bib_values,
    ),
    max_size=6,
)
bib_entries = st.builds(
    lambda kind, key, fields: (
        f"@{kind}{{{key},\n" + ",\n".join(f"  {name} = {value}" for name, value in fields) + "\n}\n"
    ),
    st.sampled_from(["article", "misc", "inproceedings", "string"]),
    st.text(alphabet="abcxyz019:_-", min_size=1, max_size=6),
    bib_fields,
)
bib_files = st.lists(
    st.one_of(bib_entries, hostile_text, st.just('@string{foo = "Graph"}\n')),
    min_size=1,
    max_size=6,
).map("".join)


@EXAMPLES
@given(bib_files)
def test_parse_bibtex_raises_only_input_errors(text: str) -> None:
    """Any BibTeX text gives storable papers, or one InputError."""
    try:
        result = parse_bibtex(text, "gen.bib")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for paper in result.papers:
        _storable(paper)


page_lines = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "Daily Papers",
            "Subscribe",
            "• 4 authors",
            "  • 99999 authors",
            "·",
            "Feb 2, 2024 12",
            "Jan 5",
            "Feb 31, 0000 9999999",
            "12",
            "Code: https://github.com/Example-Lab/TinyRoute.",
            "see https://bit.ly/AbC123 and www.github.com/a/b",
        ]
    ),
)


@EXAMPLES
@given(st.lists(page_lines, max_size=25).map("\n".join))
def test_parse_listing_page_raises_only_input_errors(text: str) -> None:
    """Any page text gives storable papers, or one InputError (NotAListingPage is one)."""
    try:
        result = parse_listing_page(text, "gen.txt")
    except InputError:
        return
    for paper in result.papers:
        _storable(paper)


@EXAMPLES
@given(json_values, paper_objects)
def test_service_parsers_raise_only_fetch_errors(value: Any, obj: dict[str, Any]) -> None:
    """HF, GitHub, Semantic Scholar and OpenAlex answers of any shape: a record or a FetchError."""
    hostile_repo = obj | {"full_name": "lab/repo", "stargazers_count": value, "pushed_at": value}
    for parse in (parse_hf_paper, parse_repo, parse_s2_paper, parse_openalex_work):
        for answer in (value, obj, hostile_repo, {"paper": obj}):
            try:
                record = parse(load_json(json.dumps(answer)))
            except FetchError:
                continue
            for name in ("upvotes", "stars", "forks", "citation_count", "cited_by_count"):
                count = getattr(record, name, None)
                assert count is None or 0 <= count <= MAX_COUNT


BASE = [{"title": "A Stored Paper", "abstract": "Graph routing in small models.", "upvotes": 3}]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["json", "jsonl", "bib", "txt"]),
    st.one_of(json_documents, bib_files, st.lists(page_lines, max_size=12).map("\n".join)),
)
def test_build_of_hostile_file_fails_cleanly_or_stores_it(suffix: str, text: str) -> None:
    """A build of any file ends with a PaperwebError and the old database intact, or succeeds."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        base = tmp / "base.json"
        base.write_text(json.dumps(BASE), encoding="utf-8")
        db = tmp / "db.duckdb"
        build([base], BuildOptions(db=db, out=tmp / "out"))
        before = db.read_bytes()
        hostile_file = tmp / f"gen.{suffix}"
        hostile_file.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            build([hostile_file], BuildOptions(db=db, out=tmp / "out"))
        except PaperwebError as exc:
            assert "\n" not in str(exc)
            assert db.read_bytes() == before
