"""Tests for the paper-paper edges: ``similar`` through keywords, ``shared_code`` through repos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graph.keywords import KeywordOptions, extract_keywords
from graph.similarity import keyword_layer, shared_code_edges, similar_edges
from graph.store import open_store
from tests.test_build import _build
from tests.test_keywords import PAPERS


def test_similar_edges_top_k_and_evidence() -> None:
    """Similar edges join the papers that share keywords, once per pair, with readable evidence."""
    table = extract_keywords(PAPERS)
    edges = similar_edges(table, k=1)
    pairs = {(e.src, e.dst) for e in edges}
    assert {("p1", "p2"), ("p3", "p4"), ("p5", "p6")} <= pairs
    assert all(e.src < e.dst and e.evidence.startswith("shares keywords: ") for e in edges)
    assert len(edges) <= 1 * len(PAPERS)
    assert similar_edges(table, k=1) == edges


def test_similar_edges_none_when_nothing_shared() -> None:
    """Papers with nothing in common get no similar edges."""
    table = extract_keywords(
        [("a", "Quantum annealing", "Spin glasses."), ("b", "Protein folding", "Amino acids.")]
    )
    assert similar_edges(table, k=10) == []


def test_shared_code_edges_repo_and_owner() -> None:
    """Same repo weighs 0.5 with the repo as evidence; same owner less, naming the owner."""
    links = [
        ("a", "github.com/lab/x"),
        ("b", "github.com/lab/x"),
        ("c", "github.com/lab/y"),
        ("d", "github.com/other/z"),
    ]
    edges = shared_code_edges(links)
    found = {(e.src, e.dst): (e.weight, e.evidence) for e in edges}
    assert found[("a", "b")] == (0.5, "both link github.com/lab/x")
    # Three papers link lab's repositories: the owner's 0.25 is split over two partners.
    assert found[("a", "c")][0] == 0.125 and "github.com/lab" in found[("a", "c")][1]
    assert not any("d" in pair for pair in found)


def test_shared_code_edges_split_over_the_papers_sharing_a_repo() -> None:
    """Each paper gains the same weight from a repository however many papers share it."""
    links = [(p, "github.com/kit/tool") for p in "abcde"]
    edges = shared_code_edges(links)
    assert len(edges) == 10 and {e.weight for e in edges} == {0.125}
    assert sum(e.weight for e in edges if "a" in (e.src, e.dst)) == 0.5


def test_shared_code_edges_cap_large_groups() -> None:
    """A repository linked by more papers than the cap adds no pairwise edges."""
    links = [(f"p{i:03d}", "github.com/big/repo") for i in range(60)]
    assert shared_code_edges(links, max_papers=50) == []
    assert len(shared_code_edges(links[:5], max_papers=50)) == 10


def test_similar_edges_rarer_keyword_weighs_more() -> None:
    """Sharing a rare keyword makes a stronger edge than sharing a common one."""
    papers = [
        ("a", "Spin glass annealing", "Spin glass annealing with tensor sketches."),
        ("b", "Spin glass annealing again", "Spin glass annealing with magnets."),
        ("c", "Tensor sketches", "Tensor sketches for streams."),
    ] + [
        (f"f{i}", f"Tensor sketches {i}", f"Tensor sketches topic {i} alpha{i}.") for i in range(6)
    ]
    edges = {(e.src, e.dst): e.weight for e in similar_edges(extract_keywords(papers), k=10)}
    assert edges[("a", "b")] > edges.get(("a", "c"), 0.0)


def test_similar_edges_bounded_by_k() -> None:
    """similar edges never exceed k per paper, however many papers share a keyword."""
    papers = [
        (
            f"p{i:02d}",
            f"Spin glass annealing study {i}",
            f"Spin glass annealing and tensor sketches {i}.",
        )
        for i in range(30)
    ]
    edges = similar_edges(extract_keywords(papers, KeywordOptions(hub_share=1.0)), k=3)
    assert 0 < len(edges) <= 3 * len(papers)
    assert len({(e.src, e.dst) for e in edges}) == len(edges)


def test_keyword_layer_nodes_only_for_linkable() -> None:
    """Keyword nodes exist for linkable keywords only, and every keyword edge has evidence."""
    table = extract_keywords(PAPERS)
    nodes, edges = keyword_layer(table)
    assert {n.label for n in nodes} == set(table.linkable)
    assert all(n.node_id == f"keyword:{n.label}" and n.url is None for n in nodes)
    assert edges and all(e.evidence.startswith("appears") for e in edges)
    assert {e.dst for e in edges} <= {n.node_id for n in nodes}


ACCEPTANCE_SIMILAR = [
    ("DeepReDuce", "AutoReP"),
    ("I-ViT", "I-BERT"),
    ("BiBench", "BiPer"),
    ("AERO: Softmax-Only LLMs", "Entropy-Guided Attention for Private LLMs"),
    (
        "Neural Operator: Learning Maps Between Function Spaces",
        "Fourier Neural Operator for Parametric Partial Differential Equations",
    ),
    ("KOROL", "Limits and Powers of Koopman Learning"),
    (
        "Linear Mode Connectivity in Differentiable Tree Ensembles",
        "Analysis of Linear Mode Connectivity via Permutation-Based Weight Matching",
    ),
]
ACCEPTANCE_SHARED_CODE = [
    ("DistZO2", "ZO2:", 0.5),
    ("Group Equivariant Fourier Neural Operators", "SineNet", 0.5),
    ("GNOT", "NUNO", 0.25),
    ("cosFormer", "Lightning Attention-2", 0.25),
]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus built once."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tmp = tmp_path_factory.mktemp("kw")
    code, _, err = _build(CORPUS, "--db", tmp / "db.duckdb", "--out", tmp / "out")
    assert code == 0, err
    return tmp / "db.duckdb"


def _paper(store: object, prefix: str) -> str:
    rows = store.query("SELECT paper_id FROM papers WHERE title LIKE ? || '%'", [prefix])  # type: ignore[attr-defined]
    assert len(rows) == 1, prefix
    return str(rows[0][0])


def _top(store: object, paper_id: str, k: int = 10) -> list[str]:
    rows = store.query(  # type: ignore[attr-defined]
        "SELECT CASE WHEN src = ? THEN dst ELSE src END FROM edges WHERE kind = 'similar' AND ? IN (src, dst) "
        "ORDER BY weight DESC LIMIT ?",
        [paper_id, paper_id, k],
    )
    return [r[0] for r in rows]


@pytest.mark.parametrize(("a", "b"), ACCEPTANCE_SIMILAR)
def test_corpus_similar_pairs_mutual_top10(corpus_db: Path, a: str, b: str) -> None:
    """Known related papers are joined and each is among the other's 10 strongest neighbours."""
    with open_store(corpus_db, read_only=True) as store:
        pa, pb = _paper(store, a), _paper(store, b)
        assert pb in _top(store, pa) and pa in _top(store, pb)


