"""Citations in the database: directed ``cites`` edges and ``papers.cited_by_count``."""

from __future__ import annotations

from collectors.citations import CitationResult
from graph.store import Store

__all__ = ["write_citations"]

# Only papers that are in the table get edges: a stale result must not create dangling ids.
SQL_KNOWN_PAPERS = "SELECT paper_id FROM papers"
SQL_DROP_CITES = "DELETE FROM edges WHERE kind = 'cites'"
SQL_SET_COUNTS = """
UPDATE papers SET cited_by_count = _cited_by.n
FROM _cited_by
WHERE papers.paper_id = _cited_by.paper_id
"""


def write_citations(store: Store, result: CitationResult) -> int:
    """Replace the ``cites`` edges (src cites dst) and set citation counts; returns edges written.

    Runs inside the caller's transaction. Unlike ``similar`` edges these keep
    their direction, so a pair citing each other gives two edges.
    """
    known = {row[0] for row in store.query(SQL_KNOWN_PAPERS)}
    edges = sorted(
        {
            (c.citing, c.cited): c.evidence
            for c in result.cites
            if c.citing in known and c.cited in known and c.citing != c.cited
        }.items()
    )
    store.execute(SQL_DROP_CITES)
    store.insert_columns(
        "edges",
        {
            "src": [citing for (citing, _), _ in edges],
            "dst": [cited for (_, cited), _ in edges],
            "kind": ["cites"] * len(edges),
            "weight": [1.0] * len(edges),
            "evidence": [evidence for _, evidence in edges],
        },
    )
    counts = sorted((pid, n) for pid, n in result.cited_by_count.items() if pid in known)
    if counts:
        columns: dict[str, list[str] | list[int]] = {
            "paper_id": [pid for pid, _ in counts],
            "n": [n for _, n in counts],
        }
        with store.columns_view("_cited_by", columns):
            store.execute(SQL_SET_COUNTS)
    return len(edges)
