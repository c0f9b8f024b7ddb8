"""What the report reads: counts, the ranked paper table, communities, linked nodes and the
map's positions. The ``report_*`` temp tables live as long as the connection; they work on a
read-only database too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from graph.network import PAPER_EDGE_KINDS
from graph.store.connection import Store

__all__ = [
    "build_notes",
    "community_rows",
    "community_weights",
    "edges_of",
    "edges_within_layout",
    "edges_within_top",
    "isolated_papers",
    "label_coverage_counts",
    "layout_count",
    "layout_rows",
    "linked_rows",
    "paper_edge_ends",
    "papers_json_lines",
    "papers_per_year",
    "prepare_paper_edges",
    "prepare_paper_kinds",
    "prepare_paper_table",
    "ranked_papers",
    "repo_facts",
    "summary_counts",
    "top_keywords",
]

# Papers are joined by the paper-paper edge kinds only; `cites` may also point at works
# outside the corpus, so both ends must be papers.
SQL_PAPER_KINDS = [
    "CREATE OR REPLACE TEMP TABLE report_kinds (kind VARCHAR)",
    "INSERT INTO report_kinds SELECT unnest(?::VARCHAR[])",
]
# Materialised once per report (temp tables work on a read-only database too).
SQL_PAPER_EDGES = """
CREATE OR REPLACE TEMP TABLE report_paper_edges AS
SELECT e.src, e.dst, e.weight
FROM edges e JOIN report_kinds USING (kind)
SEMI JOIN papers s ON s.paper_id = e.src
SEMI JOIN papers d ON d.paper_id = e.dst
"""
SQL_SUMMARY = """
SELECT
  (SELECT count(*) FROM papers) AS papers,
  (SELECT count(DISTINCT source) FROM paper_sources) AS sources,
  (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'repo') AS papers_with_code,
  (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'page') AS papers_with_page,
  (SELECT count(*) FROM nodes WHERE kind = 'repo') AS repos,
  (SELECT count(*) FROM nodes WHERE kind = 'owner') AS owners,
  (SELECT count(*) FROM nodes WHERE kind = 'keyword') AS keywords,
  (SELECT count(*) FROM edges WHERE kind = 'similar') AS similar_edges,
  (SELECT count(*) FROM edges WHERE kind = 'shared_code') AS shared_code_edges,
  (SELECT count(*) FROM edges WHERE kind = 'cites') AS cites_edges,
  (SELECT count(*) FROM edges WHERE kind = 'coupling') AS coupling_edges,
  (SELECT count(*) FROM edges WHERE kind = 'cocited') AS cocited_edges,
  (SELECT count(*) FROM nodes WHERE kind = 'work') AS work_nodes,
  (SELECT count(*) FROM papers WHERE published IS NULL) AS papers_without_date
"""
# One row per paper with its metrics and their ranks, kept for the report's later reads.
SQL_PAPER_TABLE = """
CREATE OR REPLACE TEMP TABLE report_papers AS
WITH m AS (
  PIVOT (
    SELECT node_id AS paper_id, metric, value FROM metrics
    WHERE metric IN ('pagerank', 'betweenness', 'degree', 'eigenvector', 'participation', 'community')
  ) ON metric IN ('pagerank', 'betweenness', 'degree', 'eigenvector', 'participation', 'community')
  USING first(value) GROUP BY paper_id
)
SELECT p.paper_id, p.title, p.arxiv_id, year(p.published) AS year,
       m.pagerank, m.betweenness, m.degree, m.eigenvector, m.participation,
       CAST(m.community AS INTEGER) AS community, c.label AS community_label,
       {ranks}
