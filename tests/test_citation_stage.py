"""The citation stage's columns: coupling edges, weights and evidence pinned by hand, the same
edges as a plain Python reading of the documented rule on a seeded corpus, and the
``references``/``works``/``cites`` columns of a small hand-made corpus.

The stage computes in sparse matrices and Arrow arrays (see bench/RESULTS.md, "Citation
stage"); these tests hold it to what the rule says, one set of references at a time.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from collectors.records import Reference
from graph.citations import citation_layer
from graph.coupling import (
    EVIDENCE_ITEMS,
    HUB_FLOOR,
    HUB_MAX,
    HUB_SHARE,
    MIN_COUPLING,
    MIN_SHARED,
    binary_matrix,
    salton_edge_columns,
)
from graph.papers import PaperRow
from tests.coupling_pairs import coupling_edges


def _row(pid: str, title: str, keys: tuple[str, ...], refs: tuple[Reference, ...]) -> PaperRow:
    return PaperRow(
        paper_id=pid,
        title=title,
        abstract="",
        authors=None,
        published=None,
        published_text=None,
        upvotes=None,
        arxiv_id=None,
        sources=(("test", 1),),
        links=(),
        keywords=(),
        keys=keys,
        references=refs,
    )


def test_coupling_by_hand() -> None:
    """Five papers; w1..w5 are held by 2-3 papers, w9 by one (it never counts).

    a: w1 w2 w3 w4 w5 w9   b: w1 w2 w3 w4 w5   c: w1 w2   d: w3 w4   e: w5
    Counted per paper: a 5, b 5, c 2, d 2, e 1.
    a-b share 5: 5 / sqrt(5 * 5) = 1.0, evidence names three works and counts two more;
    a-c and b-c share 2: 2 / sqrt(5 * 2) = 0.632456; a-d and b-d the same; c-d share none;
    e shares one work with a and b, which is no edge.
    """
    held = {
        "a": ["w1", "w2", "w3", "w4", "w5", "w9"],
        "b": ["w5", "w4", "w3", "w2", "w1"],
        "c": ["w2", "w1"],
        "d": ["w4", "w3"],
        "e": ["w5"],
    }
    # Labels sort differently from keys: the evidence follows the labels.
    label = {"w1": "Zeta", "w2": "Alpha", "w3": "Mu", "w4": "Beta", "w5": "Kappa"}
    pairs = [(p, w) for p, works in held.items() for w in works]
    edges = {(e.src, e.dst): (e.weight, e.evidence) for e in coupling_edges(pairs, label)}
    w2 = round(2 / math.sqrt(10), 6)
    assert edges == {
        ("a", "b"): (1.0, "5 shared references: Alpha; Beta; Kappa (+2 more)"),
        ("a", "c"): (w2, "2 shared references: Alpha; Zeta"),
        ("a", "d"): (w2, "2 shared references: Beta; Mu"),
        ("b", "c"): (w2, "2 shared references: Alpha; Zeta"),
        ("b", "d"): (w2, "2 shared references: Beta; Mu"),
    }
    # k = 1: each paper keeps its best edge (ties by the other row's number), the union stays.
    kept = [(e.src, e.dst) for e in coupling_edges(pairs, label, k=1)]
    assert kept == [("a", "b"), ("a", "c"), ("a", "d")]


def test_edges_go_from_the_smaller_name_in_name_order() -> None:
    """Rows named out of order: src < dst by name and the edges sorted by (src, dst)."""
    a = np.asarray([0, 0, 1, 1, 2, 2, 2, 3, 3])
    b = np.asarray([0, 1, 0, 1, 0, 1, 2, 2, 3])
    matrix = binary_matrix(a, b, (4, 4))
    edges = salton_edge_columns("coupling", "shared", matrix, ["z", "y", "x", "w"], list("ABCD"))
    assert list(zip(edges["src"], edges["dst"], strict=True)) == [
        ("x", "y"),
        ("x", "z"),
        ("y", "z"),
    ]
    assert edges["evidence"].to_pylist() == ["2 shared: A; B"] * 3
    assert edges["kind"] == ["coupling"] * 3


def _naive_coupling(
    held: dict[str, set[str]], label: dict[str, str], k: int
) -> dict[tuple[str, str], tuple[float, str]]:
    """The module docstring's rule, pair by pair with Python sets."""
    citers: dict[str, int] = {}
    for works in held.values():
        for w in works:
            citers[w] = citers.get(w, 0) + 1
    papers = sum(1 for works in held.values() if works)
    limit = max(HUB_FLOOR, min(HUB_SHARE * papers, HUB_MAX))
    counted = {p: {w for w in ws if 2 <= citers[w] <= limit} for p, ws in held.items()}
    best: dict[str, list[tuple[float, str]]] = {p: [] for p in held}
    found: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for p, q in itertools.combinations(sorted(held), 2):
        shared = counted[p] & counted[q]
        if len(shared) < MIN_SHARED:
            continue
        cosine = round(len(shared) / math.sqrt(len(counted[p]) * len(counted[q])), 6)
        if cosine < MIN_COUPLING:
            continue
        found[(p, q)] = (cosine, sorted(label.get(w, w) for w in shared))
        best[p].append((cosine, q))
        best[q].append((cosine, p))
    order = {p: i for i, p in enumerate(held)}  # ties: the other row's number
    keep = set()
    for p, candidates in best.items():
        for _, q in sorted(candidates, key=lambda c: (-c[0], order[c[1]]))[:k]:
            keep.add((min(p, q), max(p, q)))
    result = {}
    for pair in keep:
        cosine, names = found[pair]
        more = f" (+{len(names) - EVIDENCE_ITEMS} more)" if len(names) > EVIDENCE_ITEMS else ""
        shown = "; ".join(names[:EVIDENCE_ITEMS])
        result[pair] = (cosine, f"{len(names)} shared references: {shown}{more}")
    return result


