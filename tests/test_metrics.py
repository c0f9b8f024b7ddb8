"""Tests for metrics on small graphs with hand-computed values, and for the report."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import graph.metrics as metrics_module
import graph.report.markdown as markdown_module
from graph.betweenness import betweenness_from_sources
from graph.labels import Background, community_labels, label_communities, label_coverage
from graph.metrics import (
    betweenness,
    communities,
    component_ids,
    compute_metrics,
    eigenvector_by_component,
    pagerank,
    participation,
)
from graph.network import analysis_graph, edge_table, indexed_graph, node_table, paper_projection
from graph.parallel import available_workers
from graph.report import md, render_markdown, report_data
from graph.store import open_store
from paperweb.cli import app
from tests.test_build import _build

# Two triangles a-b-c and d-e-f joined by the bridge c-d.
BRIDGED = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("d", "f")]


def _metrics(edges: list[tuple[str, str]], kind: str = "similar") -> dict[str, dict[str, float]]:
    nodes = sorted({n for e in edges for n in e})
    return compute_metrics(
        [(n, "paper") for n in nodes], [(a, b, kind, 1.0) for a, b in edges]
    ).values


def test_metrics_path_graph() -> None:
    """On a path a-b-c the middle has degree 2, betweenness 1, and the highest PageRank."""
    values = _metrics([("a", "b"), ("b", "c")])
    assert values["degree"] == {"a": 1.0, "b": 2.0, "c": 1.0}
    assert values["betweenness"] == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert (
        values["pagerank"]["b"] > values["pagerank"]["a"] == pytest.approx(values["pagerank"]["c"])
    )
    assert sum(values["pagerank"].values()) == pytest.approx(1.0)


def test_metrics_star_graph() -> None:
    """The centre of a star with 4 leaves: degree 4, betweenness 1; leaves 0."""
    values = _metrics([("hub", leaf) for leaf in "wxyz"])
    assert values["degree"]["hub"] == 4.0
    assert values["betweenness"]["hub"] == pytest.approx(1.0)
    assert all(values["betweenness"][leaf] == 0.0 for leaf in "wxyz")
    assert values["eigenvector"]["hub"] > values["eigenvector"]["w"]


def test_metrics_bridged_triangles() -> None:
    """Two triangles joined by a bridge: bridge ends have betweenness 0.6, two communities."""
    values = _metrics(BRIDGED)
    # c lies on the shortest paths between {a, b} and {d, e, f}: 6 of the 10 pairs.
    assert values["betweenness"]["c"] == pytest.approx(0.6)
    assert values["betweenness"]["d"] == pytest.approx(0.6)
    assert values["betweenness"]["a"] == 0.0
    community = values["community"]
    assert community["a"] == community["b"] == community["c"]
    assert community["d"] == community["e"] == community["f"]
    assert community["a"] != community["d"]
    assert values["participation"]["c"] == pytest.approx(1 - (2 / 3) ** 2 - (1 / 3) ** 2)
    assert values["participation"]["a"] == 0.0


def test_metrics_disconnected_and_empty() -> None:
    """Disconnected graphs get per-component eigenvector values; an empty graph gives nothing."""
    values = _metrics([("a", "b"), ("c", "d"), ("d", "e")])
    assert values["component"] == {"c": 0.0, "d": 0.0, "e": 0.0, "a": 1.0, "b": 1.0}
    assert (
        values["eigenvector"]["a"] > 0 and values["eigenvector"]["d"] > values["eigenvector"]["c"]
    )
    empty = compute_metrics([], [])
    assert empty.values["pagerank"] == {} and empty.members == {}


def test_metrics_isolated_node() -> None:
    """An isolated paper has degree 0 and eigenvector 0 and does not break anything."""
    result = compute_metrics(
        [("a", "paper"), ("b", "paper"), ("z", "paper")], [("a", "b", "similar", 1.0)]
    )
    assert result.values["degree"]["z"] == 0.0 and result.values["eigenvector"]["z"] == 0.0


def test_metrics_of_caves_find_the_caves() -> None:
    """Six joined cliques: one community per clique, and NetworkX's PageRank per node."""
    graph = nx.connected_caveman_graph(6, 5)
    edges = [(f"n{a:02d}", f"n{b:02d}", "similar", 1.0) for a, b in graph.edges()]
    nodes = [(f"n{n:02d}", "paper") for n in graph.nodes()]
    result = compute_metrics(nodes, edges)
    caves = sorted(sorted(f"n{n:02d}" for n in range(c * 5, c * 5 + 5)) for c in range(6))
    assert sorted(sorted(members) for members in result.members.values()) == caves
    expected = nx.pagerank(nx.relabel_nodes(graph, lambda n: f"n{n:02d}"))
    assert result.values["pagerank"] == pytest.approx(expected, abs=1e-9)


