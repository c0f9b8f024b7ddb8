"""End-to-end tests of `paperweb build` through the CLI on the real corpus and on test pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import GRAPH_TABLES, open_store
from paperweb.cli import app
from tests.conftest import CORPUS_PAGES

runner = CliRunner()


def _build(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["build", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with open_store(db, read_only=True) as store:
        return {t: sorted(store.query(f'SELECT * FROM "{t}"'), key=repr) for t in GRAPH_TABLES}


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once from the three corpus pages."""
    tmp = tmp_path_factory.mktemp("corpus")
    code, _, err = _build(
        CORPUS_PAGES["000"].parent, "--db", tmp / "db.duckdb", "--out", tmp / "out"
    )
    assert code == 0, err
    return tmp / "db.duckdb"


def test_build_corpus_counts(corpus: Path, corpus_db: Path) -> None:
    """The corpus gives 401 papers, 411 sources, and 85 papers with 85 link targets (65 repos)."""
    with open_store(corpus_db, read_only=True) as store:
        assert store.count("papers") == 401
        assert store.count("paper_sources") == 39 + 282 + 90
        assert store.query(
            "SELECT count(DISTINCT paper_id), count(DISTINCT target) FROM links"
        ) == [(85, 85)]
        assert store.query(
            "SELECT count(DISTINCT target) FROM links WHERE kind = 'repo' AND target LIKE 'github.com/%'"
        ) == [(65,)]


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("github.com/rayleizhu/biformer", "repo"),
        ("github.com/skyhehe123/scatterformer", "repo"),
        ("github.com/facebookresearch/alma", "repo"),
        ("anonymous.4open.science/r/bib-iclr2023-submission", "repo"),
        ("roahmlab.github.io/DEFT", "page"),
        ("abcrown.org", "page"),
        ("bit.ly/3zdVqcg", "short"),
    ],
)
def test_build_corpus_link_targets(corpus: Path, corpus_db: Path, target: str, kind: str) -> None:
    """Noisy corpus URLs come out as their canonical targets."""
    with open_store(corpus_db, read_only=True) as store:
        assert store.query("SELECT DISTINCT kind FROM links WHERE target = ?", [target]) == [
            (kind,)
        ]


def test_build_corpus_owner_joins_repos(corpus: Path, corpus_db: Path) -> None:
    """thu-ml's GNOT and NUNO repos both point to the owner node github.com/thu-ml."""
    with open_store(corpus_db, read_only=True) as store:
        repos = store.query(
            "SELECT src FROM edges WHERE kind = 'owner' AND dst = 'github.com/thu-ml' ORDER BY src"
        )
        assert [r[0] for r in repos] == ["github.com/thu-ml/gnot", "github.com/thu-ml/nuno"]
        assert store.query("SELECT kind FROM nodes WHERE node_id = 'github.com/thu-ml'") == [
            ("owner",)
        ]


def test_build_twice_gives_identical_tables(corpus: Path, tmp_path: Path, corpus_db: Path) -> None:
    """Rebuilding from the same inputs changes nothing, whatever the input order."""
    db = tmp_path / "again.duckdb"
    pages = [CORPUS_PAGES[k] for k in ("004", "000", "003")]
    assert _build(*pages, "--db", db, "--out", tmp_path)[0] == 0
    assert _build(*pages, "--db", db, "--out", tmp_path)[0] == 0
    assert _tables(db) == _tables(corpus_db)


def test_build_a_then_ab_equals_ab(corpus: Path, tmp_path: Path, corpus_db: Path) -> None:
    """Building A and then A+B gives the same tables as building A+B at once."""
    db = tmp_path / "ab.duckdb"
    assert _build(CORPUS_PAGES["000"], "--db", db, "--out", tmp_path)[0] == 0
    assert _build(*CORPUS_PAGES.values(), "--db", db, "--out", tmp_path)[0] == 0
    assert _tables(db) == _tables(corpus_db)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"<!doctype html><html><head><title>x</title></head></html>", "HTML"),
        (b"just some notes\nabout nothing in particular\n", "not a Hugging Face"),
        ("caf\xe9".encode("latin-1") * 10, "not UTF-8"),
    ],
    ids=["empty", "binary", "html", "random-text", "latin1"],
)
def test_build_bad_input_leaves_database_unchanged(
    tmp_path: Path, rich_page: Path, content: bytes, problem: str
) -> None:
    """A lone bad file gives one Error line naming it, exit 1, and the previous database
    intact; beside another input it is named once with its problem, skipped, and exit 3."""
    db = tmp_path / "db.duckdb"
    assert _build(rich_page, "--db", db, "--out", tmp_path)[0] == 0
    before = _tables(db)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, out, err = _build(bad, "--db", db, "--out", tmp_path)
    assert code == 1
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("Error: ")
        and str(bad) in lines[0]
        and problem in lines[0]
    )
    assert out == ""
    assert _tables(db) == before
    code, _, err = _build(rich_page, bad, "--db", db, "--out", tmp_path)
    assert code == 3
    [named] = [line for line in err.splitlines() if str(bad) in line]
    assert named.startswith(f"Skipped: {bad}: ") and problem in named
    assert _tables(db) == before


def test_build_missing_input(tmp_path: Path) -> None:
    """A missing input path is a one-line error."""
    code, _, err = _build(tmp_path / "nope.txt", "--db", tmp_path / "db.duckdb")
    assert code == 1 and "no such file" in err and err.count("\n") == 1


def test_build_cut_page_reports_skipped(tmp_path: Path, rich_page: Path) -> None:
    """A page cut off mid-paper builds the complete papers and exits 3 naming what was dropped."""
    text = rich_page.read_text(encoding="utf-8")
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.index("no author block")], encoding="utf-8")
    code, _, err = _build(cut, "--db", tmp_path / "db.duckdb", "--out", tmp_path)
    assert code == 3
    assert "Skipped:" in err and "A Paper Without Metadata" in err
    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        assert store.count("papers") == 2


def test_build_layouts_deduplicate(tmp_path: Path, rich_page: Path, compact_page: Path) -> None:
    """A paper in both layouts is one row with both sources and the rich metadata."""
    db = tmp_path / "db.duckdb"
    assert _build(rich_page, compact_page, "--db", db, "--out", tmp_path)[0] == 0
    with open_store(db, read_only=True) as store:
        assert store.count("papers") == 4
        row = store.query(
            "SELECT p.authors, p.upvotes, count(*) FROM papers p JOIN paper_sources s USING (paper_id) "
            "WHERE p.title = 'Sparse Routing for Tiny Graph Transformers' GROUP BY ALL"
        )
        assert row == [(4, 12, 2)]


def test_build_folder_input(tmp_path: Path, rich_page: Path) -> None:
    """A folder input reads every .txt below it."""
    sub = tmp_path / "pages" / "nested"
    sub.mkdir(parents=True)
    shutil.copy(rich_page, sub / "one.txt")
    (tmp_path / "pages" / "ignored.md").write_text("not read", encoding="utf-8")
    code, _, err = _build(tmp_path / "pages", "--db", tmp_path / "db.duckdb", "--out", tmp_path)
    assert code == 0, err
