"""What the HTML page shows, computed by pure functions from what the store holds.

``load_page_inputs`` reads the tables once; ``page_data`` picks the most central
nodes, lays them out, and gathers each node's details. Nothing here writes HTML.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from collectors.links import is_http_url
from graph.store import Store
from paperweb.errors import UsageError

__all__ = ["KIND_COLORS", "PageData", "PageInputs", "load_page_inputs", "page_data", "short_label"]

KIND_COLORS = {
    "paper": "#4e79a7",
    "repo": "#e15759",
    "owner": "#b07aa1",
    "page": "#59a14f",
    "keyword": "#edc948",
}
EDGE_COLORS = {
    "similar": "#9db4cf",
    "shared_code": "#e15759",
    "cites": "#f28e2b",
    "code": "#f1a1a3",
    "owner": "#d4b9cc",
    "page": "#a6d49c",
    "keyword": "#f4e3a1",
}
COMMUNITY_COLORS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf",
]  # fmt: skip

# {where} is empty for a full read, or limits the rows to the drawn nodes (_within).
SQL_NODES = "SELECT node_id, kind, label, url FROM nodes ORDER BY node_id"
SQL_EDGES = "SELECT src, dst, kind, weight, evidence FROM edges{where} ORDER BY src, dst, kind"
SQL_METRICS = "SELECT node_id, metric, value FROM metrics{where} ORDER BY node_id, metric"
SQL_PAPERS = "SELECT paper_id, title, published, published_text, authors, upvotes, arxiv_id, cited_by_count FROM papers{where}"
SQL_SOURCES = "SELECT paper_id, source, position FROM paper_sources{where} ORDER BY paper_id, source, position"
SQL_LINKS = "SELECT paper_id, url, kind, target FROM links{where} ORDER BY paper_id, kind, target"
SQL_KEYWORDS = (
    "SELECT paper_id, keyword FROM keywords{where} ORDER BY paper_id, weight DESC, keyword"
)
SQL_COMMUNITIES = "SELECT community, label, size FROM communities ORDER BY community"
# The ranking of _scores, in SQL: PageRank, else the node's share of edge ends.
SQL_RANKED_NODES = """
WITH ends AS (SELECT node_id, count(*) AS n FROM (
         SELECT src AS node_id FROM edges UNION ALL SELECT dst FROM edges) GROUP BY node_id),
     total AS (SELECT greatest(2 * count(*), 1) AS n FROM edges)
SELECT nodes.node_id, nodes.kind, nodes.label, nodes.url,
       coalesce(pagerank.value, coalesce(ends.n, 0) / total.n) AS score
FROM nodes CROSS JOIN total
LEFT JOIN metrics pagerank ON pagerank.node_id = nodes.node_id AND pagerank.metric = 'pagerank'
LEFT JOIN ends ON ends.node_id = nodes.node_id
WHERE {where}
ORDER BY score DESC, nodes.node_id
LIMIT ?
"""
SQL_COUNT_NODES = "SELECT count(*) FROM nodes WHERE {where}"


@dataclass(slots=True)
class PageInputs:
    """Everything the page needs, as read from the store."""

    nodes: list[tuple[str, str, str, str | None]]
    edges: list[tuple[str, str, str, float, str]]
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    communities: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: set when the store already picked the nodes: their ranking scores, and the
    #: node count (of the wanted kinds) and edge count of the whole graph
    scores: dict[str, float] | None = None
    total_nodes: int | None = None
    total_edges: int | None = None


@dataclass(slots=True)
class PageData:
    """The page's nodes and edges (vis-network fields) and the details behind them."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    details: dict[str, dict[str, Any]]
    communities: dict[str, dict[str, Any]]
    total_nodes: int
    total_edges: int

    @property
    def left_out_nodes(self) -> int:
        """Nodes of the database not shown on the page."""
        return self.total_nodes - len(self.nodes)


def load_page_inputs(
    store: Store, max_nodes: int | None = None, kinds: Sequence[str] | None = None
) -> PageInputs:
    """Read what the page is made from (one query per table).

    With ``max_nodes``, the store ranks the nodes (as :func:`page_data` does) and only
    the ``max_nodes`` most central ones of ``kinds``, the edges among them and their
    details are read: a 100k-paper graph then costs megabytes here, not gigabytes.
    ``page_data`` gives the same page either way.
    """
    if max_nodes is None:
        return _page_inputs(store, None, store.query(SQL_NODES), None)
    wanted = sorted(set(kinds)) if kinds else []
    where = f"nodes.kind IN ({', '.join('?' for _ in wanted)})" if wanted else "true"
    ranked = store.query(SQL_RANKED_NODES.format(where=where), [*wanted, max(max_nodes, 0)])
    with store.columns_view("_page_nodes", {"node_id": [row[0] for row in ranked]}) as view:
        inputs = _page_inputs(
            store,
            view,
            sorted((row[:4] for row in ranked), key=lambda row: row[0]),
            {row[0]: float(row[4]) for row in ranked},
        )
    inputs.total_nodes = int(store.query(SQL_COUNT_NODES.format(where=where), wanted)[0][0])
    inputs.total_edges = store.count("edges")
    return inputs


