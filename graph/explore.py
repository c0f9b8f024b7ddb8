"""Answers to the common questions about a built database: find, neighbours, path, top, stats."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from collectors.titles import normalise_title
from graph.store import Store
from paperweb.errors import UsageError

__all__ = [
    "PAPER_EDGE_KINDS",
    "Neighbor",
    "PaperRef",
    "PathStep",
    "database_stats",
    "find_paper",
    "neighbors",
    "strongest_path",
    "top_nodes",
]

#: Edge kinds that join two papers.
PAPER_EDGE_KINDS = ("similar", "shared_code", "cites")

_ARXIV_ID = re.compile(
    r"(?:arxiv:)?\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)

SQL_PAPER_BY_ARXIV = "SELECT paper_id, title, arxiv_id FROM papers WHERE arxiv_id = ?"
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


@dataclass(frozen=True, slots=True)
class PaperRef:
    """A paper found by what the user typed."""

    paper_id: str
    title: str
    arxiv_id: str | None


@dataclass(frozen=True, slots=True)
class Neighbor:
    """One connection of a paper, with why it exists."""

    node_id: str
    node_kind: str
    label: str
    edge_kind: str
    weight: float
    evidence: str
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class PathStep:
    """One hop of a chain of papers."""

    src: str
    src_label: str
    dst: str
    dst_label: str
    kind: str
    weight: float
    evidence: str


class UnknownPaper(UsageError):
    """No paper matches what the user typed."""


class AmbiguousPaper(UsageError):
    """Several papers match what the user typed."""

    def __init__(self, query: str, candidates: Sequence[PaperRef]) -> None:
        self.candidates = list(candidates)
        shown = "; ".join(repr(c.title) for c in self.candidates[:8])
        more = f" and {len(self.candidates) - 8} more" if len(self.candidates) > 8 else ""
        super().__init__(
            f"{query!r} matches {len(self.candidates)} papers: {shown}{more}; "
            "type more of the title or use the arXiv id"
        )


def find_paper(store: Store, query: str) -> PaperRef:
    """Find one paper by arXiv id, exact title, or a unique title prefix or substring."""
    text = query.strip()
    if not text:
        raise UnknownPaper("empty paper name; give an arXiv id or (part of) a title")
    arxiv = _ARXIV_ID.fullmatch(text)
    if arxiv:
        rows = store.query(SQL_PAPER_BY_ARXIV, [arxiv.group(1)])
        if rows:
            return PaperRef(*rows[0])
    papers = [PaperRef(*row) for row in store.query(SQL_PAPER_TITLES)]
    wanted = normalise_title(text)
    if not wanted:
        raise UnknownPaper(f"no paper matches {query!r}")
    keyed = [(normalise_title(p.title), p) for p in papers]
    for matcher in (
        lambda t: t == wanted,
        lambda t: t.startswith(wanted),
        lambda t: wanted in t,
    ):
        found = [p for t, p in keyed if matcher(t)]
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousPaper(query, found)
    raise UnknownPaper(f"no paper matches {query!r}; try part of its title or its arXiv id")


def neighbors(
    store: Store, paper: PaperRef, kinds: Sequence[str] = PAPER_EDGE_KINDS, limit: int = 10
) -> list[Neighbor]:
    """The paper's strongest connections of the given edge kinds, strongest first."""
    pid = paper.paper_id
    rows = store.query(SQL_NEIGHBORS, [pid, pid, pid, pid, pid, list(kinds), limit])
    return [Neighbor(*row) for row in rows]


def _paper_graph(store: Store, kinds: Sequence[str]) -> nx.Graph:
    """Undirected paper projection keeping, per pair, the strongest edge (and its evidence)."""
    graph = nx.Graph()
    for src, dst, kind, weight, evidence in store.query(SQL_PAPER_EDGES, [list(kinds)]):
        current = graph.get_edge_data(src, dst)
        if current is None or weight > current["weight"]:
            graph.add_edge(
                src, dst, kind=kind, weight=float(weight), evidence=evidence, src=src, dst=dst
            )
    return graph


def strongest_path(
    store: Store, a: PaperRef, b: PaperRef, kinds: Sequence[str] = PAPER_EDGE_KINDS
) -> list[PathStep] | None:
    """The chain with fewest hops between two papers; among those, the strongest by weight.

    Returns None when no chain of paper-paper edges joins them.
    """
    graph = _paper_graph(store, kinds)
    if a.paper_id == b.paper_id:
        return []
    if a.paper_id not in graph or b.paper_id not in graph:
        return None
    top = max((w for _, _, w in graph.edges(data="weight")), default=1.0) or 1.0
    # Each hop costs 1, plus less than 1/n for a weak edge: fewer hops always win, then strength.
    tie = 1.0 / (graph.number_of_nodes() + 1)

    def cost(_u: str, _v: str, data: dict[str, Any]) -> float:
        return 1.0 + tie * (1.0 - min(float(data["weight"]) / top, 1.0))

    try:
        nodes = nx.dijkstra_path(graph, a.paper_id, b.paper_id, weight=cost)
    except nx.NetworkXNoPath:
        return None
    labels = dict(store.query(SQL_LABELS))
    steps = []
    for u, v in itertools.pairwise(nodes):
        data = graph.edges[u, v]
        steps.append(
            PathStep(
                u,
                labels.get(u, u),
                v,
                labels.get(v, v),
                data["kind"],
                data["weight"],
                data["evidence"],
            )
        )
    return steps


def top_nodes(
    store: Store, metric: str, kind: str | None = None, limit: int = 20
) -> list[tuple[str, str, str, float]]:
    """Nodes ranked by a stored metric: (node_id, kind, label, value)."""
    available = [row[0] for row in store.query(SQL_METRIC_NAMES)]
    if metric not in available:
        have = ", ".join(available) if available else "none (build the graph first)"
        raise UsageError(f"metric {metric!r} is not in the database; available: {have}")
    return [tuple(row) for row in store.query(SQL_TOP, [metric, kind, kind, limit])]


def database_stats(store: Store) -> dict[str, Any]:
    """Counts per node and edge kind, components, communities and enrichment coverage."""
    coverage = store.query_dicts(SQL_COVERAGE)[0]
    components = store.query(SQL_DISTINCT_METRIC, ["component"])[0][0]
    communities = store.query(SQL_DISTINCT_METRIC, ["community"])[0][0]
    return {
        "nodes": dict(store.query(SQL_NODE_KINDS)),
        "edges": dict(store.query(SQL_EDGE_KINDS)),
        "components": components or None,
        "communities": communities or None,
        "coverage": coverage,
        "link_origins": dict(store.query(SQL_LINK_ORIGINS)),
    }
