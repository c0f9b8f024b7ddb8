"""BibTeX files: entries become papers (LaTeX decoded so titles match other inputs) and links."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Sequence
from datetime import date

from bibtexparser import middlewares
from bibtexparser.library import Library
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
    String,
)
from bibtexparser.splitter import Splitter

from collectors.arxiv_ids import parse_arxiv_id
from collectors.latex import decode_latex
from collectors.links import extract_links
from collectors.records import Link, Paper, ParseResult
from paperweb.errors import InputError

__all__ = [
    "bibtex_strings",
    "looks_like_bibtex",
    "normalise_doi",
    "paper_from_entry",
    "parse_bibtex",
]

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
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(\S+)$", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# "arXiv:1802.02219 [stat.ML]", "arXiv abs/1808.01340", "arXiv preprint arXiv:2401.00001v2",
# "ArXiv e-prints": the word arXiv, then (after filler) an id.
_ARXIV_IN_TEXT = re.compile(
    r"\barxiv\b(?:\s*(?:preprint|e-?prints?))?(?:\s*arxiv)?\s*[:/]?\s*(?:abs/)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?\b",
    re.IGNORECASE,
)
# DBLP writes arXiv papers as journal = {CoRR}, volume = {abs/1808.01340}.
_CORR_VOLUME = re.compile(r"^abs/(\S+)$", re.IGNORECASE)
# biblatex dates: 2006, 2006-05, 2006-05-17, or a range 2006-05/2006-07 (its start counts).
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:/.*)?$")
# LaTeX escapes that URLs in BibTeX carry (a\_b, 50\%); links are read from the raw value.
_URL_ESCAPE = re.compile(r"\\([_%#&~$])(?:\{\})?")
# Fields whose URLs are the paper's own (code, project page, a preprint), never its references.
_URL_FIELDS = ("url", "note", "howpublished", "code", "github", "project")


def looks_like_bibtex(text: str) -> bool:
    """True when ``text`` holds at least one ``@type{`` entry start."""
    return _ENTRY_START.search(text) is not None


def _raw(entry: Entry, name: str) -> str:
    """A field's value as written (macros resolved, outer braces removed), spacing collapsed."""
    found = entry.fields_dict.get(name)
    if found is None:
        return ""
    value = found.value
    return " ".join(value) if isinstance(value, list) else " ".join(str(value).split())


def _text(entry: Entry, name: str) -> str:
    """A field's value as readable text: LaTeX decoded."""
    return decode_latex(_raw(entry, name))


def _plain(entry: Entry, name: str) -> str:
    """A field's value without the braces that protect case (``Ar{X}iv`` is ``ArXiv``)."""
    return _raw(entry, name).replace("{", "").replace("}", "")


def _authors(entry: Entry) -> int | None:
    found = entry.fields_dict.get("author")
    if found is None:
        return None
    names = found.value if isinstance(found.value, list) else [found.value]
    names = [n for n in names if n.strip()]
    return len(names) or None


def _month(text: str) -> int:
    text = text.lower().rstrip(".")
    month = _MONTHS.get(text) or (int(text) if text.isdigit() else 0)
    return month if 1 <= month <= 12 else 0


def _dates(entry: Entry) -> tuple[date | None, str | None]:
    """``published`` (only a biblatex date with a day gives one) and ``published_text``.

    "Jun 2024" or "2024" from ``year``/``month``; a biblatex ``date`` when there is no year.
    """
    year = _plain(entry, "year")
    month = _month(_plain(entry, "month"))
    day = 0
    found = _DATE.match(_plain(entry, "date"))
    if found and (not year or year == found.group(1)):
        year = found.group(1)
        month = int(found.group(2) or month or 0)
        day = int(found.group(3) or 0)
        if not 1 <= month <= 12:
            month = day = 0
    if not year:
        return None, None
    if not re.fullmatch(r"\d{4}", year) or not month:
        return None, year
    text = f"{_MONTH_NAMES[month - 1]} {year}"
    if day:
        try:
            published = date(int(year), month, day)
        except ValueError:
            return None, text
        return published, f"{published:%b} {published.day}, {published.year}"
    return None, text


def normalise_doi(value: str) -> str | None:
    """A bare, lower-case DOI (``10.x/y``) from a DOI, ``doi:`` form or doi.org URL, else None."""
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if doi.startswith("10.") and "/" in doi else None


def _doi(entry: Entry) -> str | None:
    """The entry's DOI, unless it is an arXiv DOI (that one is the arXiv id)."""
    doi = normalise_doi(_plain(entry, "doi"))
    return None if doi is None or _ARXIV_DOI.match(doi) else doi


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _plain(entry, "eprint")
    prefix = (_plain(entry, "archiveprefix") or _plain(entry, "eprinttype")).lower()
    if eprint and prefix in ("", "arxiv"):
        found = parse_arxiv_id(eprint)
        if found:
            return found
    doi = _ARXIV_DOI.match(normalise_doi(_plain(entry, "doi")) or "")
    if doi:
        return parse_arxiv_id(doi.group(1))
    found = parse_arxiv_id(_plain(entry, "url"))
    if found:
        return found
    for name in ("journal", "journaltitle", "booktitle", "note", "howpublished", "eprint"):
        match = _ARXIV_IN_TEXT.search(_plain(entry, name))
        if match and (found := parse_arxiv_id(match.group("id"))):
            return found
    if _plain(entry, "journal").lower() == "corr":
        volume = _CORR_VOLUME.match(_plain(entry, "volume"))
        if volume:
            return parse_arxiv_id(volume.group(1))
    return None


def _links(entry: Entry) -> tuple[Link, ...]:
    found: dict[str, Link] = {}
    for name in _URL_FIELDS:
        for link in extract_links(_URL_ESCAPE.sub(r"\1", _raw(entry, name)), origin="bibtex"):
            found.setdefault(link.target, link)
    return tuple(found.values())


def paper_from_entry(entry: Entry, source: str, position: int) -> Paper | None:
    """One paper from a parsed BibTeX entry, or None when it has neither a title nor an arXiv id."""
    title = _text(entry, "title")
    arxiv_id = _arxiv_id(entry)
    if not title and not arxiv_id:
        return None
    published, published_text = _dates(entry)
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=_text(entry, "abstract"),
        authors=_authors(entry),
        published=published,
        published_text=published_text,
        arxiv_id=arxiv_id,
        doi=_doi(entry),
        links=_links(entry),
        keywords=tuple(k.strip() for k in re.split(r"[;,]", _text(entry, "keywords")) if k.strip()),
        origin="bibtex",
    )


