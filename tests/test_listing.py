"""Tests for the listing-page parser, on real corpus pages and on pages written for the tests."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.inputs import read_text_file
from collectors.listing import parse_listing_page
from collectors.titles import normalise_title
from paperweb.errors import NotAListingPage
from tests.conftest import COMPACT_PAGE, CORPUS_PAGES, RICH_PAGE


@pytest.mark.parametrize(
    ("page", "papers", "with_meta"),
    [("000", 39, 39), ("003", 282, 0), ("004", 90, 87)],
)
def test_parse_listing_page_corpus_counts(
    corpus: Path, page: str, papers: int, with_meta: int
) -> None:
    """Each corpus page yields the documented number of papers and metadata blocks."""
    result = parse_listing_page(read_text_file(CORPUS_PAGES[page]), page)
    assert len(result.papers) == papers
    assert sum(1 for p in result.papers if p.authors and p.published_text) == with_meta
    assert result.skipped == ()


def test_parse_listing_page_corpus_fields(corpus: Path) -> None:
    """Titles, dates, upvotes and positions come out of the real page as written."""
    papers = parse_listing_page(read_text_file(CORPUS_PAGES["000"]), "000").papers
    first = papers[0]
    assert first.title == "Trying Bilinear Pooling in Video-QA"
    assert (first.authors, first.published, first.published_text) == (
        4,
        date(2020, 12, 18),
        "Dec 18, 2020",
    )
    assert [p.position for p in papers] == list(range(1, 40))
    voted = [p for p in papers if p.upvotes is not None]
    assert any(p.published == date(2024, 10, 1) and p.upvotes == 17 for p in voted)
    assert all(p.abstract and len(p.abstract) > 100 for p in papers)


def test_parse_listing_page_year_missing_keeps_text(corpus: Path) -> None:
    """A date without a year is stored as NULL with the original text kept."""
    papers = parse_listing_page(read_text_file(CORPUS_PAGES["004"]), "004").papers
    undated = [p for p in papers if p.published is None and p.published_text]
    assert undated, "004 has dates without a year"
    assert all("," not in (p.published_text or "") for p in undated)


def test_parse_listing_page_compact_layout_glued_subscribe(corpus: Path) -> None:
    """The compact layout's first title is separated from the glued 'Subscribe'."""
    papers = parse_listing_page(read_text_file(CORPUS_PAGES["003"]), "003").papers
    assert papers[0].title.startswith("AutoReP: Automatic ReLU Replacement")
    assert all(not p.title.startswith("Subscribe") for p in papers)


def test_parse_listing_page_rich_sample() -> None:
    """A rich page written for the tests gives titles, metadata and links."""
    papers = parse_listing_page(RICH_PAGE, "rich.txt").papers
    assert [p.title for p in papers] == [
        "Sparse Routing for Tiny Graph Transformers",
        "Koopman Operators Meet Spectral Graph Learning",
        "A Paper Without Metadata",
    ]
    assert (papers[0].authors, papers[0].published, papers[0].upvotes) == (4, date(2024, 2, 2), 12)
    assert (papers[1].published, papers[1].published_text) == (None, "Jan 5")
    assert papers[2].authors is None and papers[2].published_text is None
    assert [link.target for link in papers[0].links] == ["github.com/example-lab/tinyroute"]
    assert [link.target for link in papers[1].links] == ["github.com/example-lab/koopgraph"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.replace("\n", "\r\n"),
        lambda s: "\ufeff" + s,
        lambda s: s.replace(" ", "\u00a0"),
        lambda s: s.replace("\n", "   \n"),
        lambda s: s.replace("\n\n", "\n\n\n\n"),
    ],
    ids=["crlf", "bom", "nbsp", "trailing-spaces", "extra-blank-lines"],
)
def test_parse_listing_page_tolerates_whitespace_variants(mangle: object) -> None:
    """CRLF, a BOM, non-breaking and trailing spaces, extra blank lines change nothing."""
    expected = parse_listing_page(RICH_PAGE, "p").papers
    got = parse_listing_page(mangle(RICH_PAGE), "p").papers  # type: ignore[operator]
    assert [(p.title, p.authors, p.published, p.upvotes) for p in got] == [
        (p.title, p.authors, p.published, p.upvotes) for p in expected
    ]


def test_parse_listing_page_cut_off_keeps_complete_papers() -> None:
    """A page cut off mid-abstract keeps the complete papers and names the dropped one."""
    cut = RICH_PAGE[: RICH_PAGE.index("no author block") + 5]
    result = parse_listing_page(cut, "cut.txt")
    assert [p.title for p in result.papers] == [
        "Sparse Routing for Tiny Graph Transformers",
        "Koopman Operators Meet Spectral Graph Learning",
    ]
    assert len(result.skipped) == 1
    assert "cut.txt" in result.skipped[0] and "A Paper Without Metadata" in result.skipped[0]


def test_parse_listing_page_cut_after_title_reports_it() -> None:
    """A page that ends on a title line reports that paper as dropped."""
    result = parse_listing_page(COMPACT_PAGE + "A Last Title With No Abstract\n", "c.txt")
    assert len(result.papers) == 2
    assert "A Last Title With No Abstract" in result.skipped[0]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("\x00\x01binary\x00", "binary"),
        ("<!DOCTYPE html><html><body>Papers</body></html>", "HTML"),
        ("Lorem ipsum dolor sit amet.\nConsectetur adipiscing elit.\n", "not a Hugging Face"),
    ],
)
def test_parse_listing_page_refuses_non_pages(text: str, problem: str) -> None:
    """Text that is not a listing page raises one documented error naming the file."""
    with pytest.raises(NotAListingPage, match=problem) as info:
        parse_listing_page(text, "bad.txt")
    assert str(info.value).startswith("bad.txt: ")
    assert "\n" not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_listing_page_never_raises_anything_else(text: str) -> None:
    """No text makes the parser raise anything but NotAListingPage."""
    with contextlib.suppress(NotAListingPage):
        parse_listing_page(text, "fuzz.txt")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from([*RICH_PAGE.splitlines(), "", "·", "  • 3 authors", "Oct 1"]), max_size=40
    )
)
def test_parse_listing_page_shuffled_page_lines(lines: list[str]) -> None:
    """Page-like line soup either parses or raises NotAListingPage, never crashes."""
    try:
        result = parse_listing_page("Subscribe\n" + "\n".join(lines), "soup.txt")
    except NotAListingPage:
        return
    assert all(p.title and p.abstract for p in result.papers)


def test_normalise_title_folds_variants() -> None:
    """Case, accents, punctuation and spacing do not separate titles."""
    assert normalise_title("Schrödinger  Bridges: A Survey!") == normalise_title(
        "schrodinger bridges a survey"
    )
