"""arXiv id lists: every accepted spelling, comments, CRLF/BOM, and what is reported."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.arxiv_ids import looks_like_id_list, parse_arxiv_id, parse_id_list
from paperweb.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2506.22712", "2506.22712"),
        ("arXiv:2506.22712v2", "2506.22712"),
        ("ARXIV: 2506.22712", "2506.22712"),
        ("https://arxiv.org/abs/2506.22712", "2506.22712"),
        ("https://arxiv.org/pdf/2506.22712v1", "2506.22712"),
        ("https://arxiv.org/pdf/2506.22712v1.pdf", "2506.22712"),
        ("http://export.arxiv.org/abs/2506.22712?context=cs", "2506.22712"),
        ("https://huggingface.co/papers/2506.22712", "2506.22712"),
        ("huggingface.co/papers/2506.22712/", "2506.22712"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("arXiv:math.GT/0309136v1", "math.GT/0309136"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
    ],
)
def test_parse_arxiv_id_accepts_spellings(text: str, expected: str) -> None:
    """Ids, arXiv: prefixes, abs/pdf/HF URLs and old-style ids give the bare id without version."""
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2506.227",
        "25062.22712",
        "https://github.com/owner/repo",
        "https://arxiv.org/list/cs.LG/recent",
        "doi:10.1000/182",
        "Sparse Routing for Tiny Graph Transformers",
        "2506.22712 2401.00001",
    ],
)
def test_parse_arxiv_id_rejects_non_ids(text: str) -> None:
    """Anything that is not exactly one id or id URL is refused."""
    assert parse_arxiv_id(text) is None


@given(
    st.integers(7, 30), st.integers(1, 12), st.integers(1, 99999), st.integers(1, 9), st.booleans()
)
def test_parse_arxiv_id_strips_any_version(
    year: int, month: int, number: int, version: int, as_url: bool
) -> None:
    """Any new-style id, with any version, bare or as an abs URL, gives back the same bare id."""
    bare = f"{year:02d}{month:02d}.{number:05d}"
    text = f"https://arxiv.org/abs/{bare}v{version}" if as_url else f"arXiv:{bare}v{version}"
    assert parse_arxiv_id(text) == bare


def test_parse_id_list_reads_comments_crlf_bom_and_reports_bad_lines() -> None:
    """Comments and blank lines are ignored, duplicates kept once, a bad line named by file:line."""
    text = (
        "\ufeff# reading list\r\n"
        "2506.22712   # the main one\r\n"
        "\r\n"
        "https://huggingface.co/papers/2506.22712\r\n"
        "see the appendix\r\n"
        "https://arxiv.org/abs/2401.00001#section\r\n"
    )
    result = parse_id_list(text, "ids.txt")
    assert [(p.arxiv_id, p.position, p.title, p.origin) for p in result.papers] == [
        ("2506.22712", 1, "", "ids"),
        ("2401.00001", 2, "", "ids"),
    ]
    assert result.skipped == ("ids.txt:5: 'see the appendix' is not an arXiv id or URL",)


def test_parse_id_list_without_ids_is_an_error() -> None:
    """A file with comments only names itself in a one-line error."""
    with pytest.raises(InputError, match=r"^notes\.txt: no arXiv id found"):
        parse_id_list("# nothing here\n\n", "notes.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2506.22712\n", True),
        ("2506.22712\nnot an id\n", True),
        ("2506.22712\none\ntwo\n", False),
        ("just some notes\nabout nothing\n", False),
        ("# only a comment\n", False),
    ],
)
def test_looks_like_id_list_needs_half_the_lines(text: str, expected: bool) -> None:
    """A file counts as an id list when at least half its entries are ids."""
    assert looks_like_id_list(text) is expected