def bibtex_strings(text: str) -> tuple[String, ...]:
    """The ``@string`` macros a BibTeX file defines, for the other files of a build."""
    if "@" not in text:
        return ()
    return tuple(Splitter(text.lstrip("\ufeff")).split().strings)


def _first_fields(entry: Entry) -> list[str]:
    """Keep the first of repeated fields (as BibTeX does), with names in lower case; return
    the repeated names."""
    kept: dict[str, Field] = {}
    repeated: list[str] = []
    for item in entry.fields:
        name = item.key.lower()
        if name in kept:
            if name not in repeated:
                repeated.append(name)
            continue
        item.key = name
        kept[name] = item
    entry.fields = list(kept.values())
    return repeated


def _imbalance(raw: str) -> str | None:
    """ "braces" or "quotes" when a failed block's raw text leaves one of them open."""
    depth = quotes = 0
    for char in re.sub(r"\\.", "", raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "braces"
        elif char == '"' and depth <= 1:
            # Quotes delimit a value only at the entry's own level, not inside {...}.
            quotes += 1
    if quotes % 2:
        return "quotes"
    return "braces" if depth else None


def _failure(block: ParsingFailedBlock, source: str) -> str:
    """One line saying which block failed and why."""
    line = (block.start_line or 0) + 1
    first = (block.raw or "").split("\n", 1)[0].strip()
    if isinstance(block, DuplicateBlockKeyBlock):
        earlier = (block.previous_block.start_line or 0) + 1
        return (
            f"{source}:{line}: duplicate BibTeX key {block.key!r} (first used at line "
            f"{earlier}); first entry kept"
        )
    # The splitter says where it gave up; when that is the next entry's start, this entry
    # left a brace or quote open.
    said = str(getattr(block.error, "abort_reason", "") or block.error).strip().splitlines()
    open_ = _imbalance(block.raw or "")
    if open_ and (not said or said[0].startswith("Unexpected block start")):
        reason = f"unbalanced {open_}"
    elif said:
        reason = said[0][:120]
    else:
        reason = f"cannot parse it ({type(block.error).__name__})"
    return f"{source}:{line}: malformed BibTeX entry {first[:60]!r} ({reason})"


# BibTeX's own month macros, for the pieces of a concatenation (``jan # "~15"``).
_MONTH_MACROS = {
    name: full
    for full in (
        "January February March April May June July August September October November December"
    ).split()
    for name in (full[:3].lower(),)
}


def _pieces(value: str) -> list[str] | None:
    """The pieces of a ``#``-joined value (``foo # " bar"``), or None when it has one piece
    or is not well formed."""
    pieces: list[str] = []
    i, n = 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return None
        start = i
        if value[i] in '{"':
            # A braced piece ends at its closing brace; a quoted one at a quote outside braces.
            quoted, depth = value[i] == '"', 0
            i += 1 if quoted else 0
            while i < n:
                char = value[i]
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                    if depth == 0 and not quoted:
                        break
                elif char == '"' and quoted and depth == 0:
                    break
                i += 1
            if i >= n:
                return None
            i += 1
        else:
            while i < n and not value[i].isspace() and value[i] != "#":
                i += 1
        pieces.append(value[start:i])
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return pieces if len(pieces) > 1 else None
        if value[i] != "#":
            return None
        i += 1


def _piece_text(piece: str, macros: dict[str, str]) -> str | None:
    """One piece as text: braces or quotes removed, a number as written, a macro resolved."""
    if piece[0] in '{"':
        return piece[1:-1]
    if piece.isdigit():
        return piece
    key = piece.lower()
    return macros.get(key, _MONTH_MACROS.get(key))


def _joined(value: str, macros: dict[str, str], undefined: list[str]) -> str | None:
    """A ``#``-joined value as one text, or None when it is no concatenation."""
    pieces = _pieces(value)
    if pieces is None:
        return None
    texts = []
    for piece in pieces:
        text = _piece_text(piece, macros)
        if text is None:
            undefined.append(piece)
        texts.append(text or "")
    return "".join(texts)


def _concatenate(
    library: Library, macros_in_order: Sequence[String], source: str, notes: list[str]
) -> None:
    """Resolve ``#`` concatenations in @string values and entry fields (bibtexparser keeps
    them as written), each into one braced value; undefined macros are noted and left out."""
    macros: dict[str, str] = {}
    for string in macros_in_order:
        value = string.value if isinstance(string.value, str) else ""
        joined = _joined(value, macros, [])
        if joined is None:
            stripped = value.strip()
            enclosed = stripped[:1] in ("{", '"') and len(stripped) > 1
            joined = stripped[1:-1] if enclosed else _piece_text(stripped, macros) or stripped
        macros[string.key.lower()] = joined
        string.value = "{" + joined + "}"
    for entry in library.entries:
        undefined: list[str] = []
        for item in entry.fields:
            if isinstance(item.value, str) and "#" in item.value:
                joined = _joined(item.value, macros, undefined)
                if joined is not None:
                    item.value = "{" + joined + "}"
        if undefined:
            names = ", ".join(repr(name) for name in dict.fromkeys(undefined))
            notes.append(
                f"{source}:{(entry.start_line or 0) + 1}: entry {entry.key!r} uses undefined "
                f"@string {names}; left out"
            )


def _library(
    text: str, source: str, shared: Sequence[String], notes: list[str]
) -> tuple[Library, int]:
    """Split ``text``, lend it the macros of other files it does not define, keep entries
    with repeated fields (first value), and resolve macros; also return how many macros
    the file defines itself."""
    library = Splitter(text.lstrip("\ufeff")).split()
    own = list(library.strings)
    own_strings = len(own)
    defined = {key.lower() for key in library.strings_dict}
    lent: list[String] = []
    for string in shared:
        if string.key.lower() not in defined:
            defined.add(string.key.lower())
            lent.append(copy.deepcopy(string))
    if lent:
        blocks: list[Block] = list(lent)
        library.add(blocks, fail_on_duplicate_key=False)
    # Lent macros come from files of their own, so they cannot use this file's.
    _concatenate(library, [*lent, *own], source, notes)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            entry = block.ignore_error_block
            library.remove(block)
            library.add(entry, fail_on_duplicate_key=False)
    for entry in library.entries:
        names = _first_fields(entry)
        if names:
            fields = ", ".join(repr(name) for name in names)
            notes.append(
                f"{source}:{(entry.start_line or 0) + 1}: entry {entry.key!r} repeats field "
                f"{fields}; first value kept"
            )
    for middleware in (
        middlewares.ResolveStringReferencesMiddleware(),
        middlewares.RemoveEnclosingMiddleware(),
        middlewares.SeparateCoAuthors(),
    ):
        library = middleware.transform(library=library)
    return library, own_strings


def parse_bibtex(
    text: str,
    source: str,
    shared_strings: Sequence[String] = (),
    *,
    strings_only_ok: bool = False,
) -> ParseResult:
    """Every usable entry of a BibTeX file; malformed or duplicate entries are reported by line.

    ``shared_strings`` are ``@string`` macros of the other files of the build (a file's own
    definitions win). A file of macros only is fine when ``strings_only_ok`` (it serves
    the others), else an error.
    """
    if not looks_like_bibtex(text):
        raise InputError(f"{source}: no BibTeX entry (@article{{...}}) found")
    notes: list[str] = []
    library, own_strings = _library(text, source, shared_strings, notes)
    skipped = [
        _failure(block, source)
        for block in library.failed_blocks
        if not isinstance(block.ignore_error_block, String)
    ]
    skipped += notes
    papers: list[Paper] = []
    for entry in sorted(library.entries, key=lambda e: e.start_line or 0):
        paper = paper_from_entry(entry, source, len(papers) + 1)
        if paper is None:
            skipped.append(
                f"{source}:{(entry.start_line or 0) + 1}: entry {entry.key!r} has no title "
                "and no arXiv id"
            )
            continue
        papers.append(paper)
    if not papers:
        if not library.entries and own_strings and strings_only_ok:
            return ParseResult(papers=(), skipped=tuple(skipped))
        if not library.entries and own_strings:
            raise InputError(
                f"{source}: holds only @string macros, no entries; build it together with "
                "the bibliographies that use them"
            )
        raise InputError(f"{source}: no usable BibTeX entry (each needs a title or an arXiv id)")
    return ParseResult(papers=tuple(papers), skipped=tuple(sorted(skipped, key=_line_of)))


def _line_of(message: str) -> int:
    found = re.search(r":(\d+): ", message)
    return int(found.group(1)) if found else 0
