"""The command line as people expect it: pipes, names, ids, kinds, versions, help, rebuilds, progress."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

import paperweb
import paperweb.cli
import paperweb.cli.display
import paperweb.cli.options
import paperweb.cli.rows
from collectors.titles import normalise_title
from graph.store import open_store
from paperweb.cli import app
from tests.conftest import REPO

runner = CliRunner()
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]

TITLES = {
    "p1": "Operator Learning",
    "p2": "Operator Learning at Scale: Kernels, Grids and the Long Tail of PDE Benchmarks",
    "p3": "Neural Operators",
    "p4": "Cooperators in Games",
    "p5": "Operatorial Calculus",
    "p6": "Kernel-X: Fast Kernels",
    "p7": "Kernel-X Revisited for Fast Kernels",
}
EVIDENCE = "shares keywords: operator learning, neural operator, kernel, grid, benchmark (+9 more)"
EDGES = [
    ("p1", "p2", "similar", 0.9, EVIDENCE),
    ("p1", "p3", "similar", 0.4, "shares keywords: operator"),
    ("p2", "github.com/lab/ops", "code", 1.0, "links https://github.com/lab/ops (from abstract)"),
    (
        "github.com/lab/ops",
        "github.com/lab",
        "owner",
        1.0,
        "github.com/lab/ops belongs to github.com/lab",
    ),
    ("p3", "keyword:operator", "keyword", 0.5, "appears in title"),
]
NODES = [
    *((pid, "paper", title) for pid, title in TITLES.items()),
    ("github.com/lab/ops", "repo", "lab/ops"),
    ("github.com/lab", "owner", "lab"),
    ("keyword:operator", "keyword", "operator"),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Four papers written by hand (one title inside another, one word inside another), a repo,
    its owner and a keyword; pagerank for papers and the repo, degree for the keyword."""
    path = tmp_path / "cli.duckdb"
    with open_store(path) as store:
        store.insert_columns(
            "papers",
            {
                "paper_id": list(TITLES),
                "title": list(TITLES.values()),
                "arxiv_id": ["2401.00001"] + [None] * (len(TITLES) - 1),
            },
        )
        store.insert_columns(
            "nodes",
            {
                "node_id": [n[0] for n in NODES],
                "kind": [n[1] for n in NODES],
                "label": [n[2] for n in NODES],
                "url": [None] * len(NODES),
            },
        )
        store.insert_columns(
            "edges",
            {
                name: [e[i] for e in EDGES]
                for i, name in enumerate(["src", "dst", "kind", "weight", "evidence"])
            },
        )
        store.insert_columns(
            "metrics",
            {
                "node_id": ["p1", "p2", "p3", "p4", "github.com/lab/ops", "keyword:operator"],
                "metric": ["pagerank"] * 5 + ["degree"],
                "value": [0.4, 0.3, 0.2, 0.05, 0.05, 1.0],
            },
        )
    return path


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


# 1. piped output


def test_rows_in_a_pipe_are_tab_separated_with_full_values(db: Path) -> None:
    """Out of a terminal: a header line, then one line per record with every value whole."""
    code, out, _ = _run("neighbors", "p1", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "neighbor",
        "node_kind",
        "edge",
        "weight",
        "evidence",
        "neighbor_id",
    ]
    rows = [line.split("\t") for line in lines[1:]]
    assert rows == [
        [TITLES["p2"], "paper", "similar", "0.9", EVIDENCE, "p2"],
        [TITLES["p3"], "paper", "similar", "0.4", "shares keywords: operator", "p3"],
    ]


def test_rows_in_a_pipe_keep_one_record_a_line(db: Path) -> None:
    """Tabs and line breaks inside a value become spaces, so a record stays one line."""
    code, out, _ = _run(
        "sql", "SELECT 'a' || chr(9) || 'b' || chr(10) || 'c' AS v, 2 AS n", "--db", db
    )
    assert code == 0 and out.splitlines() == ["v\tn", "a b c\t2"]