FROM papers p LEFT JOIN m USING (paper_id)
LEFT JOIN communities c ON c.community = CAST(m.community AS INTEGER)
"""
# Competition rank among the papers that have the metric (ties share the best rank).
SQL_RANK = "CASE WHEN m.{0} IS NULL THEN NULL ELSE rank() OVER (ORDER BY m.{0} DESC NULLS LAST) END AS {0}_rank"
SQL_PAPERS = "SELECT {columns} FROM report_papers ORDER BY pagerank DESC NULLS LAST, paper_id"
# report.json's paper list, a line per paper, encoded by DuckDB (Python's encoder takes seconds at 100k)
SQL_PAPERS_JSON = "SELECT to_json(t) FROM (" + SQL_PAPERS + " LIMIT ?) t"
# The edges of the given papers: each edge once per listed end, with the node at its other end.
SQL_EDGES_OF = """
WITH ids AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS id),
ends AS (
  SELECT ids.id, e.dst AS other, e.kind, e.weight, e.evidence FROM edges e JOIN ids ON e.src = ids.id
  UNION ALL
  SELECT ids.id, e.src, e.kind, e.weight, e.evidence FROM edges e JOIN ids ON e.dst = ids.id
)
SELECT ends.id, ends.kind, ends.weight, ends.evidence, n.label, n.kind AS node_kind,
       CAST(c.value AS INTEGER) AS community
FROM ends JOIN nodes n ON n.node_id = ends.other
LEFT JOIN metrics c ON c.node_id = ends.other AND c.metric = 'community'
WHERE ends.kind IN ({kinds})
ORDER BY ends.id, CASE ends.kind WHEN 'cites' THEN 0 WHEN 'shared_code' THEN 1 WHEN 'code' THEN 2 ELSE 3 END,
         ends.weight DESC, n.label
"""
SQL_ISOLATED = """
SELECT count(*) FROM papers WHERE paper_id NOT IN (
  SELECT src FROM report_paper_edges UNION SELECT dst FROM report_paper_edges)
"""
SQL_COMMUNITIES = (
    "SELECT community, label, size, keywords{extra} FROM communities ORDER BY community"
)
# Per community: edge weight inside, and the summed weight of its papers' edge ends.
SQL_COMMUNITY_WEIGHTS = """
WITH c AS (SELECT node_id, CAST(value AS INTEGER) AS community FROM metrics WHERE metric = 'community'),
e AS (
  SELECT a.community AS ca, b.community AS cb, weight
  FROM report_paper_edges JOIN c a ON a.node_id = src JOIN c b ON b.node_id = dst
)
SELECT community, sum(inside) AS internal_weight, sum(ends) AS ends FROM (
  SELECT ca AS community, CASE WHEN ca = cb THEN weight ELSE 0 END AS inside, weight AS ends FROM e
  UNION ALL SELECT cb, 0, weight FROM e
) GROUP BY community ORDER BY community
"""
# Papers of each community that carry the first keyword of its label.
SQL_COVERAGE = """
WITH c AS (SELECT node_id AS paper_id, CAST(value AS INTEGER) AS community FROM metrics WHERE metric = 'community')
SELECT c.community, count(DISTINCT c.paper_id)
FROM c JOIN communities USING (community)
JOIN keywords k ON k.paper_id = c.paper_id AND k.keyword = communities.keywords[1]
GROUP BY c.community
"""
SQL_LINKED = """
WITH linked AS (
  SELECT src AS paper_id, dst AS node_id FROM edges WHERE kind IN ('code', 'page')
  UNION
  -- a paper reaches an owner through any of its repositories (repo -> owner edges)
  SELECT code.src, owner.dst
  FROM edges code JOIN edges owner ON owner.kind = 'owner' AND owner.src = code.dst
  WHERE code.kind = 'code'
),
rank AS (SELECT node_id AS paper_id, value AS pagerank FROM metrics WHERE metric = 'pagerank')
SELECT n.node_id, n.kind, n.label, n.url, count(*) AS papers,
       coalesce(sum(rank.pagerank), 0) AS paper_pagerank,
       arg_max(p.title, coalesce(rank.pagerank, 0)) AS top_paper
