"""arXiv id lists: one id or arXiv / Hugging Face URL per line, read into papers known by id."""

from __future__ import annotations

import re

from collectors.records import Paper, ParseResult
from paperweb.errors import InputError

__all__ = ["looks_like_id_list", "parse_arxiv_id", "parse_id_list", "placeholder_title"]

# New-style ids (0704.0001 onwards: 4 digits, a dot, 4 or 5 digits) and old-style ids
# (archive[.subject-class]/YYMMNNN), each with an optional version suffix.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
_PREFIX = r"""(?:
    arxiv:\s*
  | (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/
  | (?:https?://)?(?:www\.)?huggingface\.co/papers/
)?"""
_FORMS = re.compile(rf"^{_PREFIX}{_ID}(?:\.pdf)?/?(?:[?#]\S*)?$", re.IGNORECASE | re.VERBOSE)


def parse_arxiv_id(text: str) -> str | None:
    """The bare arXiv id (version stripped) in an id or URL, or None when it is not one.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2506.22712v1")
    '2506.22712'
    >>> parse_arxiv_id("arXiv:hep-th/9901001v3")
    'hep-th/9901001'
    >>> parse_arxiv_id("not an id") is None
    True
    """
    match = _FORMS.match(text.strip())
    if match is None:
        return None
    found = match.group("id")
    # Old-style archive names are lower case; the subject class (math.GT) keeps its capitals.
    archive, slash, number = found.partition("/")
    if not slash:
        return found
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def placeholder_title(arxiv_id: str) -> str:
    """The title shown for a paper known only by its arXiv id (never used for matching)."""
    return f"arXiv:{arxiv_id}"


def _entries(text: str) -> list[tuple[int, str]]:
    """Non-blank lines that are not comments, with their 1-based numbers; trailing comments cut."""
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        # A URL may carry a #fragment, so only "#" at the start or after a space opens a comment.
        line = re.split(r"(?:^|\s)#", raw.replace("\ufeff", ""), maxsplit=1)[0].strip()
        if line:
            found.append((number, line))
    return found


def looks_like_id_list(text: str) -> bool:
    """True when at least half the non-comment lines (and at least one) are arXiv ids or URLs."""
    entries = _entries(text)[:200]
    good = sum(1 for _, line in entries if parse_arxiv_id(line) is not None)
    return good > 0 and good * 2 >= len(entries)


def parse_id_list(text: str, source: str) -> ParseResult:
    """One paper per distinct id, in file order; lines that are not ids are reported and skipped."""
    papers: list[Paper] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for number, line in _entries(text):
        arxiv_id = parse_arxiv_id(line)
        if arxiv_id is None:
            skipped.append(f"{source}:{number}: {line[:80]!r} is not an arXiv id or URL")
            continue
        if arxiv_id in seen:
            continue
        seen.add(arxiv_id)
        papers.append(
            Paper(
                title="", source=source, position=len(papers) + 1, arxiv_id=arxiv_id, origin="ids"
            )
        )
    if not papers:
        raise InputError(f"{source}: no arXiv id found; expected one id or arXiv URL per line")
    return ParseResult(papers=tuple(papers), skipped=tuple(skipped))