def test_leiden_in_a_forked_process_gives_the_same_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """From MIN_BACKGROUND_ROWS papers Leiden and betweenness run beside the other
    centralities, each in a process of its own: same columns."""
    graph = nx.planted_partition_graph(12, 25, 0.3, 0.01, seed=3)
    rng = random.Random(5)
    edges = [(f"p{a:03d}", f"p{b:03d}", "similar", rng.uniform(0.1, 1)) for a, b in graph.edges()]
    nodes = [(f"p{n:03d}", "paper") for n in graph.nodes()]
    here = compute_metrics(nodes, edges)
    monkeypatch.setattr(metrics_module, "MIN_BACKGROUND_ROWS", 0)
    asked: list[tuple[int, bool]] = []
    real = metrics_module.background

    def recording(function: Any, argument: Any, workers: int, inherit: bool = False) -> Any:
        asked.append((workers, inherit))
        return real(function, argument, workers, inherit)

    monkeypatch.setattr(metrics_module, "background", recording)
    forked = compute_metrics(nodes, edges)
    assert asked == [(available_workers(), True)] * 3
    assert here.info == forked.info and here.members == forked.members
    assert here.values == forked.values
    assert len(here.members) >= 10


def test_betweenness_sampled_above_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the size limit betweenness is sampled with a fixed seed and says so."""
    monkeypatch.setattr("graph.metrics.EXACT_BETWEENNESS_LIMIT", 10)
    monkeypatch.setattr("graph.metrics.BETWEENNESS_BUDGET", 0)
    graph = nx.path_graph(50)
    values, how = betweenness(graph)
    assert how.startswith("estimated from 32 of 50") and values == betweenness(graph)[0]
    assert values != betweenness(graph, seed=7)[0]


@pytest.mark.parametrize(
    "graph",
    [
        nx.path_graph(6),
        nx.star_graph(5),
        nx.barbell_graph(4, 2),
        nx.karate_club_graph(),
        nx.gnp_random_graph(80, 0.04, seed=3),
        nx.Graph([(0, 1), (2, 3), (3, 4), (5, 6), (6, 7), (7, 5)]),
    ],
    ids=["path", "star", "barbell", "karate", "random-disconnected", "components"],
)
def test_betweenness_from_sources_matches_networkx_exact(graph: nx.Graph) -> None:
    """With every node as a source the sparse block algorithm equals NetworkX's exact values."""
    graph = nx.relabel_nodes(graph, {n: f"n{n:03d}" for n in graph})
    expected = nx.betweenness_centrality(graph, normalized=True)
    got = betweenness_from_sources(graph)
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_betweenness_from_sources_sampled_is_scaled_like_networkx(seed: int) -> None:
    """On a star any sample of sources estimates the hub at exactly 1, sampled itself or not."""
    graph = nx.relabel_nodes(nx.star_graph(30), lambda n: f"n{n:02d}")
    got = betweenness_from_sources(graph, k=5, seed=seed)
    assert got["n00"] == pytest.approx(1.0)
    assert all(value == 0.0 for node, value in got.items() if node != "n00")


def _weighted(graph: nx.Graph, seed: int) -> nx.Graph:
    rng = random.Random(seed)
    for a, b in graph.edges:
        graph[a][b]["weight"] = rng.uniform(0.1, 3.0)
    return graph


