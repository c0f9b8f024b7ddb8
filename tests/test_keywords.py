"""Tests for keyphrase extraction and normalisation (the graph/keywords package)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from graph.keywords import (
    GENERIC_WORDS,
    KeywordOptions,
    KeywordTable,
    extract_keywords,
    keyword_key,
)

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
    papers = [
        *PAPERS,
        ("p7", "Fourier Neural Operators", "Fourier neural operators learn fluid flows."),
    ]
    table = extract_keywords(papers)
    labels = [kw[0] for kw in table.by_paper["p7"]]
    assert "fourier neural operators" in labels
    assert not {"neural", "fourier", "neural operators"} & set(labels)


@pytest.mark.parametrize(
    "papers",
    [[], [("p1", "", "")], [("p1", "The", "a"), ("p2", "", "2401.00001 (2, 3) !")]],
)
def test_extract_keywords_no_content_words(papers: list[tuple[str, str, str]]) -> None:
    """Papers without a single content word (id-only papers) give empty keywords, not a crash."""
    table = extract_keywords(papers)
    assert table.by_paper == {p[0]: [] for p in papers}
    assert table.matrix is not None and table.matrix.shape == (len(papers), 0)


def test_token_ids_match_one_regex_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenising whitespace pieces in chunks gives the stream one regex pass over all texts gives."""
    from graph.keywords import analyzer

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
        f"{t.replace(analyzer.SENTINEL, ' ')} {analyzer.SENTINEL} " for p in papers for t in p[1:]
    )
    stream = analyzer.TOKENIZE(text)
    monkeypatch.setattr(analyzer, "TOKEN_CHUNK", 2)
    ids, raw = analyzer.token_ids(papers)
    assert list(ids) == list(dict.fromkeys(stream))
    assert [list(ids)[i] for i in raw.tolist()] == stream


def _labels(table: KeywordTable) -> set[str]:
    return {kw[0].lower() for kws in table.by_paper.values() for kw in kws}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Training backward models corrupts the gradient signal of sparse coders.", "corrupts"),
        ("The literature rarely examines gradient leakage in sparse coders.", "examines"),
        ("Random masking of sparse coders, causing training inconsistency.", "causing"),
        ("By employing sparse coders we reach lower gradient leakage.", "employing"),
    ],
)
def test_extract_keywords_no_verb_fragments(text: str, fragment: str) -> None:
    """Verbs (third person, '-ing' forms used as verbs) and adverbs are never part of a keyword."""
    others = [
        (f"o{i}", f"Sparse Coders {i}", f"Sparse coders and gradient leakage, study {i}.")
        for i in range(3)
    ]
    labels = _labels(extract_keywords([("a", "Sparse Coders", text), *others]))
    assert not [label for label in labels if fragment in label.split()]
    assert not [label for label in labels if "rarely" in label]


def test_extract_keywords_noun_gerunds_kept() -> None:
    """An '-ing' word the corpus uses as a noun ('reinforcement learning') stays a keyword."""
    papers = [
        (f"r{i}", f"Reward Shaping {i}", f"Deep reinforcement learning with reward shaping {i}.")
        for i in range(4)
    ]
    table = extract_keywords(papers, KeywordOptions(hub_share=1.0))
    assert table.doc_freq["deep reinforcement learning"] == 4


def test_extract_keywords_phrases_end_in_nouns() -> None:
    """A phrase may not end in an adjective ('contrastive', 'training-free')."""
    papers = [
        ("a", "Contrastive Pruning", "Pruning is contrastive and training-free."),
        ("b", "Contrastive Decoding", "Decoding that is contrastive and training-free."),
    ]
    labels = _labels(extract_keywords(papers))
    assert {"contrastive pruning", "contrastive decoding"} <= labels
    assert not labels & {"contrastive", "training-free"}


def test_extract_keywords_evaluative_adjectives_break() -> None:
    """'diverse user queries' gives the concept, 'user queries', not the praise."""
    papers = [
        ("a", "Query Routing", "We answer diverse user queries with complex retrieval pipelines."),
        ("b", "Query Logs", "User queries and retrieval pipelines in query logs."),
    ]
    labels = _labels(extract_keywords(papers))
    assert {"user queries", "retrieval pipelines"} <= labels
    assert not [label for label in labels if label.startswith(("diverse", "complex"))]


def test_extract_keywords_ignore_urls_and_emails() -> None:
    """Words inside URLs and e-mail addresses (user names, repo names) are not keywords."""
    papers = [
        (
            "a",
            "Equivariant Operators",
            "Code is part of the AIRS library (https://github.com/divelab/AIRS). "
            "See github.com/Secure-ML/EqOps or write to jane.doe@univ-lab.edu for data.",
        ),
        ("b", "Equivariant Operators Again", "Equivariant operators, see www.divelab.org/airs."),
    ]
    table = extract_keywords(papers)
    words = {w for label in _labels(table) for w in label.split()}
    assert not words & {"divelab", "secure-ml", "eqops", "github", "jane", "univ-lab"}
    assert "equivariant operators" in _labels(table)


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("optimisation landscapes", "optimization landscapes"),
        ("agent behaviour", "agent behavior"),
        ("tokenised inputs", "tokenized inputs"),
        ("colour constancy", "color constancy"),
        ("signalling pathways", "signaling pathways"),
        ("analysing circuits", "analyzing circuits"),
        ("centre points", "center points"),
    ],
)
def test_keyword_key_folds_british_spelling(british: str, american: str) -> None:
    """British and American spellings of a phrase share one key."""
    assert keyword_key(british) == keyword_key(american)


