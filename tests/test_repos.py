"""Tests for GitHub facts in the database: the repos table, renames and topics as keywords."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from collectors.corpus import read_inputs
from collectors.github import RepoInfo, enrich_repos, missing_repo
from collectors.links import extract_links
from graph.linkgraph import link_graph
from graph.papers import merge_papers
from graph.stages import write_paper_edges, write_papers
from graph.store import Store, open_store
from graph.store.enrichment import write_repo_topics, write_repos
from tests.conftest import CORPUS_PAGES
from tests.renames import apply_renames, final_target

OLD = "github.com/old-lab/oldname"
NEW = "github.com/new-lab/newname"
SQL_GITHUB_TARGETS = (
    "SELECT DISTINCT target FROM links WHERE kind = 'repo' AND target LIKE 'github.com/%' "
    "ORDER BY 1"
)
SQL_PAPERS_WITH_GITHUB_KEYWORDS = (
    "SELECT DISTINCT paper_id FROM keywords WHERE origin = 'github' ORDER BY 1"
)
SQL_LINKING_PAPERS = (
    "SELECT DISTINCT paper_id FROM links "
    "WHERE target IN (SELECT target FROM repos WHERE status <> 'missing') ORDER BY 1"
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A database with two papers linking the old repo name, one also linking the new name."""
    store = open_store(tmp_path / "db.duckdb")
    store.insert_columns(
        "papers", {"paper_id": ["p1", "p2", "p3"], "title": ["One", "Two", "Three"]}
    )
    links = [
        ("p1", "https://github.com/Old-Lab/OldName", "abstract"),
        ("p2", "https://github.com/old-lab/oldname.git", "abstract"),
        ("p2", "https://github.com/New-Lab/NewName", "abstract"),
        ("p3", "https://github.com/old-lab/other", "abstract"),
    ]
    store.insert_columns(
        "links",
        {
            "paper_id": [p for p, _, _ in links],
            "url": [u for _, u, _ in links],
            "kind": ["repo"] * len(links),
            "target": [extract_links(u)[0].target for _, u, _ in links],
            "origin": [o for _, _, o in links],
        },
    )
    graph = link_graph((p, extract_links(u)[0]) for p, u, _ in links)
    store.insert_columns(
        "nodes",
        {
            "node_id": ["p1", "p2", "p3"] + [n.node_id for n in graph.nodes],
            "kind": ["paper"] * 3 + [n.kind for n in graph.nodes],
            "label": ["One", "Two", "Three"] + [n.label for n in graph.nodes],
            "url": [None] * 3 + [n.url for n in graph.nodes],
        },
    )
    store.insert_columns(
        "edges",
        {
            "src": [e.src for e in graph.edges],
            "dst": [e.dst for e in graph.edges],
            "kind": [e.kind for e in graph.edges],
            "weight": [e.weight for e in graph.edges],
            "evidence": [e.evidence for e in graph.edges],
        },
    )
    return store


def test_apply_renames_moves_repo_everywhere(store: Store) -> None:
    """The old target disappears from links, nodes and edges; the repo hangs off its new owner."""
    with store.transaction():
        assert apply_renames(store, {OLD: NEW}) == 1
    assert store.query("SELECT count(*) FROM links WHERE target = ?", [OLD]) == [(0,)]
    assert store.query("SELECT paper_id, url FROM links WHERE target = ? ORDER BY ALL", [NEW]) == [
        ("p1", "https://github.com/Old-Lab/OldName"),
        ("p2", "https://github.com/New-Lab/NewName"),
    ]
    assert store.query("SELECT count(*) FROM edges WHERE ? IN (src, dst)", [OLD]) == [(0,)]
    assert store.query("SELECT node_id FROM nodes WHERE kind <> 'paper' ORDER BY 1") == [
        ("github.com/new-lab",),
        ("github.com/new-lab/newname",),
        ("github.com/old-lab",),  # still owns old-lab/other
        ("github.com/old-lab/other",),
    ]
    assert store.query("SELECT src, dst, kind FROM edges ORDER BY ALL") == [
        ("github.com/new-lab/newname", "github.com/new-lab", "owner"),
        ("github.com/old-lab/other", "github.com/old-lab", "owner"),
        ("p1", "github.com/new-lab/newname", "code"),
        ("p2", "github.com/new-lab/newname", "code"),
        ("p3", "github.com/old-lab/other", "code"),
    ]