def _numpy_by_component(graph: nx.Graph) -> dict[str, float]:
    """NetworkX's ARPACK eigenvector centrality on each component alone, scaled by its share."""
    expected: dict[str, float] = {}
    for nodes in nx.connected_components(graph):
        if len(nodes) == 1:
            expected.update(dict.fromkeys(nodes, 0.0))
            continue
        if len(nodes) == 2:
            # NetworkX's ARPACK call cannot take a 2 x 2 matrix; its Perron vector is (1, 1)/sqrt 2.
            found = dict.fromkeys(nodes, 2**-0.5)
        else:
            found = nx.eigenvector_centrality_numpy(graph.subgraph(nodes), weight="weight")
        expected.update({k: v * len(nodes) / len(graph) for k, v in found.items()})
    return expected


EIGEN_GRAPHS = {
    "karate": nx.karate_club_graph(),
    "barbell": nx.barbell_graph(5, 3),
    # bipartite: -lambda is an eigenvalue too, which a plain power iteration oscillates on
    "path": nx.path_graph(7),
    "star": nx.star_graph(6),
    "grid": nx.grid_2d_graph(4, 5),
    "weighted-karate": _weighted(nx.karate_club_graph(), 1),
    # one component above the dense limit (ARPACK) next to small ones (batched eigh),
    # several of one size, and isolated nodes
    "mixed": _weighted(
        nx.disjoint_union_all(
            [
                nx.connected_watts_strogatz_graph(150, 6, 0.2, seed=2),
                nx.cycle_graph(5),
                nx.complete_graph(5),
                nx.path_graph(5),
                nx.path_graph(2),
                nx.path_graph(2),
                nx.empty_graph(3),
            ]
        ),
        4,
    ),
    "random-disconnected": _weighted(nx.gnp_random_graph(300, 0.006, seed=5), 6),
}


@pytest.mark.parametrize("name", sorted(EIGEN_GRAPHS))
def test_eigenvector_by_component_matches_networkx_numpy(name: str) -> None:
    """Per component, the values are nx.eigenvector_centrality_numpy's, scaled by the share of nodes."""
    graph = nx.relabel_nodes(EIGEN_GRAPHS[name], lambda node: f"n{node}")
    got = eigenvector_by_component(graph)
    assert got == pytest.approx(_numpy_by_component(graph), abs=1e-10)


def test_eigenvector_converges_where_power_iteration_stalls() -> None:
    """A long path converges slowly under ``x + Ax`` (ratio of the top eigenvalues near 1);
    the solver still gives the exact eigenvector, the sine profile of the path."""
    size = 400
    graph = nx.relabel_nodes(nx.path_graph(size), lambda node: f"p{node:04d}")
    got = eigenvector_by_component(graph)
    k = np.arange(1, size + 1)
    exact = np.sin(np.pi * k / (size + 1))
    exact /= np.linalg.norm(exact)
    assert [got[f"p{i:04d}"] for i in range(size)] == pytest.approx(exact.tolist(), abs=1e-10)


def test_eigenvector_by_component_scales_each_component() -> None:
    """Each component is normalised on its own and scaled by its share of nodes."""
    graph = nx.relabel_nodes(nx.disjoint_union(nx.star_graph(3), nx.path_graph(2)), str)
    graph.add_node("lonely")
    values = eigenvector_by_component(graph)
    star = nx.eigenvector_centrality(graph.subgraph(["0", "1", "2", "3"]), tol=1e-12)
    assert values["0"] == pytest.approx(star["0"] * 4 / 7, abs=1e-7)
    assert values["4"] == pytest.approx(2**-0.5 * 2 / 7)
    assert values["lonely"] == 0.0


def test_component_ids_and_eigenvector_doctests() -> None:
    """Component ids are ordered by size; eigenvector works per component."""
    assert component_ids(nx.Graph([("x", "y")])) == {"x": 0, "y": 0}
    assert set(eigenvector_by_component(nx.Graph([("x", "y")]))) == {"x", "y"}
    assert participation(nx.Graph([("x", "y")]), {"x": 0, "y": 1})["x"] == 0.0


def test_community_labels_prefer_characteristic_keywords() -> None:
    """A community is named by keywords common inside it and rare outside."""
    members = {0: ["a", "b", "c"], 1: ["d", "e"]}
    keywords = {
        "a": ["koopman operator", "dynamics"],
        "b": ["koopman operator", "dynamics"],
        "c": ["koopman operator"],
        "d": ["private inference", "dynamics"],
        "e": ["private inference"],
    }
    labels = community_labels(members, keywords, 5)
    assert labels[0][1][0] == "koopman operator"
    assert labels[1][1][0] == "private inference"


