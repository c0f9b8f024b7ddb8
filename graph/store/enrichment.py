"""What online services add: the ``repos`` table, repository topics as keywords, and the
cited-by counts (inside the build's transaction, after papers, links and link nodes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from collectors.github import RepoInfo
from graph.store.connection import Store

__all__ = ["write_repo_topics", "write_repos"]

SQL_REPO_LABELS = """
UPDATE nodes SET label = repos.full_name
FROM repos
WHERE nodes.node_id = repos.target AND nodes.kind = 'repo' AND repos.full_name IS NOT NULL
"""
SQL_TOPIC_KEYWORDS = """
INSERT INTO keywords (paper_id, keyword, weight, origin)
SELECT DISTINCT links.paper_id, topics.keyword, 1.0, 'github'
FROM _topics AS topics
JOIN links ON links.target = topics.target AND links.kind = 'repo'
WHERE NOT EXISTS (
    SELECT 1 FROM keywords AS k
    WHERE k.paper_id = links.paper_id AND k.keyword = topics.keyword AND k.origin = 'github'
)
"""


def _naive_utc(moment: datetime | None) -> datetime | None:
    # The column is a plain TIMESTAMP holding UTC; an aware value would be shifted by the session zone.
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def write_repos(store: Store, repos: Sequence[RepoInfo]) -> int:
    """Store one ``repos`` row per target and label repo nodes with GitHub's own spelling."""
    rows = list({repo.target: repo for repo in repos}.values())
    count = store.insert_records("repos", rows, convert={"topics": list, "pushed_at": _naive_utc})
    store.execute(SQL_REPO_LABELS)
    return count


def write_repo_topics(store: Store, topics: Iterable[tuple[str, str]]) -> None:
    """Give every paper linking a repo that repo's topics as keywords (origin ``github``).

    GitHub writes topics with hyphens between words (``graph-neural-networks``);
    they are stored with spaces so that they meet the same phrase in abstracts.
    """
    pairs = sorted({(target, topic.replace("-", " ").strip()) for target, topic in topics})
    pairs = [(target, topic) for target, topic in pairs if topic]
    if pairs:
        columns = {"target": [p[0] for p in pairs], "keyword": [p[1] for p in pairs]}
        with store.columns_view("_topics", columns):
            store.execute(SQL_TOPIC_KEYWORDS)