@pytest.mark.parametrize(("a", "b", "weight"), ACCEPTANCE_SHARED_CODE)
def test_corpus_shared_code_pairs(corpus_db: Path, a: str, b: str, weight: float) -> None:
    """Papers sharing a repository (or an owner) are joined with that evidence."""
    with open_store(corpus_db, read_only=True) as store:
        pa, pb = sorted((_paper(store, a), _paper(store, b)))
        rows = store.query(
            "SELECT weight, evidence FROM edges WHERE kind = 'shared_code' AND src = ? AND dst = ?",
            [pa, pb],
        )
        assert len(rows) == 1 and rows[0][0] == weight and "github.com/" in rows[0][1]


def test_corpus_top_keywords_not_generic(corpus_db: Path) -> None:
    """None of the 30 keywords with the most papers is a generic research word."""
    with open_store(corpus_db, read_only=True) as store:
        top = [
            r[0]
            for r in store.query(
                "SELECT keyword FROM keywords GROUP BY keyword ORDER BY count(*) DESC, keyword LIMIT 30"
            )
        ]
    generic = {
        "paper",
        "method",
        "methods",
        "approach",
        "results",
        "we propose",
        "experiments",
        "state of the art",
        "performance",
        "framework",
        "model",
        "models",
    }
    assert len(top) == 30 and not set(map(str.lower, top)) & generic


def test_corpus_edges_bounded_and_explained(corpus_db: Path) -> None:
    """similar edges <= k x papers; every edge has non-empty evidence; pairs stored once."""
    with open_store(corpus_db, read_only=True) as store:
        papers = store.count("papers")
        assert store.query("SELECT count(*) FROM edges WHERE kind = 'similar'")[0][0] <= 10 * papers
        assert store.query("SELECT count(*) FROM edges WHERE trim(evidence) = ''") == [(0,)]
        assert store.query(
            "SELECT count(*) FROM edges WHERE kind IN ('similar', 'shared_code') AND src >= dst"
        ) == [(0,)]


