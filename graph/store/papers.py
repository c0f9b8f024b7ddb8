"""Papers, their sources, links and keywords as the build's stages read and write them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store.connection import Store

__all__ = [
    "code_links",
    "given_keywords",
    "paper_ids",
    "paper_texts",
    "replace_keywords",
    "set_cited_by",
]

# A placeholder title ("arXiv:<id>", for papers known only by id) is no text to take keywords from.
SQL_PAPER_TEXTS = (
    "SELECT paper_id, CASE WHEN title = 'arXiv:' || arxiv_id THEN '' ELSE title END, "
    "coalesce(abstract, '') FROM papers ORDER BY paper_id"
)
SQL_GIVEN_KEYWORDS = (
    "SELECT paper_id, keyword, origin FROM keywords WHERE origin <> 'text' ORDER BY ALL"
)
SQL_CODE_LINKS = "SELECT DISTINCT src, dst FROM edges WHERE kind = 'code' ORDER BY ALL"
SQL_PAPER_IDS = "SELECT paper_id FROM papers"
SQL_DELETE_KEYWORDS = "DELETE FROM keywords"
SQL_CITED_BY = (
    "UPDATE papers SET cited_by_count = c.n FROM "
    "(SELECT unnest(?::VARCHAR[]) AS pid, unnest(?::INTEGER[]) AS n) AS c "
    "WHERE papers.paper_id = c.pid"
)


def paper_texts(store: Store) -> list[tuple[Any, ...]]:
    """(paper_id, title, abstract) of every paper in id order; placeholder titles are empty."""
    return store.query(SQL_PAPER_TEXTS)


def given_keywords(store: Store) -> list[tuple[Any, ...]]:
    """(paper_id, keyword, origin) of the keywords a source gave (not extracted from text)."""
    return store.query(SQL_GIVEN_KEYWORDS)


def code_links(store: Store) -> list[tuple[Any, ...]]:
    """Distinct (paper, repo or owner) pairs of the ``code`` edges."""
    return store.query(SQL_CODE_LINKS)


def paper_ids(store: Store) -> set[str]:
    """The ids of the stored papers."""
    return {row[0] for row in store.query(SQL_PAPER_IDS)}


def replace_keywords(store: Store, columns: dict[str, Any]) -> None:
    """Replace every keyword row by ``columns`` (paper_id, keyword, weight, origin)."""
    store.execute(SQL_DELETE_KEYWORDS)
    store.insert_columns("keywords", columns)


def set_cited_by(store: Store, counts: Sequence[tuple[str, int]]) -> None:
    """Set ``papers.cited_by_count`` from (paper_id, count) pairs."""
    store.execute(SQL_CITED_BY, [[c[0] for c in counts], [c[1] for c in counts]])
