"""The map's layout: which nodes are drawn, communities apart, similar papers close, seeded."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from graph.layout import DENSE_DISCS, choose_drawn, community_layout, layout_drawn, write_layout
from graph.store import open_store


def _planted(groups: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of papers densely linked inside, with a few edges between groups."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(groups), size)
    src, dst = [], []
    for g in range(groups):
        members = np.flatnonzero(labels == g)
        for a in members:
            for b in rng.choice(members, 4, replace=False):
                if a != b:
                    src.append(a)
                    dst.append(b)
    for _ in range(groups * 3):
        a, b = rng.integers(0, len(labels), 2)
        src.append(a)
        dst.append(b)
    return labels, np.array(src), np.array(dst)


def test_choose_drawn_papers_first_link_nodes_where_they_join() -> None:
    """Papers up to the cap; a repo or page only when two drawn papers link it; owners of two drawn repos."""
    links = [
        ("a", "github.com/o/r1", "code"),
        ("b", "github.com/o/r1", "code"),
        ("c", "github.com/o/r2", "code"),
        ("d", "github.com/o/r2", "code"),
        ("a", "github.com/o/r3", "code"),
        ("github.com/o/r1", "github.com/o", "owner"),
        ("github.com/o/r2", "github.com/o", "owner"),
        ("github.com/o/r3", "github.com/o", "owner"),
        ("a", "site.org", "page"),
        ("e", "site.org", "page"),
    ]
    assert choose_drawn(["a", "b", "c", "d", "e"], links) == [
        "a",
        "b",
        "c",
        "d",
        "e",
        "github.com/o/r1",
        "github.com/o/r2",
        "site.org",
        "github.com/o",
    ]
    # With a cap of three, r2 and the page join one drawn paper each: neither is drawn, nor the owner.
    assert choose_drawn(["a", "b", "c", "d", "e"], links, max_papers=3) == [
        "a",
        "b",
        "c",
        "github.com/o/r1",
    ]


def test_choose_drawn_keywords_only_when_asked() -> None:
    """Keyword nodes are not drawn by default; asked for, they follow the same two-paper rule."""
    links = [("a", "keyword:x", "keyword"), ("b", "keyword:x", "keyword")]
    assert choose_drawn(["a", "b"], links) == ["a", "b"]
    assert choose_drawn(["a", "b"], links, kinds=("paper", "keyword")) == ["a", "b", "keyword:x"]
    assert choose_drawn(["a", "b"], links, kinds=("keyword",)) == ["keyword:x"]


def test_community_layout_separates_planted_groups() -> None:
    """Planted groups land in separate regions: a high silhouette, every point nearer its own group."""
    labels, src, dst = _planted(6, 40)
    xy = community_layout(labels, src, dst, np.ones(len(src)))
    assert silhouette_score(xy, labels) > 0.5
    centres = np.array([xy[labels == g].mean(axis=0) for g in range(6)])
    nearest = np.argmin(
        np.hypot(*(xy[:, None, :] - centres[None, :, :]).transpose(2, 0, 1)), axis=1
    )
    assert (nearest == labels).mean() > 0.95


@pytest.mark.parametrize("groups", [DENSE_DISCS // 2, 2 * DENSE_DISCS])
def test_community_layout_keeps_hundreds_of_uneven_groups_apart(groups: int) -> None:
    """A big corpus's drawn papers spread over hundreds of communities of very uneven size:
    every group's points stay nearer its own centre than any other group's points come,
    whether the overlapping discs are found among all pairs or by k-d tree searches."""
    rng = np.random.default_rng(7)
    sizes = np.minimum(1 + (3 * rng.pareto(1.2, groups)).astype(int), 300)
    labels = np.repeat(np.arange(groups), sizes)
    src = rng.integers(0, len(labels), 3000)
    dst = rng.integers(0, len(labels), 3000)
    xy = community_layout(labels, src, dst, np.ones(3000))
    centres = np.array([xy[labels == g].mean(axis=0) for g in range(groups)])
    own = np.hypot(*(xy - centres[labels]).T)
    reach = np.array([own[labels == g].max() for g in range(groups)])
    apart = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(apart, np.inf)
    # Discs do not overlap: centres are at least the two groups' extents apart.
    assert (apart >= reach[:, None] + reach[None, :]).all()


def test_community_layout_keeps_linked_papers_close() -> None:
    """Inside a group, linked papers sit closer than unlinked ones on average."""
    chain_src = np.arange(59)
    chain_dst = np.arange(1, 60)
    xy = community_layout(np.zeros(60, dtype=int), chain_src, chain_dst, np.ones(59))
    linked = np.hypot(*(xy[chain_src] - xy[chain_dst]).T).mean()
    pairs = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert linked < 0.5 * pairs[np.triu_indices(60, 1)].mean()


def test_community_layout_is_seeded() -> None:
    """The same inputs and seed give the same positions; another seed gives others."""
    labels, src, dst = _planted(4, 20)
    first = community_layout(labels, src, dst, np.ones(len(src)), seed=7)
    assert np.array_equal(first, community_layout(labels, src, dst, np.ones(len(src)), seed=7))
    assert not np.array_equal(first, community_layout(labels, src, dst, np.ones(len(src)), seed=8))


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_community_layout_small_and_edgeless(n: int) -> None:
    """Empty, single and edgeless inputs get finite, distinct positions."""
    xy = community_layout(
        np.arange(n) % 2, np.array([], dtype=int), np.array([], dtype=int), np.ones(0)
    )
    assert xy.shape == (n, 2) and np.isfinite(xy).all()
    assert len({tuple(p) for p in xy.round(3)}) == n


def test_layout_drawn_places_link_nodes_between_their_papers() -> None:
    """A repo joining two papers of different communities sits between them, off both."""
    nodes = ["a1", "a2", "b1", "b2", "github.com/o/r"]
    kinds = {n: "paper" for n in nodes[:4]} | {"github.com/o/r": "repo"}
    edges = [
        ("a1", "a2", "similar", 1.0),
        ("b1", "b2", "similar", 1.0),
        ("a1", "github.com/o/r", "code", 1.0),
        ("b1", "github.com/o/r", "code", 1.0),
    ]
    pos = layout_drawn(nodes, kinds, {"a1": 0, "a2": 0, "b1": 1, "b2": 1}, edges)
    repo = pos["github.com/o/r"]
    middle = ((pos["a1"][0] + pos["b1"][0]) / 2, (pos["a1"][1] + pos["b1"][1]) / 2)
    assert math.dist(repo, middle) < 0.5 * math.dist(pos["a1"], pos["b1"])
    assert repo not in (pos["a1"], pos["b1"])


def test_write_layout_fills_the_layout_table(tmp_path: Path) -> None:
    """write_layout stores one finite position per drawn node, and a rerun gives the same rows."""
    with open_store(tmp_path / "db.duckdb") as store:
        store.insert_columns(
            "nodes",
            {
                "node_id": ["p1", "p2", "p3", "github.com/o/r"],
                "kind": ["paper", "paper", "paper", "repo"],
                "label": ["A", "B", "C", "o/r"],
                "url": [None, None, None, "https://github.com/o/r"],
            },
        )
        store.insert_columns(
            "edges",
            {
                "src": ["p1", "p1", "p2"],
                "dst": ["p2", "github.com/o/r", "github.com/o/r"],
                "kind": ["similar", "code", "code"],
                "weight": [0.5, 1.0, 1.0],
                "evidence": ["shares keywords: x", "links it", "links it"],
            },
        )
        assert len(write_layout(store).nodes) == 4
        first = store.query("SELECT node_id, x, y FROM layout ORDER BY node_id")
        store.clear(["layout"])
        write_layout(store)
        assert store.query("SELECT node_id, x, y FROM layout ORDER BY node_id") == first
    assert all(math.isfinite(x) and math.isfinite(y) for _, x, y in first)


def test_corpus_layout_separates_communities(corpus_build: Path) -> None:
    """On the real corpus the stored positions of papers have a silhouette by community of 0.35+."""
    with open_store(corpus_build / "db.duckdb", read_only=True) as store:
        rows = store.query(
            "SELECT l.x, l.y, CAST(m.value AS INTEGER) FROM layout l "
            "JOIN metrics m ON m.node_id = l.node_id AND m.metric = 'community' ORDER BY l.node_id"
        )
        papers = store.count("papers")
    assert len(rows) == papers
    xy = np.array([(x, y) for x, y, _ in rows])
    assert silhouette_score(xy, [c for _, _, c in rows]) >= 0.35
