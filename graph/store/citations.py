"""The ``references`` and ``works`` tables: what the citation stage reads back and lists."""

from __future__ import annotations

from typing import Any

from graph.store.connection import Store

__all__ = ["missing_works", "work_node_threshold"]

SQL_MIN_CITED = "SELECT value FROM build_info WHERE key = 'citations.min_cited'"

# The works outside the corpus that most corpus papers cite, with the titles of those papers.
SQL_MISSING_WORKS = """
SELECT w.work_key, w.title, w.year, w.cited_by,
       list(DISTINCT p.paper_id ORDER BY p.paper_id) AS paper_ids,
       list(DISTINCT p.title ORDER BY p.title) AS paper_titles
FROM works w
JOIN "references" r ON r.work_key = w.work_key AND r.cited_paper IS NULL
JOIN papers p ON p.paper_id = r.paper_id
WHERE w.cited_by >= ?
GROUP BY w.work_key, w.title, w.year, w.cited_by
ORDER BY w.cited_by DESC, w.work_key
LIMIT ?
"""


def missing_works(store: Store, min_cited: int = 1, limit: int = 20) -> list[dict[str, Any]]:
    """Works outside the corpus cited by at least ``min_cited`` corpus papers, most cited first:
    work_key, title, year, cited_by, paper_ids and paper_titles (of the citing papers)."""
    rows = store.query(SQL_MISSING_WORKS, [min_cited, limit])
    names = ("work_key", "title", "year", "cited_by", "paper_ids", "paper_titles")
    return [dict(zip(names, row, strict=True)) for row in rows]


def work_node_threshold(store: Store, default: int = 3) -> int:
    """The ``--min-cited`` the database was built with (works cited that often are nodes)."""
    rows = store.query(SQL_MIN_CITED)
    return int(rows[0][0]) if rows and str(rows[0][0]).isdigit() else default
