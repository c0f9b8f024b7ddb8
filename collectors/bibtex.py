"""BibTeX files: entries become papers (LaTeX decoded so titles match other inputs) and links."""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from collectors.arxiv_ids import parse_arxiv_id
from collectors.links import extract_links
from collectors.records import Link, Paper, ParseResult
from paperweb.errors import InputError

__all__ = ["looks_like_bibtex", "paper_from_entry", "parse_bibtex"]

# bibtexparser logs each failed block on its own; we report them once, with file and line.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_MONTH_NAMES = ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split()
_ARXIV_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.(\S+)$", re.IGNORECASE)
# Fields whose URLs are the paper's own (code, project page, a preprint), never its references.
_URL_FIELDS = ("url", "note", "howpublished", "code", "github", "project")


def looks_like_bibtex(text: str) -> bool:
    """True when ``text`` holds at least one ``@type{`` entry start."""
    return _ENTRY_START.search(text) is not None


def _field(entry: Entry, name: str) -> str:
    found = entry.fields_dict.get(name)
    if found is None:
        # Field names are case-insensitive in BibTeX (archivePrefix, ArchivePrefix, ...).
        found = next((f for f in entry.fields if f.key.lower() == name.lower()), None)
    if found is None:
        return ""
    value = found.value
    return " ".join(value) if isinstance(value, list) else " ".join(str(value).split())


def _authors(entry: Entry) -> int | None:
    found = entry.fields_dict.get("author")
    if found is None:
        return None
    names = found.value if isinstance(found.value, list) else [found.value]
    names = [n for n in names if n.strip()]
    return len(names) or None


def _published_text(entry: Entry) -> str | None:
    """ "Jun 2024" or "2024": BibTeX dates have no day, so they never fill ``published``."""
    year = _field(entry, "year")
    if not year:
        return None
    month_text = _field(entry, "month").lower().rstrip(".")
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 0)
    if re.fullmatch(r"\d{4}", year) and 1 <= month <= 12:
        return f"{_MONTH_NAMES[month - 1]} {year}"
    return year


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _field(entry, "eprint")
    prefix = _field(entry, "archiveprefix").lower()
    if eprint and prefix in ("", "arxiv"):
        found = parse_arxiv_id(eprint)
        if found:
            return found
    doi = _ARXIV_DOI.match(_field(entry, "doi"))
    if doi:
        return parse_arxiv_id(doi.group(1))
    for name in ("url", "journal"):
        found = parse_arxiv_id(_field(entry, name).removeprefix("arXiv preprint "))
        if found:
            return found
    return None


def _links(entry: Entry) -> tuple[Link, ...]:
    found: dict[str, Link] = {}
    for name in _URL_FIELDS:
        for link in extract_links(_field(entry, name), origin="bibtex"):
            found.setdefault(link.target, link)
    return tuple(found.values())


def paper_from_entry(entry: Entry, source: str, position: int) -> Paper | None:
    """One paper from a decoded BibTeX entry, or None when it has neither a title nor an arXiv id."""
    title = _field(entry, "title")
    arxiv_id = _arxiv_id(entry)
    if not title and not arxiv_id:
        return None
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=_field(entry, "abstract"),
        authors=_authors(entry),
        published_text=_published_text(entry),
        arxiv_id=arxiv_id,
        links=_links(entry),
        keywords=tuple(
            k.strip() for k in re.split(r"[;,]", _field(entry, "keywords")) if k.strip()
        ),
        origin="bibtex",
    )


def parse_bibtex(text: str, source: str) -> ParseResult:
    """Every usable entry of a BibTeX file; malformed or duplicate entries are reported by line."""
    if not looks_like_bibtex(text):
        raise InputError(f"{source}: no BibTeX entry (@article{{...}}) found")
    library = bibtexparser.parse_string(
        text.lstrip("\ufeff"),
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
        ],
    )
    skipped: list[str] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            skipped.append(f"{source}:{line}: duplicate BibTeX key {block.key!r}; first entry kept")
        else:
            first = (block.raw or "").split("\n", 1)[0].strip()
            skipped.append(
                f"{source}:{line}: malformed BibTeX entry {first[:60]!r} (unbalanced braces "
                "or quotes?)"
            )
    papers: list[Paper] = []
    for entry in library.entries:
        paper = paper_from_entry(entry, source, len(papers) + 1)
        if paper is None:
            skipped.append(
                f"{source}:{(entry.start_line or 0) + 1}: entry {entry.key!r} has no title "
                "and no arXiv id"
            )
            continue
        papers.append(paper)
    if not papers:
        raise InputError(f"{source}: no usable BibTeX entry (each needs a title or an arXiv id)")
    return ParseResult(papers=tuple(papers), skipped=tuple(skipped))
