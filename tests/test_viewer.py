"""Pure tests for the page data and the HTML the viewer writes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from graph.store import open_store
from paperweb.errors import UsageError
from viz.page import render_graph_page, script_json
from viz.page_data import PageInputs, load_page_inputs, page_data, short_label

HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> </script><script>window.__pwned=2</script>'


def _inputs() -> PageInputs:
    nodes = [
        (
            "p1",
            "paper",
            "GNOT: A General Neural Operator Transformer",
            "https://arxiv.org/abs/2302.14376",
        ),
        ("p2", "paper", HOSTILE_TITLE, "javascript:alert(1)"),
        ("p3", "paper", "A Lonely Paper", None),
        ("github.com/thu-ml/gnot", "repo", "thu-ml/GNOT", "https://github.com/thu-ml/gnot"),
        ("github.com/thu-ml", "owner", "thu-ml", "https://github.com/thu-ml"),
        ("keyword:neural operators", "keyword", "neural operators", None),
    ]
    edges = [
        ("p1", "p2", "similar", 0.5, "shares keywords: neural operators"),
        (
            "p1",
            "github.com/thu-ml/gnot",
            "code",
            1.0,
            "links https://github.com/thu-ml/GNOT (from abstract)",
        ),
        (
            "github.com/thu-ml/gnot",
            "github.com/thu-ml",
            "owner",
            1.0,
            "github.com/thu-ml/gnot belongs to github.com/thu-ml",
        ),
        ("p1", "keyword:neural operators", "keyword", 2.0, "keyword from the title; in 2 papers"),
        (
            "p2",
            "keyword:neural operators",
            "keyword",
            2.0,
            "keyword from the abstract; in 2 papers",
        ),
    ]
    metrics = {
        "p1": {"pagerank": 0.4, "community": 0.0},
        "p2": {"pagerank": 0.3, "community": 0.0},
        "p3": {"pagerank": 0.05, "community": 1.0},
        "github.com/thu-ml/gnot": {"pagerank": 0.2},
        "github.com/thu-ml": {"pagerank": 0.1},
    }
    papers = {
        pid: {
            "paper_id": pid,
            "title": t,
            "published": None,
            "published_text": "Jan 5",
            "authors": 3,
            "upvotes": None,
            "arxiv_id": None,
            "cited_by_count": None,
        }
        for pid, _, t, _ in nodes[:3]
    }
    links = {
        "p1": [
            {
                "url": "https://github.com/thu-ml/GNOT",
                "kind": "repo",
                "target": "github.com/thu-ml/gnot",
            }
        ],
        "p2": [
            {"url": "javascript:alert(1)", "kind": "page", "target": "x"},
            {"url": "data:text/html,<b>x</b>", "kind": "page", "target": "y"},
            {"url": "https://example.org/<b>", "kind": "page", "target": "example.org/<b>"},
        ],
    }
    return PageInputs(
        nodes=nodes,
        edges=edges,
        metrics=metrics,
        papers=papers,
        sources={"p1": ["a.txt #1"]},
        links=links,
        keywords={"p1": ["neural operators"], "p2": ["neural operators"]},
        communities={
            0: {"community": 0, "label": "neural operators", "size": 2},
            1: {"community": 1, "label": "x", "size": 1},
        },
    )


def test_page_data_keeps_most_central_nodes() -> None:
    """max_nodes keeps the highest-PageRank nodes and only edges between kept nodes."""
    data = page_data(_inputs(), max_nodes=3)
    assert sorted(n["id"] for n in data.nodes) == ["github.com/thu-ml/gnot", "p1", "p2"]
    assert {(e["from"], e["to"]) for e in data.edges} == {
        ("p1", "p2"),
        ("p1", "github.com/thu-ml/gnot"),
    }
    assert data.total_nodes == 6 and data.left_out_nodes == 3


def test_page_data_kinds_filter_and_sizes() -> None:
    """--kinds limits node kinds; size grows with PageRank; positions are finite numbers."""
    data = page_data(_inputs(), max_nodes=500, kinds=["paper"])
    assert {n["kind"] for n in data.nodes} == {"paper"}
    size = {n["id"]: n["size"] for n in data.nodes}
    assert size["p1"] > size["p2"] > size["p3"]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data.nodes)


def test_page_data_details_only_http_links() -> None:
    """Details keep http(s) links only; javascript: and data: URLs are dropped."""
    details = page_data(_inputs()).details
    assert [link["url"] for link in details["p2"]["links"]] == ["https://example.org/<b>"]
    assert details["p2"]["url"] is None
    assert details["p1"]["sources"] == ["a.txt #1"]
    assert details["p1"]["community"] == {"id": 0, "label": "neural operators"}


def test_page_data_edges_carry_evidence() -> None:
    """Every edge's hover text names its kind and evidence; cites edges get arrows."""
    data = page_data(_inputs())
    assert all(e["title"].startswith(e["kind"]) and ": " in e["title"] for e in data.edges)


