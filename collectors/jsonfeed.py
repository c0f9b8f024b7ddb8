"""JSON and JSONL inputs: Hugging Face Papers API objects and paperweb's own simple schema.

The simple schema, one object per paper (every field but ``title`` or ``arxiv_id`` optional)::

    {"title": "...", "abstract": "...", "arxiv_id": "2506.22712", "published": "2025-06-27",
     "authors": 4 or ["Ada Lovelace", ...], "upvotes": 12, "keywords": ["..."],
     "links": ["https://github.com/owner/repo", ...], "doi": "10.1000/xyz"}

(``published_at`` and ``publishedAt`` are taken for ``published``.) Objects of the arXiv
metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``: ``id``, ``authors_parsed``,
``versions``, ``categories``, ...) are recognised by their keys and read as arXiv records;
OpenAlex works and Semantic Scholar papers are read by :mod:`collectors.citation_files`.
"""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from collectors.arxiv_ids import parse_arxiv_id
from collectors.bibtex import normalise_doi
from collectors.citation_files import (
    NotAWork,
    is_openalex_work,
    is_s2_paper,
    paper_from_openalex_object,
    paper_from_s2_object,
)
from collectors.inputs import GZIP_ERRORS, damaged, open_input
from collectors.latex import decode_latex
from collectors.links import canonical_link, extract_links
from collectors.records import MAX_COUNT, Link, Paper, ParseResult, stored_count
from collectors.safejson import load_json
from paperweb.errors import InputError

__all__ = [
    "iter_jsonl",
    "paper_from_arxiv_snapshot_object",
    "paper_from_hf_object",
    "paper_from_object",
    "paper_from_simple_object",
    "parse_json",
]

#: keys only Hugging Face paper objects carry (``summary`` is their abstract); their
#: ``publishedAt`` counts only beside an ``id``, since the simple schema takes it too
_HF_KEYS = frozenset(["summary", "githubRepo", "projectPage", "ai_keywords"])
#: keys that together mark an object of the arXiv metadata snapshot
_ARXIV_SNAPSHOT_KEYS = frozenset(["id", "versions", "categories"])
_BARE_REPO = re.compile(r"[\w\-]+/[\w.\-]+")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.", re.IGNORECASE)


class _BadObject(ValueError):
    """An object that is not a paper; the message says why."""


#: where a parser puts one line per field it dropped ("upvotes -3 is negative; dropped")
Notes = list[str]


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
    """A count from a number, a list, or a string holding either (archives save some
    fields as Python reprs: ``"[{'name': 'Ada'}]"``, ``"12"``)."""
    if isinstance(value, str) and value.strip():
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)):
        return len(value)
    return None


def _stored(value: Any, name: str, notes: Notes) -> int | None:
    """:func:`_count` of ``value`` when the store can hold it; else None, and a note why."""
    count = _count(value)
    if count is None or stored_count(count) is not None:
        return count
    notes.append(
        f"{name} is negative; dropped" if count < 0 else f"{name} is over {MAX_COUNT:,}; dropped"
    )
    return None


def _keywords(value: Any, name: str, notes: Notes) -> tuple[str, ...]:
    """Keyphrases from a list of strings, or from one string of ``;``/``,``-separated ones."""
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        value = re.split(r"[;,]", value)
    if not isinstance(value, list):
        notes.append(f"{name} is a {type(value).__name__}, not a list of strings; dropped")
        return ()
    return tuple(_text(k) for k in value if isinstance(k, str) and k.strip())


