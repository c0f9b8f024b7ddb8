"""Exports that other programs read: unique GraphML edge ids, integer counts, absent metrics,
every metric in the tables, and the real readers (graphology, igraph) on the files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import igraph
import pytest

from graph.export import export_graph
from graph.store import open_store
from tests.conftest import REPO

JS = REPO / "tests" / "js"
NODES = {
    "pa": "paper",
    "pb": "paper",
    "pc": "paper",
    "github.com/lab/ops": "repo",
    "graph learning": "keyword",
}
EDGES = [
    ("pa", "pb", "similar", 1.0, "shares keywords: graph learning"),
    ("pb", "pc", "similar", 0.5, "shares keywords: graph"),
    ("pa", "github.com/lab/ops", "code", 1.0, "links https://github.com/lab/ops"),
    ("pa", "graph learning", "keyword", 1.0, "appears in title"),
    ("pb", "graph learning", "keyword", 1.0, "appears in abstract"),
]
# Every node has a degree; only papers have a community and participation.
METRICS = [(n, "degree", d) for n, d in zip(NODES, [3.0, 3.0, 1.0, 1.0, 2.0], strict=True)]
METRICS += [(n, "pagerank", 0.25) for n in list(NODES)[:4]]
METRICS += [(n, "community", c) for n, c in [("pa", 0.0), ("pb", 0.0), ("pc", 1.0)]]
METRICS += [(n, "participation", 0.5) for n in ("pa", "pb", "pc")]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Three papers, a repo and a keyword, edges of three kinds, metrics some nodes lack."""
    path = tmp_path / "export.duckdb"
    with open_store(path) as store:
        store.insert_columns(
            "nodes",
            {
                "node_id": list(NODES),
                "kind": list(NODES.values()),
                "label": list(NODES),
                "url": [None] * len(NODES),
            },
        )
        columns = ["src", "dst", "kind", "weight", "evidence"]
        store.insert_columns("edges", {c: [e[i] for e in EDGES] for i, c in enumerate(columns)})
        store.insert_columns(
            "metrics",
            {c: [m[i] for m in METRICS] for i, c in enumerate(["node_id", "metric", "value"])},
        )
    return path


def _export(db: Path, fmt: str, out: Path) -> Path:
    with open_store(db, read_only=True) as store:
        export_graph(store, fmt, out)
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_graphml_edge_ids_unique_and_counts_integer(db: Path, tmp_path: Path) -> None:
    """Every GraphML edge has its own id; degree and community are integer keys."""
    root = ET.parse(_export(db, "graphml", tmp_path / "g.graphml")).getroot()
    ids = [el.get("id") for el in root.iter() if _local(el.tag) == "edge"]
    assert len(ids) == len(EDGES) == len(set(ids))
    types = {
        el.get("attr.name"): el.get("attr.type") for el in root.iter() if _local(el.tag) == "key"
    }
    assert types["degree"] in ("int", "long") and types["community"] in ("int", "long")
    assert types["pagerank"] == "double"


def test_graphml_missing_metric_absent(db: Path, tmp_path: Path) -> None:
    """A keyword node has no community data at all (not 0, not NaN)."""
    root = ET.parse(_export(db, "graphml", tmp_path / "g.graphml")).getroot()
    keys = {el.get("id"): el.get("attr.name") for el in root.iter() if _local(el.tag) == "key"}
    [keyword] = [
        el for el in root.iter() if _local(el.tag) == "node" and el.get("id") == "graph learning"
    ]
    names = {keys[d.get("key")]: d.text for d in keyword if _local(d.tag) == "data"}
    assert names["degree"] == "2"
    assert "community" not in names and "pagerank" not in names


def test_gexf_counts_integer_and_missing_absent(db: Path, tmp_path: Path) -> None:
    """GEXF declares integer counts and leaves a keyword's community out."""
    root = ET.parse(_export(db, "gexf", tmp_path / "g.gexf")).getroot()
    declared = {
        el.get("title"): (el.get("id"), el.get("type"))
        for el in root.iter()
        if _local(el.tag) == "attribute"
    }
    assert declared["degree"][1] in ("integer", "long")
    assert declared["community"][1] in ("integer", "long")
    [keyword] = [
        el for el in root.iter() if _local(el.tag) == "node" and el.get("id") == "graph learning"
    ]
    given = {v.get("for") for v in keyword.iter() if _local(v.tag) == "attvalue"}
    assert declared["degree"][0] in given and declared["community"][0] not in given
    edge_ids = [el.get("id") for el in root.iter() if _local(el.tag) == "edge"]
    assert len(set(edge_ids)) == len(EDGES)


