"""Positions for the map: communities apart, similar papers close, computed once at build time.

Which nodes the page draws (:func:`choose_drawn`) and where (:func:`community_layout`) are
pure functions over lists and arrays; :func:`write_layout` runs them on the store and fills
the ``layout`` table, which the viewer and the report's static map both read.

The layout is two-level, so it stays fast and legible at any size: every community gets a
disc whose area grows with its size, the discs are placed by a force layout of the
community graph (communities with many edges between them end up neighbours) and then
pushed apart until none overlap; inside its disc each community is laid out on its own
edges. Everything is seeded, so a rebuild gives the same positions.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from graph.ig import ig
from graph.store import Store
from graph.store import layout as layout_sql

__all__ = [
    "DEFAULT_KINDS",
    "DEFAULT_MAX_PAPERS",
    "DrawnSet",
    "choose_drawn",
    "community_layout",
    "layout_drawn",
    "read_drawn",
    "write_layout",
]

#: papers drawn on the default page (the most central ones when there are more)
DEFAULT_MAX_PAPERS = 2000
#: node kinds the default page draws; keyword nodes only on request
DEFAULT_KINDS = ("paper", "repo", "owner", "page")
#: edges that join a paper to a link node (an owner joins papers through its repos)
_LINK_KINDS = ("code", "page", "keyword")
#: network units between neighbouring papers; vis-network draws nodes 8-40 units wide
SPACING = 36.0
#: free space between two community discs, in units of SPACING
GAP = 3.0
#: communities up to this size get their overlapping papers pushed apart (quadratic work)
OVERLAP_LIMIT = 1500
# Up to this many discs every pair is tested at once: cheaper than k-d trees until the
# pairs' matrices outgrow the processor's cache (measured: 3x faster at 100, 2x at 200,
# 4x slower at 250-400).
DENSE_DISCS = 200


@dataclass(slots=True)
class DrawnSet:
    """The nodes a page draws, the edges among them, and what the layout needs to know."""

    nodes: list[str]
    kinds: dict[str, str]
    edges: list[tuple[str, str, str, float]]
    communities: dict[str, int]
    #: papers of the database
    total_papers: int

    @property
    def left_out_papers(self) -> int:
        """How many papers of the database the page does not draw."""
        return self.total_papers - sum(1 for kind in self.kinds.values() if kind == "paper")


def choose_drawn(
    ranked_papers: Sequence[str],
    link_edges: Iterable[tuple[str, str, str]],
    max_papers: int = DEFAULT_MAX_PAPERS,
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> list[str]:
    """The node ids a page draws: papers first, link nodes only where they join papers.

    ``ranked_papers`` is most central first; the first ``max_papers`` are the drawn
    papers. A repo, page or keyword node is drawn when two or more of those papers link
    it, an owner when two or more drawn repos belong to it: a link node that touches one
    paper tells nothing the paper's details do not.

    >>> choose_drawn(["a", "b", "c"], [("a", "r", "code"), ("b", "r", "code"), ("c", "s", "code")])
    ['a', 'b', 'c', 'r']
    """
    papers = list(ranked_papers[: max(max_papers, 0)])
    drawn = set(papers)
    linked: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    link_kind: dict[str, str] = {}
    for src, dst, kind in link_edges:
        if kind == "owner":
            owners[dst].add(src)
        elif kind in _LINK_KINDS and src in drawn:
            linked[dst].add(src)
            link_kind[dst] = {"code": "repo", "page": "page", "keyword": "keyword"}[kind]
    joined = {node for node, members in linked.items() if len(members) >= 2}
    repos = {node for node in joined if link_kind[node] == "repo"}
    chosen = [p for p in papers] if "paper" in kinds else []
    chosen += sorted(node for node in joined if link_kind[node] in kinds)
    if "owner" in kinds:
        chosen += sorted(owner for owner, members in owners.items() if len(members & repos) >= 2)
    return chosen


def _unit_disc(points: np.ndarray) -> np.ndarray:
    """Points centred and scaled into the unit disc; far outliers are pulled onto its rim."""
    points = points - points.mean(axis=0)
    radius = np.hypot(points[:, 0], points[:, 1])
    scale = float(np.quantile(radius, 0.95)) if len(radius) > 2 else float(radius.max())
    if scale <= 0:
        return np.zeros_like(points)
    points = points / scale
    radius = radius / scale
    outside = radius > 1.0
    points[outside] /= radius[outside, None]
    return points


def _sunflower(n: int) -> np.ndarray:
    """``n`` points spread evenly over the unit disc (Vogel's spiral)."""
    if n == 1:
        return np.zeros((1, 2))
    i = np.arange(n, dtype=np.float64)
    radius = np.sqrt((i + 0.5) / n)
    angle = i * math.pi * (3.0 - math.sqrt(5.0))
    return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))


