"""Every fact of the report, read once from the store into plain data."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.network import PAPER_EDGE_KINDS
from graph.report.maps import planned_figures
from graph.store import Store
from graph.store import report as q
from graph.store.citations import missing_works, work_node_threshold

__all__ = ["PAPER_COLUMNS", "TOP", "report_data"]

TOP = 10
#: the most communities a bridge line names
BRIDGE_COMMUNITIES = 3
#: edges that explain why a paper is central (all but keyword edges)
WHY_KINDS = ("cites", "shared_code", "code", "similar", "page", "coupling", "cocited")
RANKED_METRICS = ("pagerank", "betweenness", "degree", "eigenvector", "participation")

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


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Competition ranks, largest first (ties share the best rank); ``None`` stays unranked.

    >>> competition_ranks([0.5, None, 0.9, 0.5])
    [2, None, 1, 2]
    """
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    present = ~np.isnan(array)
    ascending = np.sort(-array[present])
    ranks = np.searchsorted(ascending, -array, side="left") + 1
    return [int(r) if ok else None for r, ok in zip(ranks.tolist(), present.tolist(), strict=True)]


def _why(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"kind": r["kind"], "with": r["label"], "weight": r["weight"], "evidence": r["evidence"]}
        for r in rows[:3]
    ]


def _paper_components(store: Store, paper_ids: Sequence[str]) -> int:
    """Connected components of the paper graph with two or more papers."""
    ends = q.paper_edge_ends(store)
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
    have = store.columns("communities")
    extra = [c for c in ("coverage", "internal_weight", "external_weight", "is_other") if c in have]
    rows = q.community_rows(store, extra)
    weights = q.community_weights(store) if "internal_weight" not in have else {}
    coverage = q.label_coverage_counts(store) if "coverage" not in have else {}
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
    rows = q.linked_rows(store)
    facts = q.repo_facts(store)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["kind"]] = totals.get(row["kind"], 0) + 1
    for kind in totals:
        same = [r for r in rows if r["kind"] == kind]
        for row, rank in zip(same, competition_ranks([r["papers"] for r in same]), strict=True):
            row["rank"], row["of"] = rank, totals[kind]
    for row in rows:
        fact = facts.get(row["node_id"], {})
        row["stars"] = fact.get("stars")
        row["archived"] = fact.get("archived")
    return rows


def report_data(store: Store) -> dict[str, Any]:
    """Every fact of the report, read once from the store."""
    q.prepare_paper_kinds(store)
    summary = q.summary_counts(store)
    notes = q.build_notes(store)
    recorded = ("papers.isolated", "papers.components", "partition.modularity")
    if not all(key in notes for key in recorded) or "internal_weight" not in store.columns(
        "communities"
    ):
        # a database from before the analysis notes: the paper graph's edges, for the
        # counts computed here
        q.prepare_paper_edges(store)
    q.prepare_paper_table(store, RANKED_METRICS)
    papers = q.ranked_papers(store, PAPER_COLUMNS).to_pylist()
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
        int(notes["papers.isolated"]) if "papers.isolated" in notes else q.isolated_papers(store)
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
    edges_of = q.edges_of(store, [*explained, *(p["paper_id"] for p in bridges)], kinds)
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
        "top_keywords": q.top_keywords(store),
        "missing": missing_works(store, work_node_threshold(store), TOP),
        "notes": notes,
        "papers": papers,
        "figures": [
            f.as_dict()
            for f in planned_figures(store, papers, any("size_rank" in c for c in communities))
        ],
    }
