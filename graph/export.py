"""Take the graph elsewhere: GraphML and GEXF (Gephi, Cytoscape), node-link JSON, CSV and Parquet."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx

from graph.gexf import write_gexf
from graph.outputs import atomic_open
from graph.store import Store
from graph.store import export as export_sql
from graph.store.export import INTEGER_METRICS
from paperweb.errors import UsageError

__all__ = ["EXPORT_FORMATS", "export_graph", "graph_from_store"]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv", "parquet")


def _metric_value(metric: str, value: float) -> int | float:
    return int(value) if metric in INTEGER_METRICS else float(value)


def graph_from_store(store: Store) -> nx.MultiDiGraph:
    """The whole typed graph with node kind, label, url and metrics, edge kind, weight and evidence.

    Edge keys are ``e0``, ``e1``, ... (GraphML and GEXF write them as edge ids, which must
    be unique in a file); the kind is an attribute.
    """
    graph = nx.MultiDiGraph()
    nodes, metrics, edges = export_sql.whole_graph(store)
    for node_id, kind, label, url in nodes:
        attrs: dict[str, Any] = {"kind": kind, "label": label}
        if url:
            attrs["url"] = url
        graph.add_node(node_id, **attrs)
    for node_id, metric, value in metrics:
        if node_id in graph:
            graph.nodes[node_id][metric] = _metric_value(metric, value)
    for number, (src, dst, kind, weight, evidence) in enumerate(edges):
        graph.add_edge(
            src, dst, key=f"e{number}", kind=kind, weight=float(weight), evidence=evidence
        )
    return graph


def _write_csv(names: list[str], rows: list[tuple[Any, ...]], path: Path) -> None:
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
            _write_csv(*export_sql.node_table(store), nodes)
            _write_csv(*export_sql.edge_table(store), edges)
        else:
            export_sql.tables_to_parquet(store, nodes, edges)
        return [nodes, edges]
    if fmt == "gexf":
        with atomic_open(out, "wb") as handle:
            write_gexf(store, handle)
        return [out]
    graph = graph_from_store(store)
    if fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        with atomic_open(out) as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
    else:
        with atomic_open(out, "wb") as handle:
            nx.write_graphml(graph, handle, encoding="utf-8")
    return [out]
