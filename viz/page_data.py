"""What the HTML page shows, computed by pure functions from what the store holds.

``load_page_inputs`` picks the drawn nodes (papers first, see :mod:`graph.layout`) and
reads what the page needs about them, plus a compact index of every paper for search;
``page_data`` turns that into vis-network nodes and edges, cluster labels and each
node's details. Nothing here writes HTML.
"""

from __future__ import annotations

import colorsys
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from collectors.links import is_http_url
from graph.figures import leading_phrases
from graph.layout import DEFAULT_KINDS, DEFAULT_MAX_PAPERS, DrawnSet, layout_drawn, read_drawn
from graph.store import Store
from graph.store.page import RANKED_METRICS, PageInputs, read_page_inputs
from paperweb.errors import UsageError

__all__ = [
    "CONNECTIONS_LISTED",
    "INDEX_PAPERS",
    "KIND_COLORS",
    "PageData",
    "PageInputs",
    "community_color",
    "load_page_inputs",
    "page_data",
    "short_label",
]

KIND_COLORS = {
    "paper": "#4e79a7",
    "repo": "#e15759",
    "owner": "#b07aa1",
    "page": "#59a14f",
    "keyword": "#edc948",
    "work": "#9c755f",
}
#: link nodes keep a shape of their own, so they read apart from papers in any colouring
KIND_SHAPES = {
    "paper": "dot",
    "repo": "square",
    "owner": "triangle",
    "page": "diamond",
    "keyword": "star",
    "work": "hexagon",
}
EDGE_COLORS = {
    "similar": "#9db4cf",
    "shared_code": "#e15759",
    "cites": "#f28e2b",
    "coupling": "#76b7b2",
    "cocited": "#59a14f",
    "code": "#f1a1a3",
    "owner": "#d4b9cc",
    "page": "#a6d49c",
    "keyword": "#f4e3a1",
}
COMMUNITY_COLORS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf", "#bcbd22",
]  # fmt: skip
OTHER_COLOR = "#b8bec7"
#: repo, owner, page and keyword nodes while papers wear community colours (shapes tell them apart)
LINK_NODE_COLOR = "#7b8794"
PAPER_EDGE_KINDS = ("similar", "shared_code", "cites", "coupling", "cocited")
#: papers in the page's search index, most central first: one short row each (~110 bytes
#: of JSON), so 20,000 is ~2 MB; the index of every paper was 10.5 MB at 100k papers
INDEX_PAPERS = 20_000
#: connections listed per drawn node, strongest first (the rest are counted): the lists
#: with their evidence were 13.7 MB of a 2,000-paper page at 100k papers
CONNECTIONS_LISTED = 15

#: papers per community whose titles are drawn at the default fit (the page drops collisions)
HEADLINES_PER_COMMUNITY = 3


