"""Tests for keyphrase extraction and normalisation (graph/keywords.py)."""

from __future__ import annotations

import pytest

from graph.keywords import GENERIC_WORDS, KeywordOptions, extract_keywords, keyword_key

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
        labels = [label for label, _, _, _ in table.by_paper[paper_id]]
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
    labels = {label.lower() for kws in table.by_paper.values() for label, _, _, _ in kws}
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
    p1 = {label: origin for label, _, origin, _ in table.by_paper["p1"]}
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


@pytest.mark.parametrize(
    ("title", "abstract", "label", "evidence"),
    [
        (
            "Spin Glass Solvers",
            "Spin glass solvers are fast.",
            "spin glass solvers",
            "appears in title and abstract",
        ),
        (
            "On Annealing",
            "Spin glasses resist. Spin glass order. Spin glass phases.",
            "spin glass",
            "appears 3 times in abstract",
        ),
        ("Spin Glass Phases", "Nothing else here.", "spin glass phases", "appears in title"),
    ],
)
def test_extract_keywords_evidence_says_where(
    title: str, abstract: str, label: str, evidence: str
) -> None:
    """Each linkable keyword says where and how often the paper uses it."""
    other = ("z", "Spin Glass Solvers and Phases", "Spin glass solvers meet spin glass phases.")
    table = extract_keywords([("a", title, abstract), other])
    found = {kw[0]: kw[3] for kw in table.by_paper["a"]}
    assert found[label] == evidence


def test_extract_keywords_label_is_most_frequent_spelling() -> None:
    """A keyword is labelled with the way most papers write it."""
    papers = [
        ("a", "Zero-shot Parsing", "Zero-shot parsing of tables."),
        ("b", "Zero-Shot Parsing Again", "We study zero-shot parsing."),
        ("c", "Zeroshot Parsing", "A note."),
    ]
    table = extract_keywords(papers, KeywordOptions(hub_share=1.0))
    assert "zero-shot parsing" in table.linkable
    assert table.doc_freq["zero-shot parsing"] == 3


def test_extract_keywords_acronym_plural_folds() -> None:
    """'LLMs' and 'LLM' are one keyword and meet the long form the corpus defines."""
    papers = [
        ("a", "Private LLMs", "Large language models (LLMs) leak data through LLM outputs."),
        ("b", "Auditing an LLM", "We audit one LLM for leaks."),
    ]
    table = extract_keywords(papers)
    labels_b = [kw[0] for kw in table.by_paper["b"]]
    # The long form starts at its first content word ("large" is a stop word here).
    assert table.doc_freq["language models"] == 2
    assert "language models" in labels_b and "LLM" not in labels_b


def test_extract_keywords_deterministic() -> None:
    """The same input gives identical keywords and weights, whatever the given-keyword order."""
    given = [("p1", "operator learning", "hf"), ("p5", "Private Inference", "hf")]
    first = extract_keywords(PAPERS, given=given)
    second = extract_keywords(PAPERS, given=list(reversed(given)))
    assert first.by_paper == second.by_paper and first.columns == second.columns


def test_extract_keywords_contained_phrase_dropped() -> None:
    """A phrase inside a stronger kept phrase of the same paper is not listed again."""
    table = extract_keywords(PAPERS)
    labels = [kw[0] for kw in table.by_paper["p1"]]
    assert "fourier neural operators" in labels
    assert "neural" not in labels and "fourier" not in labels


@pytest.mark.parametrize(
    "papers",
    [[], [("p1", "", "")], [("p1", "The", "a"), ("p2", "", "2401.00001 (2, 3) !")]],
)
def test_extract_keywords_no_content_words(papers: list[tuple[str, str, str]]) -> None:
    """Papers without a single content word (id-only papers) give empty keywords, not a crash."""
    table = extract_keywords(papers)
    assert table.by_paper == {p[0]: [] for p in papers}
    assert table.matrix is not None and table.matrix.shape == (len(papers), 0)


def test_token_ids_match_one_regex_pass() -> None:
    """Tokenising whitespace pieces in chunks gives the stream one regex pass over all texts gives."""
    from graph import keywords

    papers = [
        (
            "a",
            "Non-linear ops (LMC)",
            "It's 3.5% better,\u00a0faster\x1cand\u2003e.g. Ünïcode—dash",
        ),
        ("b", "Tabs\tand\nnew lines", "nul \x00 inside; LLMs' (GPT4) ... x"),
        ("c", "", "Non-linear ops again (LMC)"),
    ] * 3
    text = "".join(
        f"{t.replace(keywords._SENTINEL, ' ')} {keywords._SENTINEL} " for p in papers for t in p[1:]
    )
    stream = keywords._TOKENIZE(text)
    old_chunk = keywords.TOKEN_CHUNK
    try:
        keywords.TOKEN_CHUNK = 2
        ids, raw = keywords._token_ids(papers)
    finally:
        keywords.TOKEN_CHUNK = old_chunk
    assert list(ids) == list(dict.fromkeys(stream))
    assert [list(ids)[i] for i in raw.tolist()] == stream
