"""The report's map and pictures: positions from the viewer's layout, else a seeded layout."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np

from graph.figures import DrawnFigure, FigureInputs, plan_figures
from graph.store import Store
from graph.store import report as q

__all__ = ["figure_inputs", "planned_figures"]

#: the fallback map lays out at most this many papers (the most central ones)
MAP_PAPERS = 2000
#: a community subgraph larger than this is placed at random in its disc, not by springs
SPRING_LIMIT = 400
SEED = 42


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


def planned_figures(
    store: Store, papers: Sequence[dict[str, Any]], named: bool
) -> list[DrawnFigure]:
    laid_out = "layout" in store.table_names() and q.layout_count(store) > 0
    return plan_figures(
        nodes=laid_out or bool(papers),
        pagerank=any((p["pagerank"] or 0) > 0 for p in papers),
        communities=named,
        years=any(p["year"] is not None for p in papers),
        layout_note=_layout_note(laid_out, len(papers)),
    )


def figure_inputs(store: Store, data: dict[str, Any]) -> FigureInputs:
    """What the pictures need: map positions (the viewer's ``layout`` table, else a seeded
    layout of the most central papers), papers per year and community, and PageRank."""
    papers = data["papers"]
    community = {p["paper_id"]: p["community"] for p in papers if p["community"] is not None}
    rows = q.layout_rows(store) if "layout" in store.table_names() else []
    layout_note = _layout_note(bool(rows), len(papers))
    if rows:
        node_ids = [r["node_id"] for r in rows]
        xy = [(r["x"], r["y"]) for r in rows]
        kinds = [r["kind"] for r in rows]
        node_community = [r["community"] for r in rows]
        sizes = [r["pagerank"] for r in rows]
        edges = q.edges_within_layout(store)
    else:
        drawn = [p["paper_id"] for p in papers[:MAP_PAPERS]]
        pagerank = {p["paper_id"]: p["pagerank"] or 0.0 for p in papers[:MAP_PAPERS]}
        edges = q.edges_within_top(store, MAP_PAPERS)
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
        years=q.papers_per_year(store),
        pagerank=np.array([p["pagerank"] for p in papers if p["pagerank"] is not None]),
        marked=[("/".join(m), by_id[pid]["pagerank"] or 0.0) for pid, m in marks.items()],
    )
