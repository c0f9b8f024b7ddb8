"""`paperweb build` over mixed input kinds: one de-duplicated graph, provenance, online inputs."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import paperweb.cli
from collectors.listing import parse_listing_page
from graph.store import open_store
from paperweb.cli import app
from tests.conftest import CORPUS_PAGES, RICH_PAGE
from tests.fake_hub import FakeArxiv, FakeHub, hf_paper

runner = CliRunner()

IDS_TXT = """# papers to read
2506.22712
https://arxiv.org/abs/2401.00001v2
hep-th/9901001
"""
REFS_BIB = r"""@article{routing,
  title = {{{S}parse {R}outing for {T}iny {G}raph {T}ransformers}},
  author = {Doe, Jane and Roe, Rick},
  year = 2024, month = feb,
  eprint = {2401.00001}, archivePrefix = {arXiv},
}
@misc{koop,
  title = {Koopman Operators Meet Spectral Graph Learning},
  howpublished = {\url{https://example-lab.github.io/koopgraph/}},
}
"""
JSONL = [
    {"paper": hf_paper("2506.22712", "Mode Connectivity in Tiny Models", githubRepo="m/c")},
    {"title": "A Paper Without Metadata", "links": ["https://example.org/extra/"]},
    {"title": "Only In The JSONL File", "arxiv_id": "2402.00003"},
]


def _build(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["build", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as store:
        return store.query(sql)


SOURCES_BY_TITLE = (
    "SELECT p.title, p.arxiv_id, list(DISTINCT s.source ORDER BY s.source) FROM papers p "
    "JOIN paper_sources s USING (paper_id) GROUP BY ALL ORDER BY p.title"
)


@pytest.fixture
def mixed(tmp_path: Path) -> list[Path]:
    """An id list, a BibTeX file, a listing page and a JSONL file that overlap."""
    files = {
        "ids.txt": IDS_TXT,
        "refs.bib": REFS_BIB,
        "page.txt": RICH_PAGE,
        "papers.jsonl": "".join(json.dumps(obj) + "\n" for obj in JSONL),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [tmp_path / name for name in files]


def test_build_mixed_kinds_is_one_deduplicated_graph(tmp_path: Path, mixed: list[Path]) -> None:
    """ids + bib + page + jsonl: overlapping papers are one row each, every source recorded."""
    db = tmp_path / "db.duckdb"
    code, _, err = _build(*mixed, "--db", db, "--out", tmp_path / "out")
    assert code == 0, err
    names = {p.name: str(p) for p in mixed}
    assert _query(db, SOURCES_BY_TITLE) == [
        ("A Paper Without Metadata", None, sorted([names["page.txt"], names["papers.jsonl"]])),
        (
            "Koopman Operators Meet Spectral Graph Learning",
            None,
            sorted([names["page.txt"], names["refs.bib"]]),
        ),
        (
            "Mode Connectivity in Tiny Models",
            "2506.22712",
            sorted([names["ids.txt"], names["papers.jsonl"]]),
        ),
        ("Only In The JSONL File", "2402.00003", [names["papers.jsonl"]]),
        (
            "Sparse Routing for Tiny Graph Transformers",
            "2401.00001",
            sorted([names["ids.txt"], names["page.txt"], names["refs.bib"]]),
        ),
        ("arXiv:hep-th/9901001", "hep-th/9901001", [names["ids.txt"]]),
    ]
    # The page's date (to the day) wins over BibTeX's month; links from every kind are kept.
    assert (
        str(_query(db, "SELECT published FROM papers WHERE arxiv_id = '2401.00001'")[0][0])
        == "2024-02-02"
    )
    assert _query(db, "SELECT DISTINCT origin FROM links ORDER BY 1") == [
        ("abstract",),
        ("bibtex",),
        ("hf",),
        ("json",),
    ]


def test_build_mixed_kinds_ignores_input_order(tmp_path: Path, mixed: list[Path]) -> None:
    """The same inputs in another order give the same papers and sources."""
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert _build(*mixed, "--db", first, "--out", tmp_path / "a")[0] == 0
    assert _build(*reversed(mixed), "--db", second, "--out", tmp_path / "b")[0] == 0
    sql = "SELECT * FROM papers ORDER BY paper_id"
    assert _query(first, sql) == _query(second, sql)


def test_build_id_only_papers_have_placeholder_titles(tmp_path: Path) -> None:
    """Offline, an id list builds papers titled arXiv:<id>; the placeholder gives no keywords."""
    ids = tmp_path / "ids.txt"
    ids.write_text(IDS_TXT, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    code, _, err = _build(ids, "--db", db, "--out", tmp_path / "out")
    assert code == 0, err
    assert _query(db, "SELECT title, arxiv_id FROM papers ORDER BY arxiv_id") == [
        ("arXiv:2401.00001", "2401.00001"),
        ("arXiv:2506.22712", "2506.22712"),
        ("arXiv:hep-th/9901001", "hep-th/9901001"),
    ]
    assert _query(db, "SELECT count(*) FROM keywords") == [(0,)]
    assert "arXiv:2506.22712" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_build_bib_title_with_latex_merges_with_corpus_page(tmp_path: Path, corpus: Path) -> None:
    """A corpus paper's title written in BibTeX with braces and an accent merges with the page."""
    page = CORPUS_PAGES["003"]
    papers = parse_listing_page(page.read_text(encoding="utf-8"), str(page)).papers
    title = next(
        p.title for p in papers if re.fullmatch(r"[A-Za-z0-9 :\-]+", p.title) and "e" in p.title
    )
    words = title.replace("e", "{\\'e}", 1).split(" ")
    latex = "{{" + " ".join(f"{{{w}}}" if w[:1].isupper() else w for w in words) + "}}"
    bib = tmp_path / "refs.bib"
    bib.write_text(
        f"@article{{x,\n  title = {latex},\n  eprint = {{2501.00042}}\n}}\n", encoding="utf-8"
    )
    db = tmp_path / "db.duckdb"
    code, _, err = _build(page, bib, "--db", db, "--out", tmp_path / "out")
    assert code == 0, err
    assert _query(db, "SELECT count(*) FROM papers") == [(len(papers),)]
    assert _query(
        db,
        "SELECT p.title, p.arxiv_id, list(s.source ORDER BY s.source) FROM papers p "
        "JOIN paper_sources s USING (paper_id) WHERE p.arxiv_id = '2501.00042' GROUP BY ALL",
    ) == [(title, "2501.00042", sorted([str(page), str(bib)]))]


def test_build_reports_skipped_entries_with_exit_3(tmp_path: Path) -> None:
    """Bad lines in an id list, a BibTeX file and a JSONL file are listed and exit 3."""
    (tmp_path / "ids.txt").write_text("2506.22712\nnot-an-id\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text(REFS_BIB + "@misc{koop, title={Again}}\n", encoding="utf-8")
    (tmp_path / "papers.jsonl").write_text('{"title": "Fine"}\n{oops\n', encoding="utf-8")
    code, _, err = _build(tmp_path, "--db", tmp_path / "db.duckdb", "--out", tmp_path / "out")
    assert code == 3
    skipped = sorted(line for line in err.splitlines() if line.startswith("Skipped: "))
    assert skipped == [
        f"Skipped: {tmp_path / 'ids.txt'}:2: 'not-an-id' is not an arXiv id or URL",
        f"Skipped: {tmp_path / 'papers.jsonl'}:2: not a JSON object (Expecting property name "
        "enclosed in double quotes)",
        f"Skipped: {tmp_path / 'refs.bib'}:11: duplicate BibTeX key 'koop' (first used at "
        "line 7); first entry kept",
    ]


def test_build_format_forces_kind(tmp_path: Path) -> None:
    """--format reads a file as the given kind; an unknown kind is one Error line."""
    odd = tmp_path / "list.dat"
    odd.write_text('{"title": "A"}\n', encoding="utf-8")
    db = tmp_path / "db.duckdb"
    assert _build(odd, "--format", "jsonl", "--db", db, "--out", tmp_path)[0] == 0
    code, _, err = _build(odd, "--format", "xml", "--db", db)
    assert code == 1 and err.startswith("Error: --format 'xml' is unknown")


@pytest.mark.parametrize(
    "args",
    [
        ["--query", "graphs"],
        ["--daily", "2025-06-27"],
        ["--daily-range", "2025-06-01", "2025-06-02"],
    ],
)
def test_build_queries_need_online(tmp_path: Path, args: list[str]) -> None:
    """Query options without --online are a one-line usage error (exit 2)."""
    code, out, err = _build(*args, "--db", tmp_path / "db.duckdb")
    assert (code, out) == (2, "")
    assert err == "Error: --query, --daily and --daily-range need --online\n"


def test_build_without_inputs_is_usage_error(tmp_path: Path) -> None:
    """No files and no queries: nothing to build."""
    code, _, err = _build("--db", tmp_path / "db.duckdb")
    assert code == 2 and err.startswith("Error: nothing to build")


@pytest.fixture
def fake_online(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """Point the CLI's client factories at a fake HF (20 papers, a search) and an empty arXiv."""
    hub = FakeHub(
        papers={
            f"2506.{n:05d}": hf_paper(f"2506.{n:05d}", f"Full paper {n}", githubRepo=f"o{n}/r{n}")
            for n in range(1, 21)
        },
        search_results=[hf_paper("2505.00001", "Linear Mode Connectivity Revisited")],
    )
    arxiv = FakeArxiv()

    def dispatch(request: httpx.Request) -> httpx.Response:
        return (arxiv.handle if request.url.host == "export.arxiv.org" else hub.handle)(request)

    monkeypatch.setattr(paperweb.cli, "_http_transport", lambda: httpx.MockTransport(dispatch))
    return hub


def test_build_online_completes_20_ids(tmp_path: Path, fake_online: FakeHub) -> None:
    """With --online an id list of 20 ids becomes 20 full papers with their repo links."""
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"https://arxiv.org/abs/2506.{n:05d}v1\n" for n in range(1, 21)))
    db = tmp_path / "db.duckdb"
    code, _, err = _build(ids, "--online", "--db", db, "--out", tmp_path / "out")
    assert code == 0, err
    assert _query(
        db,
        "SELECT count(*), count(DISTINCT l.target), min(p.authors), bool_and(p.title LIKE 'Full paper %') "
        "FROM papers p JOIN links l USING (paper_id) WHERE l.kind = 'repo'",
    ) == [(20, 20, 3, True)]
    assert _query(db, "SELECT DISTINCT source FROM paper_sources") == [(str(ids),)]


def test_build_online_query_recorded_as_source(tmp_path: Path, fake_online: FakeHub) -> None:
    """A --query build stores the query as the papers' source."""
    db = tmp_path / "db.duckdb"
    code, _, err = _build(
        "--online",
        "--query",
        "linear mode connectivity",
        "--limit",
        "5",
        "--db",
        db,
        "--out",
        tmp_path,
    )
    assert code == 0, err
    assert _query(
        db,
        "SELECT p.title, s.source, s.position FROM papers p JOIN paper_sources s USING (paper_id)",
    ) == [("Linear Mode Connectivity Revisited", "hf-search:linear mode connectivity", 1)]
    assert fake_online.requests[0].url.params["limit"] == "5"


def test_build_online_service_down_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused connection ends the build with one Error line naming the service."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    monkeypatch.setattr(paperweb.cli, "_http_transport", lambda: httpx.MockTransport(refuse))
    monkeypatch.setenv("PAPERWEB_HF_URL", "https://hf.test")
    monkeypatch.setenv("PAPERWEB_HTTP_TRIES", "1")
    code, _, err = _build("--online", "--query", "x", "--db", tmp_path / "db.duckdb")
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: https://hf.test/api/papers/search: request failed (connection refused); "
        "check the network"
    ]


def test_build_folder_skips_unusable_files_with_exit_3(tmp_path: Path) -> None:
    """In a folder, an empty day, an error answer and a day of repr strings are each named
    once, skipped, and the rest is built (exit 3)."""
    days = tmp_path / "days"
    days.mkdir()
    good = [{"paper": hf_paper("2506.22712", "Mode Connectivity in Tiny Models")}]
    (days / "2025-01-01.json").write_text(json.dumps(good), encoding="utf-8")
    (days / "2025-01-02.json").write_text("[]", encoding="utf-8")
    (days / "2025-01-03.json").write_text('{"error": "Invalid date"}', encoding="utf-8")
    (days / "2025-01-04.json").write_text(
        json.dumps(["{'paper': {'id': '2501.00001'}}"] * 3), encoding="utf-8"
    )
    db = tmp_path / "db.duckdb"
    code, _, err = _build(days, "--db", db, "--out", tmp_path / "out")
    assert code == 3
    skipped = [line for line in err.splitlines() if line.startswith("Skipped: ")]
    assert [line.split(": ")[1] for line in skipped] == [
        str(days / f"2025-01-0{n}.json") for n in (2, 3, 4)
    ]
    assert _query(db, "SELECT arxiv_id FROM papers") == [("2506.22712",)]


def test_build_lone_unusable_input_stays_an_error(tmp_path: Path) -> None:
    """A single unusable input is one Error line and exit 1."""
    day = tmp_path / "2025-01-02.json"
    day.write_text("[]", encoding="utf-8")
    code, _, err = _build(day, "--db", tmp_path / "db.duckdb", "--out", tmp_path / "out")
    assert code == 1
    assert err.strip() == f"Error: {day}: JSON array is empty; expected papers"


def test_build_several_inputs_all_unusable_is_an_error(tmp_path: Path) -> None:
    """When no input gives a paper, the build is an error naming the first reason."""
    (tmp_path / "a.json").write_text("[]", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("{oops\n", encoding="utf-8")
    code, _, err = _build(tmp_path / "a.json", tmp_path / "b.jsonl", "--db", tmp_path / "db.duckdb")
    assert code == 1 and err.startswith("Error: no usable input among 2 files")


def test_build_bib_macros_in_a_separate_file(tmp_path: Path) -> None:
    """A strings-only .bib beside the bibliography that uses it serves its macros."""
    folder = tmp_path / "bib"
    folder.mkdir()
    (folder / "strings.bib").write_text(
        '@string{doeroe = "Doe, Jane and Roe, Rick"}\n', encoding="utf-8"
    )
    (folder / "refs.bib").write_text(
        "@article{a, title = {Macro Authors}, author = doeroe, year = 2024}\n", encoding="utf-8"
    )
    db = tmp_path / "db.duckdb"
    code, _, err = _build(folder, "--db", db, "--out", tmp_path / "out")
    assert code == 0, err
    assert _query(db, "SELECT title, authors FROM papers") == [("Macro Authors", 2)]


def test_build_arxiv_snapshot_stores_categories_and_doi(tmp_path: Path) -> None:
    """Snapshot records keep their categories and DOI in the papers table."""
    record = {
        "id": "0704.0999",
        "title": "Spectra of Invented Graphs",
        "abstract": "We study invented graphs.",
        "authors": "A. Example and B. Sample",
        "authors_parsed": [["Example", "A.", ""], ["Sample", "B.", ""]],
        "categories": "math.PR cs.DM",
        "doi": "10.1000/inv.1",
        "journal-ref": None,
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13",
    }
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    path.write_text(
        json.dumps(record)
        + "\n"
        + json.dumps(record | {"id": "0704.1000", "title": "Another"})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "db.duckdb"
    assert _build(path, "--db", db, "--out", tmp_path / "out")[0] == 0
    assert _query(
        db, "SELECT arxiv_id, authors, published, doi, categories FROM papers ORDER BY arxiv_id"
    )[0] == ("0704.0999", 2, date(2007, 4, 2), "10.1000/inv.1", ["math.PR", "cs.DM"])


CORPUS_HF = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-hf"


@pytest.mark.skipif(not CORPUS_HF.is_dir(), reason="corpus-hf not found")
def test_read_inputs_corpus_hf_keeps_every_usable_paper() -> None:
    """The daily archive reads as one folder: each unusable day named once, every paper of the
    other days kept."""
    from collectors.corpus import read_inputs

    usable: dict[str, int] = {}
    unusable: set[str] = set()
    for day in sorted(CORPUS_HF.glob("*.json")):
        items = json.loads(day.read_text(encoding="utf-8"))
        if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
            usable[str(day)] = len(items)
        else:
            unusable.add(str(day))
    papers, skipped, files = read_inputs([CORPUS_HF])
    assert files == len(usable) + len(unusable)
    assert unusable and sorted(line.split(": ")[0] for line in skipped) == sorted(unusable)
    assert len(papers) == sum(usable.values())
    assert {p.source for p in papers} == set(usable)
