"""The centrality report: what is central and why, as Markdown, JSON, CSV and pictures.

``report_data`` reads everything once from the store into plain data;
``render_markdown`` turns that data into text, so the report is testable
without files, and the JSON carries the same facts for scripts. The pictures
(:mod:`graph.figures`) are drawn from :func:`figure_inputs`, read here too, so
all SQL of the report stays in this module.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.figures import DrawnFigure, FigureInputs, draw_figures, plan_figures
from graph.network import PAPER_EDGE_KINDS
from graph.outputs import atomic_write_text
from graph.store import Store
from paperweb.errors import UsageError

__all__ = [
    "REPORT_FORMATS",
    "figure_inputs",
    "ordinal",
    "render_markdown",
    "report_data",
    "write_report",
]

REPORT_FORMATS = ("md", "json", "csv")
TOP = 10
#: rows of the "Repositories and labs" table
TOP_LINKED = 15
#: lists longer than this are written one item per line in report.json
LONG_LIST = 100
#: the most communities a bridge line names
BRIDGE_COMMUNITIES = 3
#: the fallback map lays out at most this many papers (the most central ones)
MAP_PAPERS = 2000
#: a community subgraph larger than this is placed at random in its disc, not by springs
SPRING_LIMIT = 400
SEED = 42
#: edges that explain why a paper is central (all but keyword edges)
WHY_KINDS = ("cites", "shared_code", "code", "similar", "page", "coupling", "cocited")

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
RANKED_METRICS = ("pagerank", "betweenness", "degree", "eigenvector", "participation")
# Competition rank among the papers that have the metric (ties share the best rank).
SQL_RANK = "CASE WHEN m.{0} IS NULL THEN NULL ELSE rank() OVER (ORDER BY m.{0} DESC NULLS LAST) END AS {0}_rank"
SQL_PAPERS = "SELECT {columns} FROM report_papers ORDER BY pagerank DESC NULLS LAST, paper_id"
# report.json's paper list, a line per paper, encoded by DuckDB (Python's encoder takes seconds at 100k)
SQL_PAPERS_JSON = "SELECT to_json(t) FROM (" + SQL_PAPERS + ") t"
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
SQL_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
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

# Enough to keep input from forming emphasis, code, links, HTML or table cells on GitHub.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")

HOW_TO_READ = (
    "Every paper is a node; two papers are joined when they share keywords (`similar`), "
    "code (`shared_code`) or a citation (`cites`). **PageRank** is the share of time a random "
    "walk along these edges spends on a paper: central papers are tied to many papers that are "
    "tied to many others. **Betweenness** is the share of shortest paths between other papers "
    "that pass through it: high for papers that connect otherwise separate groups. "
    "**Communities** are groups of papers more tightly joined to each other than to the rest; "
    "**modularity** (from -0.5 to 1) says how clear that grouping is (above 0.3 is a "
    "clear structure). **Participation** (0 to 1) is how evenly a paper's edges spread over "
    "communities. Bare values mean little on their own, so each comes with its rank among "
    'all papers ("3rd of 441") or the share of papers ranked above it ("top 5%").'
)


def md(text: object) -> str:
    """Text from the input made safe inside a Markdown table cell (no HTML, no links, no breaks)."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def scale(rank: int | None, total: int) -> str:
    """Where a value stands: '3rd of 441' and, past the top ten, the share ranked at or above it."""
    if rank is None or total == 0:
        return "unranked"
    if rank <= TOP:
        return f"{ordinal(rank)} of {total:,}"
    return f"{ordinal(rank)} of {total:,}, top {max(1, math.ceil(100 * rank / total))}%"


def _metric(name: str, value: float | None, rank: int | None, total: int) -> str:
    if value is None:
        return f"{name} not computed"
    return f"{name} {value:.3g} ({scale(rank, total)})"


def _ranks(values: Sequence[float | None]) -> list[int | None]:
    """Competition ranks, largest first (ties share the best rank); ``None`` stays unranked.

    >>> _ranks([0.5, None, 0.9, 0.5])
    [2, None, 1, 2]
    """
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    present = ~np.isnan(array)
    ascending = np.sort(-array[present])
    ranks = np.searchsorted(ascending, -array, side="left") + 1
    return [int(r) if ok else None for r, ok in zip(ranks.tolist(), present.tolist(), strict=True)]