def test_rows_in_a_terminal_are_a_table(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal the rows are a rich table (box-drawn), not tab-separated lines."""
    monkeypatch.setattr(paperweb.cli.rows, "_stdout_is_terminal", lambda: True)
    code, out, _ = _run("top", "--db", db)
    assert code == 0 and "┃" in out and "\t" not in out and "Operator Learning" in out


def test_neighbors_json_and_csv_carry_neighbour_ids(db: Path) -> None:
    """--json and --csv stay as they were, with each neighbour's node id added."""
    code, out, _ = _run("neighbors", "p1", "--db", db, "--json")
    assert code == 0
    assert [(r["neighbor_id"], r["evidence"]) for r in json.loads(out)] == [
        ("p2", EVIDENCE),
        ("p3", "shares keywords: operator"),
    ]
    code, out, _ = _run("neighbors", "p1", "--db", db, "--csv")
    assert (
        code == 0 and out.splitlines()[0] == "neighbor,node_kind,edge,weight,evidence,neighbor_id"
    )


def test_neighbors_piped_through_grep_find_whole_titles(corpus_build: Path) -> None:
    """`paperweb neighbors X | grep TITLE` (stdout a pipe) finds each neighbour's full title on one line."""
    db = corpus_build / "db.duckdb"
    command = [
        sys.executable,
        "-m",
        "paperweb",
        "neighbors",
        "I-ViT",
        "--db",
        str(db),
        "--limit",
        "10",
    ]
    found = json.loads(
        subprocess.run([*command, "--json"], capture_output=True, check=True, cwd=REPO).stdout
    )
    assert found
    longest = max(found, key=lambda r: len(r["neighbor"]))
    producer = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO
    )
    grep = subprocess.run(
        ["grep", "-F", "--", longest["neighbor"]],
        stdin=producer.stdout,
        capture_output=True,
        check=False,
    )
    assert producer.stdout is not None
    producer.stdout.close()
    assert producer.wait() == 0 and grep.returncode == 0
    lines = grep.stdout.decode("utf-8").splitlines()
    assert [line.split("\t") for line in lines] == [
        [
            longest["neighbor"],
            longest["node_kind"],
            longest["edge"],
            str(longest["weight"]),
            longest["evidence"],
            longest["neighbor_id"],
        ]
    ]


# 2. ambiguous names


def test_ambiguous_name_lists_candidates_best_first_with_ids(db: Path) -> None:
    """Words in several titles: the candidates (whole words before a word cut short, titles
    starting with them before others, then shorter titles), each with ids; exit 1. A word
    that only sits inside another word ("Cooperators") is no match."""
    code, out, err = _run("neighbors", "operator", "--db", db)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("Error: 'operator' matches 4 papers")
    assert [line.split(None, 2) for line in lines[1:]] == [
        ["p1", "2401.00001", TITLES["p1"]],
        ["p2", "-", TITLES["p2"]],
        ["p5", "-", TITLES["p5"]],
        ["p3", "-", TITLES["p3"]],
    ]


def test_exact_title_wins_over_longer_titles(db: Path) -> None:
    """A name equal to one title picks it, though another title starts with it too."""
    code, _, err = _run("neighbors", "operator learning", "--db", db)
    assert code == 0 and err.startswith(f"{TITLES['p1']} (p1):")


def test_name_before_the_colon_counts_as_the_title(db: Path) -> None:
    """'Kernel-X' names "Kernel-X: Fast Kernels", though another title starts with it too;
    words both titles have stay ambiguous."""
    code, _, err = _run("neighbors", "Kernel-X", "--db", db)
    assert code == 0 and err.startswith(f"{TITLES['p6']} (p6)")
    code, _, err = _run("neighbors", "fast kernels", "--db", db)
    assert code == 1 and [line.split()[0] for line in err.splitlines()[1:]] == ["p6", "p7"]


def test_unique_words_find_their_paper(db: Path) -> None:
    """Words only one title has find that paper."""
    code, _, err = _run("neighbors", "cooperators", "--db", db)
    assert code == 0 and err.startswith(f"{TITLES['p4']} (p4) has no")


def test_corpus_ambiguous_names_list_candidates(corpus_build: Path) -> None:
    """On the real corpus, 'linear mode connectivity' and 'operator' name several papers: listed, exit 1."""
    for name in ["linear mode connectivity", "operator"]:
        code, out, err = _run("neighbors", name, "--db", corpus_build / "db.duckdb")
        assert code == 1 and out == ""
        candidates = [
            line.split(None, 2)
            for line in err.splitlines()[1:]
            if not line.strip().startswith("...")
        ]
        assert len(candidates) > 1
        for paper_id, _, title in candidates:
            assert re.fullmatch(r"p[0-9a-f]{16}", paper_id)
            assert normalise_title(name) in normalise_title(title)