def test_similar_keeps_no_edge_from_weak_matches() -> None:
    """Papers that share one everyday word, or match far below their best, get no edge."""
    papers = [
        ("p1", "Pulsations of AGB stars", "We model pulsations of AGB stars with spectra."),
        ("p2", "Rewrite the stars", "A star operation for deep vision networks with stars."),
        ("p3", "Koopman operators for control", "Koopman operators linearise nonlinear dynamics."),
        ("p4", "Learning Koopman operators", "We fit Koopman operators to nonlinear dynamics."),
    ]
    table = extract_keywords(papers, KeywordOptions(hub_share=1.0, min_papers=2))
    pairs = {(e.src, e.dst) for e in similar_edges(table, k=10)}
    assert ("p3", "p4") in pairs
    assert ("p1", "p2") not in pairs
    assert not any("p1" in pair for pair in pairs)
    # A minimum above every cosine leaves nothing; k is a maximum, not a quota.
    assert similar_edges(table, k=10, min_similarity=1.01) == []


def test_keyword_support_counts_everyday_words_half() -> None:
    """One everyday word is half the support an edge needs; a rare word or phrase is all of it."""
    from graph.similarity import keyword_support

    assert keyword_support("stars") == 0.5
    assert keyword_support("koopman") == 1.0
    assert keyword_support("private inference") == 1.0
    assert keyword_support("LiDAR") == 1.0


def test_corpus_similar_edges_never_rest_on_one_everyday_word(corpus_db: Path) -> None:
    """No `similar` edge of the corpus has a single everyday word as its whole evidence."""
    from graph.words import everyday_word

    with open_store(corpus_db, read_only=True) as store:
        evidence = [
            row[0] for row in store.query("SELECT evidence FROM edges WHERE kind = 'similar'")
        ]
    assert evidence
    single = [e.removeprefix("shares keywords: ") for e in evidence if "," not in e]
    assert not [word for word in single if everyday_word(word)]


def test_corpus_top_pagerank_is_not_who_links_github(corpus_db: Path) -> None:
    """At most 8 of the 20 top-PageRank papers link a repository or project page."""
    with open_store(corpus_db, read_only=True) as store:
        linked = store.query(
            "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM links l WHERE l.paper_id = t.node_id"
            " AND l.kind IN ('repo', 'page'))) FROM (SELECT m.node_id FROM metrics m JOIN nodes n"
            " USING (node_id) WHERE n.kind = 'paper' AND m.metric = 'pagerank'"
            " ORDER BY m.value DESC, m.node_id LIMIT 20) t"
        )[0][0]
        info = dict(store.query("SELECT key, value FROM build_info"))
    assert linked <= 8
    assert 0.3 < float(info["partition.modularity"]) < 1.0
    assert int(info["papers.isolated"]) >= 0


def test_build_help_states_the_library_default_similarity() -> None:
    """The --min-similarity help names the default the library uses."""
    from typer.testing import CliRunner

    from graph.similarity import MIN_SIMILARITY
    from paperweb.cli import app

    result = CliRunner().invoke(app, ["build", "--help"])
    words = " ".join(result.output.replace("│", " ").split())
    assert f"(default {MIN_SIMILARITY:g})" in words


def test_similar_pairs_sorted_packed_or_not_as_lexsort() -> None:
    """Triples and pairs sort as np.lexsort sorts them, packed into one key (up to 4M
    papers) or not (beyond)."""
    from graph.similarity import _pair_order, _sorted_triples

    rng = np.random.default_rng(3)
    for rows in (1, 950_000, 1 << 22, (1 << 22) + 1, 40_000_000):
        first, second = rng.integers(0, rows, (2, 20_000))
        micro = rng.integers(0, 1_000_001, 20_000)
        order = np.lexsort((micro, second, first))
        got = _sorted_triples(first, second, micro, rows)
        for found, wanted in zip(got, (first[order], second[order], micro[order]), strict=True):
            assert found.tolist() == wanted.tolist()
        assert _pair_order(first, second, rows).tolist() == np.lexsort((second, first)).tolist()