def _edges_of(store: Store, ids: Sequence[str], kinds: Sequence[str]) -> dict[str, list[Any]]:
    """The edges of ``kinds`` at each of the papers ``ids``: the strongest first, cites and shared
    code before weaker evidence. One query for all papers: per-paper queries each scan the edges."""
    sql = SQL_EDGES_OF.format(kinds=", ".join("?" * len(kinds)))
    found: dict[str, list[Any]] = {i: [] for i in ids}
    if not ids:
        return found
    for row in store.query_dicts(sql, [list(ids), *kinds]):
        found[row["id"]].append(row)
    return found


def _why(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"kind": r["kind"], "with": r["label"], "weight": r["weight"], "evidence": r["evidence"]}
        for r in rows[:3]
    ]


def _columns(store: Store, table: str) -> set[str]:
    return {row[0] for row in store.query(SQL_COLUMNS, [table])}


def _paper_kinds(store: Store) -> None:
    store.execute(SQL_PAPER_KINDS[0])
    store.execute(SQL_PAPER_KINDS[1], [sorted(PAPER_EDGE_KINDS)])


def _paper_components(store: Store, paper_ids: Sequence[str]) -> int:
    """Connected components of the paper graph with two or more papers."""
    ends = store.query_arrow(SQL_EDGE_ENDS)
    if not paper_ids or ends.num_rows == 0:
        return 0
    ids = pa.array(sorted(paper_ids), pa.string())
    src = np.asarray(pc.index_in(ends["src"], value_set=ids).to_numpy(zero_copy_only=False))
    dst = np.asarray(pc.index_in(ends["dst"], value_set=ids).to_numpy(zero_copy_only=False))
    n = len(ids)
    graph = sp.coo_array((np.ones(len(src)), (src.astype(np.int64), dst.astype(np.int64))), (n, n))
    _, labels = connected_components(graph, directed=False)
    return int((np.bincount(labels) >= 2).sum())