def test_community_labels_say_mixed_when_no_keyword_is_common() -> None:
    """A community whose best keyword is in under a quarter of its papers is labelled mixed."""
    loose = [f"p{i}" for i in range(25)]
    keywords = {p: [f"topic {i}"] for i, p in enumerate(loose)}
    keywords.update({"p0": ["baryonic effects"], "p1": ["baryonic effects"]})
    tight = [f"q{i}" for i in range(10)]
    keywords.update({q: ["koopman operator"] for q in tight})
    labels = community_labels({0: loose, 1: tight}, keywords, 35)
    assert labels[0][0] == "mixed: baryonic effects"
    assert labels[1] == ("koopman operator", ["koopman operator"], [10])
    # Two of eight papers are a quarter: named, with its coverage.
    assert community_labels({0: loose[:8]}, keywords, 35)[0] == (
        "baryonic effects",
        ["baryonic effects"],
        [2],
    )


def test_label_communities_needs_a_quarter_of_the_papers_in_the_texts() -> None:
    """A distinctive keyword the texts of few papers bear out gives way to a covered one."""
    sizes = {0: 12}
    counts = [(0, "rare trick", 2, 2), (0, "neural operators", 3, 20)]
    # Only 2 of 12 texts say "rare trick"; 9 of 12 say "neural operator(s)".
    covered = {(0, "rare trick"): 2, (0, "neural operators"): 9}
    labels = label_communities(sizes, counts, 400, covered=covered)
    assert labels[0] == ("neural operators", ["neural operators"], [9])


def test_label_communities_pass_over_a_phrase_as_common_in_the_rest_of_the_corpus() -> None:
    """A word in a third of all texts is no name for a community where a third write it."""
    sizes = {0: 12}
    # "instantiate" is a keyword of these 4 papers only, so the keyword counts rank it first;
    # 4 of the 12 texts write it, as do 300 of the corpus's 1,000.
    counts = [(0, "instantiate", 4, 4), (0, "koopman", 4, 12)]
    covered = {(0, "instantiate"): 4, (0, "koopman"): 4}
    alone = label_communities(sizes, counts, 1000, covered=covered)[0]
    assert alone[1][0] == "instantiate"
    background = Background({"instantiate": 300, "koopman": 12}, 1000, 1000)
    labels = label_communities(sizes, counts, 1000, covered=covered, background=background)
    assert labels[0] == ("koopman", ["koopman"], [4])
    # A sample of the corpus stands for all of it: 30 of 100 texts is the same share.
    sampled = Background({"instantiate": 30, "koopman": 1}, 100, 1000)
    assert label_communities(sizes, counts, 1000, covered=covered, background=sampled) == labels
    # With nothing that marks it, the community is mixed, and says so with the phrase
    # that does mark it first.
    common = Background({"instantiate": 300, "koopman": 300}, 1000, 1000)
    text, phrases, _ = label_communities(sizes, counts, 1000, covered=covered, background=common)[0]
    assert text.startswith("mixed: ") and set(phrases) == {"instantiate", "koopman"}


def test_label_communities_count_what_the_texts_write_not_the_keyword() -> None:
    """A keyword most papers carry (say through an acronym) but few texts spell out is no label."""
    sizes = {0: 12}
    # 10 papers carry "partial differential equations" (most only write "PDEs"); 2 texts
    # spell it out. 6 texts write "neural operator(s)".
    counts = [(0, "partial differential equations", 10, 10), (0, "neural operators", 6, 30)]
    covered = {(0, "partial differential equations"): 2, (0, "neural operators"): 6}
    text, phrases, papers = label_communities(sizes, counts, 400, covered=covered)[0]
    assert (text, phrases, papers) == ("neural operators", ["neural operators"], [6])
    # label_coverage counts a candidate no text contains as 0, so the keyword count
    # cannot stand in for it.
    assert label_coverage(
        [(0, "Fourier PDE solvers", "")], {0: ["partial differential equations"]}
    ) == {(0, "partial differential equations"): 0}