def _id_text(value: Any) -> str:
    """An id field as text: strings and numbers only (never the repr of a nested value)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return value if isinstance(value, str) else str(value)


def _doi(value: Any) -> str | None:
    """A bare DOI other than an arXiv DOI (the first, when several are given)."""
    if not isinstance(value, str) or not value.strip():
        return None
    doi = normalise_doi(value.split()[0])
    return None if doi is None or _ARXIV_DOI.match(doi) else doi


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


@dataclass(frozen=True, slots=True)
class _Schema:
    """Where one JSON shape keeps the fields the Hugging Face and simple shapes share."""

    origin: str
    arxiv_id: str
    abstract: str
    keywords: str
    #: the date fields, first found wins
    published: tuple[str, ...]
    #: whether a count of upvotes may be written as a string or a list's length
    loose_upvotes: bool


_HF = _Schema("hf", "id", "summary", "ai_keywords", ("publishedAt",), loose_upvotes=True)
_SIMPLE = _Schema(
    "json", "arxiv_id", "abstract", "keywords", ("published", "published_at", "publishedAt"), False
)


def _schema_paper(
    obj: dict[str, Any],
    outer: dict[str, Any],
    schema: _Schema,
    given: tuple[Link, ...],
    where: tuple[str, int, Notes],
) -> Paper:
    """A paper from ``obj`` read as ``schema`` says; ``outer`` (a wrapper, or ``obj`` itself)
    stands in for a missing title or date, and ``given`` are the links the object names."""
    source, position, notes = where
    title = _text(obj.get("title") or outer.get("title"))
    arxiv_id = parse_arxiv_id(_id_text(obj.get(schema.arxiv_id)))
    if not title and not arxiv_id:
        raise _BadObject(f"object has neither 'title' nor {schema.arxiv_id!r}")
    abstract = _text(obj.get(schema.abstract))
    dates = (obj.get(name) or outer.get(name) for name in schema.published)
    upvotes = obj.get("upvotes")
    loose = schema.loose_upvotes and not isinstance(upvotes, list)
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=abstract,
        authors=_stored(obj.get("authors"), "authors", notes),
        published=_date(next((d for d in dates if d), None)),
        upvotes=_stored(upvotes, "upvotes", notes) if loose or isinstance(upvotes, int) else None,
        arxiv_id=arxiv_id,
        doi=_doi(obj.get("doi")),
        links=_merge_links(given, extract_links(abstract)),
        keywords=_keywords(obj.get(schema.keywords), schema.keywords, notes),
        origin=schema.origin,
    )


def paper_from_hf_object(
    obj: dict[str, Any], source: str, position: int, notes: Notes | None = None
) -> Paper:
    """A paper from a Hugging Face API object (a bare paper or a wrapper holding ``paper``)."""
    inner = obj.get("paper", obj)
    if not isinstance(inner, dict):
        raise _BadObject("'paper' is not an object")
    own = (_link(inner.get("githubRepo"), "hf"), _link(inner.get("projectPage"), "hf"))
    given = tuple(link for link in own if link is not None)
    return _schema_paper(inner, obj, _HF, given, (source, position, _notes(notes)))


def paper_from_simple_object(
    obj: dict[str, Any], source: str, position: int, notes: Notes | None = None
) -> Paper:
    """A paper from paperweb's simple schema (see the module docstring)."""
    raw_links = obj.get("links") or []
    if not isinstance(raw_links, list):
        raise _BadObject("'links' is not a list")
    given = tuple(link for url in raw_links if (link := _link(url, "json")) is not None)
    return _schema_paper(obj, obj, _SIMPLE, given, (source, position, _notes(notes)))


def _notes(notes: Notes | None) -> Notes:
    return notes if notes is not None else []


def _first_version(versions: Any) -> date | None:
    """The date of version 1 (``"Mon, 2 Apr 2007 19:18:42 GMT"``), else of the earliest one."""
    if not isinstance(versions, list):
        return None
    found: list[tuple[int, date]] = []
    for item in versions:
        if not isinstance(item, dict) or not isinstance(item.get("created"), str):
            continue
        try:
            created = parsedate_to_datetime(item["created"]).date()
        except (TypeError, ValueError, IndexError):
            continue
        version = item.get("version")
        number = version.lstrip("vV") if isinstance(version, str) else ""
        usable = number.isascii() and number.isdigit() and len(number) < 9
        found.append((int(number) if usable else 1 << 30, created))
    return min(found)[1] if found else None


def _snapshot_authors(obj: dict[str, Any]) -> int | None:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        return len(parsed)
    names = obj.get("authors")
    if isinstance(names, str) and names.strip():
        # "A. Author, B. Author and C. Author"
        return len([n for n in re.split(r",|\band\b", names) if n.strip()])
    return None


def paper_from_arxiv_snapshot_object(obj: dict[str, Any], source: str, position: int) -> Paper:
    """A paper from one object of the arXiv metadata snapshot (one line of its JSONL)."""
    arxiv_id = parse_arxiv_id(_id_text(obj.get("id")))
    # Titles there are LaTeX source ("$\\alpha$-stable", "Schr\\"odinger"), wrapped over lines.
    title = decode_latex(_text(obj.get("title")))
    if not title and not arxiv_id:
        raise _BadObject("arXiv record has neither a title nor an id")
    abstract = _text(obj.get("abstract"))
    published = _first_version(obj.get("versions"))
    categories = obj.get("categories")
    comments = _text(obj.get("comments"))
    return Paper(
        title=title,
        source=source,
        position=position,
        abstract=abstract,
        authors=_snapshot_authors(obj),
        published=published,
        arxiv_id=arxiv_id,
        doi=_doi(obj.get("doi")),
        # Authors put their code and project links in the comments as often as in the abstract.
        links=_merge_links(extract_links(abstract), extract_links(comments, origin="arxiv")),
        origin="arxiv",
        categories=tuple(categories.split()) if isinstance(categories, str) else (),
    )


def paper_from_object(obj: Any, source: str, position: int, notes: Notes | None = None) -> Paper:
    """A paper from either JSON shape; raises ValueError (with a reason) for anything else.

    Fields that are dropped (a count the store cannot hold, keywords that are no list)
    get a line each in ``notes``.
    """
    if not isinstance(obj, dict):
        raise _BadObject(f"expected an object, found {type(obj).__name__}")
    try:
        if is_openalex_work(obj):
            return paper_from_openalex_object(obj, source, position)
        if is_s2_paper(obj):
            return paper_from_s2_object(obj, source, position)
    except NotAWork as exc:
        raise _BadObject(str(exc)) from exc
    if "paper" in obj or _HF_KEYS & obj.keys() or ("publishedAt" in obj and "id" in obj):
        return paper_from_hf_object(obj, source, position, notes)
    if obj.keys() >= _ARXIV_SNAPSHOT_KEYS or "authors_parsed" in obj:
        return paper_from_arxiv_snapshot_object(obj, source, position)
    return paper_from_simple_object(obj, source, position, notes)