def test_page_data_deterministic() -> None:
    """The same inputs give the same page data (layout included)."""
    assert page_data(_inputs()).nodes == page_data(_inputs()).nodes


@pytest.mark.parametrize(
    ("label", "kind", "short"),
    [
        ("BiPer: Binary Neural Networks", "paper", "BiPer"),
        ("thu-ml/GNOT", "repo", "thu-ml/GNOT"),
        (
            "An Extremely Long Title Without Any Colon In It At All",
            "paper",
            "An Extremely Long Title…",
        ),
    ],
)
def test_short_label(label: str, kind: str, short: str) -> None:
    """Labels drawn on the canvas are short; full titles stay in the details."""
    assert short_label(label, kind) == short


def test_script_json_cannot_close_script() -> None:
    """Embedded JSON never contains '</script>' or raw angle brackets."""
    text = script_json({"t": HOSTILE_TITLE, "s": "\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text)["t"] == HOSTILE_TITLE


def test_render_graph_page_self_contained() -> None:
    """The page inlines vis-network and links nothing on another host."""
    page = render_graph_page(page_data(_inputs()))
    assert "vis.Network" in page and 'charset="utf-8"' in page
    assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=\"(https?:)?//", page, re.IGNORECASE)
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    assert HOSTILE_TITLE not in page


def test_view_command_writes_page(tmp_path: Path) -> None:
    """paperweb view renders the page from a database with a node limit and kinds."""
    from typer.testing import CliRunner

    from paperweb.cli import app

    db = tmp_path / "db.duckdb"
    inputs = _inputs()
    with open_store(db) as store:
        store.insert_columns(
            "nodes",
            dict(
                zip(
                    ["node_id", "kind", "label", "url"],
                    zip(*inputs.nodes, strict=True),
                    strict=True,
                )
            ),
        )
        store.insert_columns(
            "edges",
            dict(
                zip(
                    ["src", "dst", "kind", "weight", "evidence"],
                    zip(*inputs.edges, strict=True),
                    strict=True,
                )
            ),
        )
    out = tmp_path / "page.html"
    result = CliRunner().invoke(
        app,
        ["view", "--db", str(db), "--out", str(out), "--max-nodes", "2", "--kinds", "paper,repo"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert "2 of 4 nodes" in result.stderr
    assert out.read_text(encoding="utf-8").count('"kind":"paper"') >= 1


def _store_with_everything(path: Path) -> None:
    """Write the small graph of ``_inputs`` into a database, with every table the page reads."""
    inputs = _inputs()
    with open_store(path) as store:
        store.insert_columns(
            "papers",
            {
                "paper_id": ["p1", "p2", "p3"],
                "title": [label for _, _, label, _ in inputs.nodes[:3]],
                "authors": [3, None, 1],
                "upvotes": [12, None, 0],
                "published_text": ["Feb 28, 2023", None, None],
            },
        )
        store.insert_columns(
            "paper_sources",
            {"paper_id": ["p1", "p1"], "source": ["a.txt", "b.txt"], "position": [1, 7]},
        )
        store.insert_columns(
            "links",
            {
                "paper_id": ["p1", "p2"],
                "url": ["https://github.com/thu-ml/GNOT", "javascript:alert(1)"],
                "kind": ["repo", "page"],
                "target": ["github.com/thu-ml/gnot", "x"],
                "origin": ["abstract", "abstract"],
            },
        )
        store.insert_columns(
            "keywords",
            {
                "paper_id": ["p1", "p1"],
                "keyword": ["neural operators", "transformer"],
                "weight": [2.0, 1.0],
            },
        )
        store.insert_columns(
            "nodes",
            dict(
                zip(
                    ["node_id", "kind", "label", "url"],
                    zip(*inputs.nodes, strict=True),
                    strict=True,
                )
            ),
        )
        edges = [*inputs.edges, ("p1", "p3", "cites", 1.0, "cited by OpenAlex")]
        store.insert_columns(
            "edges",
            dict(
                zip(
                    ["src", "dst", "kind", "weight", "evidence"],
                    zip(*edges, strict=True),
                    strict=True,
                )
            ),
        )
        rows = [
            (node, name, value) for node, ms in inputs.metrics.items() for name, value in ms.items()
        ]
        store.insert_columns(
            "metrics",
            dict(zip(["node_id", "metric", "value"], zip(*rows, strict=True), strict=True)),
        )
        store.insert_columns(
            "communities", {"community": [0, 1], "label": ["neural operators", "x"], "size": [2, 1]}
        )


def test_load_page_inputs_reads_every_table(tmp_path: Path) -> None:
    """The thin reader gathers nodes, edges, metrics, details, sources, links, keywords and communities."""
    _store_with_everything(tmp_path / "db.duckdb")
    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        data = page_data(load_page_inputs(store))
    p1 = data.details["p1"]
    assert (p1["authors"], p1["upvotes"], p1["date"]) == (3, 12, "Feb 28, 2023")
    assert p1["sources"] == ["a.txt #1", "b.txt #7"]
    assert p1["keywords"] == ["neural operators", "transformer"]
    assert [link["url"] for link in p1["links"]] == ["https://github.com/thu-ml/GNOT"]
    assert data.details["p2"]["links"] == []
    assert p1["metrics"]["pagerank"] == 0.4
    assert data.communities["0"]["label"] == "neural operators"
    cites = [e for e in data.edges if e["kind"] == "cites"]
    assert [(e["from"], e["to"], e["arrows"]) for e in cites] == [("p1", "p3", "to")]
    assert {n["kind"] for n in data.nodes} == {"paper", "repo", "owner", "keyword"}


def test_page_data_without_metrics_sizes_by_degree() -> None:
    """With no metrics rows, nodes are ranked and sized by degree and carry no community."""
    inputs = _inputs()
    inputs.metrics, inputs.communities = {}, {}
    data = page_data(inputs, max_nodes=2)
    # p1 has four edges, the repo and the keyword two each; ties go by id.
    assert [n["id"] for n in data.nodes] == ["github.com/thu-ml/gnot", "p1"]
    size = {n["id"]: n["size"] for n in data.nodes}
    assert size["p1"] == 40.0 and size["github.com/thu-ml/gnot"] < 40.0
    assert all(n["community"] is None for n in data.nodes) and data.communities == {}


def test_page_data_drops_repeated_edge_ids() -> None:
    """Two rows with the same ends and kind become one edge (vis-network rejects repeated ids)."""
    inputs = _inputs()
    inputs.edges = [*inputs.edges, ("p1", "p2", "similar", 0.9, "shares keywords: again")]
    ids = [e["id"] for e in page_data(inputs).edges]
    assert len(ids) == len(set(ids)) == len(_inputs().edges)


def test_page_data_places_nodes_beyond_layout_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes past the spring-laid core sit beside their neighbours, deterministically."""
    monkeypatch.setattr("viz.page_data.LAYOUT_CORE", 2)
    first, second = page_data(_inputs()), page_data(_inputs())
    assert first.nodes == second.nodes
    pos = {n["id"]: (n["x"], n["y"]) for n in first.nodes}
    assert len(set(pos.values())) == len(pos)
    # The owner hangs off the repo only; it lands nearer the repo than the far lonely paper.
    owner, repo, lonely = pos["github.com/thu-ml"], pos["github.com/thu-ml/gnot"], pos["p3"]
    assert math.dist(owner, repo) < math.dist(owner, lonely)


def test_page_data_unknown_kind_is_a_usage_error() -> None:
    """A misspelt --kinds value names the kind and the valid ones instead of drawing an empty page."""
    with pytest.raises(UsageError, match="unknown node kind papers in --kinds"):
        page_data(_inputs(), kinds=["papers", "repo"])


@pytest.fixture
def corpus_db(corpus_build: Path) -> Path:
    """The database of the corpus built once for the session."""
    return corpus_build / "db.duckdb"


@pytest.mark.parametrize(
    ("max_nodes", "kinds"),
    [(500, None), (40, None), (5000, None), (60, ["paper", "repo"]), (30, ["keyword"])],
)
def test_load_page_inputs_preselected_gives_same_page(
    corpus_db: Path, max_nodes: int, kinds: list[str] | None
) -> None:
    """Reading only the most central nodes from the store draws exactly the page of a full read."""
    with open_store(corpus_db, read_only=True) as store:
        full = page_data(load_page_inputs(store), max_nodes, kinds)
        picked_inputs = load_page_inputs(store, max_nodes, kinds)
        picked = page_data(picked_inputs, max_nodes, kinds)
    assert len(picked_inputs.nodes) == min(max_nodes, full.total_nodes) < 1400
    assert picked.nodes == full.nodes and picked.edges == full.edges
    assert picked.details == full.details and picked.communities == full.communities
    assert (picked.total_nodes, picked.total_edges) == (full.total_nodes, full.total_edges)