@dataclass(slots=True)
class PageData:
    """The page's nodes and edges (vis-network fields) and the details behind them."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    details: dict[str, dict[str, Any]]
    communities: dict[str, dict[str, Any]]
    cluster_labels: list[dict[str, Any]]
    #: the most central papers for search, as parallel columns (ids, titles, years, arxiv,
    #: community); ``index_capped`` when the database holds more
    index: dict[str, list[Any]]
    total_papers: int
    left_out_papers: int
    total_edges: int
    index_capped: bool = False

    @property
    def drawn_papers(self) -> int:
        """Papers drawn on the page."""
        return sum(1 for node in self.nodes if node["kind"] == "paper")


def load_page_inputs(
    store: Store,
    max_nodes: int = DEFAULT_MAX_PAPERS,
    kinds: Sequence[str] | None = None,
    index_papers: int = INDEX_PAPERS,
    drawn: DrawnSet | None = None,
) -> PageInputs:
    """Read what the page is made from: the drawn nodes (:func:`graph.layout.read_drawn`) and their details.

    ``max_nodes`` caps the drawn papers (the most central ones are kept); repo, owner
    and page nodes are drawn where they join two or more drawn papers. The search index
    holds the ``index_papers`` most central papers (never fewer than are drawn), so the
    page stays a few MB however large the corpus. ``drawn`` is the set those caps and
    ``kinds`` choose when already known (the build's layout stage chose it).
    """
    wanted = _check_kinds(kinds)
    if drawn is None:
        drawn = read_drawn(store, max_nodes, wanted)
    return read_page_inputs(store, drawn, max(index_papers, max_nodes), CONNECTIONS_LISTED)


def _check_kinds(kinds: Sequence[str] | None) -> tuple[str, ...]:
    if not kinds:
        return DEFAULT_KINDS
    unknown = sorted(set(kinds) - set(KIND_COLORS))
    if unknown:
        raise UsageError(
            f"unknown node kind {', '.join(unknown)} in --kinds; use some of {', '.join(KIND_COLORS)}"
        )
    return tuple(sorted(set(kinds)))


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


def map_label(label: str, limit: int = 30) -> str:
    """A community's label as drawn on the map: its first phrases that fit ``limit`` characters.

    A mixed community keeps its "mixed:" mark: on the map its phrases would otherwise read
    as the name of a cluster that few of its papers share.

    >>> map_label("mixed: binary neural networks, GELU activation, I-BERT")
    'mixed: binary neural networks, I-BERT'
    >>> map_label("neural operators, partial differential equations, fourier neural operators")
    'neural operators'
    """
    return leading_phrases(label, limit)


def community_color(community: int) -> str:
    """A colour per community: a tableau palette, then evenly spread hues."""
    if community < len(COMMUNITY_COLORS):
        return COMMUNITY_COLORS[community]
    hue = (community * 0.618034) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.55)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _paper_links(paper: dict[str, Any], title: str) -> list[dict[str, str]]:
    """Where to read a paper: arXiv and Hugging Face pages by its id, else a title search."""
    arxiv = paper.get("arxiv_id")
    if arxiv:
        return [
            {"url": f"https://arxiv.org/abs/{arxiv}", "text": f"arXiv {arxiv}"},
            {"url": f"https://huggingface.co/papers/{arxiv}", "text": "Hugging Face paper page"},
        ]
    return [
        {
            "url": f"https://scholar.google.com/scholar?q={quote_plus(title)}",
            "text": "search the title on Google Scholar",
        }
    ]


def _details(
    node_id: str,
    kind: str,
    label: str,
    url: str | None,
    inputs: PageInputs,
    drawn_edges: set[str],
    indexed: set[str],
) -> dict[str, Any]:
    metrics = {k: round(v, 6) for k, v in sorted(inputs.metrics.get(node_id, {}).items())}
    detail: dict[str, Any] = {"kind": kind, "title": label}
    detail["url"] = url if url and is_http_url(url) else None
    ranks = inputs.ranks.get(node_id, {})
    # [metric, rank, of how many]: "PageRank 3rd of 441" on the page
    detail["ranks"] = [[m, ranks[m][0], ranks[m][1]] for m in RANKED_METRICS if m in ranks]
    detail["degree"] = int(metrics.get("degree", 0))
    detail["pagerank"] = metrics.get("pagerank")
    paper = inputs.papers.get(node_id)
    if paper is not None:
        published = paper["published"]
        detail["date"] = str(published) if published else paper["published_text"]
        detail["year"] = published.year if published else None
        detail.update(
            authors=paper["authors"],
            upvotes=paper["upvotes"],
            arxiv_id=paper["arxiv_id"],
            abstract=paper.get("abstract") or "",
            cited_by=paper["cited_by_count"],
        )
        detail["read"] = _paper_links(paper, label)
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
    # Compact rows, the strongest CONNECTIONS_LISTED: [other node, edge kind, weight,
    # evidence, label]; the label of a paper in the search index is left out (the page
    # finds its title there), and so is the evidence of a drawn edge (the page reads it
    # from the edge).
    found = inputs.connections.get(node_id, [])
    detail["connections"] = [
        [
            other,
            kind,
            round(weight, 4),
            None if _drawn_edge(node_id, other, kind, drawn_edges) else evidence,
            None if other_kind == "paper" and other in indexed else other_label,
        ]
        for other, other_label, other_kind, kind, weight, evidence in sorted(
            found, key=lambda c: (-c[4], c[0], c[3])
        )[:CONNECTIONS_LISTED]
    ]
    detail["connectionCount"] = inputs.connection_counts.get(node_id, len(found))
    return detail


def _drawn_edge(a: str, b: str, kind: str, drawn_edges: set[str]) -> bool:
    return f"{a}|{b}|{kind}" in drawn_edges or f"{b}|{a}|{kind}" in drawn_edges


def _communities(inputs: PageInputs) -> dict[str, dict[str, Any]]:
    out = {}
    for c, info in sorted(inputs.communities.items()):
        other = bool(info.get("is_other"))
        out[str(c)] = {
            "label": info["label"],
            "short": map_label(info["label"]),
            "size": int(info["size"]),
            "other": other,
            "color": OTHER_COLOR if other else community_color(c),
        }
    return out


def page_data(inputs: PageInputs) -> PageData:
    """Nodes, edges, positions, cluster labels and details for the drawn nodes of ``inputs``."""
    drawn = {n[0] for n in inputs.nodes}
    kind_of = {n[0]: n[1] for n in inputs.nodes}
    edges: list[dict[str, Any]] = []
    seen: set[str] = set()
    weights: list[float] = []
    for src, dst, kind, weight, evidence in inputs.edges:
        edge_id = f"{src}|{dst}|{kind}"
        # vis-network refuses the whole edge list if one id repeats; the first row wins.
        if src in drawn and dst in drawn and edge_id not in seen:
            seen.add(edge_id)
            weights.append(float(weight))
            edges.append(
                {
                    # short ids keep a page of 10k edges smaller; the ends and kind are fields
                    "id": f"e{len(edges)}",
                    "from": src,
                    "to": dst,
                    "kind": kind,
                    "title": f"{kind} ({weight:.3g}): {evidence}",
                    "color": EDGE_COLORS.get(kind, "#cccccc"),
                    "width": 0.5 + min(float(weight), 3.0) if kind in PAPER_EDGE_KINDS else 0.7,
                }
            )
            if kind == "cites":
                edges[-1]["arrows"] = "to"
    positions = dict(inputs.positions)
    if not drawn <= positions.keys():
        community_of = {
            node: int(m["community"]) for node, m in inputs.metrics.items() if "community" in m
        }
        layout_edges = [
            (str(e["from"]), str(e["to"]), str(e["kind"]), w)
            for e, w in zip(edges, weights, strict=True)
        ]
        positions = layout_drawn(sorted(drawn), kind_of, community_of, layout_edges)
    scores = {n[0]: inputs.metrics.get(n[0], {}).get("pagerank", 0.0) or 0.0 for n in inputs.nodes}
    paper_scores = [scores[n] for n in drawn if kind_of[n] == "paper"]
    top = max(paper_scores or list(scores.values()) or [1.0]) or 1.0
    communities = _communities(inputs)
    headline = _headlines(inputs, scores)
    index = _index(inputs, kind_of)
    indexed = set(index["id"])
    nodes, details = [], {}
    for node_id, kind, label, url in sorted(inputs.nodes, key=lambda n: n[0]):
        x, y = positions[node_id]
        community = inputs.metrics.get(node_id, {}).get("community")
        share = min(scores[node_id] / top, 1.0) if kind == "paper" else 0.3
        nodes.append(
            {
                "id": node_id,
                "label": short_label(label, kind),
                "title": f"{label}\n({kind})",
                "kind": kind,
                "shape": KIND_SHAPES.get(kind, "dot"),
                "color": _node_color(kind, community, communities),
                "community": None if community is None else int(community),
                "headline": headline.get(node_id, 0),
                "size": round(5.0 + 15.0 * math.sqrt(max(share, 0.0)), 2),
                "x": float(x),
                "y": float(y),
            }
        )
        details[node_id] = _details(node_id, kind, label, url, inputs, seen, indexed)
    total_papers = (
        inputs.total_papers
        if inputs.total_papers is not None
        else sum(1 for k in kind_of.values() if k == "paper")
    )
    return PageData(
        nodes=nodes,
        edges=edges,
        details=details,
        communities=communities,
        cluster_labels=_cluster_labels(nodes, communities),
        index=index,
        total_papers=total_papers,
        left_out_papers=inputs.left_out_papers or 0,
        total_edges=len(inputs.edges) if inputs.total_edges is None else inputs.total_edges,
        index_capped=len(index["id"]) < total_papers,
    )


def _node_color(kind: str, community: float | None, communities: dict[str, dict[str, Any]]) -> str:
    """The colour the page opens with: papers by community (when there are communities)."""
    if not communities:
        return KIND_COLORS.get(kind, "#999999")
    if kind != "paper":
        return LINK_NODE_COLOR
    info = communities.get(str(int(community))) if community is not None else None
    return str(info["color"]) if info else OTHER_COLOR


def _headlines(inputs: PageInputs, scores: dict[str, float]) -> dict[str, int]:
    """The most central papers of each community: 1 for the first, 2 for the next ones."""
    by_community: dict[int, list[str]] = defaultdict(list)
    for node_id, kind, _, _ in inputs.nodes:
        community = inputs.metrics.get(node_id, {}).get("community")
        info = inputs.communities.get(int(community), {}) if community is not None else {}
        if kind == "paper" and community is not None and not info.get("is_other"):
            by_community[int(community)].append(node_id)
    out: dict[str, int] = {}
    for members in by_community.values():
        members.sort(key=lambda n: (-scores[n], n))
        for i, node_id in enumerate(members[:HEADLINES_PER_COMMUNITY]):
            out[node_id] = 1 if i == 0 else 2
    return out


def _cluster_labels(
    nodes: list[dict[str, Any]], communities: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One label per named community with drawn papers, at the middle of its papers."""
    members: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for node in nodes:
        if node["kind"] == "paper" and node["community"] is not None:
            members[node["community"]].append((node["x"], node["y"]))
    labels = []
    for c, points in sorted(members.items()):
        info = communities.get(str(c))
        if info is None or info["other"]:
            continue
        labels.append(
            {
                "community": c,
                "label": info["short"],
                "x": round(sum(p[0] for p in points) / len(points), 1),
                "y": round(sum(p[1] for p in points) / len(points), 1),
                # the region's top and bottom: other places for the label when the middle is taken
                "top": round(min(p[1] for p in points), 1),
                "bottom": round(max(p[1] for p in points), 1),
                "size": info["size"],
                "drawn": len(points),
                "color": info["color"],
            }
        )
    return labels


def _index(inputs: PageInputs, kind_of: dict[str, str]) -> dict[str, list[Any]]:
    """The indexed papers as parallel columns (compact in JSON), most central first."""
    rows = inputs.index
    if rows is None:
        rows = [
            (
                node_id,
                label,
                None,
                inputs.papers.get(node_id, {}).get("arxiv_id"),
                int(inputs.metrics[node_id]["community"])
                if "community" in inputs.metrics.get(node_id, {})
                else None,
            )
            for node_id, kind, label, _ in inputs.nodes
            if kind == "paper"
        ]
    return {
        "id": [r[0] for r in rows],
        "title": [r[1] for r in rows],
        "year": [r[2] for r in rows],
        "arxiv": [r[3] or "" for r in rows],
        "community": [r[4] for r in rows],
    }