def _items(document: Any, source: str) -> list[Any]:
    """The paper objects of a JSON document: an array, an object holding one, or one paper."""
    if isinstance(document, list):
        if not document:
            raise InputError(f"{source}: JSON array is empty; expected papers")
        return document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list) and v]
        if "title" not in document and "paper" not in document and len(lists) == 1:
            return lists[0]
        error = document.get("error")
        if error and not {"title", "paper", "id", "arxiv_id"} & document.keys():
            said = error if isinstance(error, str) else type(error).__name__
            raise InputError(
                f"{source}: an error answer of a web service, not papers ({said[:100]!r})"
            )
        return [document]
    raise InputError(f"{source}: JSON holds a {type(document).__name__}; expected papers")


def parse_json(text: str, source: str) -> ParseResult:
    """Every paper of a JSON document; items that are not papers are reported and skipped."""
    try:
        document = load_json(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}:{exc.lineno}: not valid JSON ({exc.msg}); fix the file or pass --format"
        ) from exc
    papers: list[Paper] = []
    skipped: list[str] = []
    items = _items(document, source)
    for index, item in enumerate(items, 1):
        notes: Notes = []
        try:
            papers.append(paper_from_object(item, source, len(papers) + 1, notes))
        except _BadObject as exc:
            skipped.append(f"{source}: item {index}: {exc}")
        skipped += [f"{source}: item {index}: {note}" for note in notes]
    if not papers:
        raise InputError(f"{source}: {_why_no_paper(items)}")
    return ParseResult(papers=tuple(papers), skipped=tuple(skipped))


def _why_no_paper(items: list[Any]) -> str:
    kinds = {type(item).__name__ for item in items}
    if kinds == {"str"}:
        # Some archives saved each paper as the Python repr of a dict: not JSON, unreadable.
        looks_like = " (Python reprs, not JSON objects)" if str(items[0]).startswith("{'") else ""
        return f"the JSON array holds {len(items)} strings{looks_like}, not paper objects"
    if "dict" not in kinds:
        return f"the JSON array holds {', '.join(sorted(kinds))} values, not paper objects"
    return "no paper in the JSON (each needs a title or an arXiv id)"


#: the longest JSONL line read as a paper (the largest real work objects are ~1 MB)
MAX_LINE = 32 * 2**20


def _bounded_lines(text: io.TextIOBase, limit: int = MAX_LINE) -> Iterator[str | None]:
    """The lines of ``text``, None for each line longer than ``limit`` (read past, not kept):
    one endless line (a gzip that inflates to a gigabyte of one character) never fills memory."""
    while line := text.readline(limit + 1):
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        while (rest := text.readline(limit)) and not rest.endswith("\n"):
            pass
        yield None


def iter_jsonl(path: Path, skipped: list[str]) -> Iterator[Paper]:
    """Stream the papers of a JSONL file line by line; bad lines go to ``skipped`` with file:line.

    A file of which no line is a paper is one :class:`InputError` (raised once it is read),
    not a report per line.
    """
    source = str(path)
    position = 0
    bad: list[str] = []
    #: every line to report, in file order: unusable lines and dropped fields
    said: list[str] = []
    try:
        # utf-8-sig drops a BOM; universal newlines fold CRLF. Iterating the file object
        # keeps one line in memory, so a file of any size (compressed or not) streams.
        with open_input(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig") as lines:
            for number, line in enumerate(_bounded_lines(lines, MAX_LINE), 1):
                if line is None:
                    bad.append(f"{source}:{number}: line over {MAX_LINE // 2**20} MiB; not a paper")
                    said.append(bad[-1])
                    continue
                if not line.strip():
                    continue
                notes: Notes = []
                try:
                    paper = paper_from_object(load_json(line), source, position + 1, notes)
                except json.JSONDecodeError as exc:
                    bad.append(f"{source}:{number}: not a JSON object ({exc.msg})")
                    said.append(bad[-1])
                    continue
                except _BadObject as exc:
                    bad.append(f"{source}:{number}: {exc}")
                    said.append(bad[-1])
                    continue
                said += [f"{source}:{number}: {note}" for note in notes]
                position += 1
                yield paper
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: file is not UTF-8 text (at byte {exc.start} of a line)"
        ) from exc
    except GZIP_ERRORS as exc:  # before OSError: BadGzipFile is one
        raise damaged(path, exc) from exc
    except OSError as exc:
        raise InputError(f"{source}: cannot read file ({exc.strerror or exc})") from exc
    if not position:
        if not bad:
            raise InputError(f"{source}: file has no JSON lines; expected papers")
        raise InputError(
            f"{source}: no paper in the JSONL ({len(bad):,} unusable lines; first, line "
            f"{bad[0].removeprefix(source + ':')})"
        )
    skipped.extend(said)
