"""Pure tests for the page data and the HTML the viewer writes."""

from __future__ import annotations

import base64
import gzip
import json
import random
import re
from pathlib import Path

import pytest

from graph.store import open_store
from paperweb.errors import UsageError
from tests.pages import page_payload
from viz.page import pack_data, render_graph_page
from viz.page_data import (
    PageInputs,
    load_page_inputs,
    map_label,
    page_data,
    short_label,
)

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


def test_page_data_draws_every_given_node_with_its_edges() -> None:
    """Every node of the inputs is drawn, with the edges among them and positions as floats."""
    data = page_data(_inputs())
    assert sorted(n["id"] for n in data.nodes) == sorted(n[0] for n in _inputs().nodes)
    assert len(data.edges) == len(_inputs().edges)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data.nodes)
    size = {n["id"]: n["size"] for n in data.nodes}
    assert size["p1"] > size["p2"] > size["p3"]
    assert {n["id"]: n["shape"] for n in data.nodes}["github.com/thu-ml/gnot"] == "square"


def test_page_data_details_only_http_links() -> None:
    """Details keep http(s) links only; javascript: and data: URLs are dropped."""
    details = page_data(_inputs()).details
    assert [link["url"] for link in details["p2"]["links"]] == ["https://example.org/<b>"]
    assert details["p2"]["url"] is None
    assert details["p1"]["sources"] == ["a.txt #1"]
    assert details["p1"]["community"] == {"id": 0, "label": "neural operators"}


def test_page_data_read_links_by_arxiv_id_or_title_search() -> None:
    """A paper with an arXiv id links its arXiv and Hugging Face pages; one without, a title search."""
    inputs = _inputs()
    inputs.papers["p1"]["arxiv_id"] = "2302.14376"
    details = page_data(inputs).details
    assert [r["url"] for r in details["p1"]["read"]] == [
        "https://arxiv.org/abs/2302.14376",
        "https://huggingface.co/papers/2302.14376",
    ]
    (search,) = details["p3"]["read"]
    assert search["url"] == "https://scholar.google.com/scholar?q=A+Lonely+Paper"


def test_page_data_connections_sorted_by_weight_with_evidence() -> None:
    """A node's connections, strongest first, with evidence; the page finds the titles of indexed
    papers in the index, and the others' come with the connection."""
    inputs = _inputs()
    inputs.connections = {
        "p1": [
            ("p2", "second", "paper", "similar", 0.5, "shares keywords: a"),
            ("p9", "undrawn", "paper", "similar", 0.9, "shares keywords: b"),
            ("github.com/thu-ml/gnot", "thu-ml/GNOT", "repo", "code", 1.0, "links it"),
        ]
    }
    conns = page_data(inputs).details["p1"]["connections"]
    # Edges drawn on the page carry the evidence themselves; p9 is not drawn.
    assert conns == [
        ["github.com/thu-ml/gnot", "code", 1.0, None, "thu-ml/GNOT"],
        ["p9", "similar", 0.9, "shares keywords: b", "undrawn"],
        ["p2", "similar", 0.5, None, None],
    ]
    assert page_data(inputs).details["p1"]["connectionCount"] == 3


def test_page_data_ranks_read_as_ordinals() -> None:
    """Metrics are carried as ranks, shown as 'PageRank 3rd of 441'."""
    inputs = _inputs()
    inputs.ranks = {"p1": {"pagerank": (3, 441), "degree": (12, 441)}}
    assert page_data(inputs).details["p1"]["ranks"] == [["pagerank", 3, 441], ["degree", 12, 441]]


def test_page_data_cluster_labels_for_named_communities_only() -> None:
    """Each named community with drawn papers gets a label at its papers' middle; 'other' none."""
    inputs = _inputs()
    inputs.communities[1]["is_other"] = True
    data = page_data(inputs)
    (label,) = data.cluster_labels
    pos = {n["id"]: (n["x"], n["y"]) for n in data.nodes}
    assert label["community"] == 0 and label["size"] == 2
    assert label["x"] == pytest.approx((pos["p1"][0] + pos["p2"][0]) / 2, abs=0.1)
    assert data.communities["1"]["other"] is True


