"""Offline inputs that used to crash a build (issue 18, point 8), and the page's text cap (point 10).

Each bad value is reported with its file and line (or item) and dropped, or its entry
skipped; a file that cannot be read at all is one Error line and the previous
database stays byte for byte as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectors.bibtex import parse_bibtex
from collectors.jsonfeed import parse_json
from graph.store import open_store
from paperweb.cli import app
from paperweb.errors import InputError

runner = CliRunner()


def _build(tmp: Path, *inputs: Path) -> tuple[int, list[str], list[str]]:
    """Exit code, the Error lines and the Skipped lines of one offline build."""
    result = runner.invoke(
        app,
        ["build", *map(str, inputs), "--db", str(tmp / "db.duckdb"), "--out", str(tmp / "out")],
    )
    text = result.stderr + result.stdout
    assert "Traceback" not in text
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    return result.exit_code, errors, [line for line in lines if line.startswith("Skipped: ")]


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as store:
        return store.query(sql)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A good database from a small JSON input, to check that failed builds leave it alone."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"title": "A Good Paper", "upvotes": 3}]), encoding="utf-8")
    code, errors, _ = _build(tmp_path, good)
    assert code == 0, errors
    return tmp_path / "db.duckdb"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"title": "x", "upvotes": ' + "9" * 5000 + "}", "a number too long to read"),
    ],
)
def test_unreadable_json_is_one_error_and_db_untouched(
    tmp_path: Path, built: Path, text: str, reason: str
) -> None:
    """JSON nested 100k deep, or with a 5,000-digit number: one Error line, database unchanged."""
    before = built.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    code, errors, _ = _build(tmp_path, bad)
    assert code == 1
    assert errors == [f"Error: {bad}:1: not valid JSON ({reason}); fix the file or pass --format"]
    assert built.read_bytes() == before


def test_jsonl_bad_values_are_dropped_and_reported_by_line(tmp_path: Path) -> None:
    """Out-of-range counts, non-list keywords and deep lines are reported by line; the rest stays."""
    lines = [
        {"title": "Huge Upvotes", "upvotes": 2**40, "authors": 10**12},
        {"title": "Vast Upvotes", "upvotes": 10**30},
        {"title": "Negative Counts", "upvotes": -3, "authors": -1},
        {"title": "Numeric Keywords", "keywords": 5},
        {"title": "String Keywords", "keywords": "graph learning; sparse routing"},
        {"title": "Lone \ud800 Surrogate", "keywords": ["ok", "bad \udc00"]},
        {"title": "Fine", "upvotes": 7, "authors": 2},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n" + "[" * 50_000 + "\n"
    path = tmp_path / "papers.jsonl"
    path.write_text(text, encoding="utf-8")
    code, errors, skipped = _build(tmp_path, path)
    assert code == 3, errors
    assert skipped == [
        f"Skipped: {path}:1: authors is over 2,147,483,647; dropped",
        f"Skipped: {path}:1: upvotes is over 2,147,483,647; dropped",
        f"Skipped: {path}:2: upvotes is over 2,147,483,647; dropped",
        f"Skipped: {path}:3: authors is negative; dropped",
        f"Skipped: {path}:3: upvotes is negative; dropped",
        f"Skipped: {path}:4: keywords is a int, not a list of strings; dropped",
        f"Skipped: {path}:8: not a JSON object (nested too deeply)",
    ]
    db = tmp_path / "db.duckdb"
    assert _query(db, "SELECT title, upvotes, authors FROM papers ORDER BY title") == [
        ("Fine", 7, 2),
        ("Huge Upvotes", None, None),
        ("Lone \ufffd Surrogate", None, None),
        ("Negative Counts", None, None),
        ("Numeric Keywords", None, None),
        ("String Keywords", None, None),
        ("Vast Upvotes", None, None),
    ]
    given = _query(
        db,
        "SELECT k.keyword FROM keywords k JOIN papers p USING (paper_id) "
        "WHERE p.title IN ('String Keywords', 'Lone \ufffd Surrogate') AND k.origin = 'json' "
        "ORDER BY 1",
    )
    assert given == [("bad",), ("graph learning",), ("ok",), ("sparse routing",)]


def test_json_item_problems_name_the_item() -> None:
    """In a JSON array, a dropped field is reported with its item number."""
    text = json.dumps([{"title": "Kept"}, {"title": "Odd", "upvotes": 10**30, "keywords": {}}])
    result = parse_json(text, "x.json")
    assert [p.title for p in result.papers] == ["Kept", "Odd"]
    assert result.papers[1].upvotes is None and result.papers[1].keywords == ()
    assert result.skipped == (
        "x.json: item 2: upvotes is over 2,147,483,647; dropped",
        "x.json: item 2: keywords is a dict, not a list of strings; dropped",
    )


def test_hf_object_keywords_string_is_one_keyword_not_letters() -> None:
    """ai_keywords given as one string is that keyword, not its letters."""
    text = json.dumps(
        {"paper": {"id": "2401.00001", "title": "T", "ai_keywords": "graph learning"}}
    )
    assert parse_json(text, "x.json").papers[0].keywords == ("graph learning",)


def test_error_answer_holding_nested_values_is_named_safely() -> None:
    """A service's error answer whose error is deeply nested is an InputError, not a RecursionError."""
    text = '{"error": {"detail": ' + "[" * 900 + "]" * 900 + "}}"
    with pytest.raises(InputError, match="an error answer of a web service"):
        parse_json(text, "x.json")


def test_bibtex_string_concatenation_is_resolved(tmp_path: Path) -> None:
    """``title = foo # " bar"`` is the macro's text joined with the rest, in a build too."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        '@string{foo = "Graph"}\n'
        "@string{venue = {Proc. } # foo # { Workshop}}\n"
        '@article{a, title = foo # " Learning at Scale", journal = venue, year = 2024}\n'
        '@article{b, title = "Routing " # {Tiny} # " Models", month = jan # "~15", year = 2024}\n'
        '@article{c, title = nosuchmacro # " Survives"}\n',
        encoding="utf-8",
    )
    result = parse_bibtex(bib.read_text(encoding="utf-8"), str(bib))
    assert [p.title for p in result.papers] == [
        "Graph Learning at Scale",
        "Routing Tiny Models",
        "Survives",
    ]
    assert result.skipped == (f"{bib}:5: entry 'c' uses undefined @string 'nosuchmacro'; left out",)
    code, errors, skipped = _build(tmp_path, bib)
    assert code == 3, errors
    assert skipped == [f"Skipped: {result.skipped[0]}"]
    assert _query(tmp_path / "db.duckdb", "SELECT title FROM papers ORDER BY title") == [
        ("Graph Learning at Scale",),
        ("Routing Tiny Models",),
        ("Survives",),
    ]
