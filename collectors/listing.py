"""Parse pages copied from the Hugging Face Papers search into Paper records.

Two layouts occur (see ../shared/corpus/README.md):

* **rich**: a page header, then per paper a title line, an abstract line and
  usually a metadata block (``• N authors`` / ``·`` / ``Mon D[, YYYY] [upvotes]``),
  blocks separated by blank lines;
* **compact**: two header lines, ``Subscribe`` glued to the first title, then
  strictly alternating title and abstract lines with no metadata.

The parser works on non-blank lines only, so extra blank lines, CRLF, a BOM,
non-breaking spaces and trailing spaces make no difference.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from collectors.links import extract_links
from collectors.records import Paper, ParseResult
from paperweb.errors import NotAListingPage

__all__ = ["looks_like_listing_page", "parse_listing_page"]

# Lines of the page chrome, compared after whitespace folding and lower-casing.
_HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "daily papers",
        "byak and the research community",
    }
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_MONTH_RE = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE_RE = re.compile(
    _MONTH_RE + r"\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<upvotes>\d{1,7}))?",
    re.IGNORECASE,
)
_AUTHORS_RE = re.compile(r"[•·*\-]?\s*(?P<n>\d{1,5})\s+authors?", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"[·•|]")
_UPVOTES_RE = re.compile(r"\d{1,7}")
_SUBSCRIBE_GLUED = re.compile(r"^Subscribe(?=\S)")
# A complete abstract ends like a sentence, a URL or a closing bracket.
_COMPLETE_END = re.compile(r"""[.!?)\]}"'”’…]$|https?://\S+$|\w/$""")
_TITLE_MAX = 400
_MAX_BYTES = 1 << 30


@dataclass(slots=True)
class _Draft:
    title: str
    line: int
    abstract: str | None = None
    authors: int | None = None
    published: date | None = None
    published_text: str | None = None
    upvotes: int | None = None
    has_meta: bool = False


def _clean_line(line: str) -> str:
    """Fold the whitespace variants copied pages carry into plain single spaces."""
    line = unicodedata.normalize("NFC", line.replace("\ufeff", ""))
    return " ".join(line.replace("\u00a0", " ").split())


def _meta_kind(line: str) -> str | None:
    """Classify a line of the metadata block, or None if it is not one."""
    if _AUTHORS_RE.fullmatch(line):
        return "authors"
    if _SEPARATOR_RE.fullmatch(line):
        return "separator"
    if _DATE_RE.fullmatch(line):
        return "date"
    return None


def _apply_date(draft: _Draft, line: str) -> None:
    match = _DATE_RE.fullmatch(line)
    assert match is not None
    month = _MONTHS[match["month"][:3].lower()]
    day = int(match["day"])
    text = f"{match['month'][:3].title()} {day}"
    if match["year"]:
        text += f", {match['year']}"
        try:
            draft.published = date(int(match["year"]), month, day)
        except ValueError:
            draft.published = None
    draft.published_text = text
    if match["upvotes"]:
        draft.upvotes = int(match["upvotes"])


def looks_like_listing_page(text: str) -> bool:
    """True when ``text`` carries the header or the metadata blocks of a listing page."""
    head = [_clean_line(line).lower() for line in text[:4000].splitlines()[:12]]
    if any(line in _HEADER_LINES or line.startswith("subscribe") for line in head if line):
        return True
    return any(_AUTHORS_RE.fullmatch(_clean_line(line)) for line in text[:200_000].splitlines())


