"""The streamed GEXF writer gives the graph NetworkX's writer gives (issue 17)."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx

from graph.export import export_graph, graph_from_store
from graph.store import open_store

HOSTILE = 'Graph "learning" <b>&</b>\t\n\u00e9\u4e2d'
NODES = [
    ("pa", "paper", HOSTILE, None),
    ("pb", "paper", "Plain", None),
    ("github.com/lab/ops", "repo", "lab/ops", "https://github.com/lab/ops?a=1&b=2"),
    ("keyword:x", "keyword", "x", None),
    ("lonely", "paper", "No edges", None),
]
EDGES = [
    ("pa", "pb", "similar", 0.1 + 0.2, 'shares keywords: "x" & <y>'),
    ("pa", "pb", "cites", 1.0, "cites Plain"),
    ("pa", "github.com/lab/ops", "code", 1.0, "links https://github.com/lab/ops"),
    ("pb", "keyword:x", "keyword", 1e-7, "appears in title"),
]
METRICS = [("pa", "degree", 2.0), ("pb", "degree", 2.0), ("pa", "community", 0.0)]
METRICS += [("pa", "pagerank", 1 / 3), ("pb", "pagerank", 2 / 3), ("lonely", "pagerank", math.nan)]


def _store(path: Path) -> Path:
    with open_store(path) as store:
        store.insert_columns(
            "nodes",
            {
                name: [n[i] for n in NODES]
                for i, name in enumerate(["node_id", "kind", "label", "url"])
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
                name: [m[i] for m in METRICS]
                for i, name in enumerate(["node_id", "metric", "value"])
            },
        )
    return path


def test_streamed_gexf_reads_back_as_networkx_writes_it(tmp_path: Path) -> None:
    """nx.read_gexf gives the same nodes, attributes, edges, keys and weights from the
    streamed file as from nx.write_gexf of the in-memory graph (hostile text included)."""
    db = _store(tmp_path / "db.duckdb")
    with open_store(db, read_only=True) as store:
        [streamed] = export_graph(store, "gexf", tmp_path / "g.gexf")
        nx.write_gexf(graph_from_store(store), tmp_path / "nx.gexf", encoding="utf-8")
    got, expected = nx.read_gexf(streamed), nx.read_gexf(tmp_path / "nx.gexf")
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(got.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert got.nodes["pa"]["label"] == HOSTILE and "pagerank" not in got.nodes["lonely"]
    assert got.nodes["pa"]["community"] == 0 and isinstance(got.nodes["pa"]["degree"], int)
    assert len(got.edges) == len(EDGES)


def test_empty_graph_is_a_valid_gexf(tmp_path: Path) -> None:
    """A database without nodes gives a file with no nodes and no edges."""
    with open_store(tmp_path / "db.duckdb") as store:
        [path] = export_graph(store, "gexf", tmp_path / "g.gexf")
    graph = nx.read_gexf(path)
    assert graph.number_of_nodes() == 0 and graph.number_of_edges() == 0