FROM linked JOIN nodes n USING (node_id) JOIN papers p USING (paper_id)
LEFT JOIN rank USING (paper_id)
WHERE n.kind IN ('repo', 'owner', 'page')
GROUP BY ALL
ORDER BY papers DESC, paper_pagerank DESC, n.node_id
"""
SQL_REPO_FACTS = "SELECT target, stars, archived, status FROM repos"
SQL_TOP_KEYWORDS = """
SELECT n.label, CAST(m.value AS INTEGER) AS papers
FROM nodes n JOIN metrics m USING (node_id)
WHERE n.kind = 'keyword' AND m.metric = 'degree'
ORDER BY m.value DESC, n.label LIMIT 15
"""
SQL_NOTES = "SELECT key, value FROM build_info ORDER BY key"
SQL_YEARS = """
SELECT year(p.published) AS year, CAST(m.value AS INTEGER) AS community, count(*) AS papers
FROM papers p LEFT JOIN metrics m ON m.node_id = p.paper_id AND m.metric = 'community'
GROUP BY ALL ORDER BY ALL
"""
SQL_LAYOUT = """
SELECT l.node_id, l.x, l.y, n.kind, CAST(c.value AS INTEGER) AS community, coalesce(r.value, 0) AS pagerank
FROM layout l JOIN nodes n USING (node_id)
LEFT JOIN metrics c ON c.node_id = l.node_id AND c.metric = 'community'
LEFT JOIN metrics r ON r.node_id = l.node_id AND r.metric = 'pagerank'
ORDER BY l.node_id
"""
# The map's nodes: the viewer's layout, or the most central papers (LIMIT ?).
SQL_DRAWN_LAYOUT = "CREATE OR REPLACE TEMP TABLE report_drawn AS SELECT node_id FROM layout"
SQL_DRAWN_TOP = """
CREATE OR REPLACE TEMP TABLE report_drawn AS
SELECT paper_id AS node_id FROM report_papers ORDER BY pagerank DESC NULLS LAST, paper_id LIMIT {limit:d}
"""
SQL_LAYOUT_COUNT = "SELECT count(*) FROM layout JOIN nodes USING (node_id)"
SQL_EDGES_WITHIN = """
SELECT e.src, e.dst, e.weight FROM edges e JOIN report_kinds USING (kind)
SEMI JOIN report_drawn s ON s.node_id = e.src SEMI JOIN report_drawn d ON d.node_id = e.dst
ORDER BY e.src, e.dst
"""
SQL_EDGE_ENDS = "SELECT src, dst, weight FROM report_paper_edges"


def prepare_paper_kinds(store: Store) -> None:
    """The temp table of paper-paper edge kinds the other report queries join on."""
    store.execute(SQL_PAPER_KINDS[0])
    store.execute(SQL_PAPER_KINDS[1], [sorted(PAPER_EDGE_KINDS)])


def prepare_paper_edges(store: Store) -> None:
    """The temp table of paper-paper edges (for counts an older database did not record)."""
    store.execute(SQL_PAPER_EDGES)


def prepare_paper_table(store: Store, ranked: Sequence[str]) -> None:
    """The temp table of papers with their metrics and the competition ranks of ``ranked``."""
    store.execute(SQL_PAPER_TABLE.format(ranks=", ".join(SQL_RANK.format(m) for m in ranked)))


def ranked_papers(store: Store, columns: Sequence[str]) -> pa.Table:
    """``columns`` of the paper table, by PageRank then id."""
    return store.query_arrow(SQL_PAPERS.format(columns=", ".join(columns)))


def papers_json_lines(store: Store, limit: int) -> list[str]:
    """The first ``limit`` rows of the paper table in PageRank order, a JSON object each."""
    return [row[0] for row in store.query(SQL_PAPERS_JSON.format(columns="*"), [limit])]


def summary_counts(store: Store) -> dict[str, Any]:
    """Papers, sources, links, node and edge counts of the report's summary."""
    return store.query_dicts(SQL_SUMMARY)[0]


