"""The graph as numbers for the metrics stage, and the keywords and texts of communities."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from graph.network import PAPER_EDGE_KINDS
from graph.store.connection import Store

__all__ = [
    "SQL_GRAPH_EDGES",
    "SQL_GRAPH_NODES",
    "community_keyword_pairs",
    "keyword_degrees",
    "member_texts",
    "numbered_graph",
    "sample_texts",
]

SQL_GRAPH_NODES = "SELECT node_id, kind FROM nodes ORDER BY node_id"
SQL_GRAPH_EDGES = "SELECT src, dst, kind, weight FROM edges ORDER BY src, dst, kind"
# Every keyword row as (paper number, keyword number), and the distinct keywords in order.
SQL_KEYWORD_NUMBERS = """
CREATE OR REPLACE TEMP TABLE _keyword_numbers AS
SELECT keyword, CAST(row_number() OVER (ORDER BY keyword) - 1 AS INTEGER) AS number
FROM (SELECT DISTINCT keyword FROM keywords)
"""
SQL_PAPER_KEYWORDS = """
SELECT m.number AS paper, k.number AS keyword
FROM keywords JOIN _keyword_numbers AS k USING (keyword) JOIN _members AS m USING (paper_id)
"""
SQL_KEYWORD_NAMES = "SELECT keyword FROM _keyword_numbers ORDER BY number"
SQL_DROP_KEYWORD_NUMBERS = "DROP TABLE IF EXISTS _keyword_numbers"

# Non-keyword nodes numbered in id order, and the edges between them as those numbers, so
# that 1.17M edge rows (at 100k papers) never become strings in this process.
SQL_NUMBERED_NODES = """
CREATE OR REPLACE TEMP TABLE _numbered AS
SELECT node_id, kind = 'paper' AS is_paper, kind = 'owner' AS is_owner,
       CAST(row_number() OVER (ORDER BY node_id) - 1 AS INTEGER) AS number
FROM nodes WHERE kind <> 'keyword'
"""
SQL_NUMBERED_NODE_ROWS = "SELECT node_id, is_paper, is_owner FROM _numbered ORDER BY number"
SQL_NUMBERED_EDGES = f"""
SELECT a.number AS a, b.number AS b, e.weight,
       e.kind IN ({", ".join(f"'{kind}'" for kind in sorted(PAPER_EDGE_KINDS))}) AS paper_kind
FROM edges e JOIN _numbered a ON a.node_id = e.src JOIN _numbered b ON b.node_id = e.dst
WHERE e.kind <> 'keyword'
ORDER BY e.src, e.dst, e.kind
"""
SQL_DROP_NUMBERED = "DROP TABLE IF EXISTS _numbered"
SQL_KEYWORD_DEGREE = """
SELECT n.node_id, CAST(count(e.dst) AS DOUBLE) AS degree
FROM nodes n LEFT JOIN edges e ON e.dst = n.node_id AND e.kind = 'keyword'
WHERE n.kind = 'keyword'
GROUP BY n.node_id ORDER BY n.node_id
"""
# Titles and abstracts with the community of their paper, for the label coverage counts.
# The join is made into a table first and the table streamed: DuckDB streaming the
# join itself a batch at a time took 27.6 s at 1M papers, the table 1.8 s plus 1.1 s.
SQL_MEMBER_TEXTS = """
CREATE TEMP TABLE _member_texts AS
SELECT m.community, p.title, coalesce(p.abstract, '') AS abstract
FROM papers p JOIN _members AS m USING (paper_id)
WHERE m.community IS DISTINCT FROM ?
"""
SQL_MEMBER_TEXT_ROWS = "SELECT community, title, abstract FROM _member_texts"
SQL_DROP_MEMBER_TEXTS = "DROP TABLE IF EXISTS _member_texts"
# Every k-th paper of ``_members`` (numbered in graph order, so a rebuild reads the same ones).
SQL_SAMPLE_TEXTS = """
SELECT 0 AS community, p.title, coalesce(p.abstract, '') AS abstract
FROM papers p JOIN _members AS m USING (paper_id)
WHERE m.number % ? = 0
"""


def _over_temporary(store: Store, create: str, drop: str, *queries: str) -> list[pa.Table]:
    """The answers of ``queries`` over a temporary table that ``create`` makes and ``drop`` drops."""
    store.execute(create)
    try:
        return [store.query_arrow(query) for query in queries]
    finally:
        store.execute(drop)


def numbered_graph(store: Store) -> tuple[pa.Table, pa.Table]:
    """Non-keyword nodes numbered in id order (node_id, is_paper, is_owner) and the edges
    between them as those numbers (a, b, weight, paper_kind: a paper-paper kind)."""
    nodes, edges = _over_temporary(
        store, SQL_NUMBERED_NODES, SQL_DROP_NUMBERED, SQL_NUMBERED_NODE_ROWS, SQL_NUMBERED_EDGES
    )
    return nodes, edges


def keyword_degrees(store: Store) -> pa.Table:
    """Keyword nodes (node_id) with the number of their ``keyword`` edges (degree), by id."""
    return store.query_arrow(SQL_KEYWORD_DEGREE)


def community_keyword_pairs(store: Store) -> tuple[pa.Table, list[str]]:
    """(paper number, keyword number) of every keyword row of the papers in ``_members``,
    and the keywords in number order. Runs inside :meth:`Store.columns_view` of ``_members``."""
    pairs, names = _over_temporary(
        store, SQL_KEYWORD_NUMBERS, SQL_DROP_KEYWORD_NUMBERS, SQL_PAPER_KEYWORDS, SQL_KEYWORD_NAMES
    )
    return pairs, names["keyword"].to_pylist()


def member_texts(
    store: Store, rows: int = 4096, without: int | None = None
) -> Iterator[pa.RecordBatch]:
    """(community, title, abstract) batches of the papers in ``_members``, but those of
    community ``without``. The texts are gathered in a temporary DuckDB table (held
    within the store's memory limit, spilled beyond it) and handed out a batch at a
    time: every abstract at once in this process would be GBs at 1M papers."""
    store.execute(SQL_MEMBER_TEXTS, [without])
    try:
        yield from store.query_batches(SQL_MEMBER_TEXT_ROWS, rows=rows)
    finally:
        store.execute(SQL_DROP_MEMBER_TEXTS)


def sample_texts(store: Store, every: int, rows: int = 4096) -> Iterator[pa.RecordBatch]:
    """(0, title, abstract) batches of every ``every``-th paper of ``_members``: few enough
    texts to read in a moment at any size, the same ones on every build of the same input."""
    yield from store.query_batches(SQL_SAMPLE_TEXTS, [max(every, 1)], rows=rows)