def test_page_data_index_lists_every_paper() -> None:
    """The search index holds every paper of the database, drawn or not."""
    inputs = _inputs()
    inputs.index = [
        ("p1", "GNOT", 2023, "2302.14376", 0),
        ("p4", "An Undrawn Paper", None, None, None),
    ]
    index = page_data(inputs).index
    assert index["id"] == ["p1", "p4"] and index["title"][1] == "An Undrawn Paper"
    assert index["arxiv"] == ["2302.14376", ""]


def test_page_data_uses_stored_positions() -> None:
    """Positions from the layout table are used as they are; missing ones are laid out afresh."""
    inputs = _inputs()
    inputs.positions = {n[0]: (float(i), -float(i)) for i, n in enumerate(inputs.nodes)}
    pos = {n["id"]: (n["x"], n["y"]) for n in page_data(inputs).nodes}
    assert pos == inputs.positions
    del inputs.positions["p3"]
    assert {n["id"]: (n["x"], n["y"]) for n in page_data(inputs).nodes} != pos


def test_page_data_edges_carry_evidence() -> None:
    """Every edge's hover text names its kind and evidence."""
    data = page_data(_inputs())
    assert all(e["title"].startswith(e["kind"]) and ": " in e["title"] for e in data.edges)


def test_page_data_independent_of_row_order() -> None:
    """The page (layout included) depends on what the store holds, not on the order of its rows."""
    shuffled = _inputs()
    random.Random(5).shuffle(shuffled.nodes)
    random.Random(6).shuffle(shuffled.edges)
    assert shuffled.nodes != _inputs().nodes
    expected = {n["id"]: n for n in page_data(_inputs()).nodes}
    assert {n["id"]: n for n in page_data(shuffled).nodes} == expected


@pytest.mark.parametrize(
    ("label", "short"),
    [
        (
            "mixed: binary neural networks, GELU activation, I-BERT",
            "mixed: binary neural networks, I-BERT",
        ),
        ("graph neural networks, HGNNs, hypergraph", "graph neural networks, HGNNs"),
        (
            "a very long first phrase about many things at once",
            "a very long first phrase about many things at once",
        ),
    ],
)
def test_map_label_keeps_phrases_that_fit(label: str, short: str) -> None:
    """Cluster labels on the map are the community label's first phrases that fit; a mixed
    community says it is mixed there too."""
    assert map_label(label) == short


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


def test_packed_data_cannot_close_script() -> None:
    """The packed data is base64 only, whatever the input holds, and opens to the same values."""
    value = {"t": HOSTILE_TITLE, "s": "\u2028", "n": [1.5, None]}
    text = pack_data(value)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", text)
    assert json.loads(gzip.decompress(base64.b64decode(text))) == value
    assert pack_data(value) == text  # no timestamp: the same data gives the same page


def test_render_graph_page_self_contained() -> None:
    """The page inlines vis-network and links nothing on another host."""
    page = render_graph_page(page_data(_inputs()))
    assert "vis.Network" in page and 'charset="utf-8"' in page
    assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=\"(https?:)?//", page, re.IGNORECASE)
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    assert HOSTILE_TITLE not in page
    payload = page_payload(page)
    assert {n["id"] for n in payload["nodes"]} == {n["id"] for n in page_data(_inputs()).nodes}
    assert HOSTILE_TITLE in {d["title"] for d in payload["details"].values()}


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
    assert "2 of 3 papers" in result.stderr
    drawn = page_payload(out.read_text(encoding="utf-8"))["nodes"]
    assert [n["kind"] for n in drawn].count("paper") == 2


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
    """The reader gathers drawn nodes, edges, metrics as ranks, details, links, keywords, communities."""
    _store_with_everything(tmp_path / "db.duckdb")
    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        data = page_data(load_page_inputs(store))
    p1 = data.details["p1"]
    assert (p1["authors"], p1["upvotes"], p1["date"]) == (3, 12, "Feb 28, 2023")
    assert p1["sources"] == ["a.txt #1", "b.txt #7"]
    assert p1["keywords"] == ["neural operators", "transformer"]
    assert [link["url"] for link in p1["links"]] == ["https://github.com/thu-ml/GNOT"]
    assert data.details["p2"]["links"] == []
    assert {r[0]: (r[1], r[2]) for r in p1["ranks"]}["pagerank"] == (1, 3)
    assert data.communities["0"]["label"] == "neural operators"
    cites = [e for e in data.edges if e["kind"] == "cites"]
    assert [(e["from"], e["to"], e["arrows"]) for e in cites] == [("p1", "p3", "to")]
    # The repo joins one paper only: not drawn, but listed among p1's connections.
    assert {n["kind"] for n in data.nodes} == {"paper"}
    assert [c[0] for c in p1["connections"]][:1] == ["github.com/thu-ml/gnot"]
    assert data.index["id"] == ["p1", "p2", "p3"]


