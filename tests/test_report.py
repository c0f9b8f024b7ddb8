"""Tests for the metrics stage and the report on a small graph written straight into a store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.pipeline import write_metrics
from graph.report import render_markdown, report_data, write_report
from graph.store import Store, open_store
from paperweb.cli import app

HOSTILE = "Bridge | <script>alert(1)</script>\n*Koopman* [x](javascript:alert(1))"
TITLES = {
    "a": "Koopman Learning A",
    "b": "Koopman Learning B",
    "c": HOSTILE,
    "d": "Private Inference D",
    "e": "Private Inference E",
    "f": "Private Inference F",
}
EDGE_COLUMNS = ("src", "dst", "kind", "weight", "evidence")
KEYWORDS = {p: "koopman operator" if p in "abc" else "private inference" for p in TITLES}
# Two triangles of similar papers (a b c) and (d e f), c cites d; a and b share a repo.
EDGES = [
    ("a", "b", "similar", 0.9, "shares keywords: koopman operator"),
    ("a", "c", "similar", 0.8, "shares keywords: koopman operator"),
    ("b", "c", "similar", 0.7, "shares keywords: koopman operator"),
    ("d", "e", "similar", 0.9, "shares keywords: private inference"),
    ("d", "f", "similar", 0.8, "shares keywords: private inference"),
    ("e", "f", "similar", 0.7, "shares keywords: private inference"),
    ("c", "d", "cites", 1.0, "cites Private Inference D"),
    ("a", "b", "shared_code", 1.0, "both link github.com/x/koop"),
    ("a", "github.com/x/koop", "code", 1.0, "links https://github.com/x/koop"),
    ("b", "github.com/x/koop", "code", 1.0, "links https://github.com/x/koop"),
    ("github.com/x/koop", "github.com/x", "owner", 1.0, "repository of github.com/x"),
] + [(p, f"keyword:{k}", "keyword", 1.0, f"keyword {k}") for p, k in KEYWORDS.items()]


def _fill(store: Store) -> None:
    """Write the small graph into ``store`` and compute its metrics, as a build would."""
    papers = sorted(TITLES)
    with store.transaction():
        store.insert_columns("papers", {"paper_id": papers, "title": [TITLES[p] for p in papers]})
        store.insert_columns(
            "paper_sources",
            {"paper_id": papers, "source": ["hand.txt"] * 6, "position": list(range(6))},
        )
        store.insert_columns(
            "links",
            {
                "paper_id": ["a", "b"],
                "url": ["https://github.com/x/koop"] * 2,
                "kind": ["repo"] * 2,
                "target": ["github.com/x/koop"] * 2,
                "origin": ["abstract"] * 2,
            },
        )
        store.insert_columns(
            "keywords",
            {"paper_id": papers, "keyword": [KEYWORDS[p] for p in papers], "weight": [1.0] * 6},
        )
        extra = [
            ("github.com/x/koop", "repo", "github.com/x/koop"),
            ("github.com/x", "owner", "github.com/x"),
            ("keyword:koopman operator", "keyword", "koopman operator"),
            ("keyword:private inference", "keyword", "private inference"),
        ]
        nodes = [(p, "paper", TITLES[p]) for p in papers] + extra
        store.insert_columns(
            "nodes",
            {
                "node_id": [n[0] for n in nodes],
                "kind": [n[1] for n in nodes],
                "label": [n[2] for n in nodes],
            },
        )
        store.insert_columns(
            "edges", {c: [e[i] for e in EDGES] for i, c in enumerate(EDGE_COLUMNS)}
        )
        write_metrics(store)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A database file holding the small hand-written graph with its metrics."""
    path = tmp_path / "small.duckdb"
    with open_store(path) as store:
        _fill(store)
    return path


def _metric(store: Store, metric: str) -> dict[str, float]:
    rows = store.query("SELECT node_id, value FROM metrics WHERE metric = ?", [metric])
    return dict(rows)


def test_write_metrics_communities_are_the_triangles(small_db: Path) -> None:
    """Louvain on the paper projection finds the two triangles, labelled by their keywords."""
    with open_store(small_db, read_only=True) as store:
        community = _metric(store, "community")
        labels = dict(store.query("SELECT community, label FROM communities"))
        notes = dict(store.query("SELECT key, value FROM build_info"))
    assert community["a"] == community["b"] == community["c"]
    assert community["d"] == community["e"] == community["f"] != community["a"]
    assert labels[int(community["a"])] == "koopman operator"
    assert labels[int(community["d"])] == "private inference"
    assert notes["metric.betweenness"] == "exact"


