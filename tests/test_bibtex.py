"""BibTeX: LaTeX-decoded titles, ids from eprint/doi/url, links, and malformed entries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.bibtex import bibtex_strings, parse_bibtex
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
    """Duplicate keys (with the first's line), unbalanced braces and entries without title are
    reported by file:line."""
    result = parse_bibtex(NASTY_BIB, "refs.bib")
    assert len(result.papers) == 2
    assert result.skipped == (
        "refs.bib:11: duplicate BibTeX key 'mueller2024' (first used at line 2); first entry kept",
        "refs.bib:15: malformed BibTeX entry '@inproceedings{broken2020,' (unbalanced braces)",
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


STRINGS_BIB = r"""@string{tcs = {Theoretical Computer Science}}
@String{KNUTH = "Donald E. Knuth"}
"""
USES_STRINGS_BIB = r"""@Book{knuth1986,
  Title = {{\TeX}: The Program},
  Author = KNUTH,
  Year = 1986,
  Journal = tcs,
}
"""


def test_parse_bibtex_macros_of_other_files_resolve() -> None:
    """@string macros handed over from another file fill fields that name them."""
    shared = bibtex_strings(STRINGS_BIB)
    [paper] = parse_bibtex(USES_STRINGS_BIB, "refs.bib", shared).papers
    assert paper.authors == 1
    assert paper.title == "TeX: The Program"


def test_parse_bibtex_own_macro_wins_over_shared() -> None:
    """A file's own @string definition wins over one lent by another file."""
    own = '@string{me = "A. One and B. Two"}\n@misc{x, title = {T}, author = me}\n'
    shared = bibtex_strings('@string{me = "Only One"}')
    assert parse_bibtex(own, "own.bib", shared).papers[0].authors == 2


def test_parse_bibtex_strings_only_file() -> None:
    """A file of macros alone is fine beside other files, and an error on its own."""
    assert parse_bibtex(STRINGS_BIB, "strings.bib", strings_only_ok=True).papers == ()
    with pytest.raises(InputError, match=r"^strings\.bib: holds only @string macros"):
        parse_bibtex(STRINGS_BIB, "strings.bib")


def test_parse_bibtex_capitalised_field_names() -> None:
    """Author, TITLE, Year and EPrint/ArchivePrefix are read whatever their case."""
    text = (
        "@ARTICLE{ads, TITLE = {Upper Case Fields}, Author = {Doe, J. and Roe, R. and Poe, P.},\n"
        "  YEAR = 2021, Month = Mar, EPrint = {2103.00001}, ArchivePrefix = {arXiv}}\n"
    )
    [paper] = parse_bibtex(text, "ads.bib").papers
    assert (paper.title, paper.authors, paper.published_text, paper.arxiv_id) == (
        "Upper Case Fields",
        3,
        "Mar 2021",
        "2103.00001",
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("journal = {Ar{X}iv:1802.02219 [stat.ML]}", "1802.02219"),
        ("booktitle = {arXiv abs/1808.01340}", "1808.01340"),
        ("journal = {arXiv preprint arXiv:2401.00001v3}", "2401.00001"),
        ("journal = {ArXiv e-prints}, eprint = {2305.12345}", "2305.12345"),
        ("journal = {CoRR}, volume = {abs/1901.00042}", "1901.00042"),
        ("note = {arXiv:hep-th/9901001}", "hep-th/9901001"),
        ("eprinttype = {arxiv}, eprint = {2201.00007}", "2201.00007"),
        ("doi = {10.48550/arXiv.2312.00011}", "2312.00011"),
        ("journal = {Journal of Arbitrary Results}, volume = {1802}", None),
    ],
)
def test_parse_bibtex_arxiv_id_in_text_fields(field: str, expected: str | None) -> None:
    """arXiv ids written into journal, booktitle or note (category suffix, abs/) are found."""
    [paper] = parse_bibtex(f"@article{{k, title = {{T}}, {field}}}\n", "x.bib").papers
    assert paper.arxiv_id == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"{\TeX}: The Program", "TeX: The Program"),
        (r"The {\TeX book}", "The TeXbook"),
        (r"The {\LaTeX} Companion", "The LaTeX Companion"),
        (r"Self\hyphen{}Attention", "Self-Attention"),
        (r"Graphs {\mdash} and Trees", "Graphs — and Trees"),
        (r"A \~{} Tilde", "A ~ Tilde"),
        (r"Bounds of $O(n^2)$ for $\alpha$-Stable Laws", "Bounds of O(n^2) for α-Stable Laws"),
        (r"Sorting in $O(n \log n)$ Time", "Sorting in O(n log n) Time"),
    ],
)
def test_parse_bibtex_title_macros_decoded(title: str, expected: str) -> None:
    """Logos, dash macros and empty accents become text, and math stays readable."""
    [paper] = parse_bibtex(f"@book{{k, title = {{{title}}}}}\n", "x.bib").papers
    assert paper.title == expected


