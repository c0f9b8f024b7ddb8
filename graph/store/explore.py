"""What the query commands read: papers and nodes by name, neighbours, rankings, counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store.connection import Store

__all__ = [
    "database_stats",
    "edge_kinds",
    "edges_of_kinds",
    "kind_count",
    "kind_metrics",
    "metric_names",
    "neighbor_rows",
    "node_by_id",
    "node_kinds",
    "nodes_by_label",
    "paper_by_arxiv_id",
    "paper_by_id",
    "paper_labels",
    "paper_titles",
    "top_rows",
]

SQL_PAPER_BY_ARXIV = "SELECT paper_id, title, arxiv_id FROM papers WHERE arxiv_id = ?"
SQL_PAPER_BY_ID = "SELECT paper_id, title, arxiv_id FROM papers WHERE paper_id = ?"
SQL_NODE_BY_ID = "SELECT node_id, kind, label FROM nodes WHERE node_id = ?"
SQL_NODES_BY_LABEL = """
SELECT node_id, kind, label FROM nodes WHERE kind <> 'paper' AND lower(label) = lower(?)
ORDER BY node_id
"""
SQL_STORED_NODE_KINDS = "SELECT DISTINCT kind FROM nodes ORDER BY kind"
SQL_STORED_EDGE_KINDS = "SELECT DISTINCT kind FROM edges ORDER BY kind"
SQL_KIND_COUNT = "SELECT count(*) FROM nodes WHERE kind = ?"
SQL_KIND_METRICS = """
SELECT DISTINCT m.metric FROM metrics m JOIN nodes n USING (node_id)
WHERE n.kind = ? AND m.value IS NOT NULL ORDER BY m.metric
"""
SQL_PAPER_TITLES = "SELECT paper_id, title, arxiv_id FROM papers ORDER BY title, paper_id"
SQL_NEIGHBORS = """
SELECT CASE WHEN e.src = ? THEN e.dst ELSE e.src END AS other,
       n.kind, n.label, e.kind, e.weight, e.evidence,
       CASE WHEN e.kind = 'cites' THEN (CASE WHEN e.src = ? THEN 'cites' ELSE 'cited by' END) END
FROM edges e JOIN nodes n ON n.node_id = CASE WHEN e.src = ? THEN e.dst ELSE e.src END
WHERE (e.src = ? OR e.dst = ?) AND list_contains(?, e.kind)
ORDER BY e.weight DESC, n.label, e.kind
LIMIT ?
"""
SQL_PAPER_EDGES = """
SELECT src, dst, kind, weight, evidence FROM edges WHERE list_contains(?, kind)
ORDER BY src, dst, kind
"""
SQL_LABELS = "SELECT node_id, label FROM nodes WHERE kind = 'paper'"
SQL_METRIC_NAMES = "SELECT DISTINCT metric FROM metrics ORDER BY metric"
SQL_TOP = """
SELECT n.node_id, n.kind, n.label, m.value
FROM metrics m JOIN nodes n USING (node_id)
WHERE m.metric = ? AND (? IS NULL OR n.kind = ?) AND m.value IS NOT NULL
ORDER BY m.value DESC, n.label, n.node_id
LIMIT ?
"""
SQL_NODE_KINDS = "SELECT kind, count(*) FROM nodes GROUP BY kind ORDER BY kind"
SQL_EDGE_KINDS = "SELECT kind, count(*) FROM edges GROUP BY kind ORDER BY kind"
SQL_DISTINCT_METRIC = "SELECT count(DISTINCT value) FROM metrics WHERE metric = ?"
# Named communities: the row gathering small groups ("other") is none.
SQL_NAMED_COMMUNITIES = "SELECT count(*) FROM communities WHERE NOT coalesce(is_other, false)"
SQL_COVERAGE = """
SELECT count(*) AS papers,
       count(arxiv_id) AS with_arxiv_id,
       count(cited_by_count) AS with_citation_count,
       (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'repo') AS with_code,
       (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'page') AS with_page,
       (SELECT count(DISTINCT paper_id) FROM keywords) AS with_keywords,
       (SELECT count(DISTINCT source) FROM paper_sources) AS sources