def test_write_metrics_keyword_nodes_get_degree_only(small_db: Path) -> None:
    """Keyword nodes have a degree (their papers) but no centrality on the analysis graph."""
    with open_store(small_db, read_only=True) as store:
        assert _metric(store, "degree")["keyword:koopman operator"] == 3.0
        assert "keyword:koopman operator" not in _metric(store, "pagerank")
        papers = {row[0] for row in store.query("SELECT paper_id FROM papers")}
        ranks = _metric(store, "pagerank")
        assert sum(v for node, v in ranks.items() if node in papers) == pytest.approx(1.0)


def test_report_bridges_are_the_bridge_ends(small_db: Path) -> None:
    """The papers at either end of the citation between the triangles are the bridges."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    assert sorted(p["paper_id"] for p in data["bridges"]) == ["c", "d"]
    joined = {p["paper_id"]: {j["label"] for j in p["joins"]} for p in data["bridges"]}
    assert joined["c"] == joined["d"] == {"koopman operator", "private inference"}


def test_report_why_lines_show_evidence(small_db: Path) -> None:
    """Every explained paper lists real edges with their stored evidence."""
    with open_store(small_db, read_only=True) as store:
        data = report_data(store)
    evidence = {e[4] for e in EDGES}
    explained = data["top_pagerank"] + data["top_betweenness"]
    assert explained and all(p["why"] for p in explained)
    assert all(w["evidence"] in evidence for p in explained for w in p["why"])
    why_lines = [line for line in render_markdown(data).splitlines() if line.startswith("  - ")]
    assert why_lines and all(re.search(r"\): \S", line) for line in why_lines)


def test_report_markdown_escapes_hostile_title(small_db: Path) -> None:
    """A title with a pipe, HTML and a newline cannot break a table, inject HTML or a link."""
    with open_store(small_db, read_only=True) as store:
        text = render_markdown(report_data(store))
    # an escaped bracket (\\]) cannot close link text, so only unescaped ones matter
    assert "<script>" not in text and "](javascript" not in text.replace("\\](", "")
    assert "Bridge \\| \\<script\\>" in text
    for line in text.splitlines():
        if line.startswith("| ") and "Bridge" in line:
            # the unescaped pipes are the table's own: 4 columns in the communities table
            assert len(re.findall(r"(?<!\\)\|", line)) == 5


def test_report_json_carries_the_same_facts(small_db: Path, tmp_path: Path) -> None:
    """report.json has the summary and the same ranked papers as the Markdown."""
    with open_store(small_db, read_only=True) as store:
        written = write_report(store, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert {p.name for p in written} >= {"report.md", "report.json", "report_papers.csv"}
    assert data["summary"]["papers"] == 6 and data["summary"]["papers_with_code"] == 2
    assert data["summary"]["cites_edges"] == 1 and data["summary"]["components"] == 1
    assert all(p["title"].split()[0] in text for p in data["top_pagerank"])
    assert [row["node_id"] for row in data["shared_code"]] == ["github.com/x", "github.com/x/koop"]


def test_write_metrics_identical_on_rebuild(small_db: Path, tmp_path: Path) -> None:
    """Writing the same graph into a second database gives identical metrics and communities."""
    again = tmp_path / "again.duckdb"
    with open_store(again) as store:
        _fill(store)
    query = "SELECT * FROM metrics ORDER BY ALL"
    with open_store(small_db, read_only=True) as a, open_store(again, read_only=True) as b:
        assert a.query(query) == b.query(query)
        assert a.query("SELECT * FROM communities ORDER BY 1") == b.query(
            "SELECT * FROM communities ORDER BY 1"
        )


def test_write_metrics_empty_store(tmp_path: Path) -> None:
    """A database with no papers gets no metrics and an empty report, without failing."""
    with open_store(tmp_path / "empty.duckdb") as store:
        with store.transaction():
            write_metrics(store)
        text = render_markdown(report_data(store))
    assert "| papers | 0 |" in text


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_report_command_writes_one_format(small_db: Path, tmp_path: Path, fmt: str) -> None:
    """paperweb report --format X writes only that format's files and lists them on stdout."""
    result = CliRunner().invoke(
        app, ["report", "--db", str(small_db), "--out", str(tmp_path), "--format", fmt]
    )
    assert result.exit_code == 0, result.stderr
    names = sorted(Path(line).name for line in result.stdout.split())
    expected = {
        "md": ["report.md"],
        "json": ["report.json"],
        "csv": ["report_communities.csv", "report_papers.csv"],
    }
    assert names == expected[fmt]


def test_report_command_missing_database(tmp_path: Path) -> None:
    """A missing database is one Error: line on stderr and exit code 1."""
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error:") and "paperweb build" in result.stderr