# 3. ids


@pytest.mark.parametrize(
    ("name", "header", "neighbour_ids"),
    [
        ("p2", TITLES["p2"] + " (p2)", ["p1"]),
        ("arXiv:2401.00001v2", TITLES["p1"] + " (p1)", ["p2", "p3"]),
        ("github.com/lab/ops", "lab/ops (github.com/lab/ops)", ["github.com/lab", "p2"]),
        ("github.com/lab", "lab (github.com/lab)", ["github.com/lab/ops"]),
        ("keyword:operator", "operator (keyword:operator)", ["p3"]),
    ],
)
def test_neighbors_accepts_paper_and_node_ids(
    db: Path, name: str, header: str, neighbour_ids: list[str]
) -> None:
    """Paper ids, arXiv ids and node ids of repos, owners and keywords all name a node."""
    code, out, err = _run("neighbors", name, "--db", db, "--json")
    assert code == 0, err
    assert err.startswith(header)
    assert sorted(r["neighbor_id"] for r in json.loads(out)) == neighbour_ids


def test_neighbors_finds_a_node_by_its_label(db: Path) -> None:
    """A name no title has, but one repo, owner or keyword is labelled with, names that node."""
    code, _, err = _run("neighbors", "LAB/OPS", "--db", db)
    assert code == 0 and err.startswith("lab/ops (github.com/lab/ops): 2 connection(s)")


def test_path_accepts_paper_ids_and_refuses_other_nodes(db: Path) -> None:
    """path takes paper ids; a repo id gets a line saying it is not a paper."""
    code, out, _ = _run("path", "p2", "p3", "--db", db)
    assert (
        code == 0 and out.splitlines()[0] == TITLES["p2"] and out.splitlines()[-1] == TITLES["p3"]
    )
    code, _, err = _run("path", "p2", "github.com/lab/ops", "--db", db)
    assert code == 1 and "is a repo node, not a paper" in err


# 4. kinds


@pytest.mark.parametrize(
    ("args", "valid"),
    [
        (
            ["neighbors", "p1", "--kind", "similiar"],
            "code, page, owner, keyword, similar, shared_code, cites",
        ),
        (["neighbors", "p1", "--kind", ""], "similar"),
        (["path", "p1", "p2", "--kind", "similar,citez"], "cites"),
        (["top", "--kind", "papers"], "paper, repo, owner, page, keyword"),
        (["top", "--metric", "pagernk"], "pagerank, betweenness"),
        (["view", "--kinds", "paper,repos"], "paper, repo, owner, page, keyword"),
        (["export", "--format", "xlsx"], "graphml, gexf, json, csv, parquet"),
        (["report", "--format", "html"], "md, json, csv"),
    ],
)
def test_unknown_kind_is_a_usage_error_listing_valid_kinds(
    db: Path, tmp_path: Path, args: list[str], valid: str
) -> None:
    """An unknown kind, metric or format: one Error line with the valid values, exit 2, no output."""
    code, out, err = _run(
        *args,
        "--db",
        db,
        *(["--out", str(tmp_path / "x")] if args[0] in ("view", "export", "report") else []),
    )
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and err.count("\n") == 1 and valid in err


def test_unknown_kind_names_the_likely_one(db: Path) -> None:
    """A misspelt kind gets a suggestion."""
    assert "did you mean 'similar'?" in _run("neighbors", "p1", "--kind", "similiar", "--db", db)[2]


def test_top_ranks_papers_unless_asked_for_every_kind(db: Path) -> None:
    """`top` answers "which papers are central"; a repo with a pagerank joins only with --kind all."""
    code, out, _ = _run("top", "--db", db, "--json")
    assert code == 0 and [r["node_id"] for r in json.loads(out)] == ["p1", "p2", "p3", "p4"]
    code, out, _ = _run("top", "--kind", "all", "--db", db, "--json")
    ranked = {r["node_id"]: r["kind"] for r in json.loads(out)}
    assert code == 0 and ranked["github.com/lab/ops"] == "repo" and len(ranked) == 5