def _inner_layout(
    n: int, edges: list[tuple[int, int]], weights: list[float], rng: np.random.Generator
) -> np.ndarray:
    """One community in the unit disc: a force layout of its edges; unconnected papers on a spiral."""
    if n <= 1:
        return np.zeros((n, 2))
    if not edges:
        return _sunflower(n)
    graph = ig.Graph(n=n, edges=edges)
    start = rng.uniform(-1.0, 1.0, size=(n, 2)).tolist()
    found = graph.layout_fruchterman_reingold(
        weights=weights, seed=start, niter=300, grid="auto" if n > 1000 else "nogrid"
    )
    points = _unit_disc(np.asarray(found.coords, dtype=np.float64))
    # Papers with no edge inside the community drift to the rim under repulsion;
    # an even spiral keeps them in the disc without piling up on one side.
    lonely = np.asarray(graph.degree()) == 0
    if lonely.any() and not lonely.all():
        spiral = _sunflower(n)
        radius = np.hypot(spiral[:, 0], spiral[:, 1])
        points[lonely] = spiral[np.argsort(-radius)[: int(lonely.sum())]]
    return points


def _spread_out(points: np.ndarray, distance: float, rounds: int = 30) -> np.ndarray:
    """Push apart points closer than ``distance`` (papers linked by strong edges pile up)."""
    n = len(points)
    if n < 2 or n > OVERLAP_LIMIT:
        return points
    points = points.copy()
    x, y = points[:, 0], points[:, 1]
    for _ in range(rounds):
        # Each axis on its own: np.hypot and a trailing axis of two are several times
        # slower on these matrices.
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        dist = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(distance - dist, 0.0, None)
        if not overlap.any():
            break
        push = overlap * 0.5 / np.where(dist > 1e-9, dist, distance)
        x += (dx * push).sum(axis=1) * 0.5
        y += (dy * push).sum(axis=1) * 0.5
    return _unit_disc(points) if np.hypot(points[:, 0], points[:, 1]).max() > 1.0 else points


