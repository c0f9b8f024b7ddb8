"""Take the graph elsewhere: GraphML and GEXF (Gephi, Cytoscape), node-link JSON, CSV and Parquet."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx

from graph.outputs import atomic_open
from graph.store import Store
from paperweb.errors import UsageError

__all__ = ["EXPORT_FORMATS", "export_graph", "graph_from_store"]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv", "parquet")

#: metrics that count or number things: integers in every format, never 1.0 or 3.0
INTEGER_METRICS = frozenset(["degree", "component", "community"])
#: the order of metric columns in CSV and Parquet (any other metric follows, by name)
METRIC_ORDER = (
    "pagerank",
    "betweenness",
    "eigenvector",
    "degree",
    "weighted_degree",
    "component",
    "community",
    "participation",
)
_METRIC_NAME = re.compile(r"[a-z][a-z0-9_]*")

SQL_NODES = "SELECT node_id, kind, label, url FROM nodes ORDER BY node_id"
SQL_EDGES = "SELECT src, dst, kind, weight, evidence FROM edges ORDER BY src, dst, kind"
# A metric a node lacks (a keyword's community) is no row here, so it stays absent in
# the file: readers that fill absent values with 0 would otherwise see community 0.
SQL_METRICS = (
    "SELECT node_id, metric, value FROM metrics "
    "WHERE value IS NOT NULL AND NOT isnan(value) ORDER BY node_id, metric"
)
SQL_METRIC_NAMES = "SELECT DISTINCT metric FROM metrics ORDER BY metric"
# One column per metric; {columns} are built from the metric names of the database, each
# checked to be a plain lower-case identifier first (COPY ... TO takes no parameters).
SQL_NODE_TABLE = """
SELECT n.node_id, n.kind, n.label, n.url{columns}
FROM nodes n LEFT JOIN metrics m ON m.node_id = n.node_id AND NOT isnan(m.value)
GROUP BY ALL ORDER BY n.node_id
"""
SQL_EDGE_TABLE = "SELECT src, dst, kind, weight, evidence FROM edges ORDER BY src, dst, kind"


def _metric_value(metric: str, value: float) -> int | float:
    return int(value) if metric in INTEGER_METRICS else float(value)


def graph_from_store(store: Store) -> nx.MultiDiGraph:
    """The whole typed graph with node kind, label, url and metrics, edge kind, weight and evidence.

    Edge keys are ``e0``, ``e1``, ... (GraphML and GEXF write them as edge ids, which must
    be unique in a file); the kind is an attribute.
    """
    graph = nx.MultiDiGraph()
    for node_id, kind, label, url in store.query(SQL_NODES):
        attrs: dict[str, Any] = {"kind": kind, "label": label}
        if url:
            attrs["url"] = url
        graph.add_node(node_id, **attrs)
    for node_id, metric, value in store.query(SQL_METRICS):
        if node_id in graph:
            graph.nodes[node_id][metric] = _metric_value(metric, value)
    for number, (src, dst, kind, weight, evidence) in enumerate(store.query(SQL_EDGES)):
        graph.add_edge(
            src, dst, key=f"e{number}", kind=kind, weight=float(weight), evidence=evidence
        )
    return graph


def _node_table_sql(store: Store) -> str:
    """The node table query with a column per metric in the database."""
    found = {name for (name,) in store.query(SQL_METRIC_NAMES) if _METRIC_NAME.fullmatch(name)}
    names = [m for m in METRIC_ORDER if m in found] + sorted(found - set(METRIC_ORDER))
    columns = "".join(
        f",\n       CAST(max(m.value) FILTER (WHERE m.metric = '{name}') AS "
        f"{'BIGINT' if name in INTEGER_METRICS else 'DOUBLE'}) AS {name}"
        for name in names
    )
    return SQL_NODE_TABLE.format(columns=columns)


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
        node_sql = _node_table_sql(store)
        if fmt == "csv":
            _write_csv(store, node_sql, nodes)
            _write_csv(store, SQL_EDGE_TABLE, edges)
        else:
            store.copy_to_parquet(node_sql, nodes)
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