def test_apply_renames_drops_owner_left_empty(store: Store) -> None:
    """An owner whose every repository moved away is removed with its edges."""
    with store.transaction():
        apply_renames(store, {OLD: NEW, "github.com/old-lab/other": "github.com/new-lab/other"})
    owners = store.query("SELECT node_id FROM nodes WHERE kind = 'owner'")
    assert owners == [("github.com/new-lab",)]
    assert store.query("SELECT count(*) FROM edges WHERE dst = 'github.com/old-lab'") == [(0,)]


def test_apply_renames_rolls_back_with_transaction(store: Store) -> None:
    """Renames run inside the caller's transaction and vanish when it fails."""
    with pytest.raises(RuntimeError), store.transaction():
        apply_renames(store, {OLD: NEW})
        raise RuntimeError("build failed later")
    assert store.query("SELECT count(*) FROM links WHERE target = ?", [OLD]) == [(2,)]


@pytest.mark.parametrize(
    ("renamed", "expected"),
    [
        ({"a": "b", "b": "c"}, "c"),
        ({"a": "b", "b": "a"}, "b"),
        ({}, "a"),
    ],
)
def test_final_target_follows_chains(renamed: dict[str, str], expected: str) -> None:
    """Chains resolve to their end; a cycle stops instead of looping."""
    assert final_target("a", renamed) == expected


def test_write_repos_stores_rows_and_labels_nodes(store: Store) -> None:
    """Rows land with topics as a list and UTC timestamps; repo nodes take GitHub's spelling."""
    repos = [
        RepoInfo(
            target=NEW,
            full_name="New-Lab/NewName",
            stars=5,
            topics=("graph-learning",),
            archived=True,
            pushed_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            status="renamed",
        ),
        missing_repo("github.com/old-lab/other"),
    ]
    with store.transaction():
        apply_renames(store, {OLD: NEW})
        assert write_repos(store, repos) == 2
    assert store.query(
        "SELECT target, stars, topics, archived, pushed_at, status FROM repos ORDER BY 1"
    ) == [
        (NEW, 5, ["graph-learning"], True, datetime(2025, 1, 2, 3, 4, 5), "renamed"),
        ("github.com/old-lab/other", None, [], None, None, "missing"),
    ]
    assert store.query("SELECT label FROM nodes WHERE node_id = ?", [NEW]) == [("New-Lab/NewName",)]


def test_write_repo_topics_become_keywords_of_linking_papers(store: Store) -> None:
    """Each paper linking the repo gets its topics once, with spaces for hyphens, origin github."""
    with store.transaction():
        apply_renames(store, {OLD: NEW})
        write_repo_topics(store, [(NEW, "graph-learning"), (NEW, "graph-learning"), (NEW, "gnn")])
        write_repo_topics(store, [(NEW, "gnn")])
    assert store.query("SELECT paper_id, keyword, origin FROM keywords ORDER BY ALL") == [
        ("p1", "gnn", "github"),
        ("p1", "graph learning", "github"),
        ("p2", "gnn", "github"),
        ("p2", "graph learning", "github"),
    ]