def test_extract_keywords_british_american_one_keyword() -> None:
    """Papers spelling a concept the British and the American way share one keyword."""
    papers = [
        ("a", "Optimisation of Agent Behaviour", "Agent behaviour under optimisation."),
        ("b", "Optimization of Agent Behavior", "Agent behavior under optimization."),
    ]
    table = extract_keywords(papers)
    label = next(
        text for text in table.doc_freq if keyword_key(text) == keyword_key("agent behavior")
    )
    assert table.doc_freq[label] == 2
    assert "agent behaviour" not in _labels(table) or "agent behavior" not in _labels(table)


def test_extract_keywords_title_wording_weighs_less() -> None:
    """A title phrase the abstract never uses ranks below phrases the abstract repeats."""
    papers = [
        ("a", "Towards Tiny Planners", "Graph search heuristics. Graph search heuristics help."),
        ("b", "Sparse Critics", "Graph search heuristics for sparse critics and tiny planners."),
    ]
    table = extract_keywords(papers)
    labels = [kw[0] for kw in table.by_paper["a"]]
    assert labels.index("graph search heuristics") < labels.index("tiny planners")


def test_extract_keywords_rare_words_outrank_everyday_words() -> None:
    """Of two phrases with the same counts, the one of words rare in English weighs more."""
    text = "Neuromorphic encoders and daily routines. Neuromorphic encoders and daily routines."
    papers = [
        ("a", "Notes", text),
        ("b", "Other", "Neuromorphic encoders and daily routines are compared."),
        *[(f"o{i}", f"Filler {i}", f"Gradient clipping study {i}.") for i in range(4)],
    ]

    def weights(options: KeywordOptions) -> dict[str, float]:
        return {kw[0]: kw[1] for kw in extract_keywords(papers, options).by_paper["a"]}

    flat = weights(KeywordOptions(specificity=0.0))
    assert flat["neuromorphic encoders"] == flat["daily routines"]
    ranked = weights(KeywordOptions())
    assert ranked["neuromorphic encoders"] > 1.5 * ranked["daily routines"]


HF_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-hf"


@pytest.mark.skipif(not HF_CORPUS.is_dir(), reason=f"corpus not found at {HF_CORPUS}")
def test_extract_keywords_agree_with_hf_ai_keywords() -> None:
    """On 800 real HF papers (ai_keywords removed first), precision >= 0.45 and recall >= 0.40.

    The first 800 papers of 2025 that carry ai_keywords, as one corpus; the whole
    measurement is bench/bench_keyword_quality.py.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        quality = importlib.import_module("bench_keyword_quality")
    finally:
        sys.path.pop(0)
    papers, _ = quality.read_day_files(HF_CORPUS)
    papers = [p for p in papers if p.ai_keywords][:800]
    assert len(papers) == 800
    result = quality.score(quality.paperweb_keywords(papers), papers)
    assert result.precision >= 0.45
    assert result.recall >= 0.40


def test_extract_keywords_verbs_after_to_break() -> None:
    """A word the corpus uses after 'to' or a modal ('to generate') is a verb in any phrase."""
    papers = [
        ("a", "Sparse Coders", "Sparse coders generate gradient leakage in federated training."),
        *[
            (f"o{i}", f"Coder Study {i}", f"We learn to generate gradient leakage {i}.")
            for i in range(3)
        ],
    ]
    labels = _labels(extract_keywords(papers))
    assert "gradient leakage" in labels
    assert not [label for label in labels if "generate" in label.split()]


def test_extract_keywords_possessive_ends_phrase() -> None:
    """'YuE's lyrics' gives no keyword joining the name and the noun after it."""
    papers = [
        ("a", "Song Models", "YuE's lyrics alignment beats music transformers."),
        ("b", "Music Transformers", "Music transformers and lyrics alignment."),
    ]
    labels = _labels(extract_keywords(papers))
    assert "lyrics alignment" in labels
    assert not [label for label in labels if "'s" in label]


def test_tokenizer_stop_words_and_idf_match_scikit_learn() -> None:
    """The tokenizer, stop words and smoothed idf written without importing scikit-learn are its own."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import (
        ENGLISH_STOP_WORDS,
        CountVectorizer,
        TfidfTransformer,
    )

    from graph.keywords import analyzer, vocabulary
    from graph.keywords.weighting import smoothed_idf

    text = " ".join(p[1] + " " + p[2] for p in (OPERATORS, OPERATORS_2)) + " 3.5% e-mail it's (x)"
    sklearn_tokenize = CountVectorizer(
        token_pattern=analyzer.TOKEN_PATTERN, lowercase=False
    ).build_tokenizer()
    assert analyzer.TOKENIZE(text) == sklearn_tokenize(text)
    assert vocabulary._english_stop_words() == ENGLISH_STOP_WORDS
    counts = sp.random(60, 40, density=0.1, random_state=3, format="csr")
    counts.data = np.ceil(counts.data * 4)
    expected = TfidfTransformer(norm=None, smooth_idf=True, sublinear_tf=True).fit(counts).idf_
    found = smoothed_idf(np.bincount(counts.indices, minlength=40), 60)
    assert np.array_equal(found, expected)
