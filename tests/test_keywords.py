"""Tests for keyphrase extraction, normalisation and the paper-paper edges built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.keywords import GENERIC_WORDS, KeywordOptions, extract_keywords, keyword_key
from graph.similarity import shared_code_edges, similar_edges
from graph.store import open_store
from tests.test_build import _build

OPERATORS = (
    "p1",
    "Fourier Neural Operators for Partial Differential Equations",
    "We learn neural operators that map between function spaces and solve partial differential equations (PDEs) fast.",
)
OPERATORS_2 = (
    "p2",
    "Graph Neural Operator for PDE Solvers",
    "A graph neural operator learns PDE solution maps on irregular meshes; neural operators generalise across resolutions.",
)
CONNECTIVITY = (
    "p3",
    "Linear Mode Connectivity of Wide Networks",
    "Linear mode connectivity (LMC) holds after permutation alignment. We show LMC for wide networks.",
)
CONNECTIVITY_2 = (
    "p4",
    "When Does LMC Hold?",
    "We study LMC under weight matching and find that permutations explain most barriers.",
)
PRIVATE = (
    "p5",
    "Fewer ReLUs for Private Inference",
    "Private inference is slow because of non-linear operators; we remove ReLUs with a proposed method.",
)
PRIVATE_2 = (
    "p6",
    "Polynomial Activations for Private Inference",
    "Private inference under encryption replaces nonlinear operators such as ReLUs with polynomials.",
)
PAPERS = [OPERATORS, OPERATORS_2, CONNECTIVITY, CONNECTIVITY_2, PRIVATE, PRIVATE_2]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("non-linear operators", "nonlinear operator"),
        ("Non Linear Operators", "non-linear operator"),
        ("neural networks", "Neural Network"),
        ("zero-shot", "zeroshot"),
    ],
)
def test_keyword_key_folds_variants(a: str, b: str) -> None:
    """Case, plural, hyphen, space and joined spellings share one key."""
    assert keyword_key(a) == keyword_key(b)


def test_extract_keywords_acronym_joins_long_form() -> None:
    """LMC defined as 'linear mode connectivity' is one keyword labelled with the long form."""
    table = extract_keywords(PAPERS)
    for paper_id in ("p3", "p4"):
        labels = [label for label, _, _ in table.by_paper[paper_id]]
        assert "linear mode connectivity" in labels
        assert "LMC" not in labels
    assert table.doc_freq["linear mode connectivity"] == 2


def test_extract_keywords_acronym_inside_phrase() -> None:
    """An acronym inside a phrase stands for its long form ('PDE solvers')."""
    table = extract_keywords(PAPERS)
    assert table.doc_freq["partial differential equations"] == 2


def test_extract_keywords_variants_meet_across_papers() -> None:
    """'non-linear operators' and 'nonlinear operators' are one keyword shared by two papers."""
    table = extract_keywords(PAPERS)
    assert 2 in (
        table.doc_freq.get("non-linear operators"),
        table.doc_freq.get("nonlinear operators"),
    )


def test_extract_keywords_no_generic_keywords() -> None:
    """Generic research words never become keywords on their own."""
    table = extract_keywords(PAPERS)
    labels = {label.lower() for kws in table.by_paper.values() for label, _, _ in kws}
    assert not labels & {
        "method",
        "proposed method",
        "paper",
        "results",
        "we propose",
        "model",
        "framework",
        "performance",
    }
    assert not any(all(w in GENERIC_WORDS for w in label.split()) for label in labels)


def test_extract_keywords_given_keywords_join() -> None:
    """Keywords a source gave are normalised with the rest and marked with their origin."""
    table = extract_keywords(
        PAPERS, given=[("p5", "Private Inference", "hf"), ("p1", "operator learning", "hf")]
    )
    p1 = {label: where for label, _, where in table.by_paper["p1"]}
    assert p1.get("operator learning") == "hf"
    assert table.doc_freq["private inference"] == 2


def test_extract_keywords_hubs_are_not_linkable() -> None:
    """A keyword in a large share of papers is kept per paper but does not link papers."""
    papers = [
        (
            f"q{i}",
            f"Topic {i} with quantum annealing",
            f"Quantum annealing study number {i} of spin glasses {i}.",
        )
        for i in range(10)
    ]
    table = extract_keywords(papers, KeywordOptions(hub_share=0.5))
    assert table.doc_freq["quantum annealing"] == 10
    assert "quantum annealing" not in table.linkable


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
    """Same repo weighs 1 with the repo as evidence; same owner 0.5 naming the owner."""
    links = [
        ("a", "github.com/lab/x"),
        ("b", "github.com/lab/x"),
        ("c", "github.com/lab/y"),
        ("d", "github.com/other/z"),
    ]
    edges = shared_code_edges(links)
    found = {(e.src, e.dst): (e.weight, e.evidence) for e in edges}
    assert found[("a", "b")] == (1.0, "both link github.com/lab/x")
    assert found[("a", "c")][0] == 0.5 and "github.com/lab" in found[("a", "c")][1]
    assert not any("d" in pair for pair in found)


def test_shared_code_edges_cap_large_groups() -> None:
    """A repository linked by more papers than the cap adds no pairwise edges."""
    links = [(f"p{i:03d}", "github.com/big/repo") for i in range(60)]
    assert shared_code_edges(links, max_papers=50) == []
    assert len(shared_code_edges(links[:5], max_papers=50)) == 10


ACCEPTANCE_SIMILAR = [
    ("DeepReDuce", "AutoReP"),
    ("I-ViT", "I-BERT"),
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
    ("BiBench", "BiPer"),
]
ACCEPTANCE_SHARED_CODE = [
    ("DistZO2", "ZO2:", 1.0),
    ("Group Equivariant Fourier Neural Operators", "SineNet", 1.0),
    ("GNOT", "NUNO", 0.5),
    ("cosFormer", "Lightning Attention-2", 0.5),
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