def _within(view: str | None, *columns: str) -> str:
    """A WHERE clause keeping rows whose ``columns`` are all nodes of ``view`` (none: all rows)."""
    if view is None:
        return ""
    return " WHERE " + " AND ".join(
        f"{column} IN (SELECT node_id FROM {view})" for column in columns
    )


def _page_inputs(
    store: Store,
    view: str | None,
    nodes: list[tuple[Any, ...]],
    scores: dict[str, float] | None,
) -> PageInputs:
    """The inputs for ``nodes``: every row of the tables, or those of the nodes in ``view``."""
    edges = store.query(SQL_EDGES.format(where=_within(view, "src", "dst")))
    by_node, by_paper = _within(view, "node_id"), _within(view, "paper_id")
    metrics: dict[str, dict[str, float]] = defaultdict(dict)
    for node_id, metric, value in store.query(SQL_METRICS.format(where=by_node)):
        if value is not None:
            metrics[node_id][metric] = float(value)
    papers = {row["paper_id"]: row for row in store.query_dicts(SQL_PAPERS.format(where=by_paper))}
    sources: dict[str, list[str]] = defaultdict(list)
    for paper_id, source, position in store.query(SQL_SOURCES.format(where=by_paper)):
        sources[paper_id].append(f"{source} #{position}")
    links: dict[str, list[dict[str, str]]] = defaultdict(list)
    for paper_id, url, kind, target in store.query(SQL_LINKS.format(where=by_paper)):
        links[paper_id].append({"url": url, "kind": kind, "target": target})
    keywords: dict[str, list[str]] = defaultdict(list)
    for paper_id, keyword in store.query(SQL_KEYWORDS.format(where=by_paper)):
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
        scores=scores,
    )


def short_label(label: str, kind: str, limit: int = 28) -> str:
    """A short label for drawing: a paper's name before the colon, or its first words.

    >>> short_label("GNOT: A General Neural Operator Transformer", "paper")
    'GNOT'
    >>> short_label("Linear Mode Connectivity in Differentiable Tree Ensembles", "paper")
    'Linear Mode Connectivity in…'
    """
    text = " ".join(label.split())
    if kind == "paper" and ":" in text and len(text.split(":", 1)[0]) <= limit:
        return text.split(":", 1)[0]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


def _scores(inputs: PageInputs) -> dict[str, float]:
    """Centrality used to rank nodes: PageRank, or for nodes without it their share of edge ends."""
    if inputs.scores is not None:
        return inputs.scores
    degree: dict[str, int] = defaultdict(int)
    for src, dst, _, _, _ in inputs.edges:
        degree[src] += 1
        degree[dst] += 1
    ends = max(2 * len(inputs.edges), 1)
    return {
        node_id: inputs.metrics.get(node_id, {}).get("pagerank", degree[node_id] / ends)
        for node_id, _, _, _ in inputs.nodes
    }


#: How many of the most central nodes get a large label.
HEADLINE_LABELS = 25
#: Nodes laid out by the spring layout; the rest are placed beside their neighbours.
#: NetworkX's spring layout costs O(n^2) per iteration, which is seconds at 1,000 nodes.
LAYOUT_CORE = 800


def _layout(
    ranked: Sequence[str], edges: Sequence[dict[str, Any]], seed: int = 42
) -> dict[str, tuple[float, float]]:
    """Positions in pixels, precomputed so the browser need not simulate physics.

    ``ranked`` is most central first: the top ``LAYOUT_CORE`` nodes get a seeded spring
    layout, each later node sits near the mean of its already placed neighbours (or on
    an outer ring when it has none), then two smoothing sweeps pull those towards all
    their neighbours. Deterministic for a given ``seed``.
    """
    if not ranked:
        return {}
    core = list(ranked[:LAYOUT_CORE])
    core_set = set(core)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        neighbours[edge["from"]].append(edge["to"])
        neighbours[edge["to"]].append(edge["from"])
    graph = nx.Graph()
    graph.add_nodes_from(core)
    graph.add_edges_from(
        (e["from"], e["to"]) for e in edges if e["from"] in core_set and e["to"] in core_set
    )
    found = nx.spring_layout(graph, seed=seed, iterations=50, k=1.5 / math.sqrt(len(core)))
    pos = {node: (float(x), float(y)) for node, (x, y) in found.items()}
    rng = random.Random(seed)
    rest = list(ranked[LAYOUT_CORE:])
    spread = 1.0 / math.sqrt(len(core))
    jitter: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(rest):
        placed = [pos[n] for n in neighbours[node] if n in pos]
        jitter[node] = (rng.uniform(-spread, spread), rng.uniform(-spread, spread))
        if placed:
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
        else:
            # A golden-angle spiral outside the core keeps unconnected nodes apart.
            angle = i * 2.399963
            radius = 1.15 + 0.5 * math.sqrt(i / max(len(rest), 1))
            x, y = radius * math.cos(angle), radius * math.sin(angle)
        pos[node] = (x + jitter[node][0], y + jitter[node][1])
    for _ in range(2):
        for node in rest:
            if neighbours[node]:
                xs = [pos[n][0] for n in neighbours[node]]
                ys = [pos[n][1] for n in neighbours[node]]
                pos[node] = (
                    sum(xs) / len(xs) + jitter[node][0],
                    sum(ys) / len(ys) + jitter[node][1],
                )
    scale = 120.0 * math.sqrt(len(ranked))
    return {node: (round(x * scale, 1), round(y * scale, 1)) for node, (x, y) in pos.items()}