def build_notes(store: Store) -> dict[str, str]:
    """The ``build_info`` rows, key -> value."""
    return dict(store.query(SQL_NOTES))


def isolated_papers(store: Store) -> int:
    """Papers with no paper-paper edge (needs :func:`prepare_paper_edges`)."""
    return int(store.query(SQL_ISOLATED)[0][0])


def paper_edge_ends(store: Store) -> pa.Table:
    """(src, dst, weight) of the paper-paper edges (needs :func:`prepare_paper_edges`)."""
    return store.query_arrow(SQL_EDGE_ENDS)


def edges_of(store: Store, ids: Sequence[str], kinds: Sequence[str]) -> dict[str, list[Any]]:
    """The edges of ``kinds`` at each of the papers ``ids``: the strongest first, cites and shared
    code before weaker evidence. One query for all papers: per-paper queries each scan the edges."""
    sql = SQL_EDGES_OF.format(kinds=", ".join("?" * len(kinds)))
    found: dict[str, list[Any]] = {i: [] for i in ids}
    if not ids:
        return found
    for row in store.query_dicts(sql, [list(ids), *kinds]):
        found[row["id"]].append(row)
    return found


def community_rows(store: Store, extra: Sequence[str]) -> list[dict[str, Any]]:
    """community, label, size, keywords and the ``extra`` columns of every community."""
    return store.query_dicts(SQL_COMMUNITIES.format(extra="".join(f", {c}" for c in extra)))


def community_weights(store: Store) -> dict[int, dict[str, Any]]:
    """Per community: edge weight inside and the summed weight of its papers' edge ends."""
    return {r["community"]: r for r in store.query_dicts(SQL_COMMUNITY_WEIGHTS)}


def label_coverage_counts(store: Store) -> dict[int, int]:
    """Per community: its papers that carry the first keyword of its label."""
    return dict(store.query(SQL_COVERAGE))


def linked_rows(store: Store) -> list[dict[str, Any]]:
    """Repository, owner and page nodes with the papers linking them, most linked first."""
    return store.query_dicts(SQL_LINKED)


def repo_facts(store: Store) -> dict[str, dict[str, Any]]:
    """GitHub's stars, archived flag and status per repository target."""
    return {r["target"]: r for r in store.query_dicts(SQL_REPO_FACTS)}


def top_keywords(store: Store) -> list[dict[str, Any]]:
    """The 15 keywords of most papers."""
    return store.query_dicts(SQL_TOP_KEYWORDS)


def papers_per_year(store: Store) -> list[tuple[Any, Any, Any]]:
    """(year, community, papers) for the years picture."""
    return [(r[0], r[1], r[2]) for r in store.query(SQL_YEARS)]


def layout_count(store: Store) -> int:
    """Nodes with a stored position."""
    return int(store.query(SQL_LAYOUT_COUNT)[0][0])


def layout_rows(store: Store) -> list[dict[str, Any]]:
    """Stored positions with each node's kind, community and PageRank."""
    return store.query_dicts(SQL_LAYOUT)


def _edges_within(store: Store, drawn: str) -> list[tuple[str, str, float]]:
    """Paper-paper edges between the map's nodes (``drawn``: the SQL that picks them)."""
    store.execute(drawn)
    return [(src, dst, weight) for src, dst, weight in store.query(SQL_EDGES_WITHIN)]


def edges_within_layout(store: Store) -> list[tuple[str, str, float]]:
    """Paper-paper edges between the nodes of the stored layout."""
    return _edges_within(store, SQL_DRAWN_LAYOUT)


def edges_within_top(store: Store, limit: int) -> list[tuple[str, str, float]]:
    """Paper-paper edges between the ``limit`` papers of highest PageRank."""
    return _edges_within(store, SQL_DRAWN_TOP.format(limit=limit))
