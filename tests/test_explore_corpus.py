"""Acceptance of the explore commands on a database built from the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from paperweb.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three corpus pages built once into a database."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tmp = tmp_path_factory.mktemp("explore")
    result = runner.invoke(
        app, ["build", str(CORPUS), "--db", str(tmp / "db.duckdb"), "--out", str(tmp / "out")]
    )
    assert result.exit_code == 0, result.stderr
    return tmp / "db.duckdb"


def test_neighbors_ivit_lists_ibert_with_shared_keywords(corpus_db: Path) -> None:
    """I-ViT's neighbours include I-BERT, joined by shared keywords."""
    result = runner.invoke(
        app, ["neighbors", "I-ViT", "--db", str(corpus_db), "--json", "--limit", "10"]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    ibert = [r for r in rows if r["neighbor"].startswith("I-BERT")]
    assert ibert and ibert[0]["edge"] == "similar"
    assert ibert[0]["evidence"].startswith("shares keywords:")


def test_path_distzo2_to_deepzero_names_evidence(corpus_db: Path) -> None:
    """A chain joins DistZO2 and DeepZero and every step names its evidence."""
    result = runner.invoke(app, ["path", "DistZO2", "DeepZero", "--db", str(corpus_db), "--json"])
    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)
    assert steps and all(step["evidence"].strip() for step in steps)
    assert steps[-1]["dst_label"].startswith("DeepZero")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_corpus_round_trip(corpus_db: Path, tmp_path: Path, fmt: str) -> None:
    """The corpus graph survives a GraphML/GEXF round trip with its counts and attributes."""
    out = tmp_path / f"corpus.{fmt}"
    assert (
        runner.invoke(
            app, ["export", "--format", fmt, "--out", str(out), "--db", str(corpus_db)]
        ).exit_code
        == 0
    )
    stats = json.loads(runner.invoke(app, ["stats", "--db", str(corpus_db), "--json"]).stdout)
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert graph.number_of_nodes() == sum(stats["nodes"].values())
    assert graph.number_of_edges() == sum(stats["edges"].values())
    assert {d["kind"] for _, d in graph.nodes(data=True)} == set(stats["nodes"])
