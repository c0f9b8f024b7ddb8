"""Tests for the explore commands (neighbors, path, top, stats, export, sql) through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.store import open_store
from paperweb.cli import app

runner = CliRunner()

PAPERS = {
    "pa": ("Alpha Operators for PDEs", "2101.00001"),
    "pb": ("Beta Operators and Kernels", None),
    "pc": ("Gamma: Private Inference", None),
    "pd": ("Delta Private Inference at Scale", None),
    "pe": ("Epsilon, an Isolated Paper", None),
    "pf": ("Alpha Operators Revisited", None),
}
EDGES = [
    ("pa", "pb", "similar", 2.0, "shares keywords: neural operator, PDE"),
    ("pb", "pc", "similar", 0.5, "shares keywords: kernel"),
    ("pa", "pf", "similar", 0.4, "shares keywords: operator"),
    ("pf", "pc", "shared_code", 1.0, "both link github.com/lab/ops"),
    ("pc", "pd", "shared_code", 1.0, "both link github.com/lab/pi"),
    ("pd", "pa", "cites", 1.0, "Semantic Scholar reference"),
    ("pa", "github.com/lab/ops", "code", 1.0, "links https://github.com/lab/ops (from abstract)"),
]


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A database written by hand: six papers, one repo, paper-paper edges of three kinds, metrics."""
    db = tmp_path / "small.duckdb"
    with open_store(db) as store:
        store.insert_columns(
            "papers",
            {
                "paper_id": list(PAPERS),
                "title": [t for t, _ in PAPERS.values()],
                "arxiv_id": [a for _, a in PAPERS.values()],
            },
        )
        ids = [*PAPERS, "github.com/lab/ops"]
        store.insert_columns(
            "nodes",
            {
                "node_id": ids,
                "kind": ["paper"] * len(PAPERS) + ["repo"],
                "label": [t for t, _ in PAPERS.values()] + ["lab/ops"],
                "url": [None] * len(PAPERS) + ["https://github.com/lab/ops"],
            },
        )
        store.insert_columns(
            "edges",
            dict(
                zip(
                    ["src", "dst", "kind", "weight", "evidence"],
                    zip(*EDGES, strict=True),
                    strict=True,
                )
            ),
        )
        store.insert_columns(
            "metrics",
            {
                "node_id": ids + ids,
                "metric": ["pagerank"] * len(ids) + ["community"] * len(ids),
                "value": [0.3, 0.2, 0.25, 0.1, 0.05, 0.08, 0.02, 0, 0, 1, 1, 2, 0, 0],
            },
        )
    return db


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_neighbors_strongest_first_with_evidence(small_db: Path) -> None:
    """Neighbours come strongest first, each with its evidence; paper found by title prefix."""
    code, out, _ = _run("neighbors", "Beta Oper", "--db", small_db, "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["neighbor"] for r in rows] == ["Alpha Operators for PDEs", "Gamma: Private Inference"]
    assert rows[0]["evidence"] == "shares keywords: neural operator, PDE"


def test_neighbors_by_arxiv_id_and_kind_filter(small_db: Path) -> None:
    """arXiv ids (with prefix and version) find the paper; --kind filters edges."""
    code, out, _ = _run(
        "neighbors", "arXiv:2101.00001v3", "--kind", "cites", "--db", small_db, "--json"
    )
    assert code == 0
    assert [(r["neighbor"], r["edge"]) for r in json.loads(out)] == [
        ("Delta Private Inference at Scale", "cited by")
    ]


def test_neighbors_ambiguous_lists_candidates(small_db: Path) -> None:
    """An ambiguous name is one Error line, then a line per candidate with its ids; exit 1."""
    code, out, err = _run("neighbors", "Alpha Operators", "--db", small_db)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("Error: 'Alpha Operators' matches 2 papers")
    assert [line.split() for line in lines[1:]] == [
        ["pa", "2101.00001", "Alpha", "Operators", "for", "PDEs"],
        ["pf", "-", "Alpha", "Operators", "Revisited"],
    ]


def test_neighbors_unknown_paper(small_db: Path) -> None:
    """An unknown paper is a one-line error."""
    code, _, err = _run("neighbors", "Zeta", "--db", small_db)
    assert code == 1 and "no paper matches 'Zeta'" in err


def test_path_prefers_fewest_hops_then_strength(small_db: Path) -> None:
    """Of the two-hop chains from Beta to Delta, the one through the stronger edges wins."""
    code, out, _ = _run("path", "Beta Operators", "Delta", "--db", small_db, "--json")
    assert code == 0
    steps = json.loads(out)
    assert len(steps) == 2
    assert all(step["evidence"] for step in steps)
    # Beta-Alpha (2.0) then Alpha-Delta (cites 1.0) beats Beta-Gamma (0.5) then Gamma-Delta (1.0).
    assert [s["dst_label"] for s in steps] == [
        "Alpha Operators for PDEs",
        "Delta Private Inference at Scale",
    ]


def test_path_text_names_each_step(small_db: Path) -> None:
    """The text form shows every paper and the evidence between them."""
    code, out, _ = _run("path", "Gamma", "Delta", "--db", small_db)
    assert code == 0
    assert out.splitlines() == [
        "Gamma: Private Inference",
        "  --[shared_code 1: both link github.com/lab/pi]-->",
        "Delta Private Inference at Scale",
    ]


def test_path_none_says_so(small_db: Path) -> None:
    """Papers with no chain between them get a clear message and exit 1."""
    code, _, err = _run("path", "Epsilon", "Gamma", "--db", small_db)
    assert code == 1 and "No path" in err


def test_top_ranks_by_metric_and_kind(small_db: Path) -> None:
    """top ranks nodes of one kind by a stored metric; unknown metrics are named."""
    code, out, _ = _run(
        "top", "--metric", "pagerank", "--kind", "paper", "--limit", "3", "--db", small_db, "--csv"
    )
    assert code == 0
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["rank", "label", "kind", "pagerank", "node_id"]
    assert [r[1] for r in rows[1:]] == [
        "Alpha Operators for PDEs",
        "Gamma: Private Inference",
        "Beta Operators and Kernels",
    ]
    code, _, err = _run("top", "--metric", "closeness", "--db", small_db)
    assert code == 2 and "unknown 'closeness'" in err and "pagerank, betweenness" in err


def test_stats_counts(small_db: Path) -> None:
    """stats counts nodes and edges per kind and communities."""
    code, out, _ = _run("stats", "--db", small_db, "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["nodes"] == {"paper": 6, "repo": 1}
    assert stats["edges"]["similar"] == 3 and stats["communities"] == 3


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_graph_files_round_trip(small_db: Path, tmp_path: Path, fmt: str) -> None:
    """GraphML and GEXF re-read by NetworkX keep node/edge counts and attributes."""
    out = tmp_path / f"g.{fmt}"
    assert _run("export", "--format", fmt, "--out", out, "--db", small_db)[0] == 0
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert graph.number_of_nodes() == 7 and graph.number_of_edges() == len(EDGES)
    assert graph.nodes["pa"]["kind"] == "paper"
    assert float(graph.nodes["pa"]["pagerank"]) == pytest.approx(0.3)
    kinds = sorted(d["kind"] for _, _, d in graph.edges(data=True))
    assert kinds == sorted(e[2] for e in EDGES)
    assert any(
        d.get("evidence") == "both link github.com/lab/pi" for _, _, d in graph.edges(data=True)
    )


def test_export_json_node_link(small_db: Path, tmp_path: Path) -> None:
    """JSON export is node-link data that networkx.node_link_graph reads back."""
    out = tmp_path / "g.json"
    assert _run("export", "--format", "json", "--out", out, "--db", small_db)[0] == 0
    graph = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert graph.number_of_nodes() == 7 and graph.number_of_edges() == len(EDGES)
    assert graph.nodes["pc"]["community"] == 1


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_tables(small_db: Path, tmp_path: Path, fmt: str) -> None:
    """CSV and Parquet exports write node and edge tables that read back whole."""
    out = tmp_path / fmt
    code, stdout, _ = _run("export", "--format", fmt, "--out", out, "--db", small_db)
    assert code == 0 and stdout.split() == [str(out / f"nodes.{fmt}"), str(out / f"edges.{fmt}")]
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    con = duckdb.connect()
    assert con.execute(
        f"SELECT count(*) FROM {reader}(?)", [str(out / f"nodes.{fmt}")]
    ).fetchone() == (7,)
    assert con.execute(
        f"SELECT count(*), count(evidence) FROM {reader}(?)", [str(out / f"edges.{fmt}")]
    ).fetchone() == (len(EDGES), len(EDGES))


def test_export_unknown_format(small_db: Path, tmp_path: Path) -> None:
    """An unknown format is a usage error (exit 2) on one line listing the formats."""
    code, _, err = _run("export", "--format", "xlsx", "--out", tmp_path / "x", "--db", small_db)
    assert code == 2 and "graphml, gexf, json, csv, parquet" in err and err.count("\n") == 1


def test_sql_reads_and_refuses_writes(small_db: Path) -> None:
    """sql prints query results and refuses any write, leaving the database unchanged."""
    code, out, _ = _run("sql", "SELECT count(*) AS n FROM papers", "--db", small_db, "--json")
    assert code == 0 and json.loads(out) == [{"n": 6}]
    for statement in [
        "DELETE FROM papers",
        "DROP TABLE edges",
        "INSERT INTO papers (paper_id, title) VALUES ('x', 'y')",
    ]:
        code, _, err = _run("sql", statement, "--db", small_db)
        assert code == 1 and "read-only" in err and err.count("\n") == 1
    with open_store(small_db, read_only=True) as store:
        assert store.count("papers") == 6 and store.count("edges") == len(EDGES)


def test_sql_cannot_touch_files(small_db: Path, tmp_path: Path) -> None:
    """sql cannot read or write files outside the database."""
    target = tmp_path / "leak.csv"
    code, _, err = _run("sql", f"COPY papers TO '{target}'", "--db", small_db)
    assert code == 1 and "disabled" in err and not target.exists()


@pytest.mark.parametrize(
    "command", ["neighbors X", "path X Y", "top", "stats", "export", "sql SELECT"]
)
def test_commands_missing_database(tmp_path: Path, command: str) -> None:
    """Every explore command says so in one line when the database does not exist."""
    code, _, err = _run(*command.split(), "--db", tmp_path / "none.duckdb")
    assert code == 1 and "does not exist" in err and err.count("\n") == 1