def _near_pairs(
    centres: np.ndarray, radii: np.ndarray, gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each pair of discs whose centres are close enough to overlap, once.

    Up to :data:`DENSE_DISCS` discs every pair is tested. Beyond, discs fall into tiers
    of radius (each twice the last); a pair whose larger disc is in tier k is within twice
    that tier's largest radius, so one k-d tree search per tier finds every candidate
    without a few large communities widening everyone's search.
    """
    if len(centres) <= DENSE_DISCS:
        # Squared distances from each axis apart: np.hypot and a trailing axis of two
        # are each several times slower on matrices this size.
        x, y = centres[:, 0], centres[:, 1]
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        apart = radii[:, None] + (radii[None, :] + gap)
        i, j = np.nonzero(np.triu(dx * dx + dy * dy < apart * apart, k=1))
        return i, j
    # Imported here: a corpus that draws few communities never needs scipy.spatial
    # (a seventh of a second to import).
    from scipy.spatial import cKDTree

    tier = np.floor(np.log2(radii / radii.min())).astype(np.int64)
    found_i, found_j = [], []
    for k in np.unique(tier).tolist():
        top, upto = np.flatnonzero(tier == k), np.flatnonzero(tier <= k)
        reach = 2.0 * float(radii[top].max()) + gap
        near = cKDTree(centres[top]).sparse_distance_matrix(
            cKDTree(centres[upto]), reach, output_type="ndarray"
        )
        a, b = top[near["i"]], upto[near["j"]]
        once = (tier[b] < k) | (a < b)
        found_i.append(a[once])
        found_j.append(b[once])
    return np.concatenate(found_i), np.concatenate(found_j)


def _push_apart(
    centres: np.ndarray, radii: np.ndarray, gap: float, rng: np.random.Generator
) -> bool:
    """Move every overlapping pair of discs apart in place (the smaller one further);
    False when none overlaps.

    Only the pairs :func:`_near_pairs` finds can overlap.
    """
    i, j = _near_pairs(centres, radii, gap)
    if len(i) == 0:
        return False
    delta = centres[i] - centres[j]
    dist = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    overlap = radii[i] + radii[j] + gap - dist
    hit = overlap > 0
    if not hit.any():
        return False
    i, j, delta, dist, overlap = i[hit], j[hit], delta[hit], dist[hit], overlap[hit]
    still = dist <= 1e-9
    direction = delta / np.where(still, 1.0, dist)[:, None]
    # Coincident centres get a seeded direction instead of none.
    if still.any():
        direction[still] = rng.normal(size=(int(still.sum()), 2))
    total = radii[i] + radii[j]
    n = len(centres)
    ahead, behind = overlap * radii[j] / total, overlap * radii[i] / total
    for axis in (0, 1):
        along = direction[:, axis]
        move = np.bincount(i, along * ahead, n) - np.bincount(j, along * behind, n)
        centres[:, axis] += move * 0.5
    return True


def _place_discs(
    radii: np.ndarray, pairs: Mapping[tuple[int, int], float], rng: np.random.Generator
) -> np.ndarray:
    """Centres for discs of ``radii``: related ones near each other, none overlapping."""
    count = len(radii)
    if count == 1:
        return np.zeros((1, 2))
    graph = ig.Graph(n=count, edges=list(pairs))
    weights = [math.log1p(w) for w in pairs.values()]
    start = rng.uniform(-1.0, 1.0, size=(count, 2)).tolist()
    found = graph.layout_fruchterman_reingold(
        weights=weights or None, seed=start, niter=500, grid="nogrid"
    )
    centres = np.asarray(found.coords, dtype=np.float64)
    centres -= centres.mean(axis=0)
    spread = float(np.hypot(centres[:, 0], centres[:, 1]).max()) or 1.0
    # Start as wide as the discs need side by side, then alternate a pull to the middle
    # with pushing overlapping pairs apart: the arrangement stays, the gaps close.
    centres *= float(np.sqrt((radii**2).sum())) * 1.6 / spread
    gap = GAP * SPACING
    for step in range(400):
        centres *= 0.995 if step < 300 else 1.0
        for _ in range(4):
            if not _push_apart(centres, radii, gap, rng):
                break
    return centres - centres.mean(axis=0)


def community_layout(
    groups: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    seed: int = 42,
) -> np.ndarray:
    """Positions (n x 2) of ``n`` nodes in ``groups``, each group in its own disc.

    ``src``/``dst`` are node numbers of the edges (any direction, parallel edges add up).
    A disc's radius grows with the square root of its group's size, so papers sit about
    ``SPACING`` apart in every group; groups joined by many edges are placed side by side.

    >>> xy = community_layout(np.array([0, 0, 1, 1]), np.array([0, 2]), np.array([1, 3]), np.ones(2))
    >>> bool(np.hypot(*(xy[0] - xy[1])) < np.hypot(*(xy[0] - xy[2])))
    True
    """
    n = len(groups)
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    labels, local = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(local == g) for g in range(len(labels))]
    position_in = np.empty(n, dtype=np.int64)
    for indices in members:
        position_in[indices] = np.arange(len(indices))
    inner_edges: list[list[tuple[int, int]]] = [[] for _ in labels]
    inner_weights: list[list[float]] = [[] for _ in labels]
    between: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, w in zip(src.tolist(), dst.tolist(), weight.tolist(), strict=True):
        if a == b:
            continue
        ga, gb = int(local[a]), int(local[b])
        if ga == gb:
            inner_edges[ga].append((int(position_in[a]), int(position_in[b])))
            inner_weights[ga].append(float(w))
        else:
            between[(min(ga, gb), max(ga, gb))] += float(w)
    sizes = np.array([len(m) for m in members], dtype=np.float64)
    radii = SPACING * (0.6 * np.sqrt(sizes) + 0.4)
    # igraph's layouts draw from Python's random module; a private generator keeps
    # them seeded without touching the caller's random state.
    ig.set_random_number_generator(random.Random(seed))
    try:
        centres = _place_discs(radii, between, rng)
        xy = np.zeros((n, 2))
        for g, indices in enumerate(members):
            inner = _inner_layout(len(indices), inner_edges[g], inner_weights[g], rng)
            inner = _spread_out(inner, 0.8 * SPACING / radii[g])
            xy[indices] = centres[g] + inner * radii[g]
    finally:
        ig.set_random_number_generator(random)
    return xy


def layout_drawn(
    nodes: Sequence[str],
    kinds: Mapping[str, str],
    communities: Mapping[str, int],
    edges: Iterable[tuple[str, str, str, float]],
    seed: int = 42,
) -> dict[str, tuple[float, float]]:
    """Positions of the drawn ``nodes``: papers by :func:`community_layout`, the rest beside them.

    Papers without a community share one group. A repo, owner, page or keyword node
    sits at the middle of the papers (or repos) it joins, nudged by a seeded offset so
    that two nodes joining the same papers do not cover each other.
    """
    anchors = [node for node in nodes if kinds.get(node) == "paper"] or list(nodes)
    number = {node: i for i, node in enumerate(anchors)}
    edge_list = list(edges)
    src, dst, weight = [], [], []
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b, kind, w in edge_list:
        if a in number and b in number and kind != "keyword":
            src.append(number[a])
            dst.append(number[b])
            weight.append(w)
        neighbours[a].append(b)
        neighbours[b].append(a)
    groups = np.array([communities.get(node, -1) for node in anchors], dtype=np.int64)
    xy = community_layout(
        groups, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), np.array(weight), seed
    )
    pos = {node: (float(xy[i, 0]), float(xy[i, 1])) for node, i in number.items()}
    rng = random.Random(seed)
    rest = [node for node in nodes if node not in pos]
    # Repos and pages first: owners sit among their repos.
    rest.sort(key=lambda node: (kinds.get(node) == "owner", node))
    outer = max((math.hypot(x, y) for x, y in pos.values()), default=0.0) + 4 * SPACING
    for i, node in enumerate(rest):
        placed = [pos[other] for other in neighbours[node] if other in pos]
        if placed:
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
            angle = rng.uniform(0.0, 2.0 * math.pi)
            x, y = x + 0.5 * SPACING * math.cos(angle), y + 0.5 * SPACING * math.sin(angle)
        else:
            angle = i * 2.399963
            x, y = outer * math.cos(angle), outer * math.sin(angle)
        pos[node] = (x, y)
    return {node: (round(x, 1), round(y, 1)) for node, (x, y) in pos.items()}


def read_drawn(
    store: Store, max_papers: int = DEFAULT_MAX_PAPERS, kinds: Sequence[str] = DEFAULT_KINDS
) -> DrawnSet:
    """What :func:`choose_drawn` picks from the store, with the edges among those nodes."""
    ranked = layout_sql.paper_ranking(store)
    links = layout_sql.link_edges(store, "keyword" in kinds)
    nodes = choose_drawn(ranked, links, max_papers, kinds)
    kind_of, edges, communities = layout_sql.drawn_details(store, nodes)
    return DrawnSet(nodes, kind_of, edges, communities, len(ranked))


def write_layout(store: Store, max_papers: int = DEFAULT_MAX_PAPERS) -> DrawnSet:
    """Lay out the default page's nodes and store them in ``layout`` (caller's transaction).

    Returns the nodes laid out, which the build's page draws without choosing them again.
    """
    drawn = read_drawn(store, max_papers)
    pos = layout_drawn(drawn.nodes, drawn.kinds, drawn.communities, drawn.edges)
    ordered = sorted(pos)
    store.insert_columns(
        "layout",
        {
            "node_id": ordered,
            "x": [pos[node][0] for node in ordered],
            "y": [pos[node][1] for node in ordered],
        },
    )
    return drawn