def _details(
    node_id: str, kind: str, label: str, url: str | None, inputs: PageInputs
) -> dict[str, Any]:
    metrics = {k: round(v, 6) for k, v in sorted(inputs.metrics.get(node_id, {}).items())}
    detail: dict[str, Any] = {"kind": kind, "title": label, "metrics": metrics}
    detail["url"] = url if url and is_http_url(url) else None
    paper = inputs.papers.get(node_id)
    if paper is not None:
        detail["date"] = str(paper["published"]) if paper["published"] else paper["published_text"]
        detail.update(
            authors=paper["authors"], upvotes=paper["upvotes"], arxiv_id=paper["arxiv_id"]
        )
        detail["cited_by"] = paper["cited_by_count"]
        detail["sources"] = inputs.sources.get(node_id, [])
        detail["keywords"] = inputs.keywords.get(node_id, [])
        detail["links"] = [
            link for link in inputs.links.get(node_id, []) if is_http_url(link["url"])
        ]
    community = metrics.get("community")
    if community is not None:
        info = inputs.communities.get(int(community), {})
        detail["community"] = {
            "id": int(community),
            "label": info.get("label", f"community {int(community)}"),
        }
    return detail


def page_data(
    inputs: PageInputs, max_nodes: int = 500, kinds: Sequence[str] | None = None
) -> PageData:
    """Choose the ``max_nodes`` most central nodes (of ``kinds``), their edges, layout and details."""
    wanted = set(kinds) if kinds else None
    unknown = sorted((wanted or set()) - set(KIND_COLORS))
    if unknown:
        raise UsageError(
            f"unknown node kind {', '.join(unknown)} in --kinds; use some of {', '.join(KIND_COLORS)}"
        )
    scores = _scores(inputs)
    candidates = [n for n in inputs.nodes if wanted is None or n[1] in wanted]
    chosen = sorted(candidates, key=lambda n: (-scores[n[0]], n[0]))[: max(max_nodes, 0)]
    kept = {n[0] for n in chosen}
    edges = []
    seen: set[str] = set()
    for src, dst, kind, weight, evidence in inputs.edges:
        edge_id = f"{src}|{dst}|{kind}"
        # vis-network refuses the whole edge list if one id repeats; the first row wins.
        if src in kept and dst in kept and edge_id not in seen:
            seen.add(edge_id)
            edges.append(
                {
                    "id": edge_id,
                    "from": src,
                    "to": dst,
                    "kind": kind,
                    "title": f"{kind} ({weight:.3g}): {evidence}",
                    "color": EDGE_COLORS.get(kind, "#cccccc"),
                    "width": 1.0 + min(float(weight), 3.0)
                    if kind in ("similar", "shared_code", "cites")
                    else 1.0,
                    "arrows": "to" if kind == "cites" else "",
                }
            )
    positions = _layout([n[0] for n in chosen], edges)
    top = max((scores[n[0]] for n in chosen), default=1.0) or 1.0
    # The most central nodes get large labels, readable when the whole graph is in view.
    # Small pages are drawn zoomed in, where every label is readable already.
    headline = (
        {n[0] for n in chosen[:HEADLINE_LABELS]} if len(chosen) > 4 * HEADLINE_LABELS else set()
    )
    nodes, details = [], {}
    for node_id, kind, label, url in sorted(chosen, key=lambda n: n[0]):
        x, y = positions[node_id]
        community = inputs.metrics.get(node_id, {}).get("community")
        nodes.append(
            {
                "id": node_id,
                "label": short_label(label, kind),
                "title": f"{label}\n({kind})",
                "kind": kind,
                "color": KIND_COLORS.get(kind, "#999999"),
                "community": None if community is None else int(community),
                "size": round(8.0 + 32.0 * math.sqrt(scores[node_id] / top), 2),
                "x": x,
                "y": y,
                "font": {"size": 40 if node_id in headline else 14},
            }
        )
        details[node_id] = _details(node_id, kind, label, url, inputs)
    communities = {
        str(c): {
            "label": info["label"],
            "size": info["size"],
            "color": COMMUNITY_COLORS[c % len(COMMUNITY_COLORS)],
        }
        for c, info in sorted(inputs.communities.items())
    }
    return PageData(
        nodes,
        edges,
        details,
        communities,
        len(candidates) if inputs.total_nodes is None else inputs.total_nodes,
        len(inputs.edges) if inputs.total_edges is None else inputs.total_edges,
    )
