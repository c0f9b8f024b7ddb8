"""What the HTML page reads about its drawn nodes, and the search index of every paper."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.store.connection import Store
from graph.store.layout import stored_positions

if TYPE_CHECKING:
    from graph.layout import DrawnSet

__all__ = ["PageInputs", "read_page_inputs"]

#: metrics shown as ranks in the details panel, in this order
RANKED_METRICS = ("pagerank", "betweenness", "degree", "weighted_degree", "eigenvector")

SQL_NODES = "SELECT node_id, kind, label, url FROM nodes WHERE node_id IN (SELECT node_id FROM {view}) ORDER BY node_id"
SQL_EDGES = """
SELECT src, dst, kind, weight, evidence FROM edges
WHERE src IN (SELECT node_id FROM {view}) AND dst IN (SELECT node_id FROM {view})
ORDER BY src, dst, kind
"""
# Both directions as two equi-joins: one join on "src = x OR dst = x" is a nested loop.
SQL_CONNECTIONS = """
WITH ends AS (
    SELECT e.src AS node_id, e.dst AS other, e.kind, e.weight, e.evidence
    FROM edges e JOIN {view} d ON d.node_id = e.src WHERE e.kind <> 'keyword'
    UNION ALL
    SELECT e.dst, e.src, e.kind, e.weight, e.evidence
    FROM edges e JOIN {view} d ON d.node_id = e.dst WHERE e.kind <> 'keyword'
)
SELECT ends.node_id, ends.other, ends.kind, ends.weight, ends.evidence, n.label, n.kind,
       count(*) OVER (PARTITION BY ends.node_id) AS total
FROM ends JOIN nodes n ON n.node_id = ends.other
QUALIFY row_number() OVER (
    PARTITION BY ends.node_id ORDER BY ends.weight DESC, ends.other, ends.kind
) <= ?
ORDER BY ends.node_id, ends.weight DESC, ends.other, ends.kind
"""
SQL_METRICS = "SELECT node_id, metric, value FROM metrics WHERE node_id IN (SELECT node_id FROM {view}) ORDER BY node_id, metric"
SQL_RANKS = f"""
SELECT node_id, metric, rnk, total FROM (
    SELECT m.node_id, m.metric,
           rank() OVER (PARTITION BY n.kind, m.metric ORDER BY m.value DESC) AS rnk,
           count(*) OVER (PARTITION BY n.kind, m.metric) AS total
    FROM metrics m JOIN nodes n ON n.node_id = m.node_id
    WHERE m.value IS NOT NULL AND m.metric IN ({", ".join(f"'{m}'" for m in RANKED_METRICS)})
) WHERE node_id IN (SELECT node_id FROM {{view}})
"""
SQL_PAPERS = """
SELECT paper_id, title, abstract, published, published_text, authors, upvotes, arxiv_id, cited_by_count
FROM papers WHERE paper_id IN (SELECT node_id FROM {view})
"""
SQL_SOURCES = "SELECT paper_id, source, position FROM paper_sources WHERE paper_id IN (SELECT node_id FROM {view}) ORDER BY paper_id, source, position"
SQL_LINKS = "SELECT paper_id, url, kind, target FROM links WHERE paper_id IN (SELECT node_id FROM {view}) ORDER BY paper_id, kind, target"
SQL_KEYWORDS = "SELECT paper_id, keyword FROM keywords WHERE paper_id IN (SELECT node_id FROM {view}) ORDER BY paper_id, weight DESC, keyword"
SQL_COMMUNITIES = "SELECT * FROM communities ORDER BY community"
# The most central papers (the order of graph.layout's ranking), for the search index.
SQL_INDEX = """
SELECT p.paper_id, p.title, year(p.published) AS year, p.arxiv_id,
       CAST(c.value AS INTEGER) AS community