def _check_text(text: str, source: str) -> None:
    """Refuse input that cannot be a listing page, with a message naming the file."""
    if not text.strip():
        raise NotAListingPage(
            f"{source}: file is empty; expected a Hugging Face Papers listing page"
        )
    if "\x00" in text[:65536]:
        raise NotAListingPage(
            f"{source}: file is binary; expected a Hugging Face Papers listing page"
        )
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")):
        raise NotAListingPage(
            f"{source}: file is HTML; expected the page's text (select all and copy "
            "the Hugging Face Papers page, then paste into a .txt file)"
        )
    if not looks_like_listing_page(text):
        raise NotAListingPage(
            f"{source}: not a Hugging Face Papers listing page (no 'Subscribe'/'Daily Papers' "
            "header and no '• N authors' lines)"
        )


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-blank cleaned lines with their 1-based line numbers, header removed."""
    numbered = [(no, _clean_line(raw)) for no, raw in enumerate(text.splitlines(), 1)]
    numbered = [(no, line) for no, line in numbered if line]
    start = 0
    # The header: known chrome lines, then in the rich layout the page's own date.
    while start < len(numbered):
        line = numbered[start][1]
        if line.lower() in _HEADER_LINES:
            start += 1
            continue
        glued = _SUBSCRIBE_GLUED.match(line)
        if glued:
            numbered[start] = (numbered[start][0], line[glued.end() :])
            break
        if (
            start > 0
            and _DATE_RE.fullmatch(line)
            and numbered[start - 1][1].lower() in _HEADER_LINES
        ):
            start += 1
            continue
        break
    return numbered[start:]


def _read_drafts(lines: list[tuple[int, str]]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for no, line in lines:
        kind = _meta_kind(line) if current is not None and current.abstract is not None else None
        if kind is not None and current is not None:
            current.has_meta = True
            if kind == "authors":
                match = _AUTHORS_RE.fullmatch(line)
                assert match is not None
                current.authors = int(match["n"])
            elif kind == "date":
                _apply_date(current, line)
            continue
        if (
            current is not None
            and current.has_meta
            and current.published_text is not None
            and current.upvotes is None
            and _UPVOTES_RE.fullmatch(line)
        ):
            current.upvotes = int(line)
            continue
        if current is None or current.abstract is not None:
            current = _Draft(title=line, line=no)
            drafts.append(current)
        else:
            current.abstract = line
    return drafts


def parse_listing_page(text: str, source: str) -> ParseResult:
    """Read every complete paper of a listing page; report what had to be dropped.

    >>> page = "Subscribe\\n\\nA Title\\n\\nAn abstract.\\n\\n  • 3 authors\\n·\\nMay 2, 2024 7\\n"
    >>> [(p.title, p.authors, str(p.published), p.upvotes) for p in parse_listing_page(page, "x").papers]
    [('A Title', 3, '2024-05-02', 7)]
    """
    _check_text(text, source)
    drafts = _read_drafts(_lines(text))
    papers: list[Paper] = []
    skipped: list[str] = []
    ends_cleanly = text.endswith(("\n", "\r"))
    for index, draft in enumerate(drafts):
        last = index == len(drafts) - 1
        if draft.abstract is None:
            skipped.append(
                f"{source}:{draft.line}: paper {draft.title[:80]!r} has no abstract (page cut off?)"
            )
            continue
        if (
            last
            and not draft.has_meta
            and not ends_cleanly
            and not _COMPLETE_END.search(draft.abstract)
        ):
            skipped.append(
                f"{source}:{draft.line}: paper {draft.title[:80]!r} is cut off mid-abstract"
            )
            continue
        if len(draft.title) > _TITLE_MAX:
            skipped.append(
                f"{source}:{draft.line}: line of {len(draft.title)} characters is not a title"
            )
            continue
        papers.append(
            Paper(
                title=draft.title,
                source=source,
                position=len(papers) + 1,
                abstract=draft.abstract,
                authors=draft.authors,
                published=draft.published,
                published_text=draft.published_text,
                upvotes=draft.upvotes,
                links=extract_links(draft.abstract),
            )
        )
    if not papers:
        raise NotAListingPage(
            f"{source}: no complete paper found (a title line followed by an abstract line)"
        )
    return ParseResult(papers=tuple(papers), skipped=tuple(skipped))