def test_label_coverage_in_forked_batches_counts_the_same() -> None:
    """Texts searched in small batches over two forked workers give the counts of one pass."""
    words = ["neural", "operator", "koopman", "graph", "spectral", "learning"]
    texts = [
        (i % 3, " ".join(words[(i * j) % 6] for j in range(1, 2 + i % 5)), f"{words[i % 6]}s view")
        for i in range(200)
    ]
    candidates = {0: ["neural operators", "koopman"], 1: ["graph learning", "spectral"], 2: []}
    alone = label_coverage(texts, candidates)
    assert label_coverage(iter(texts), candidates, workers=2, batch=7) == alone
    # As the database streams them: Arrow record batches of the three columns.
    batches = [
        pa.record_batch(
            list(map(list, zip(*texts[lo : lo + 64], strict=True))), names=["c", "t", "a"]
        )
        for lo in range(0, len(texts), 64)
    ]
    assert label_coverage(batches, candidates, workers=2) == alone
    assert sum(alone.values()) > 0 and 0 in alone.values()


def test_label_communities_skip_generic_words_and_variants() -> None:
    """Generic words never name a community; a plural variant of a shown phrase is not repeated."""
    sizes = {0: 10}
    counts = [
        (0, "model", 10, 50),
        (0, "koopman operators", 6, 6),
        (0, "koopman operator", 5, 5),
        (0, "koopman", 7, 7),
    ]
    labels = label_communities(sizes, counts, 100)
    _text, phrases, papers = labels[0]
    assert "model" not in phrases
    assert phrases[0].startswith("koopman operator")
    assert len([p for p in phrases if p.startswith("koopman operator")]) == 1
    assert papers[0] >= 5


def test_md_escapes_hostile_titles() -> None:
    """Titles cannot break tables, inject HTML or links into the Markdown report."""
    text = md("A | B <script>alert(1)</script> [x](javascript:alert(1))\nnext line")
    assert "|" not in text.replace("\\|", "")
    assert "<script>" not in text and "](" not in text.replace("\\](", "")
    assert "\n" not in text


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus built once, with its outputs."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tmp = tmp_path_factory.mktemp("report")
    code, _, err = _build(CORPUS, "--db", tmp / "db.duckdb", "--out", tmp / "out")
    assert code == 0, err
    return tmp


def test_report_corpus_has_sections_and_evidence(corpus_out: Path) -> None:
    """report.md exists after build, names communities, and every why line shows evidence."""
    text = (corpus_out / "out" / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Corpus",
        "## Top papers by PageRank",
        "## Top papers by betweenness",
        "## Bridge papers",
        "## Communities",
        "## Repositories and labs",
        "## Most connecting keywords",
    ):
        assert heading in text
    why = [line for line in text.splitlines() if line.startswith("  - ")]
    assert why and all(": " in line and line.split("): ", 1)[1].strip() for line in why)
    assert "neural operators" in text


