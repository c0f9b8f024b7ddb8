"""Answers to the common questions about a built database: find, neighbours, path, top, stats."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from collectors.titles import normalise_title
from graph.store import Store, open_store
from graph.store import explore as q
from paperweb.errors import DatabaseError, UsageError

__all__ = [
    "EDGE_KINDS",
    "METRICS",
    "NODE_KINDS",
    "PAPER_EDGE_KINDS",
    "AmbiguousPaper",
    "Neighbor",
    "NodeRef",
    "PaperRef",
    "PathStep",
    "UnknownKind",
    "UnknownPaper",
    "check_choice",
    "check_edge_kinds",
    "check_metric",
    "check_node_kinds",
    "database_stats",
    "default_edge_kinds",
    "empty_top_reason",
    "find_node",
    "find_paper",
    "neighbors",
    "paper_count",
    "strongest_path",
    "top_nodes",
]

#: Edge kinds that join two papers.
PAPER_EDGE_KINDS = ("similar", "shared_code", "cites", "coupling", "cocited")
#: Every node kind a build writes (``nodes.kind``).
NODE_KINDS = ("paper", "repo", "owner", "page", "keyword")
#: Every edge kind a build writes (``edges.kind``).
EDGE_KINDS = ("code", "page", "owner", "keyword", *PAPER_EDGE_KINDS)
#: Every metric a build writes (``metrics.metric``).
METRICS = (
    "pagerank",
    "betweenness",
    "degree",
    "weighted_degree",
    "eigenvector",
    "component",
    "community",
    "participation",
)

_ARXIV_ID = re.compile(
    r"(?:arxiv:)?\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class PaperRef:
    """A paper found by what the user typed."""

    paper_id: str
    title: str
    arxiv_id: str | None


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node of any kind found by what the user typed."""

    node_id: str
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Neighbor:
    """One connection of a node, with why it exists."""

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
    """Several papers match what the user typed; ``candidates`` holds them, best first."""

    def __init__(self, query: str, candidates: Sequence[PaperRef]) -> None:
        self.candidates = list(candidates)
        super().__init__(
            f"{query!r} matches {len(self.candidates)} papers; "
            "give more of the title, its arXiv id or its paper id"
        )


class UnknownKind(UsageError):
    """An option names a kind (of node, edge, metric, format) that does not exist."""