def test_page_data_without_metrics_draws_every_paper() -> None:
    """With no metrics rows every paper is still drawn, with no community and no switch data."""
    inputs = _inputs()
    inputs.metrics, inputs.communities = {}, {}
    data = page_data(inputs)
    assert len(data.nodes) == len(inputs.nodes)
    assert all(n["community"] is None for n in data.nodes) and data.communities == {}
    assert data.cluster_labels == []


def test_page_data_drops_repeated_edge_ids() -> None:
    """Two rows with the same ends and kind become one edge (vis-network rejects repeated ids)."""
    inputs = _inputs()
    inputs.edges = [*inputs.edges, ("p1", "p2", "similar", 0.9, "shares keywords: again")]
    ids = [e["id"] for e in page_data(inputs).edges]
    assert len(ids) == len(set(ids)) == len(_inputs().edges)


def test_load_page_inputs_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    """A misspelt --kinds value names the kind and the valid ones instead of drawing an empty page."""
    _store_with_everything(tmp_path / "db.duckdb")
    with (
        open_store(tmp_path / "db.duckdb", read_only=True) as store,
        pytest.raises(UsageError, match="unknown node kind papers in --kinds"),
    ):
        load_page_inputs(store, kinds=["papers", "repo"])


@pytest.fixture
def corpus_db(corpus_build: Path) -> Path:
    """The database of the corpus built once for the session."""
    return corpus_build / "db.duckdb"


def test_corpus_page_draws_every_paper_from_the_layout_table(corpus_db: Path) -> None:
    """On the corpus every paper is drawn, at the positions the build stored, none left out."""
    with open_store(corpus_db, read_only=True) as store:
        inputs = load_page_inputs(store)
        papers = store.count("papers")
        stored = dict(
            ((node, (x, y)) for node, x, y in store.query("SELECT node_id, x, y FROM layout"))
        )
    data = page_data(inputs)
    assert data.drawn_papers == papers == data.total_papers and data.left_out_papers == 0
    assert {n["id"]: (n["x"], n["y"]) for n in data.nodes} == stored
    assert len(data.index["id"]) == papers
    # Link nodes are drawn only where they join two or more drawn papers.
    drawn = {n["id"] for n in data.nodes}
    for node in data.nodes:
        if node["kind"] in ("repo", "page"):
            linked = {c[0] for c in data.details[node["id"]]["connections"]} & drawn
            assert len(linked) >= 2


def test_corpus_page_labels_every_large_community(corpus_db: Path) -> None:
    """Every named community of 10+ papers has a cluster label, inside its papers' extent."""
    with open_store(corpus_db, read_only=True) as store:
        data = page_data(load_page_inputs(store))
    large = {
        int(c) for c, info in data.communities.items() if info["size"] >= 10 and not info["other"]
    }
    labels = {label["community"]: label for label in data.cluster_labels}
    assert large and large <= labels.keys()
    for c in large:
        assert labels[c]["top"] <= labels[c]["y"] <= labels[c]["bottom"]


def test_corpus_page_capped_leaves_out_the_least_central(corpus_db: Path) -> None:
    """With a cap, the most central papers are drawn and the page counts the others."""
    with open_store(corpus_db, read_only=True) as store:
        data = page_data(load_page_inputs(store, 100))
        top = [
            row[0]
            for row in store.query(
                "SELECT node_id FROM metrics WHERE metric = 'pagerank' AND node_id IN "
                "(SELECT node_id FROM nodes WHERE kind = 'paper') ORDER BY value DESC, node_id LIMIT 100"
            )
        ]
    assert data.drawn_papers == 100 and data.left_out_papers == data.total_papers - 100
    assert {n["id"] for n in data.nodes if n["kind"] == "paper"} == set(top)
    assert len(data.index["id"]) == data.total_papers