def _communities(store: Store, papers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Communities with label, size, coverage and edge weights (computed here for older databases)."""
    have = _columns(store, "communities")
    extra = [c for c in ("coverage", "internal_weight", "external_weight", "is_other") if c in have]
    rows = store.query_dicts(SQL_COMMUNITIES.format(extra="".join(f", {c}" for c in extra)))
    weights = (
        {r["community"]: r for r in store.query_dicts(SQL_COMMUNITY_WEIGHTS)}
        if "internal_weight" not in have
        else {}
    )
    coverage = dict(store.query(SQL_COVERAGE)) if "coverage" not in have else {}
    # papers are in PageRank order, so the first three seen per community are its most central.
    central: dict[int, list[str]] = {}
    for paper in papers:
        titles = central.setdefault(paper["community"], [])
        if len(titles) < 3:
            titles.append(paper["title"])
    for row in rows:
        c = row["community"]
        inside = weights.get(c, {}).get("internal_weight") or 0.0
        ends = weights.get(c, {}).get("ends") or 0.0
        row.setdefault("internal_weight", inside)
        row.setdefault("external_weight", ends - 2 * inside)
        row.setdefault("coverage", coverage.get(c, 0))
        # Without the flag (older databases) a group of one paper is what "other" gathers.
        row.setdefault("is_other", False)
        row["keywords"] = list(row.get("keywords") or [])
        row["central_papers"] = central.get(c, [])
    named = [r for r in rows if not r["is_other"] and r["size"] > 1]
    for rank, row in enumerate(sorted(named, key=lambda r: (-r["size"], r["community"])), 1):
        row["size_rank"] = rank
    return rows


def _modularity(communities: Sequence[dict[str, Any]]) -> float | None:
    """Newman's weighted modularity of the stored partition: sum over communities of
    internal/m - (ends / 2m)^2, with m the total edge weight."""
    total = (
        sum(c["internal_weight"] for c in communities)
        + sum(c["external_weight"] for c in communities) / 2
    )
    if total <= 0:
        return None
    return sum(
        c["internal_weight"] / total
        - ((2 * c["internal_weight"] + c["external_weight"]) / (2 * total)) ** 2
        for c in communities
    )


def _bridge_spread(
    paper: dict[str, Any], edges: Sequence[dict[str, Any]], labels: dict[int, str]
) -> None:
    """Where a bridge paper's edges go: every community with its edges (all in ``spread``), and
    the strongest few in ``joins``, each with its strongest edge as evidence."""
    by_community: dict[int, dict[str, Any]] = {}
    # strongest first within a community
    for row in sorted(edges, key=lambda r: -r["weight"]):
        c = row["community"]
        if c is None or row["node_kind"] != "paper":
            continue
        entry = by_community.setdefault(
            c,
            {"community": c, "label": labels.get(c, f"community {c}"), "edges": 0, "weight": 0.0},
        )
        entry["edges"] += 1
        entry["weight"] += row["weight"]
        entry.setdefault(
            "strongest",
            {
                "kind": row["kind"],
                "with": row["label"],
                "weight": row["weight"],
                "evidence": row["evidence"],
            },
        )
    total = sum(e["weight"] for e in by_community.values()) or 1.0
    spread = sorted(by_community.values(), key=lambda e: (-e["weight"], e["community"]))
    for entry in spread:
        entry["share"] = entry["weight"] / total
        entry["own"] = entry["community"] == paper["community"]
    paper["spread"] = spread
    paper["joins"] = spread[:BRIDGE_COMMUNITIES]


def _linked(store: Store) -> list[dict[str, Any]]:
    """Repository, owner and page nodes by the papers that link them, ranked within their kind."""
    rows = store.query_dicts(SQL_LINKED)
    facts = {r["target"]: r for r in store.query_dicts(SQL_REPO_FACTS)}
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["kind"]] = totals.get(row["kind"], 0) + 1
    for kind in totals:
        same = [r for r in rows if r["kind"] == kind]
        for row, rank in zip(same, _ranks([r["papers"] for r in same]), strict=True):
            row["rank"], row["of"] = rank, totals[kind]
    for row in rows:
        fact = facts.get(row["node_id"], {})
        row["stars"] = fact.get("stars")
        row["archived"] = fact.get("archived")
    return rows


def report_data(store: Store) -> dict[str, Any]:
    """Every fact of the report, read once from the store."""
    _paper_kinds(store)
    summary = store.query_dicts(SQL_SUMMARY)[0]
    notes = dict(store.query(SQL_NOTES))
    recorded = ("papers.isolated", "papers.components", "partition.modularity")
    if not all(key in notes for key in recorded) or "internal_weight" not in _columns(
        store, "communities"
    ):
        # a database from before the analysis notes: the paper graph's edges, for the
        # counts computed here
        store.execute(SQL_PAPER_EDGES)
    store.execute(
        SQL_PAPER_TABLE.format(ranks=", ".join(SQL_RANK.format(m) for m in RANKED_METRICS))
    )
    papers = store.query_arrow(SQL_PAPERS.format(columns=", ".join(PAPER_COLUMNS))).to_pylist()
    ranked = {m: sum(p[m] is not None for p in papers) for m in RANKED_METRICS}
    communities = _communities(store, papers)
    labels = {c["community"]: c["label"] for c in communities}
    named = [c for c in communities if "size_rank" in c]
    modularity: float | None
    if "partition.modularity" in notes:
        modularity, source = float(notes["partition.modularity"]), "build"
    else:
        modularity, source = _modularity(communities), "report"
    summary |= {
        "ranked": ranked,
        "communities": int(notes.get("partition.communities", len(named))),
        "modularity": modularity,
        "modularity_source": source,
        "partition_method": notes.get("partition.method", notes.get("metric.community")),
        "components": (
            int(notes["papers.components"])
            if "papers.components" in notes
            else _paper_components(store, [p["paper_id"] for p in papers])
        ),
    }
    summary["isolated_papers"] = (
        int(notes["papers.isolated"])
        if "papers.isolated" in notes
        else store.query(SQL_ISOLATED)[0][0]
    )
    by_pagerank = [p for p in papers if p["pagerank"] is not None][:TOP]
    # nsmallest over (negated value, id) keeps the ties' order of a full sort, without one
    by_betweenness = heapq.nsmallest(
        TOP,
        (p for p in papers if p["betweenness"]),
        key=lambda p: (-p["betweenness"], p["paper_id"]),
    )
    bridges = heapq.nsmallest(
        TOP,
        (p for p in papers if (p["participation"] or 0) > 0 and p["betweenness"]),
        key=lambda p: (-(p["participation"] * p["betweenness"]), p["paper_id"]),
    )
    explained = {p["paper_id"]: p for p in by_pagerank + by_betweenness}
    # one query for every paper the report explains: each such query scans all edges
    kinds = sorted(PAPER_EDGE_KINDS | set(WHY_KINDS))
    edges_of = _edges_of(store, [*explained, *(p["paper_id"] for p in bridges)], kinds)
    for pid, paper in explained.items():
        paper["why"] = _why([r for r in edges_of[pid] if r["kind"] in WHY_KINDS])
    for paper in bridges:
        rows = edges_of[paper["paper_id"]]
        _bridge_spread(paper, [r for r in rows if r["kind"] in PAPER_EDGE_KINDS], labels)
    linked = _linked(store)
    return {
        "summary": summary,
        "top_pagerank": by_pagerank,
        "top_betweenness": by_betweenness,
        "bridges": bridges,
        "communities": communities,
        "linked": linked,
        "shared_code": [
            {"node_id": r["node_id"], "kind": r["kind"], "papers": r["papers"]}
            for r in sorted(linked, key=lambda r: (-r["papers"], r["node_id"]))
            if r["kind"] in ("repo", "owner") and r["papers"] > 1
        ][:20],
        "top_keywords": store.query_dicts(SQL_TOP_KEYWORDS),
        "notes": notes,
        "papers": papers,
        "figures": [
            f.as_dict()
            for f in _planned_figures(store, papers, any("size_rank" in c for c in communities))
        ],
    }


def _spread_layout(
    papers: Sequence[str], community: dict[str, int], edges: Sequence[tuple[str, str, float]]
) -> dict[str, tuple[float, float]]:
    """A seeded layout with communities apart: each community gets a disc (area by size) on a
    sunflower spiral, largest in the middle, and its papers a spring layout inside it."""
    members: dict[int, list[str]] = {}
    for paper in papers:
        members.setdefault(community.get(paper, -1), []).append(paper)
    order = sorted(members, key=lambda c: (-len(members[c]), c))
    inside: dict[int, nx.Graph] = {c: nx.Graph() for c in order}
    for c in order:
        inside[c].add_nodes_from(members[c])
    for src, dst, weight in edges:
        c = community.get(src, -1)
        if c == community.get(dst, -1) and c in inside:
            inside[c].add_edge(src, dst, weight=weight)
    rng = np.random.default_rng(SEED)
    golden = math.pi * (3 - math.sqrt(5))
    positions: dict[str, tuple[float, float]] = {}
    area = 0.0
    for i, c in enumerate(order):
        radius = math.sqrt(len(members[c]))
        distance = 0.0 if i == 0 else 1.35 * math.sqrt(area + radius**2)
        area += 2.2 * radius**2
        cx, cy = distance * math.cos(i * golden), distance * math.sin(i * golden)
        graph = inside[c]
        if 1 < graph.number_of_nodes() <= SPRING_LIMIT and graph.number_of_edges():
            raw = nx.spring_layout(graph, seed=SEED, weight="weight")
            xy = np.array([raw[n] for n in members[c]])
            xy -= xy.mean(axis=0)
            xy /= max(float(np.abs(xy).max()), 1e-9)
        else:
            angle = rng.uniform(0, 2 * math.pi, len(members[c]))
            r = np.sqrt(rng.uniform(0, 1, len(members[c])))
            xy = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
        for node, (x, y) in zip(members[c], xy * radius, strict=True):
            positions[node] = (cx + float(x), cy + float(y))
    return positions


def _layout_note(has_layout: bool, papers: int) -> str | None:
    """What the map says about its positions when they are not the viewer's."""
    if has_layout:
        return None
    note = (
        "positions computed for this picture (the database has no viewer layout), "
        "so they differ from graph.html"
    )
    if papers > MAP_PAPERS:
        note += f"; the {MAP_PAPERS:,} papers with the highest PageRank are drawn"
    return note


def _planned_figures(
    store: Store, papers: Sequence[dict[str, Any]], named: bool
) -> list[DrawnFigure]:
    laid_out = "layout" in store.table_names() and store.query(SQL_LAYOUT_COUNT)[0][0] > 0
    return plan_figures(
        nodes=laid_out or bool(papers),
        pagerank=any((p["pagerank"] or 0) > 0 for p in papers),
        communities=named,
        years=any(p["year"] is not None for p in papers),
        layout_note=_layout_note(laid_out, len(papers)),
    )


def _edges_within(store: Store, drawn: str) -> list[tuple[str, str, float]]:
    """Paper-paper edges between the map's nodes (``drawn``: the SQL that picks them)."""
    store.execute(drawn)
    return [(src, dst, weight) for src, dst, weight in store.query(SQL_EDGES_WITHIN)]


def figure_inputs(store: Store, data: dict[str, Any]) -> FigureInputs:
    """What the pictures need: map positions (the viewer's ``layout`` table, else a seeded
    layout of the most central papers), papers per year and community, and PageRank."""
    papers = data["papers"]
    community = {p["paper_id"]: p["community"] for p in papers if p["community"] is not None}
    rows = store.query_dicts(SQL_LAYOUT) if "layout" in store.table_names() else []
    layout_note = _layout_note(bool(rows), len(papers))
    if rows:
        node_ids = [r["node_id"] for r in rows]
        xy = [(r["x"], r["y"]) for r in rows]
        kinds = [r["kind"] for r in rows]
        node_community = [r["community"] for r in rows]
        sizes = [r["pagerank"] for r in rows]
        edges = _edges_within(store, SQL_DRAWN_LAYOUT)
    else:
        drawn = [p["paper_id"] for p in papers[:MAP_PAPERS]]
        pagerank = {p["paper_id"]: p["pagerank"] or 0.0 for p in papers[:MAP_PAPERS]}
        edges = _edges_within(store, SQL_DRAWN_TOP.format(limit=MAP_PAPERS))
        positions = _spread_layout(drawn, community, edges)
        node_ids = sorted(positions)
        xy = [positions[n] for n in node_ids]
        kinds = ["paper"] * len(node_ids)
        node_community = [community.get(n) for n in node_ids]
        sizes = [pagerank[n] for n in node_ids]
    index = {n: i for i, n in enumerate(node_ids)}
    links = sorted({(index[src], index[dst]) for src, dst, _ in edges})
    named = {c["community"]: c["label"] for c in data["communities"] if "size_rank" in c}
    sizes_by = {c["community"]: c["size"] for c in data["communities"]}
    coverage = {c["community"]: c["coverage"] for c in data["communities"]}
    marks: dict[str, list[str]] = {}
    for prefix, key in (("P", "top_pagerank"), ("B", "bridges")):
        for i, p in enumerate(data[key], 1):
            marks.setdefault(p["paper_id"], []).append(f"{prefix}{i}")
    by_id = {p["paper_id"]: p for p in papers}
    return FigureInputs(
        node_xy=np.array(xy, dtype=np.float64).reshape(-1, 2),
        node_kind=kinds,
        node_community=node_community,
        node_weight=np.array(sizes, dtype=np.float64),
        links=links,
        layout_note=layout_note,
        communities=named,
        community_sizes=sizes_by,
        community_coverage=coverage,
        years=[(r[0], r[1], r[2]) for r in store.query(SQL_YEARS)],
        pagerank=np.array([p["pagerank"] for p in papers if p["pagerank"] is not None]),
        marked=[("/".join(m), by_id[pid]["pagerank"] or 0.0) for pid, m in marks.items()],
    )


def _why_lines(paper: dict[str, Any]) -> list[str]:
    lines = []
    for why in paper.get("why", []):
        # an edge weight, not a metric: a cosine for `similar`, 1 or 0.5 for links and shared code
        name = "similarity" if why["kind"] == "similar" else "weight"
        strength = f" ({name} {why['weight']:.2g})"
        lines.append(f"  - {why['kind']} with *{md(why['with'])}*{strength}: {md(why['evidence'])}")
    return lines or ["  - no connections"]


def _short_label(label: str | None, limit: int = 60) -> str:
    return md(shorten(label or "no community", limit))


def _bridge_lines(paper: dict[str, Any], number: int, ranked: dict[str, int]) -> list[str]:
    """One line for the paper, one per community it joins (at most three), each under 400 characters."""
    head = f"{number}. **{md(shorten(paper['title'], 120))}** — " + ", ".join(
        _metric(m, paper[m], paper[f"{m}_rank"], ranked.get(m, 0))
        for m in ("betweenness", "participation")
    )
    lines = [head]
    for join in paper["joins"]:
        own = " (its own community)" if join["own"] else ""
        edges = "1 edge" if join["edges"] == 1 else f"{join['edges']} edges"
        strongest = join["strongest"]
        lines.append(
            f"   - *{_short_label(join['label'])}*{own}: {edges}, {100 * join['share']:.0f}% of its "
            f"edge weight; strongest {strongest['kind']} with "
            f"*{md(shorten(strongest['with'], 80))}*: {md(shorten(strongest['evidence'], 110))}"
        )
    return lines


def _figure(data: dict[str, Any], name: str) -> list[str]:
    for figure in data["figures"]:
        if figure["file"] == name:
            lines = [f"![{figure['alt']}]({figure['file']})", ""]
            if figure.get("note"):
                lines += [f"*{md(figure['note'])}*", ""]
            return lines
    return []


def render_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown that reads well in a terminal and on GitHub."""
    s = data["summary"]
    papers = max(s["papers"], 1)
    ranked = s.get("ranked", {})
    groups = s["components"]
    out = ["# paperweb centrality report", ""]
    out += [
        f"**{s['papers']:,} papers** in **{s['communities']:,} communities** · "
        + (
            f"modularity **{s['modularity']:.2f}**"
            if s.get("modularity") is not None
            else "modularity not defined (no paper-paper edges)"
        )
        + f" · **{s['isolated_papers']:,} isolated papers** (no edge to another paper) · "
        f"**{groups:,} connected {'group' if groups == 1 else 'groups'}** of two or more papers.",
        "",
        f"Communities: {md(s.get('partition_method') or 'none computed')}."
        + (
            " Modularity computed by the report from the stored communities."
            if s.get("modularity_source") == "report"
            else ""
        ),
        "",
    ]
    out += _figure(data, "report-map.png")
    out += ["## How to read this report", "", HOW_TO_READ, ""]
    out += ["## Corpus", ""]
    out += [
        "| what | count |",
        "|---|---:|",
        f"| papers | {s['papers']:,} |",
        f"| sources (input files, queries) | {s['sources']:,} |",
        f"| papers with code links | {s['papers_with_code']:,} ({100 * s['papers_with_code'] / papers:.0f}%) |",
        f"| papers with project pages | {s['papers_with_page']:,} ({100 * s['papers_with_page'] / papers:.0f}%) |",
        f"| papers without a date | {s['papers_without_date']:,} |",
        f"| repositories / owners | {s['repos']:,} / {s['owners']:,} |",
        f"| linking keywords | {s['keywords']:,} |",
        f"| similar / shared_code / cites edges | {s['similar_edges']:,} / {s['shared_code_edges']:,} / {s['cites_edges']:,} |",
        f"| connected groups of 2+ papers | {s['components']:,} |",
        f"| isolated papers | {s['isolated_papers']:,} |",
        f"| communities | {s['communities']:,} |",
        f"| modularity | {'n/a' if s.get('modularity') is None else format(s['modularity'], '.3f')} |",
        "",
    ]
    for title, key, metric, other in (
        ("Top papers by PageRank", "top_pagerank", "pagerank", "betweenness"),
        ("Top papers by betweenness", "top_betweenness", "betweenness", "pagerank"),
    ):
        out += [f"## {title}", ""]
        for rank, paper in enumerate(data[key], 1):
            community = (
                f" — community {paper['community']}: {_short_label(paper['community_label'])}"
                if paper.get("community_label")
                else ""
            )
            out.append(
                f"{rank}. **{md(paper['title'])}** — "
                f"{_metric(metric, paper[metric], paper[f'{metric}_rank'], ranked.get(metric, 0))}; "
                f"{_metric(other, paper[other], paper[f'{other}_rank'], ranked.get(other, 0))}"
                f"{community}"
            )
            out += _why_lines(paper)
        out.append("")
    out += _figure(data, "report-centrality.png")
    out += [
        "## Bridge papers",
        "",
        "Papers whose edges spread over several communities (participation x betweenness). "
        "Under each, the communities it joins most strongly and its strongest edge into each; "
        "report.json and report_bridges.csv hold the full spread.",
        "",
    ]
    for number, paper in enumerate(data["bridges"], 1):
        out += _bridge_lines(paper, number, ranked)
    named = sorted(
        (c for c in data["communities"] if "size_rank" in c), key=lambda c: c["size_rank"]
    )
    small = [c for c in data["communities"] if "size_rank" not in c]
    out += ["", "## Communities", ""]
    out += _figure(data, "report-communities.png")
    out += [
        "| # | label | papers | label keyword in | edge weight inside | most central |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for c in named:
        ends = 2 * c["internal_weight"] + c["external_weight"]
        inside = f"{100 * 2 * c['internal_weight'] / ends:.0f}%" if ends > 0 else "—"
        central = "; ".join(md(shorten(t, 90)) for t in c["central_papers"])
        out.append(
            f"| {c['community']} | {md(c['label'])} | {c['size']:,} ({ordinal(c['size_rank'])} of "
            f"{len(named):,}) | {c['coverage']:,} of {c['size']:,} | {inside} | {central} |"
        )
    if small:
        gathered = sum(c["size"] for c in small)
        out += [
            "",
            f"Not in the table: {gathered:,} papers in {len(small):,} "
            f"{'group' if len(small) == 1 else 'groups'} too small to name"
            + (f" ({md(small[0]['label'])})" if len(small) == 1 else "")
            + ".",
        ]
    out += [""]
    out += _figure(data, "report-years.png")
    out += _linked_section(data)
    out += ["", "## Most connecting keywords", "", "| # | keyword | papers |", "|---:|---|---:|"]
    keyword_ranks = _ranks([k["papers"] for k in data["top_keywords"]])
    out += [
        f"| {rank} | {md(k['label'])} | {k['papers']} |"
        for k, rank in zip(data["top_keywords"], keyword_ranks, strict=True)
    ]
    out += ["", "## How these numbers were computed", ""]
    out += [
        f"- {md(key.removeprefix('metric.'))}: {md(value)}"
        for key, value in sorted(data["notes"].items())
    ]
    return "\n".join(out) + "\n"


def _linked_section(data: dict[str, Any]) -> list[str]:
    rows = data["linked"][:TOP_LINKED]
    out = [
        "## Repositories and labs",
        "",
        "Repositories, their owners (labs, companies, people) and project pages, by how many "
        "papers link them; summed PageRank is that of those papers.",
        "",
    ]
    if not rows:
        return [*out, "No paper links a repository or a page."]
    online = any(r["stars"] is not None for r in data["linked"])
    header = "| # | node | kind | papers linking | summed PageRank | most central paper |"
    rule = "|---:|---|---|---:|---:|---|"
    if online:
        header += " stars | archived |"
        rule += "---:|---|"
    out += [header, rule]
    for number, row in enumerate(rows, 1):
        line = (
            f"| {number} | {md(row['node_id'])} | {row['kind']} | {row['papers']:,} "
            f"({ordinal(row['rank'])} of {row['of']:,} {row['kind']}s) | {row['paper_pagerank']:.3g} | "
            f"{md(shorten(row['top_paper'], 80))} |"
        )
        if online:
            stars = "" if row["stars"] is None else f"{row['stars']:,}"
            archived = {True: "yes", False: "no"}.get(row["archived"], "")
            line += f" {stars} | {archived} |"
        out.append(line)
    return out


def _json(data: dict[str, Any], paper_lines: Sequence[str]) -> str:
    """report.json: indented, except that long lists (the papers, ``paper_lines`` already
    encoded, and the linked nodes) take a line per item. An indented dump runs in json's
    pure-Python encoder, many times slower than the C one a compact dump uses."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    parts = []
    for key, value in data.items():
        if key == "papers":
            body = "[\n" + ",\n".join(paper_lines) + "\n]"
        elif isinstance(value, list) and len(value) > LONG_LIST:
            body = "[\n" + ",\n".join(map(encode, value)) + "\n]"
        else:
            body = json.dumps(value, ensure_ascii=False, indent=1, default=str)
        parts.append(f"{json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _arrow_csv(table: pa.Table) -> str:
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue().decode("utf-8")


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(c) for c in columns] for row in rows)
    return buffer.getvalue()


