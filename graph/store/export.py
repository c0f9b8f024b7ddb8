"""What ``paperweb export`` reads: every node, metric and edge, and the flat node table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from graph.store.connection import Store

__all__ = [
    "INTEGER_METRICS",
    "edge_batches",
    "edge_table",
    "node_batches",
    "node_table",
    "whole_graph",
]

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


def whole_graph(
    store: Store,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every node (node_id, kind, label, url), by id; every metric a node has (node_id,
    metric, value; no NULL or NaN rows); every edge (src, dst, kind, weight, evidence)."""
    return store.query(SQL_NODES), store.query(SQL_METRICS), store.query(SQL_EDGES)


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


def node_table(store: Store) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of the node table: a column per metric."""
    return store.query_table(_node_table_sql(store))


def node_batches(store: Store) -> Iterator[pa.RecordBatch]:
    """The node table (a column per metric, NULL where a node lacks it) in Arrow batches."""
    return store.query_batches(_node_table_sql(store))


def edge_batches(store: Store) -> Iterator[pa.RecordBatch]:
    """The edge table in Arrow batches, in the order of :func:`edges`."""
    return store.query_batches(SQL_EDGES)


def edge_table(store: Store) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of the edge table."""
    return store.query_table(SQL_EDGES)


def tables_to_parquet(store: Store, nodes: Path, edges: Path) -> None:
    """Write the node and edge tables straight from DuckDB to Parquet files."""
    store.copy_to_parquet(_node_table_sql(store), nodes)
    store.copy_to_parquet(SQL_EDGES, edges)