def test_valid_kind_with_nothing_to_show_says_so(db: Path) -> None:
    """A kind that exists but has no rows: a line saying why, the header only, exit 0."""
    code, out, err = _run("top", "--kind", "keyword", "--db", db)
    assert code == 0 and out.splitlines() == ["rank\tlabel\tkind\tpagerank\tnode_id"]
    assert err.strip() == "no keyword node has a pagerank value; metrics of keyword nodes: degree"
    code, out, err = _run("top", "--kind", "page", "--db", db, "--json")
    assert code == 0 and json.loads(out) == [] and "no page nodes" in err
    code, out, err = _run("top", "--metric", "betweenness", "--kind", "all", "--db", db)
    assert (
        code == 0 and "no node has a betweenness value; the database has: degree, pagerank" in err
    )
    code, out, err = _run("neighbors", "p4", "--kind", "cites", "--db", db)
    assert code == 0 and err.strip() == f"{TITLES['p4']} (p4) has no cites connections"


# 5. version and help


def test_version_comes_from_the_package_metadata() -> None:
    """--version prints the installed distribution's version, the one paperweb.__version__ holds."""
    code, out, _ = _run("--version")
    assert code == 0 and out == f"paperweb {version('paperweb')}\n"
    assert paperweb.__version__ == version("paperweb")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_readable_metavars_and_an_example(command: str) -> None:
    """Help names values PATH, N, KIND, ... and never Python types (<bool>, <list[Path]>, <int range>)."""
    code, out, _ = _run(*([command] if command else []), "--help")
    assert code == 0
    assert not re.search(r"<(bool|str|int|path|list|float|tuple)\b", out, re.IGNORECASE), out
    assert "Example" in out


def test_build_help_uses_the_metavars_people_read() -> None:
    """build's help shows INPUT, PATH, DIR, N, KIND, TEXT and DATE."""
    out = _run("build", "--help")[1]
    for metavar in ["INPUT", "PATH", "DIR", " N ", "KIND", "TEXT", "DATE", "START END"]:
        assert metavar in out


# 6. rebuilds


def test_rebuild_says_what_it_replaced(tmp_path: Path, rich_page: Path, compact_page: Path) -> None:
    """A first build replaces nothing; a rebuild names the database and both paper counts."""
    db = tmp_path / "db.duckdb"
    code, _, err = _run("build", rich_page, compact_page, "--db", db, "--out", tmp_path)
    assert code == 0 and "replaced" not in err
    with open_store(db, read_only=True) as store:
        before = store.count("papers")
    code, _, err = _run("build", compact_page, "--db", db, "--out", tmp_path)
    with open_store(db, read_only=True) as store:
        after = store.count("papers")
    assert code == 0 and after < before
    assert f"replaced {db}: {before} -> {after} papers (a build keeps only its inputs" in err


# 8. progress


def _terminal_stderr(monkeypatch: pytest.MonkeyPatch, screen: io.StringIO) -> None:
    """Make every CLI module's stderr console a terminal drawing into ``screen``."""
    console = Console(file=screen, force_terminal=True, width=100, highlight=False)
    for module in (paperweb.cli, paperweb.cli.display, paperweb.cli.options):
        monkeypatch.setattr(module, "err", console)


def test_build_progress_spinner_only_in_a_terminal(
    tmp_path: Path, rich_page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stage lines always; the live spinner only when stderr is a terminal."""
    code, _, err = _run("build", rich_page, "--db", tmp_path / "a.duckdb", "--out", tmp_path)
    assert code == 0 and "\x1b" not in err and "building" not in err
    assert re.search(
        r"^read \d+ papers from 1 file\(s\) \(\d+\.\d s, [\d,]+ papers/s\)$", err, re.M
    )
    screen = io.StringIO()
    _terminal_stderr(monkeypatch, screen)
    code, _, _ = _run("build", rich_page, "--db", tmp_path / "b.duckdb", "--out", tmp_path)
    shown = screen.getvalue()
    assert code == 0 and f"building {tmp_path / 'b.duckdb'}" in shown and "\x1b[" in shown
    assert re.search(r"read \d+ papers from 1 file\(s\)", shown)


def test_view_spinner_only_in_a_terminal(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-rendering the page shows a spinner in a terminal; out of one, only the summary line."""
    code, _, err = _run("view", "--db", db, "--out", tmp_path / "a.html")
    assert code == 0 and "drawing" not in err and "\x1b" not in err
    screen = io.StringIO()
    _terminal_stderr(monkeypatch, screen)
    assert _run("view", "--db", db, "--out", tmp_path / "b.html")[0] == 0
    assert f"drawing {tmp_path / 'b.html'}" in screen.getvalue()