PAPER_COLUMNS = [
    "paper_id",
    "title",
    "arxiv_id",
    "year",
    "pagerank",
    "pagerank_rank",
    "betweenness",
    "betweenness_rank",
    "degree",
    "degree_rank",
    "eigenvector",
    "eigenvector_rank",
    "participation",
    "participation_rank",
    "community",
    "community_label",
]
COMMUNITY_COLUMNS = [
    "community",
    "label",
    "size",
    "size_rank",
    "coverage",
    "internal_weight",
    "external_weight",
    "is_other",
]
BRIDGE_COLUMNS = ["paper_id", "title", "community", "label", "own", "edges", "weight", "share"]
LINKED_COLUMNS = [
    "node_id",
    "kind",
    "papers",
    "rank",
    "of",
    "paper_pagerank",
    "top_paper",
    "stars",
    "archived",
]


def write_report(
    store: Store,
    out: Path,
    formats: Sequence[str] = REPORT_FORMATS,
    *,
    figures: bool = True,
) -> list[Path]:
    """Write the report files into ``out`` (atomically); return their paths.

    The pictures are drawn with the Markdown (they belong to it); ``figures=False`` skips them.
    """
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        raise UsageError(
            f"unknown report format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}"
        )
    data = report_data(store)
    written = []
    if not figures:
        data["figures"] = []
    if "md" in formats and data["figures"]:
        planned = [DrawnFigure(**f) for f in data["figures"]]
        drawn = draw_figures(figure_inputs(store, data), out, planned)
        data["figures"] = [f.as_dict() for f in drawn]
        written += [out / f.file for f in drawn]
    if "md" in formats:
        written.append(out / "report.md")
        atomic_write_text(written[-1], render_markdown(data))
    if "json" in formats:
        written.append(out / "report.json")
        lines = [row[0] for row in store.query(SQL_PAPERS_JSON.format(columns="*"))]
        atomic_write_text(written[-1], _json(data, lines))
    if "csv" in formats:
        written.append(out / "report_papers.csv")
        columns = ", ".join(PAPER_COLUMNS)
        table = store.query_arrow(SQL_PAPERS.format(columns=columns))
        atomic_write_text(written[-1], _arrow_csv(table))
        written.append(out / "report_communities.csv")
        atomic_write_text(written[-1], _csv(data["communities"], COMMUNITY_COLUMNS))
        spread = [
            {"paper_id": p["paper_id"], "title": p["title"], **entry}
            for p in data["bridges"]
            for entry in p["spread"]
        ]
        written.append(out / "report_bridges.csv")
        atomic_write_text(written[-1], _csv(spread, BRIDGE_COLUMNS))
        written.append(out / "report_linked.csv")
        atomic_write_text(written[-1], _csv(data["linked"], LINKED_COLUMNS))
    return written
