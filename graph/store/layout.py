"""What the map's layout reads: papers by rank, link edges, and the drawn nodes' details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store.connection import Store

__all__ = ["drawn_details", "link_edges", "paper_ranking", "stored_positions"]

SQL_PAPER_RANKING = """
SELECT n.node_id FROM nodes n
LEFT JOIN metrics m ON m.node_id = n.node_id AND m.metric = 'pagerank'
LEFT JOIN (SELECT node_id, count(*) AS n FROM (
    SELECT src AS node_id FROM edges WHERE kind <> 'keyword'
    UNION ALL SELECT dst FROM edges WHERE kind <> 'keyword') GROUP BY node_id) d
  ON d.node_id = n.node_id
WHERE n.kind = 'paper'
ORDER BY coalesce(m.value, 0) DESC, coalesce(d.n, 0) DESC, n.node_id
"""
SQL_LINK_EDGES = """
SELECT src, dst, kind FROM edges WHERE kind IN ('code', 'page', 'owner'{keyword})
ORDER BY src, dst, kind
"""
SQL_NODE_KINDS = "SELECT node_id, kind FROM nodes WHERE node_id IN (SELECT node_id FROM {view})"
SQL_DRAWN_EDGES = """
SELECT src, dst, kind, weight FROM edges
WHERE src IN (SELECT node_id FROM {view}) AND dst IN (SELECT node_id FROM {view})
ORDER BY src, dst, kind
"""
SQL_COMMUNITY = """
SELECT node_id, CAST(value AS INTEGER) FROM metrics
WHERE metric = 'community' AND node_id IN (SELECT node_id FROM {view})
"""
SQL_LAYOUT = "SELECT node_id, x, y FROM layout WHERE node_id IN (SELECT node_id FROM {view})"


def paper_ranking(store: Store) -> list[str]:
    """Paper ids by PageRank, then by their non-keyword edges, then by id."""
    return [row[0] for row in store.query(SQL_PAPER_RANKING)]


def link_edges(store: Store, keywords: bool) -> list[tuple[Any, ...]]:
    """(src, dst, kind) of the code, page and owner edges (and keyword edges when asked)."""
    return store.query(SQL_LINK_EDGES.format(keyword=", 'keyword'" if keywords else ""))


def drawn_details(
    store: Store, nodes: Sequence[str]
) -> tuple[dict[str, str], list[tuple[str, str, str, float]], dict[str, int]]:
    """The kinds of ``nodes``, the edges among them and their communities."""
    with store.columns_view("_drawn", {"node_id": list(nodes)}) as view:
        kind_of = dict(store.query(SQL_NODE_KINDS.format(view=view)))
        edges = [
            (a, b, kind, float(w))
            for a, b, kind, w in store.query(SQL_DRAWN_EDGES.format(view=view))
        ]
        communities = {
            node: int(c)
            for node, c in store.query(SQL_COMMUNITY.format(view=view))
            if c is not None
        }
    return kind_of, edges, communities


def stored_positions(store: Store, nodes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Positions the ``layout`` table holds for ``nodes`` (an old database has none)."""
    if "layout" not in store.table_names():
        return {}
    with store.columns_view("_drawn", {"node_id": list(nodes)}) as view:
        return {
            node: (float(x), float(y)) for node, x, y in store.query(SQL_LAYOUT.format(view=view))
        }