@pytest.mark.parametrize("seed", [1, 2])
def test_coupling_matches_the_rule_pair_by_pair(seed: int) -> None:
    """400 papers citing 5-25 works each from a skewed pool (hubs, works cited once, heavy
    overlaps): the sparse computation keeps exactly the edges, weights and evidence that
    the rule gives pair by pair."""
    rng = random.Random(seed)
    pool = [f"w{i:04d}" for i in range(600)]
    weights = [1 / (i + 3) for i in range(len(pool))]
    held = {f"p{i:03d}": set(rng.choices(pool, weights, k=rng.randint(5, 25))) for i in range(400)}
    label = {w: f"Work {int(w[1:]) % 97:02d} {w}" for w in pool[::2]}  # half have titles
    pairs = [(p, w) for p, works in held.items() for w in sorted(works)]
    for k in (3, 10):
        edges = coupling_edges(pairs, label, k=k)
        got = {(e.src, e.dst): (e.weight, e.evidence) for e in edges}
        assert got == _naive_coupling(held, label, k)
        assert len(got) > 100  # the corpus has edges to compare
        assert any("more)" in evidence for _, evidence in got.values())
        assert [(e.src, e.dst) for e in edges] == sorted(got)


def test_references_works_and_cites_columns_by_hand() -> None:
    """Three papers. P1 cites P2 (by DOI, twice: one row, the first source), a work under
    two keys and P3 by title alone (no year to disagree); P2 cites the same work by its S2 id
    only (the keys met in P1's reference) and gives its title and year; P3 cites P2 by arXiv id.
    """
    work = Reference(("openalex:W9", "s2:abc"), None, None, "openalex")
    rows = [
        _row(
            "p1",
            "First Paper",
            ("doi:10.1/p1",),
            (
                Reference(("doi:10.1/p2",), "Second Paper", 2023, "s2"),
                Reference(("doi:10.1/p2",), None, None, "openalex"),
                work,
                Reference((), "Third  paper!", 2024, "s2"),
            ),
        ),
        _row(
            "p2",
            "Second Paper",
            ("doi:10.1/p2", "arxiv:2301.00002"),
            (Reference(("s2:abc",), "The Outside Work", 2019, "s2"),),
        ),
        _row(
            "p3",
            "Third Paper",
            ("openalex:W3",),
            (Reference(("arxiv:2301.00002",), None, None, "openalex"),),
        ),
    ]
    layer = citation_layer(rows, min_cited=2)
    assert [
        (r.paper_id, r.work_key, r.title, r.year, r.source, r.cited_paper)
        for r in layer.reference_rows()
    ] == [
        ("p1", "doi:10.1/p2", "Second Paper", 2023, "s2", "p2"),
        ("p1", "openalex:W3", "Third  paper!", 2024, "s2", "p3"),
        ("p1", "openalex:W9", None, None, "openalex", None),
        ("p2", "openalex:W9", "The Outside Work", 2019, "s2", None),
        ("p3", "doi:10.1/p2", None, None, "openalex", "p2"),
    ]
    # A corpus paper is named by its first key; P1's second reference to P2 is no second row.
    assert [
        (w.work_key, w.openalex_id, w.s2_id, w.title, w.year, w.cited_by) for w in layer.works
    ] == [("openalex:W9", "W9", "abc", "The Outside Work", 2019, 2)]
    assert [(e.src, e.dst, e.kind, e.weight, e.evidence) for e in layer.edge_rows()] == [
        ("p1", "p2", "cites", 1.0, "Semantic Scholar reference"),
        ("p1", "p3", "cites", 1.0, "Semantic Scholar reference"),
        ("p3", "p2", "cites", 1.0, "OpenAlex reference"),
        ("p1", "openalex:W9", "cites", 1.0, "OpenAlex reference"),
        ("p2", "openalex:W9", "cites", 1.0, "Semantic Scholar reference"),
    ]
    assert [(n.node_id, n.label) for n in layer.nodes] == [("openalex:W9", "The Outside Work")]
