"""Take the graph elsewhere: GraphML and GEXF (Gephi, Cytoscape), node-link JSON, CSV and Parquet."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx

from graph.outputs import atomic_open
from graph.store import Store
from paperweb.errors import UsageError

__all__ = ["EXPORT_FORMATS", "export_graph", "graph_from_store"]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv", "parquet")

SQL_NODES = "SELECT node_id, kind, label, url FROM nodes ORDER BY node_id"
SQL_EDGES = "SELECT src, dst, kind, weight, evidence FROM edges ORDER BY src, dst, kind"
SQL_METRICS = (
    "SELECT node_id, metric, value FROM metrics WHERE value IS NOT NULL ORDER BY node_id, metric"
)
SQL_NODE_TABLE = """
SELECT n.node_id, n.kind, n.label, n.url,
       max(CASE WHEN m.metric = 'pagerank' THEN m.value END) AS pagerank,
       max(CASE WHEN m.metric = 'betweenness' THEN m.value END) AS betweenness,
       max(CASE WHEN m.metric = 'degree' THEN m.value END) AS degree,
       max(CASE WHEN m.metric = 'community' THEN m.value END) AS community
FROM nodes n LEFT JOIN metrics m USING (node_id)
GROUP BY ALL ORDER BY n.node_id
"""
SQL_EDGE_TABLE = "SELECT src, dst, kind, weight, evidence FROM edges ORDER BY src, dst, kind"


def graph_from_store(store: Store) -> nx.MultiDiGraph:
    """The whole typed graph with node kind, label, url and metrics, edge kind, weight and evidence."""
    graph = nx.MultiDiGraph()
    for node_id, kind, label, url in store.query(SQL_NODES):
        attrs: dict[str, Any] = {"kind": kind, "label": label}
        if url:
            attrs["url"] = url
        graph.add_node(node_id, **attrs)
    for node_id, metric, value in store.query(SQL_METRICS):
        if node_id in graph:
            # Ids stay integers so Gephi and Cytoscape treat them as categories.
            graph.nodes[node_id][metric] = (
                int(value) if metric in ("community", "component") else float(value)
            )
    for src, dst, kind, weight, evidence in store.query(SQL_EDGES):
        graph.add_edge(src, dst, key=kind, kind=kind, weight=float(weight), evidence=evidence)
    return graph


def _write_csv(store: Store, sql: str, path: Path) -> None:
    names, rows = store.query_table(sql)
    with atomic_open(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(rows)


def export_graph(store: Store, fmt: str, out: Path) -> list[Path]:
    """Write the graph in ``fmt`` to ``out`` (a file, or a folder for csv/parquet); return paths written."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    if fmt in ("csv", "parquet"):
        if out.suffix:
            raise UsageError(
                f"--out {out} must be a folder for {fmt} (nodes and edges are two files)"
            )
        out.mkdir(parents=True, exist_ok=True)
        nodes, edges = out / f"nodes.{fmt}", out / f"edges.{fmt}"
        if fmt == "csv":
            _write_csv(store, SQL_NODE_TABLE, nodes)
            _write_csv(store, SQL_EDGE_TABLE, edges)
        else:
            store.copy_to_parquet(SQL_NODE_TABLE, nodes)
            store.copy_to_parquet(SQL_EDGE_TABLE, edges)
        return [nodes, edges]
    graph = graph_from_store(store)
    if fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        with atomic_open(out) as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
    elif fmt == "graphml":
        with atomic_open(out, "wb") as handle:
            nx.write_graphml(graph, handle, encoding="utf-8")
    else:
        with atomic_open(out, "wb") as handle:
            nx.write_gexf(graph, handle, encoding="utf-8")
    return [out]