def test_json_counts_integer(db: Path, tmp_path: Path) -> None:
    """Node-link JSON has integer degree and community, and no community for the keyword."""
    data = json.loads(_export(db, "json", tmp_path / "g.json").read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["pc"]["community"] == 1 and isinstance(nodes["pc"]["community"], int)
    assert isinstance(nodes["pa"]["degree"], int)
    assert "community" not in nodes["graph learning"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_hold_every_metric(db: Path, tmp_path: Path, fmt: str) -> None:
    """Node tables have a column per stored metric; counts are integers, missing ones empty."""
    out = _export(db, fmt, tmp_path / fmt)
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    con = duckdb.connect()
    table = con.execute(f"SELECT * FROM {reader}(?) ORDER BY node_id", [str(out / f"nodes.{fmt}")])
    names = [d[0] for d in table.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in table.fetchall()}
    assert names == [
        "node_id",
        "kind",
        "label",
        "url",
        "pagerank",
        "degree",
        "community",
        "participation",
    ]
    assert rows["pc"]["community"] == 1 and isinstance(rows["pc"]["community"], int)
    assert rows["graph learning"]["community"] is None
    assert rows["graph learning"]["degree"] == 2


def _node() -> str | None:
    """The node binary and the graphology readers, or None (a failure when CI requires them)."""
    node = shutil.which("node")
    ready = node is not None and (JS / "node_modules" / "graphology-graphml").is_dir()
    if ready:
        return node
    if os.environ.get("PAPERWEB_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail("node or tests/js/node_modules missing; .ci/run installs them")
    pytest.skip("node or the graphology readers (npm install in tests/js) not installed")


def _graphology(path: Path, *nodes: str) -> dict[str, object]:
    node = _node()
    assert node is not None
    done = subprocess.run(
        [node, str(JS / "read_graph.js"), str(path), *nodes],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphology_reads_export(db: Path, tmp_path: Path, fmt: str) -> None:
    """graphology's GraphML and GEXF parsers (Gephi Lite, sigma.js) read every node and edge."""
    seen = _graphology(_export(db, fmt, tmp_path / f"g.{fmt}"), "pc", "graph learning")
    assert (seen["order"], seen["size"]) == (len(NODES), len(EDGES))
    nodes = seen["nodes"]
    assert isinstance(nodes, dict)
    assert nodes["pc"]["community"] == 1 and "community" not in nodes["graph learning"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphology_reads_corpus_export(corpus_build: Path, tmp_path: Path, fmt: str) -> None:
    """The corpus graph, exported, is read whole by graphology."""
    db = corpus_build / "db.duckdb"
    with open_store(db, read_only=True) as store:
        kinds = dict(store.query("SELECT kind, count(*) FROM edges GROUP BY kind"))
        nodes = store.count("nodes")
    seen = _graphology(_export(db, fmt, tmp_path / f"corpus.{fmt}"))
    assert (seen["order"], seen["size"]) == (nodes, sum(kinds.values()))
    assert seen["edgeKinds"] == kinds


@pytest.mark.slow
def test_igraph_reads_corpus_graphml(corpus_build: Path, tmp_path: Path) -> None:
    """python-igraph reads the corpus GraphML with all nodes and edges, kinds intact."""
    db = corpus_build / "db.duckdb"
    with open_store(db, read_only=True) as store:
        nodes, edges = store.count("nodes"), store.count("edges")
        papers = store.query("SELECT count(*) FROM nodes WHERE kind = 'paper'")[0][0]
    graph = igraph.Graph.Read_GraphML(str(_export(db, "graphml", tmp_path / "corpus.graphml")))
    assert (graph.vcount(), graph.ecount()) == (nodes, edges)
    assert graph.vs["kind"].count("paper") == papers