def test_report_json_matches_markdown(corpus_out: Path) -> None:
    """report.json carries the same facts: summary counts and the same top papers."""
    data = json.loads((corpus_out / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["papers"] == 401
    md_text = (corpus_out / "out" / "report.md").read_text(encoding="utf-8")
    assert all(md(p["title"]) in md_text for p in data["top_pagerank"])
    assert all(p["why"] for p in data["top_pagerank"])


def test_report_command_rerenders(corpus_out: Path, tmp_path: Path) -> None:
    """paperweb report re-renders from the database in the asked format only."""
    result = CliRunner().invoke(
        app,
        ["report", "--db", str(corpus_out / "db.duckdb"), "--out", str(tmp_path), "--format", "md"],
    )
    assert result.exit_code == 0, result.stderr
    # the pictures belong to the Markdown and are written with it
    assert [Path(p).name for p in result.stdout.split()][-1] == "report.md"
    assert all(p.endswith(".png") for p in result.stdout.split()[:-1])
    with open_store(corpus_out / "db.duckdb", read_only=True) as store:
        assert render_markdown(report_data(store)) == (tmp_path / "report.md").read_text(
            encoding="utf-8"
        )


def test_report_communities_table_shows_the_largest_and_names_the_csv(
    corpus_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corpus of many communities: the table keeps the largest, a line tells where the rest are."""
    with open_store(corpus_out / "db.duckdb", read_only=True) as store:
        data = report_data(store)
    named = sorted(
        (c for c in data["communities"] if "size_rank" in c), key=lambda c: c["size_rank"]
    )
    assert len(named) > 5
    monkeypatch.setattr(markdown_module, "TOP_COMMUNITIES", 4)
    text = render_markdown(data)
    section = text.split("## Communities", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [int(r.split("|")[1]) for r in rows] == [c["community"] for c in named[:4]]
    # The table says how its labels were chosen.
    assert "at least 25% of the community's papers write" in section
    left = named[4:]
    assert (
        f"The 4 largest of {len(named):,} named communities are shown; the other {len(left):,} "
        f"({sum(c['size'] for c in left):,} papers, {left[-1]['size']:,} to {left[0]['size']:,} each) "
        "are in report_communities.csv."
    ) in text


def test_report_metrics_stable_on_rebuild(corpus_out: Path, tmp_path: Path) -> None:
    """A rebuild gives identical metrics and communities."""
    from tests.conftest import CORPUS

    assert _build(CORPUS, "--db", tmp_path / "again.duckdb", "--out", tmp_path / "out")[0] == 0
    query = "SELECT * FROM metrics ORDER BY ALL"
    with (
        open_store(corpus_out / "db.duckdb", read_only=True) as a,
        open_store(tmp_path / "again.duckdb", read_only=True) as b,
    ):
        assert a.query(query) == b.query(query)
        assert a.query("SELECT * FROM communities ORDER BY 1") == b.query(
            "SELECT * FROM communities ORDER BY 1"
        )


def test_indexed_graph_matches_networkx_graphs() -> None:
    """The array graphs hold the nodes, edges and summed weights of the NetworkX builders."""
    nodes = [("a", "paper"), ("b", "paper"), ("c", "paper"), ("r", "repo"), ("k", "keyword")]
    edges = [
        ("a", "b", "similar", 0.5),
        ("b", "a", "cites", 1.0),
        ("b", "c", "shared_code", 1.0),
        ("a", "r", "code", 1.0),
        ("c", "c", "cites", 1.0),
        ("a", "k", "keyword", 1.0),
        ("a", "gone", "similar", 1.0),
    ]
    graph, papers = indexed_graph(node_table(nodes), edge_table(edges))
    for indexed, expected in (
        (graph, analysis_graph(nodes, edges)),
        (papers, paper_projection(analysis_graph(nodes, edges), edges)),
    ):
        assert indexed.nodes == sorted(expected)
        got = {
            (indexed.nodes[i], indexed.nodes[j]): w
            for (i, j), w in zip(indexed.edges.tolist(), indexed.weights.tolist(), strict=True)
        }
        assert got == {tuple(sorted((u, v))): w for u, v, w in expected.edges(data="weight")}
        assert (indexed.adjacency != indexed.adjacency.T).nnz == 0


def test_pagerank_matches_networkx_weighted() -> None:
    """The sparse power iteration gives nx.pagerank's weighted values, isolated nodes included."""
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    graph.add_node("lonely")
    assert pagerank(graph) == pytest.approx(nx.pagerank(graph, weight="weight"), abs=1e-9)


def test_participation_matches_definition_on_weighted_graph() -> None:
    """Participation is 1 - sum over communities of (weight share)^2, per node."""
    graph = nx.relabel_nodes(nx.karate_club_graph(), str)
    community_of = {node: int(node) % 3 for node in graph}
    got = participation(graph, community_of)
    for node in graph:
        shares = [0.0, 0.0, 0.0]
        for other, data in graph[node].items():
            shares[community_of[other]] += data["weight"]
        total = sum(shares)
        assert got[node] == pytest.approx(1 - sum((s / total) ** 2 for s in shares), abs=1e-12)


def test_communities_leave_global_random_untouched() -> None:
    """Louvain draws from its own seeded generator, not from Python's global one."""
    graph = nx.relabel_nodes(nx.connected_caveman_graph(4, 5), str)
    random.seed(5)
    expected = random.random()
    random.seed(5)
    first = communities(graph)
    assert random.random() == expected
    assert communities(graph) == first and len(first) == 4


def test_corpus_labels_are_borne_out_by_the_texts(corpus_out: Path) -> None:
    """Every named community's first phrase occurs in at least a quarter of its papers' texts."""
    from graph.labels import fold_text, label_needle

    with open_store(corpus_out / "db.duckdb", read_only=True) as store:
        texts = {
            paper: f" {fold_text(title)} {fold_text(abstract or '')} "
            for paper, title, abstract in store.query(
                "SELECT paper_id, title, abstract FROM papers"
            )
        }
        members: dict[int, list[str]] = {}
        for paper, community in store.query(
            "SELECT node_id, value FROM metrics WHERE metric = 'community'"
        ):
            members.setdefault(int(community), []).append(paper)
        rows = store.query(
            "SELECT community, label, size, keywords, coverage FROM communities WHERE NOT is_other"
        )
    assert len(rows) >= 8
    for community, label, size, phrases, coverage in rows:
        assert not label.startswith("mixed"), label
        needle = " " + label_needle(phrases[0])
        found = sum(needle in texts[paper] for paper in members[community])
        # The stored count is the texts' count, or for a phrase outside the counted
        # candidates the keyword count, which the texts can only exceed.
        assert size / 4 <= coverage <= found, (label, coverage, found, size)


HF_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-hf"


@pytest.mark.skipif(not HF_CORPUS.is_dir(), reason=f"corpus not found at {HF_CORPUS}")
def test_hf_labels_are_twice_as_common_in_their_community(tmp_path: Path) -> None:
    """On ~5,800 real papers, every phrase of a named community's label is written in at
    least a quarter of its papers' texts and twice as often there as in the rest."""
    from graph.labels import fold_text, label_needle

    code, _, err = _build(HF_CORPUS, "--db", tmp_path / "db.duckdb", "--out", tmp_path / "out")
    # 3: built, with the corpus's unusable days reported and skipped.
    assert code == 3, err
    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        text_of = {
            paper: f" {fold_text(title)} {fold_text(abstract or '')} "
            for paper, title, abstract in store.query(
                "SELECT paper_id, title, abstract FROM papers"
            )
        }
        community_of = dict(
            store.query("SELECT node_id, value::INTEGER FROM metrics WHERE metric = 'community'")
        )
        rows = store.query(
            "SELECT community, label, size, keywords FROM communities WHERE NOT is_other"
        )
    named = [row for row in rows if not row[1].startswith("mixed")]
    # Most communities of a real corpus have a name; the rest say they are mixed.
    assert len(named) >= 0.6 * len(rows) and len(named) >= 10
    for community, label, size, phrases in named:
        for phrase in phrases:
            needle = " " + label_needle(phrase)
            inside = outside = 0
            for paper, text in text_of.items():
                if needle in text:
                    if community_of.get(paper) == community:
                        inside += 1
                    else:
                        outside += 1
            assert inside >= size / 4, (label, phrase, inside, size)
            # Twice, as a sample of half these texts estimates it; here every text is read.
            assert inside / size >= 1.8 * outside / (len(text_of) - size), (label, phrase)


def _same_graph(left: object, right: object) -> None:
    from graph.network import IndexedGraph

    assert isinstance(left, IndexedGraph) and isinstance(right, IndexedGraph)
    assert left.nodes == right.nodes
    assert left.edges.tolist() == right.edges.tolist()
    assert left.weights.tolist() == right.weights.tolist()
    assert (left.adjacency != right.adjacency).nnz == 0


def test_read_graphs_numbers_in_sql_like_arrow(corpus_out: Path) -> None:
    """The build's SQL-numbered graphs equal indexed_graph over the tables, and so do the metrics."""
    from graph.metrics import compute_metrics, graph_metrics
    from graph.stages import read_graphs
    from graph.store.analysis import SQL_GRAPH_EDGES, SQL_GRAPH_NODES

    with open_store(corpus_out / "db.duckdb") as store:
        nodes, edges = store.query_arrow(SQL_GRAPH_NODES), store.query_arrow(SQL_GRAPH_EDGES)
        with store.transaction():
            built = read_graphs(store)
            assert "_numbered" not in store.table_names()
    graph, papers = indexed_graph(nodes, edges)
    _same_graph(built[0], graph)
    _same_graph(built[1], papers)
    assert len(built[0].edges) > 1000 and len(built[1].nodes) == 401
    expected = compute_metrics(nodes, edges)
    got = graph_metrics(*built[:4], is_owner=built[4])
    assert got.rows().to_pylist() == expected.rows().to_pylist()
    assert got.members == expected.members


def test_read_graphs_of_an_empty_database(tmp_path: Path) -> None:
    """A database without nodes gives empty graphs and no metrics, not an error."""
    from graph.metrics import graph_metrics
    from graph.stages import read_graphs

    with open_store(tmp_path / "db.duckdb") as store:
        graph, papers, keyword_ids, keyword_degree, _ = read_graphs(store)
    assert (graph.n, papers.n, len(keyword_ids), len(keyword_degree)) == (0, 0, 0, 0)
    assert graph_metrics(graph, papers, keyword_ids, keyword_degree).rows().num_rows == 0


def test_links_to_repos_do_not_raise_a_papers_rank() -> None:
    """A paper linking a star of ten repositories ranks exactly as its twin without links."""
    nodes = [(p, "paper") for p in "abcd"] + [(f"github.com/x/r{i}", "repo") for i in range(10)]
    edges = [("a", "b", "similar", 1.0), ("b", "c", "similar", 1.0), ("c", "d", "similar", 1.0)]
    edges += [("a", f"github.com/x/r{i}", "code", 1.0) for i in range(10)]
    values = compute_metrics(nodes, edges).values
    assert values["pagerank"]["a"] == pytest.approx(values["pagerank"]["d"])
    assert values["degree"]["a"] == values["degree"]["d"] == 1.0
    assert values["betweenness"]["a"] == values["betweenness"]["d"] == 0.0


def test_link_nodes_ranked_by_the_papers_linking_them() -> None:
    """A repo counts its papers; an owner the papers of all its repos; both sum their PageRank."""
    nodes = [(p, "paper") for p in "abc"] + [
        ("github.com/lab/one", "repo"),
        ("github.com/lab/two", "repo"),
        ("github.com/lab", "owner"),
        ("site.org/page", "page"),
    ]
    edges = [
        ("a", "b", "similar", 1.0),
        ("b", "c", "similar", 1.0),
        ("a", "github.com/lab/one", "code", 1.0),
        ("b", "github.com/lab/one", "code", 1.0),
        ("c", "github.com/lab/two", "code", 1.0),
        ("github.com/lab/one", "github.com/lab", "owner", 1.0),
        ("github.com/lab/two", "github.com/lab", "owner", 1.0),
        ("c", "site.org/page", "page", 1.0),
    ]
    values = compute_metrics(nodes, edges).values
    degree, rank = values["degree"], values["pagerank"]
    assert degree["github.com/lab/one"] == 2.0 and degree["github.com/lab"] == 3.0
    assert degree["site.org/page"] == 1.0
    assert rank["github.com/lab/one"] == pytest.approx(rank["a"] + rank["b"])
    assert rank["github.com/lab"] == pytest.approx(1.0)
    assert "github.com/lab" not in values["betweenness"]


def test_leiden_communities_are_connected_and_seeded() -> None:
    """Every Leiden community induces a connected subgraph, and a second run gives the same."""
    graph = nx.relabel_nodes(
        nx.planted_partition_graph(6, 12, 0.5, 0.04, seed=3), lambda n: f"p{n:03d}"
    )
    found = communities(graph)
    assert len(found) >= 4
    for members in found.values():
        assert nx.is_connected(graph.subgraph(members))
    assert communities(graph) == found
    assert communities(graph, resolution=3.0) != found


def test_small_communities_gathered_as_other() -> None:
    """Groups under the minimum size share one last 'other' number; modularity is stated."""
    triangle = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "a")]
    nodes = [(p, "paper") for p in "abcdxyz"]
    edges = [(u, v, "similar", 1.0) for u, v in triangle] + [("x", "y", "similar", 1.0)]
    result = compute_metrics(nodes, edges, min_community=3)
    community = result.values["community"]
    assert community["a"] == community["b"] == community["c"] == community["d"] == 0.0
    assert community["x"] == community["y"] == community["z"] == 1.0
    assert result.other == 1 and result.members[1] == ["x", "y", "z"]
    assert result.info["papers.isolated"] == "1"
    assert 0.0 < float(result.info["partition.modularity"]) < 1.0
    assert result.inside.tolist() == [5.0, 1.0] and result.outside.tolist() == [0.0, 0.0]