def test_apply_renames_on_corpus_build(corpus: Path, tmp_path: Path) -> None:
    """On the real corpus, renaming a linked repo keeps link, node and edge counts consistent."""
    occurrences, _, _ = read_inputs([CORPUS_PAGES["000"]])
    rows = merge_papers(occurrences)
    with open_store(tmp_path / "db.duckdb") as store:
        with store.transaction():
            write_papers(store, rows)
        # A repo whose owner has no other repo: its owner node is replaced, not added to.
        old = store.query(
            "SELECT src FROM edges WHERE kind = 'owner' AND src LIKE 'github.com/%' AND dst IN "
            "(SELECT dst FROM edges WHERE kind = 'owner' GROUP BY dst HAVING count(*) = 1) "
            "ORDER BY src LIMIT 1"
        )[0][0]
        before = {t: store.count(t) for t in ("links", "nodes", "edges")}
        with store.transaction():
            apply_renames(store, {old: "github.com/renamed-owner/renamed-repo"})
        assert {t: store.count(t) for t in ("links", "nodes", "edges")} == before
        assert store.query("SELECT count(*) FROM nodes WHERE node_id = ?", [old]) == [(0,)]
        assert store.query(
            "SELECT count(*) FROM edges WHERE src = 'github.com/renamed-owner/renamed-repo' "
            "AND dst = 'github.com/renamed-owner' AND kind = 'owner'"
        ) == [(1,)]


def test_github_enrichment_on_corpus_build(corpus: Path, tmp_path: Path) -> None:
    """Corpus repos fetched from a fake GitHub: one renamed, one missing, topics reach the keywords."""
    occurrences, _, _ = read_inputs([CORPUS_PAGES["003"]])
    rows = merge_papers(occurrences)
    with open_store(tmp_path / "db.duckdb") as store:
        with store.transaction():
            write_papers(store, rows)
        targets = [t for (t,) in store.query(SQL_GITHUB_TARGETS)]
        assert len(targets) >= 3
        renamed, gone = targets[0], targets[1]
        seen: list[httpx.Request] = []

        def github(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            owner, repo = request.url.path.split("/")[2:4]
            target = f"github.com/{owner}/{repo}".lower()
            if target == renamed:
                return httpx.Response(301, headers={"Location": "/repos/moved-lab/moved-repo"})
            if target == gone:
                return httpx.Response(404, json={"message": "Not Found"})
            full_name = "Moved-Lab/Moved-Repo" if owner == "moved-lab" else f"{owner}/{repo}"
            # One rare topic per repository, so keyword extraction has no reason to drop it.
            word = "zebra" + "".join(chr(97 + int(d)) for d in str(len(seen)))
            return httpx.Response(
                200, json={"full_name": full_name, "stargazers_count": 9, "topics": [word]}
            )

        transport = httpx.MockTransport(github)
        with httpx.Client(base_url="https://api.test", transport=transport) as client:
            enrichment = enrich_repos(client, targets)
        assert len(seen) == len(targets) + 1
        with store.transaction():
            apply_renames(store, enrichment.renamed)
            write_repos(store, enrichment.repos)
            write_repo_topics(store, enrichment.topics)
            assert store.query(SQL_PAPERS_WITH_GITHUB_KEYWORDS) == store.query(SQL_LINKING_PAPERS)
            write_paper_edges(store)
        # Topics are given keywords: they survive extraction among each paper's top keywords.
        assert store.query(SQL_PAPERS_WITH_GITHUB_KEYWORDS) == store.query(SQL_LINKING_PAPERS)
        assert len(store.query(SQL_LINKING_PAPERS)) > 0
        new = "github.com/moved-lab/moved-repo"
        assert store.query("SELECT count(*) FROM links WHERE target = ?", [renamed]) == [(0,)]
        assert store.query("SELECT status FROM repos WHERE target = ?", [new]) == [("renamed",)]
        assert store.query("SELECT status FROM repos WHERE target = ?", [gone]) == [("missing",)]
        assert store.query("SELECT label FROM nodes WHERE node_id = ?", [new]) == [
            ("Moved-Lab/Moved-Repo",)
        ]
