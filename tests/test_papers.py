"""Tests for de-duplication and stable paper ids."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.records import Link, Paper
from graph.papers import merge_papers, paper_id_for


def _paper(title: str, source: str = "a.txt", position: int = 1, **fields: object) -> Paper:
    return Paper(title=title, source=source, position=position, **fields)  # type: ignore[arg-type]


def test_merge_papers_joins_title_variants_and_keeps_richest() -> None:
    """One row per normalised title; the dated, richer occurrence wins each field."""
    compact = _paper("Neural Operator: Learning Maps", "c.txt", 4, abstract="short")
    rich = _paper(
        "Neural operator - learning maps",
        "r.txt",
        9,
        abstract="a longer abstract",
        authors=5,
        published=date(2021, 8, 19),
        published_text="Aug 19, 2021",
        upvotes=3,
    )
    later = _paper("NEURAL OPERATOR: LEARNING MAPS", "s.txt", 2, upvotes=8, published_text="Aug 19")
    [row] = merge_papers([compact, rich, later])
    assert row.title == "Neural operator - learning maps"
    assert row.abstract == "a longer abstract"
    assert (row.authors, row.published, row.published_text, row.upvotes) == (
        5,
        date(2021, 8, 19),
        "Aug 19, 2021",
        8,
    )
    assert row.sources == (("c.txt", 4), ("r.txt", 9), ("s.txt", 2))


def test_merge_papers_joins_on_arxiv_id() -> None:
    """Occurrences with different titles but one arXiv id are one paper."""
    rows = merge_papers(
        [_paper("Title A", arxiv_id="2506.22712"), _paper("Title A (v2)", arxiv_id="2506.22712")]
    )
    assert len(rows) == 1 and rows[0].arxiv_id == "2506.22712"


def test_merge_papers_links_deduplicated_per_target() -> None:
    """The same target found in two occurrences is stored once per origin."""
    a = Link("https://github.com/X/Y.git", "repo", "github.com/x/y")
    b = Link("https://github.com/x/y", "repo", "github.com/x/y")
    [row] = merge_papers([_paper("T", links=(a,)), _paper("T", "b.txt", links=(b,))])
    assert [link.target for link in row.links] == ["github.com/x/y"]


@given(st.permutations(list(range(6))))
def test_merge_papers_order_independent(order: list[int]) -> None:
    """Input order changes neither ids nor chosen values."""
    papers = [
        _paper("Alpha Paper", "a.txt", 1, abstract="x" * 10),
        _paper("alpha paper", "b.txt", 2, abstract="y" * 20, authors=3),
        _paper("Beta", "a.txt", 2, published_text="May 1"),
        _paper("BETA", "c.txt", 7, published=date(2020, 5, 1), published_text="May 1, 2020"),
        _paper("Gamma", "c.txt", 1),
        _paper("Delta", "c.txt", 2, arxiv_id="2101.00001"),
    ]
    baseline = merge_papers(papers)
    assert merge_papers([papers[i] for i in order]) == baseline


def test_paper_id_for_is_stable_and_distinct() -> None:
    """Ids depend only on the normalised title (or the arXiv id when there is none)."""
    # Another interpreter (another hash seed) gives the same id: nothing salted goes into it.
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from graph.papers import paper_id_for; print(paper_id_for('alpha'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    )
    assert other.stdout.strip() == paper_id_for("alpha")
    assert paper_id_for("alpha") != paper_id_for("beta")
    assert paper_id_for("", "2101.00001") != paper_id_for("", "2101.00002")
    ids = {paper_id_for(f"title {random.Random(1).random()} {i}") for i in range(5000)}
    assert len(ids) == 5000


def test_merge_papers_same_title_distant_years_are_different_works() -> None:
    """A 1957 book and a 1966 article of one title stay two papers with distinct ids."""
    book = _paper("Dynamic Programming", "refs.bib", 1, published_text="1957")
    article = _paper("Dynamic programming", "refs.bib", 2, published_text="Jul 1966")
    rows = merge_papers([book, article])
    assert sorted(r.published_text or "" for r in rows) == ["1957", "Jul 1966"]
    assert len({r.paper_id for r in rows}) == 2


def test_merge_papers_same_title_adjacent_years_merge() -> None:
    """A preprint and its proceedings version a year later are one paper."""
    rows = merge_papers(
        [
            _paper("Tiny Graphs", "a.bib", 1, published_text="2023"),
            _paper("Tiny graphs", "b.json", 1, published=date(2024, 5, 1)),
            _paper("Tiny Graphs", "c.txt", 1),
        ]
    )
    assert len(rows) == 1 and len(rows[0].sources) == 3


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"arxiv_id": "2101.00001"}, {"arxiv_id": "2101.00002"}),
        ({"doi": "10.1000/a"}, {"doi": "10.1000/b"}),
    ],
)
def test_merge_papers_same_title_different_ids_are_different(
    first: dict[str, str], second: dict[str, str]
) -> None:
    """Titles that agree do not merge papers whose arXiv ids or DOIs differ."""
    rows = merge_papers(
        [_paper("Attention", "a", 1, **first), _paper("Attention", "b", 1, **second)]
    )
    assert len(rows) == 2 and len({r.paper_id for r in rows}) == 2


def test_merge_papers_arxiv_id_joins_despite_years() -> None:
    """One arXiv id is one paper, even when the dates given for it are years apart."""
    rows = merge_papers(
        [
            _paper("Old Title", "a", 1, arxiv_id="1901.00001", published_text="2019"),
            _paper("New Title", "b", 1, arxiv_id="1901.00001", published_text="2023"),
        ]
    )
    assert len(rows) == 1


def test_merge_papers_unique_title_id_unchanged() -> None:
    """A title only one paper has keeps the id of its title alone."""
    [row] = merge_papers([_paper("Lonely Title", published_text="1999", doi="10.1/x")])
    assert row.paper_id == paper_id_for("lonely title")


def test_merge_papers_keeps_doi_and_categories() -> None:
    """The DOI and the categories of the occurrences reach the row."""
    [row] = merge_papers(
        [
            _paper("T", "a", 1, categories=("cs.LG", "stat.ML")),
            _paper("T", "b", 1, doi="10.1/x", categories=("cs.LG",)),
        ]
    )
    assert (row.doi, row.categories) == ("10.1/x", ("cs.LG", "stat.ML"))


@given(st.permutations(list(range(5))))
def test_merge_papers_split_titles_order_independent(order: list[int]) -> None:
    """Which occurrences of a shared title meet never depends on input order."""
    papers = [
        _paper("Dynamic Programming", "a.bib", 1, published_text="1957"),
        _paper("Dynamic Programming", "b.bib", 1, published_text="1966"),
        _paper("Dynamic Programming", "c.txt", 1),
        _paper("dynamic programming", "d.txt", 4, published_text="1958"),
        _paper("Dynamic Programming", "e.json", 2, arxiv_id="2101.00009"),
    ]
    baseline = merge_papers(papers)
    assert merge_papers([papers[i] for i in order]) == baseline