FROM papers p
LEFT JOIN metrics r ON r.node_id = p.paper_id AND r.metric = 'pagerank'
LEFT JOIN metrics c ON c.node_id = p.paper_id AND c.metric = 'community'
ORDER BY coalesce(r.value, 0) DESC, p.paper_id
LIMIT ?
"""


@dataclass(slots=True)
class PageInputs:
    """Everything the page needs, as read from the store: the drawn nodes and their details."""

    nodes: list[tuple[str, str, str, str | None]]
    edges: list[tuple[str, str, str, float, str]]
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    communities: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: metric -> (rank, of how many nodes of the same kind), per node
    ranks: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    #: a drawn node's strongest edges except keyword edges (at most the ``listed`` of
    #: :func:`read_page_inputs`): (other, label, kind of other, edge kind, weight, evidence)
    connections: dict[str, list[tuple[str, str, str, str, float, str]]] = field(
        default_factory=dict
    )
    #: how many such edges each drawn node has in all
    connection_counts: dict[str, int] = field(default_factory=dict)
    #: stored positions (the ``layout`` table); missing nodes are laid out on the fly
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: the most central papers of the database, most central first (at most the index
    #: limit of :func:`read_page_inputs`): (id, title, year, arXiv id, community)
    index: list[tuple[str, str, int | None, str | None, int | None]] | None = None
    total_papers: int | None = None
    left_out_papers: int | None = None
    total_edges: int | None = None


def read_page_inputs(store: Store, drawn: DrawnSet, index_papers: int, listed: int) -> PageInputs:
    """The details of the ``drawn`` nodes, read in proportion to them (their ``listed``
    strongest connections each, and how many there are), and the search index of the
    ``index_papers`` most central papers."""
    with store.columns_view("_page_nodes", {"node_id": drawn.nodes}) as view:
        nodes = store.query(SQL_NODES.format(view=view))
        edges = store.query(SQL_EDGES.format(view=view))
        metrics: dict[str, dict[str, float]] = defaultdict(dict)
        for node_id, metric, value in store.query(SQL_METRICS.format(view=view)):
            if value is not None:
                metrics[node_id][metric] = float(value)
        ranks: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for node_id, metric, rank, total in store.query(SQL_RANKS.format(view=view)):
            ranks[node_id][metric] = (int(rank), int(total))
        connections: dict[str, list[tuple[str, str, str, str, float, str]]] = defaultdict(list)
        counts: dict[str, int] = {}
        for node_id, other, kind, weight, evidence, label, other_kind, total in store.query(
            SQL_CONNECTIONS.format(view=view), [listed]
        ):
            connections[node_id].append((other, label, other_kind, kind, float(weight), evidence))
            counts[node_id] = int(total)
        papers = {row["paper_id"]: row for row in store.query_dicts(SQL_PAPERS.format(view=view))}
        sources: dict[str, list[str]] = defaultdict(list)
        for paper_id, source, position in store.query(SQL_SOURCES.format(view=view)):
            sources[paper_id].append(f"{source} #{position}")
        links: dict[str, list[dict[str, str]]] = defaultdict(list)
        for paper_id, url, kind, target in store.query(SQL_LINKS.format(view=view)):
            links[paper_id].append({"url": url, "kind": kind, "target": target})
        keywords: dict[str, list[str]] = defaultdict(list)
        for paper_id, keyword in store.query(SQL_KEYWORDS.format(view=view)):
            keywords[paper_id].append(keyword)
    communities = {c["community"]: c for c in store.query_dicts(SQL_COMMUNITIES)}
    return PageInputs(
        nodes=nodes,
        edges=edges,
        metrics=dict(metrics),
        papers=papers,
        sources=dict(sources),
        links=dict(links),
        keywords=dict(keywords),
        communities=communities,
        ranks=dict(ranks),
        connections=dict(connections),
        connection_counts=counts,
        positions=stored_positions(store, drawn.nodes),
        index=[
            (row[0], row[1], row[2], row[3], row[4])
            for row in store.query(SQL_INDEX, [index_papers])
        ],
        total_papers=drawn.total_papers,
        left_out_papers=drawn.left_out_papers,
        total_edges=store.count("edges"),
    )
