"""JSON and JSONL inputs: Hugging Face Papers API objects and paperweb's own simple schema.

The simple schema, one object per paper (every field but ``title`` or ``arxiv_id`` optional)::

    {"title": "...", "abstract": "...", "arxiv_id": "2506.22712", "published": "2025-06-27",
     "authors": 4 or ["Ada Lovelace", ...], "upvotes": 12, "keywords": ["..."],
     "links": ["https://github.com/owner/repo", ...]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from collectors.arxiv_ids import parse_arxiv_id
from collectors.links import canonical_link, extract_links
from collectors.records import Link, Paper, ParseResult
from paperweb.errors import InputError

__all__ = [
    "iter_jsonl",
    "paper_from_hf_object",
    "paper_from_object",
    "paper_from_simple_object",
    "parse_json",
]

#: keys only Hugging Face paper objects carry (``summary`` is their abstract)
_HF_KEYS = frozenset(["summary", "publishedAt", "githubRepo", "projectPage", "ai_keywords"])
_BARE_REPO = re.compile(r"[\w\-]+/[\w.\-]+")


class _BadObject(ValueError):
    """An object that is not a paper; the message says why."""


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return len(value)
    return None


def _link(url: Any, origin: str) -> Link | None:
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    # githubRepo is sometimes a bare owner/repo.
    if _BARE_REPO.fullmatch(url):
        url = "https://github.com/" + url
    found = canonical_link(url)
    if found is None:
        return None
    full = url if url.lower().startswith(("http://", "https://")) else "https://" + url
    return Link(url=full, kind=found[0], target=found[1], origin=origin)


def _merge_links(*groups: tuple[Link, ...]) -> tuple[Link, ...]:
    found: dict[str, Link] = {}
    for group in groups:
        for link in group:
            found.setdefault(link.target, link)
    return tuple(found.values())


def _published_text(published: date | None) -> str | None:
    return f"{published:%b} {published.day}, {published.year}" if published else None


def paper_from_hf_object(obj: dict[str, Any], source: str, position: int) -> Paper:
    """A paper from a Hugging Face Papers API object or its ``{"paper": {...}}`` wrapper."""
    inner = obj.get("paper", obj)
    if not isinstance(inner, dict):
        raise _BadObject("'paper' is not an object")
    title = _text(inner.get("title") or obj.get("title"))
    arxiv_id = parse_arxiv_id(str(inner.get("id") or ""))
    if not title and not arxiv_id:
        raise _BadObject("paper has neither a title nor an arXiv id")
    abstract = _text(inner.get("summary"))
    published = _date(inner.get("publishedAt") or obj.get("publishedAt"))
    own = tuple(
        link
        for link in (_link(inner.get("githubRepo"), "hf"), _link(inner.get("projectPage"), "hf"))
        if link is not None
    )
    keywords = inner.get("ai_keywords") or ()
    upvotes = inner.get("upvotes")
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=abstract,
        authors=_count(inner.get("authors")),
        published=published,
        published_text=_published_text(published),
        upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
        arxiv_id=arxiv_id,
        links=_merge_links(own, extract_links(abstract)),
        keywords=tuple(_text(k) for k in keywords if isinstance(k, str) and k.strip()),
        origin="hf",
    )


def paper_from_simple_object(obj: dict[str, Any], source: str, position: int) -> Paper:
    """A paper from paperweb's simple schema (see the module docstring)."""
    title = _text(obj.get("title"))
    arxiv_id = parse_arxiv_id(str(obj.get("arxiv_id") or ""))
    if not title and not arxiv_id:
        raise _BadObject("object has neither 'title' nor 'arxiv_id'")
    abstract = _text(obj.get("abstract"))
    published = _date(obj.get("published"))
    raw_links = obj.get("links") or []
    if not isinstance(raw_links, list):
        raise _BadObject("'links' is not a list")
    given = tuple(link for url in raw_links if (link := _link(url, "json")) is not None)
    upvotes = obj.get("upvotes")
    keywords = obj.get("keywords") or []
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=abstract,
        authors=_count(obj.get("authors")),
        published=published,
        published_text=_published_text(published),
        upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
        arxiv_id=arxiv_id,
        links=_merge_links(given, extract_links(abstract)),
        keywords=tuple(_text(k) for k in keywords if isinstance(k, str) and k.strip()),
        origin="json",
    )


def paper_from_object(obj: Any, source: str, position: int) -> Paper:
    """A paper from either JSON shape; raises ValueError (with a reason) for anything else."""
    if not isinstance(obj, dict):
        raise _BadObject(f"expected an object, found {type(obj).__name__}")
    if "paper" in obj or _HF_KEYS & obj.keys():
        return paper_from_hf_object(obj, source, position)
    return paper_from_simple_object(obj, source, position)


def _items(document: Any, source: str) -> list[Any]:
    """The paper objects of a JSON document: an array, an object holding one, or one paper."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list) and v]
        if "title" not in document and "paper" not in document and len(lists) == 1:
            return lists[0]
        return [document]
    raise InputError(f"{source}: JSON holds a {type(document).__name__}; expected papers")


def parse_json(text: str, source: str) -> ParseResult:
    """Every paper of a JSON document; items that are not papers are reported and skipped."""
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}:{exc.lineno}: not valid JSON ({exc.msg}); fix the file or pass --format"
        ) from exc
    papers: list[Paper] = []
    skipped: list[str] = []
    for index, item in enumerate(_items(document, source), 1):
        try:
            papers.append(paper_from_object(item, source, len(papers) + 1))
        except _BadObject as exc:
            skipped.append(f"{source}: item {index}: {exc}")
    if not papers:
        raise InputError(f"{source}: no paper in the JSON (each needs a title or an arXiv id)")
    return ParseResult(papers=tuple(papers), skipped=tuple(skipped))


def iter_jsonl(path: Path, skipped: list[str]) -> Iterator[Paper]:
    """Stream the papers of a JSONL file line by line; bad lines go to ``skipped`` with file:line."""
    source = str(path)
    position = 0
    try:
        # utf-8-sig drops a BOM; universal newlines fold CRLF. Iterating the file object
        # keeps one line in memory, so a file of any size streams.
        with path.open(encoding="utf-8-sig") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    paper = paper_from_object(json.loads(line), source, position + 1)
                except json.JSONDecodeError as exc:
                    skipped.append(f"{source}:{number}: not a JSON object ({exc.msg})")
                    continue
                except _BadObject as exc:
                    skipped.append(f"{source}:{number}: {exc}")
                    continue
                position += 1
                yield paper
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: file is not UTF-8 text (at byte {exc.start} of a line)"
        ) from exc
    except OSError as exc:
        raise InputError(f"{source}: cannot read file ({exc.strerror or exc})") from exc