FROM papers
"""
SQL_LINK_ORIGINS = "SELECT origin, count(*) FROM links GROUP BY origin ORDER BY origin"


def _names(store: Store, sql: str, params: Sequence[Any] | None = None) -> list[str]:
    return [row[0] for row in store.query(sql, params)]


def node_kinds(store: Store) -> list[str]:
    """The node kinds the database holds."""
    return _names(store, SQL_STORED_NODE_KINDS)


def edge_kinds(store: Store) -> list[str]:
    """The edge kinds the database holds."""
    return _names(store, SQL_STORED_EDGE_KINDS)


def metric_names(store: Store) -> list[str]:
    """The metrics the database holds."""
    return _names(store, SQL_METRIC_NAMES)


def kind_metrics(store: Store, kind: str) -> list[str]:
    """The metrics some node of ``kind`` has a value of."""
    return _names(store, SQL_KIND_METRICS, [kind])


def kind_count(store: Store, kind: str) -> int:
    """Nodes of ``kind``."""
    return int(store.query(SQL_KIND_COUNT, [kind])[0][0])


def paper_by_id(store: Store, paper_id: str) -> list[tuple[Any, ...]]:
    """(paper_id, title, arxiv_id) of the paper with this id (no row when there is none)."""
    return store.query(SQL_PAPER_BY_ID, [paper_id])


def paper_by_arxiv_id(store: Store, arxiv_id: str) -> list[tuple[Any, ...]]:
    """(paper_id, title, arxiv_id) of the paper with this arXiv id."""
    return store.query(SQL_PAPER_BY_ARXIV, [arxiv_id])


def paper_titles(store: Store) -> list[tuple[Any, ...]]:
    """(paper_id, title, arxiv_id) of every paper, by title."""
    return store.query(SQL_PAPER_TITLES)


def paper_labels(store: Store) -> dict[str, str]:
    """Paper node id -> label."""
    return dict(store.query(SQL_LABELS))


def node_by_id(store: Store, node_id: str) -> list[tuple[Any, ...]]:
    """(node_id, kind, label) of the node with this id."""
    return store.query(SQL_NODE_BY_ID, [node_id])


def nodes_by_label(store: Store, label: str) -> list[tuple[Any, ...]]:
    """(node_id, kind, label) of the non-paper nodes labelled so (any case)."""
    return store.query(SQL_NODES_BY_LABEL, [label])


def neighbor_rows(
    store: Store, node_id: str, kinds: Sequence[str], limit: int
) -> list[tuple[Any, ...]]:
    """The node's strongest edges of ``kinds``: other end, its kind and label, edge kind,
    weight, evidence and (for cites) the direction."""
    return store.query(SQL_NEIGHBORS, [node_id] * 5 + [list(kinds), limit])


def edges_of_kinds(store: Store, kinds: Sequence[str]) -> list[tuple[Any, ...]]:
    """(src, dst, kind, weight, evidence) of every edge of ``kinds``."""
    return store.query(SQL_PAPER_EDGES, [list(kinds)])


def top_rows(store: Store, metric: str, kind: str | None, limit: int) -> list[tuple[Any, ...]]:
    """(node_id, kind, label, value) of the nodes with the highest ``metric``."""
    return store.query(SQL_TOP, [metric, kind, kind, limit])


def database_stats(store: Store) -> dict[str, Any]:
    """Counts per node and edge kind, components, communities and enrichment coverage."""
    coverage = store.query_dicts(SQL_COVERAGE)[0]
    components = store.query(SQL_DISTINCT_METRIC, ["component"])[0][0]
    # A database holding metrics without the communities table's rows counts the ids.
    communities = (
        store.query(SQL_NAMED_COMMUNITIES)[0][0]
        or store.query(SQL_DISTINCT_METRIC, ["community"])[0][0]
    )
    return {
        "nodes": dict(store.query(SQL_NODE_KINDS)),
        "edges": dict(store.query(SQL_EDGE_KINDS)),
        "components": components or None,
        "communities": communities or None,
        "coverage": coverage,
        "link_origins": dict(store.query(SQL_LINK_ORIGINS)),
    }