@pytest.mark.parametrize(
    ("fields", "published", "text"),
    [
        ("date = {2006-05}", None, "May 2006"),
        ("date = {2006}", None, "2006"),
        ("date = {2006-05-17}", date(2006, 5, 17), "May 17, 2006"),
        ("date = {2006-05/2006-07}", None, "May 2006"),
        ("year = 2007, date = {2006-05}", None, "2007"),
        ("year = 2006, month = may, date = {2006-05-17}", date(2006, 5, 17), "May 17, 2006"),
    ],
)
def test_parse_bibtex_biblatex_date(fields: str, published: date | None, text: str) -> None:
    """biblatex's date serves when there is no year (or agrees with it); a day gives a date."""
    [paper] = parse_bibtex(f"@book{{k, title = {{T}}, {fields}}}\n", "x.bib").papers
    assert (paper.published, paper.published_text) == (published, text)


def test_parse_bibtex_repeated_field_named_and_first_value_kept() -> None:
    """An entry that repeats a field is kept with its first value, and the report says so."""
    text = (
        "@article{twice,\n  title = {First Title},\n  year = 2020,\n  title = {Second},\n}\n"
        "@article{cased, Title = {Cased}, title = {again}}\n"
    )
    result = parse_bibtex(text, "refs.bib")
    assert [p.title for p in result.papers] == ["First Title", "Cased"]
    assert result.skipped == (
        "refs.bib:1: entry 'twice' repeats field 'title'; first value kept",
        "refs.bib:6: entry 'cased' repeats field 'title'; first value kept",
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ('@misc{q, title = "open quote, year = 2020}', "unbalanced quotes"),
        ("@misc{b, title = {open brace, year = 2020", "unbalanced braces"),
        ("@misc{c title = {no comma}}", "Expected comma after entry key, but found ="),
    ],
)
def test_parse_bibtex_malformed_entry_reason(entry: str, reason: str) -> None:
    """A malformed entry's report says what is wrong with it."""
    result = parse_bibtex(f"{entry}\n@misc{{ok, title = {{Fine}}}}\n", "x.bib")
    [line] = result.skipped
    assert line.startswith("x.bib:1: malformed BibTeX entry ") and line.endswith(f"({reason})")
    assert [p.title for p in result.papers] == ["Fine"]


def test_parse_bibtex_doi_kept_apart_from_arxiv_doi() -> None:
    """A journal DOI is the paper's DOI (bare, lower case); an arXiv DOI is its arXiv id."""
    text = (
        "@article{j, title = {J}, doi = {https://doi.org/10.1000/ABC.1}}\n"
        "@article{a, title = {A}, doi = {10.48550/arXiv.2401.00001}}\n"
    )
    journal, preprint = parse_bibtex(text, "x.bib").papers
    assert (journal.doi, journal.arxiv_id) == ("10.1000/abc.1", None)
    assert (preprint.doi, preprint.arxiv_id) == (None, "2401.00001")


def test_parse_bibtex_url_escapes_in_links() -> None:
    """LaTeX escapes inside URL fields (a\\_b) do not cut the link short."""
    [paper] = parse_bibtex(
        r"@misc{k, title = {T}, url = {https://example.org/my\_project}}" + "\n", "x.bib"
    ).papers
    assert [link.url for link in paper.links] == ["https://example.org/my_project"]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_titles_fold_as_unicode_ones_do(title: str) -> None:
    """The fast ASCII path folds exactly as the Unicode one: a title with an accent added (so
    taking the Unicode path) folds to the title with the bare letter (the ASCII path)."""
    assert normalise_title(title + " Café") == normalise_title(title + " cafe")
