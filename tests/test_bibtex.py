"""BibTeX: LaTeX-decoded titles, ids from eprint/doi/url, links, and malformed entries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.bibtex import parse_bibtex
from collectors.titles import normalise_title
from paperweb.errors import InputError

NASTY_BIB = r"""% exported by a reference manager
@article{mueller2024,
  title = {{Schr\"{o}dinger {B}ridges for {\'E}tudes -- Routing \& Mixing}},
  author = {M{\"u}ller, Karl and Dupont, Ana{\"\i}s and Others},
  year = 2024, month = jun,
  eprint = {2506.22712v2}, archivePrefix = {arXiv},
  abstract = {We route {\em things}. Code: \url{https://github.com/Example/Bridges}.},
  note = {Project page at https://example.org/bridges/}
}

@misc{mueller2024,
  title = "A second entry under the same key",
}

@inproceedings{broken2020,
  title = {An entry with an {unbalanced brace,
  year = 2020
}

@article{doi2023,
  Title = "Tiny Graph Transformers",
  doi = {10.48550/arXiv.2401.00001},
  howpublished = {\url{https://bit.ly/AbC123}},
  year = {2023},
  month = {11},
}

@misc{notitle,
  author = {Nobody},
}
"""


def test_parse_bibtex_decodes_latex_and_reads_fields() -> None:
    """Accents, braces, -- and \\& are decoded; authors counted; eprint gives the arXiv id."""
    result = parse_bibtex(NASTY_BIB, "refs.bib")
    first = result.papers[0]
    assert first.title == "Schrödinger Bridges for Études – Routing & Mixing"
    assert first.authors == 3
    assert first.arxiv_id == "2506.22712"
    assert first.published is None and first.published_text == "Jun 2024"
    assert first.abstract == "We route things. Code: https://github.com/Example/Bridges."
    assert first.origin == "bibtex" and first.source == "refs.bib" and first.position == 1
    assert [(link.target, link.origin) for link in first.links] == [
        ("example.org/bridges", "bibtex")
    ]


def test_parse_bibtex_title_matches_plain_spelling() -> None:
    """The decoded title normalises like the same title typed without LaTeX."""
    title = parse_bibtex(NASTY_BIB, "refs.bib").papers[0].title
    assert normalise_title(title) == normalise_title(
        "Schrodinger Bridges for Etudes - Routing & Mixing"
    )


def test_parse_bibtex_doi_gives_arxiv_id_and_links() -> None:
    """A 10.48550/arXiv DOI gives the id; URLs in howpublished become links; case-insensitive keys."""
    second = parse_bibtex(NASTY_BIB, "refs.bib").papers[1]
    assert (second.title, second.arxiv_id, second.published_text) == (
        "Tiny Graph Transformers",
        "2401.00001",
        "Nov 2023",
    )
    assert [(link.kind, link.target) for link in second.links] == [("short", "bit.ly/AbC123")]


def test_parse_bibtex_reports_bad_entries_with_lines_and_reads_the_rest() -> None:
    """Duplicate keys, unbalanced braces and entries without title are reported by file:line."""
    result = parse_bibtex(NASTY_BIB, "refs.bib")
    assert len(result.papers) == 2
    assert result.skipped == (
        "refs.bib:11: duplicate BibTeX key 'mueller2024'; first entry kept",
        "refs.bib:15: malformed BibTeX entry '@inproceedings{broken2020,' (unbalanced braces "
        "or quotes?)",
        "refs.bib:28: entry 'notitle' has no title and no arXiv id",
    )


def test_parse_bibtex_handles_crlf_and_bom() -> None:
    """Windows line ends and a byte-order mark change nothing but the bytes."""
    windows = "\ufeff" + NASTY_BIB.replace("\n", "\r\n")
    assert parse_bibtex(windows, "refs.bib") == parse_bibtex(NASTY_BIB, "refs.bib")


@pytest.mark.parametrize(
    "text", ["no entries here", "@comment{just a comment}", "@misc{x, author = {A}}"]
)
def test_parse_bibtex_without_usable_entry_is_an_error(text: str) -> None:
    """A file with no usable entry raises one error naming the file."""
    with pytest.raises(InputError, match=r"^refs\.bib: no "):
        parse_bibtex(text, "refs.bib")


@given(
    st.lists(st.from_regex(r"[A-Za-z][a-z]{0,8}", fullmatch=True), min_size=1, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_parse_bibtex_braced_words_normalise_like_plain_title(
    words: list[str], braced: list[bool]
) -> None:
    """Protecting any words with braces (and the whole title) never changes the match key."""
    latex = " ".join(f"{{{w}}}" if b else w for w, b in zip(words, braced, strict=False))
    paper = parse_bibtex(f"@misc{{k, title = {{{{{latex}}}}}}}\n", "x.bib").papers[0]
    assert normalise_title(paper.title) == normalise_title(" ".join(words))
