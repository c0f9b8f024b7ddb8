"""Citation data from files: OpenAlex work objects and Semantic Scholar Graph API paper objects.

Both come as the services write them, one object a line or a list (``{"results": [...]}``,
``{"data": [...]}``, a JSON array); :mod:`collectors.jsonfeed` reads the documents and
hands each object recognised here to these parsers, which are pure.

Every id becomes a *work key*: ``arxiv:<id>``, ``doi:<doi>``, ``openalex:W<n>`` or
``s2:<paperId>`` (``title:<normalised title>`` for a reference with no id). A paper's own keys and those of its references are listed most
portable first (arXiv id, DOI, then the service's own id), so that the first key of a
reference is the one the works table and the ``work`` nodes use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from collectors.arxiv_ids import parse_arxiv_id
from collectors.bibtex import normalise_doi
from collectors.links import extract_links
from collectors.openalex import parse_openalex_work
from collectors.payloads import UnusableResponse
from collectors.records import Paper, Reference, stored_count
from collectors.scholar import s2_ids
from collectors.titles import normalise_title

__all__ = [
    "NotAWork",
    "is_openalex_work",
    "is_s2_paper",
    "paper_from_openalex_object",
    "paper_from_s2_object",
    "work_keys",
]

_OPENALEX_ID = re.compile(r"^(?:https?://openalex\.org/)?W\d+$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
#: fields of which an OpenAlex work carries at least one beside its id
_OPENALEX_FIELDS = frozenset(
    ["display_name", "publication_year", "referenced_works", "authorships", "primary_topic"]
)


class NotAWork(ValueError):
    """An object of a citation file that cannot be a paper; the message says why."""


def is_openalex_work(obj: Any) -> bool:
    """Whether ``obj`` has the shape of an OpenAlex work (a ``https://openalex.org/W...`` id)."""
    if not isinstance(obj, dict):
        return False
    ident = obj.get("id")
    return (
        isinstance(ident, str)
        and bool(_OPENALEX_ID.match(ident))
        and bool(_OPENALEX_FIELDS & obj.keys())
    )


def is_s2_paper(obj: Any) -> bool:
    """Whether ``obj`` has the shape of a Semantic Scholar paper (a ``paperId`` and more)."""
    return (
        isinstance(obj, dict)
        and "paperId" in obj
        and bool({"title", "externalIds", "references", "citations"} & obj.keys())
    )


def work_keys(
    arxiv_id: str | None, doi: str | None, service_key: str | None = None
) -> tuple[str, ...]:
    """The keys of one work, most portable first; an arXiv DOI counts as the arXiv id.

    >>> work_keys(None, "10.48550/arXiv.2506.22712", "openalex:W1")
    ('arxiv:2506.22712', 'openalex:W1')
    >>> work_keys("1706.03762", "10.1000/X", "s2:abc")
    ('arxiv:1706.03762', 'doi:10.1000/x', 's2:abc')
    """
    bare = normalise_doi(doi) if doi else None
    if bare and (found := _ARXIV_DOI.match(bare)):
        arxiv_id = arxiv_id or parse_arxiv_id(found.group(1))
        bare = None
    keys = [f"arxiv:{arxiv_id}" if arxiv_id else None, f"doi:{bare}" if bare else None]
    keys.append(service_key)
    return tuple(dict.fromkeys(k for k in keys if k))


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _year(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return value
    return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _abstract(index: Any) -> str:
    """The abstract from OpenAlex's inverted index (word -> positions)."""
    if not isinstance(index, dict):
        return ""
    at: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else ():
            if isinstance(position, int) and isinstance(word, str):
                at[position] = word
    return " ".join(at[p] for p in sorted(at))


def _year_only(published: date | None, year: int | None) -> str | None:
    """The year as the shown date when the source gives no day (a full date speaks for itself)."""
    return str(year) if published is None and year is not None else None


def _plain_doi(doi: str | None) -> str | None:
    bare = normalise_doi(doi) if doi else None
    return None if bare is None or _ARXIV_DOI.match(bare) else bare


@dataclass(frozen=True, slots=True)
class _WorkFields:
    """Where a citation service's paper object keeps what OpenAlex and Semantic Scholar share."""

    origin: str
    published: str
    year: str
    authors: str


_OPENALEX = _WorkFields("openalex", "publication_date", "publication_year", "authorships")
_S2 = _WorkFields("s2", "publicationDate", "year", "authors")


def _work_paper(
    obj: dict[str, Any],
    fields: _WorkFields,
    text: tuple[str, str],
    ids: tuple[str | None, str | None, tuple[str, ...]],
    where: tuple[str, int],
) -> Paper:
    """The paper ``obj`` describes, but for its references and counts (the caller's): ``text``
    is (title, abstract), ``ids`` (arXiv id, DOI, the service's keys), ``where`` (source, position)."""
    title, abstract = text
    published = _date(obj.get(fields.published))
    authors = obj.get(fields.authors)
    return Paper(
        title=title,
        source=where[0],
        position=where[1],
        abstract=abstract,
        links=extract_links(abstract),
        authors=len(authors) if isinstance(authors, list) and authors else None,
        published=published,
        published_text=_year_only(published, _year(obj.get(fields.year))),
        arxiv_id=ids[0],
        doi=_plain_doi(ids[1]),
        origin=fields.origin,
        keys=ids[2],
    )


def paper_from_openalex_object(obj: dict[str, Any], source: str, position: int) -> Paper:
    """A paper, with its ``references``, from one OpenAlex work object."""
    if not isinstance(obj, dict):
        raise NotAWork(f"expected an object, found {type(obj).__name__}")
    try:
        work = parse_openalex_work(obj)
    except UnusableResponse as exc:
        raise NotAWork(str(exc)) from exc
    title = _text(work.title)
    if not title and not work.arxiv_id:
        raise NotAWork(f"OpenAlex work {work.openalex_id} has no title")
    topics = [obj.get("primary_topic"), *(obj.get("keywords") or ())]
    keywords = dict.fromkeys(_text(t.get("display_name")) for t in topics if isinstance(t, dict))
    abstract = _abstract(obj.get("abstract_inverted_index"))
    ids = (work.arxiv_id, work.doi, (f"openalex:{work.openalex_id}",))
    paper = _work_paper(obj, _OPENALEX, (title, abstract), ids, (source, position))
    cited = tuple(Reference((f"openalex:{w}",), source="openalex") for w in work.referenced_works)
    return replace(
        paper,
        keywords=tuple(k for k in keywords if k),
        references=cited,
        cited_by_count=work.cited_by_count,
    )


def s2_reference(item: Any) -> Reference | None:
    """A reference (or citing paper) of a Semantic Scholar paper; None with neither id nor title."""
    if not isinstance(item, dict):
        return None
    # The references endpoint wraps each one: {"citedPaper": {...}} / {"citingPaper": {...}}.
    item = item.get("citedPaper") or item.get("citingPaper") or item
    paper_id, arxiv, doi = s2_ids(item)
    keys = work_keys(arxiv, doi, f"s2:{paper_id}" if paper_id else None)
    title = _text(item.get("title")) or None
    if not keys and title and normalise_title(title):
        # No id at all: the title is the key (and may still meet a corpus paper by title).
        keys = (f"title:{normalise_title(title)}",)
    if not keys:
        return None
    return Reference(keys, title, _year(item.get("year")), "s2")


def _s2_list(obj: dict[str, Any], name: str) -> tuple[Reference, ...]:
    found = obj.get(name)
    if isinstance(found, dict):  # {"data": [...]} as the paged endpoints answer
        found = found.get("data")
    if not isinstance(found, list):
        return ()
    refs = (s2_reference(item) for item in found)
    return tuple(dict.fromkeys(r for r in refs if r is not None))


def paper_from_s2_object(obj: dict[str, Any], source: str, position: int) -> Paper:
    """A paper, with its ``references`` and ``citations``, from one Semantic Scholar paper object."""
    if not isinstance(obj, dict):
        raise NotAWork(f"expected an object, found {type(obj).__name__}")
    paper_id, arxiv, doi = s2_ids(obj)
    title = _text(obj.get("title"))
    if not title and not arxiv:
        raise NotAWork(f"Semantic Scholar paper {paper_id or '?'} has no title")
    ids = (arxiv, doi, (f"s2:{paper_id}",) if paper_id else ())
    paper = _work_paper(obj, _S2, (title, _text(obj.get("abstract"))), ids, (source, position))
    return replace(
        paper,
        references=_s2_list(obj, "references"),
        cited_by=_s2_list(obj, "citations"),
        cited_by_count=stored_count(obj.get("citationCount")),
    )