def check_choice(option: str, given: Sequence[str], valid: Sequence[str]) -> list[str]:
    """``given`` if every value is in ``valid``; else an error naming the valid values."""
    values = list(given)
    if not values:
        raise UnknownKind(f"{option} is empty; valid: {', '.join(valid)}")
    for value in values:
        if value not in valid:
            close = difflib.get_close_matches(value, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UnknownKind(f"{option}: unknown {value!r}{hint}; valid: {', '.join(valid)}")
    return values


def _with_stored(known: Sequence[str], stored: Sequence[str]) -> list[str]:
    """The known names, then any other the database holds (a kind added by a newer build)."""
    return list(dict.fromkeys([*known, *stored]))


def check_edge_kinds(store: Store, kinds: Sequence[str], option: str = "--kind") -> list[str]:
    """Edge kinds as given, after checking each one exists."""
    return check_choice(option, kinds, _with_stored(EDGE_KINDS, q.edge_kinds(store)))


def check_node_kinds(store: Store, kinds: Sequence[str], option: str = "--kind") -> list[str]:
    """Node kinds as given, after checking each one exists."""
    return check_choice(option, kinds, _with_stored(NODE_KINDS, q.node_kinds(store)))


def check_metric(store: Store, metric: str) -> str:
    """The metric, after checking it is one a build computes (or the database holds)."""
    return check_choice("--metric", [metric], _with_stored(METRICS, q.metric_names(store)))[0]


def _paper_by_id(store: Store, text: str) -> PaperRef | None:
    """The paper whose paperweb id or arXiv id (any version, ``arXiv:`` prefix) is ``text``."""
    rows = q.paper_by_id(store, text)
    arxiv = _ARXIV_ID.fullmatch(text)
    if not rows and arxiv:
        rows = q.paper_by_arxiv_id(store, arxiv.group(1))
    return PaperRef(*rows[0]) if rows else None


@dataclass(frozen=True, slots=True, order=True)
class _TitleMatch:
    """How well a title matches the words typed; lower sorts first (better)."""

    #: 0 when the title is exactly the words, 1 when its name before a colon is, else 2
    exactness: int
    #: 0 when the words end at the end of a word of the title
    cut: int
    #: 0 when the title starts with the words
    later: int
    length: int
    paper_id: str


def _title_match(wanted: str, paper: PaperRef) -> _TitleMatch | None:
    """The match of a paper's title with the normalised words, or None when they are not in it.

    The words must start at a word of the title ("operator" finds "neural operators", "vit"
    does not find "multivit"). The title itself comes first, then a title whose name before
    the colon is the words ("DeepSeek-R1: Incentivizing ..."); then whole words beat a word
    cut short ("LoRA" in "... from LoRA Weights" before "LoRACode"), a title starting with
    the words beats one having them later, and the shorter title wins (the words are more of it).
    """
    title = normalise_title(paper.title)
    found = re.search(rf"(?:^| ){re.escape(wanted)}( |$)?", title)
    if found is None:
        return None
    name, colon, _ = paper.title.partition(":")
    exactness = 0 if title == wanted else 1 if colon and normalise_title(name) == wanted else 2
    return _TitleMatch(
        exactness,
        0 if found.group(1) is not None else 1,
        0 if found.start() == 0 else 1,
        len(title),
        paper.paper_id,
    )


def find_paper(store: Store, query: str) -> PaperRef:
    """Find one paper by paper id, arXiv id, title, name before its title's colon, or words
    only its title has.

    Raises :class:`AmbiguousPaper` (candidates best first) when several titles contain
    the words and neither one title nor one name equals them, :class:`UnknownPaper` when
    none does.
    """
    text = query.strip()
    if not text:
        raise UnknownPaper("empty paper name; give an arXiv id, a paper id or (part of) a title")
    by_id = _paper_by_id(store, text)
    if by_id is not None:
        return by_id
    wanted = normalise_title(text)
    ranked: list[tuple[_TitleMatch, PaperRef]] = []
    for row in q.paper_titles(store) if wanted else []:
        paper = PaperRef(*row)
        match = _title_match(wanted, paper)
        if match is not None:
            ranked.append((match, paper))
    ranked.sort(key=lambda item: item[0])
    for exactness in (0, 1):
        equal = [paper for match, paper in ranked if match.exactness == exactness]
        if len(equal) == 1:
            return equal[0]
    if len(ranked) == 1:
        return ranked[0][1]
    if ranked:
        raise AmbiguousPaper(query, [paper for _, paper in ranked])
    node = q.node_by_id(store, text)
    if node:
        kind = node[0][1]
        article = "an" if kind[:1] in "aeiou" else "a"
        raise UnknownPaper(f"{text!r} is {article} {kind} node, not a paper; name a paper here")
    raise UnknownPaper(
        f"no paper matches {query!r}; try part of its title, its arXiv id or its paper id"
    )


def find_node(store: Store, query: str) -> NodeRef:
    """Find a node by its id (repo, owner, page, keyword or paper), else a paper as
    :func:`find_paper` does, else the one other node labelled so (``lab/ops``, ``quantization``)."""
    rows = q.node_by_id(store, query.strip())
    if rows:
        return NodeRef(*rows[0])
    try:
        paper = find_paper(store, query)
    except UnknownPaper as exc:
        named = [NodeRef(*row) for row in q.nodes_by_label(store, query.strip())]
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(node.node_id for node in named)
            raise UnknownPaper(f"no paper matches {query!r}; nodes labelled so: {ids}") from exc
        raise
    return NodeRef(paper.paper_id, "paper", paper.title)


def default_edge_kinds(node: NodeRef) -> tuple[str, ...]:
    """The edge kinds ``neighbors`` follows unless told: paper-paper ones for a paper, all for others."""
    return PAPER_EDGE_KINDS if node.kind == "paper" else EDGE_KINDS


def neighbors(
    store: Store, node_id: str, kinds: Sequence[str] = PAPER_EDGE_KINDS, limit: int = 10
) -> list[Neighbor]:
    """The node's strongest connections of the given edge kinds, strongest first."""
    rows = q.neighbor_rows(store, node_id, kinds, limit)
    return [Neighbor(*row) for row in rows]


def _paper_graph(store: Store, kinds: Sequence[str]) -> nx.Graph:
    """Undirected paper projection keeping, per pair, the strongest edge (and its evidence)."""
    graph = nx.Graph()
    for src, dst, kind, weight, evidence in q.edges_of_kinds(store, kinds):
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
    labels = q.paper_labels(store)
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
    """Nodes ranked by a stored metric: (node_id, kind, label, value).

    An unknown metric or kind raises :class:`UnknownKind`; a known one may give no rows
    (:func:`empty_top_reason` says why).
    """
    check_metric(store, metric)
    if kind is not None:
        check_node_kinds(store, [kind])
    return [tuple(row) for row in q.top_rows(store, metric, kind, limit)]


def empty_top_reason(store: Store, metric: str, kind: str | None) -> str:
    """Why :func:`top_nodes` found nothing, and what there is instead."""
    if kind is None:
        have = q.metric_names(store)
        stored = ", ".join(have) if have else "none (build the graph first)"
        return f"no node has a {metric} value; the database has: {stored}"
    if q.kind_count(store, kind) == 0:
        return f"the database has no {kind} nodes"
    have = q.kind_metrics(store, kind)
    stored = ", ".join(have) if have else "none"
    return f"no {kind} node has a {metric} value; metrics of {kind} nodes: {stored}"


def paper_count(path: Path) -> int | None:
    """Papers in an existing database file, or None when there is no readable one."""
    if not path.exists():
        return None
    try:
        with open_store(path, read_only=True) as store:
            return store.count("papers")
    except DatabaseError:
        return None


def database_stats(store: Store) -> dict[str, Any]:
    """Counts per node and edge kind, components, communities and enrichment coverage."""
    return q.database_stats(store)
