"""GitHub facts in the database: the ``repos`` table, renamed repositories, and topics as keywords.

Call these inside the build's transaction, after the papers, links and link
nodes are written and before ``similar``/``shared_code`` edges and metrics are
computed (those name repo nodes and must see the new targets)::

    apply_renames(store, enrichment.renamed)
    write_repos(store, enrichment.repos)
    write_repo_topics(store, enrichment.topics)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from collectors.github import RepoInfo
from collectors.links import repo_owner
from graph.store import Store

__all__ = ["apply_renames", "final_target", "write_repo_topics", "write_repos"]

SQL_REPO_LABELS = """
UPDATE nodes SET label = repos.full_name
FROM repos
WHERE nodes.node_id = repos.target AND nodes.kind = 'repo' AND repos.full_name IS NOT NULL
"""

# A paper that already links the new name keeps that link; its link under the old name goes.
SQL_DROP_SHADOWED_LINKS = """
DELETE FROM links
WHERE target = ? AND EXISTS (
    SELECT 1 FROM links AS other
    WHERE other.paper_id = links.paper_id AND other.origin = links.origin AND other.target = ?
)
"""
SQL_RETARGET_LINKS = "UPDATE links SET target = ? WHERE target = ?"
SQL_COPY_NODE = """
INSERT INTO nodes (node_id, kind, label, url)
SELECT ?, kind, ?, ? FROM nodes
WHERE node_id = ? AND NOT EXISTS (SELECT 1 FROM nodes WHERE node_id = ?)
"""
SQL_DROP_NODE = "DELETE FROM nodes WHERE node_id = ?"
SQL_RETARGET_SRC = "UPDATE edges SET src = ? WHERE src = ?"
SQL_RETARGET_DST = "UPDATE edges SET dst = ? WHERE dst = ?"
SQL_MOVE_OWNER_EDGE = "UPDATE edges SET dst = ?, evidence = ? WHERE src = ? AND kind = 'owner'"
SQL_ADD_OWNER_NODE = """
INSERT INTO nodes (node_id, kind, label, url)
SELECT ?, 'owner', ?, ?
WHERE EXISTS (SELECT 1 FROM edges WHERE dst = ? AND kind = 'owner')
  AND NOT EXISTS (SELECT 1 FROM nodes WHERE node_id = ?)
"""
SQL_DROP_ORPHAN_OWNER = """
DELETE FROM nodes
WHERE node_id = ? AND kind = 'owner'
  AND NOT EXISTS (SELECT 1 FROM edges WHERE src = ? OR dst = ?)
"""
# Edges are unique per (src, dst, kind); a merge can leave two, so keep the older row.
SQL_DEDUPLICATE_EDGES = """
DELETE FROM edges
WHERE (src = ? OR dst = ?) AND rowid NOT IN (
    SELECT min(rowid) FROM edges WHERE src = ? OR dst = ? GROUP BY src, dst, kind
)
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


def final_target(target: str, renamed: Mapping[str, str]) -> str:
    """Where ``target`` ends up after following renames (a chain a -> b -> c gives c)."""
    seen = {target}
    while target in renamed and renamed[target] not in seen:
        target = renamed[target]
        seen.add(target)
    return target


def _naive_utc(moment: datetime | None) -> datetime | None:
    # The column is a plain TIMESTAMP holding UTC; an aware value would be shifted by the session zone.
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def write_repos(store: Store, repos: Sequence[RepoInfo]) -> int:
    """Store one ``repos`` row per target and label repo nodes with GitHub's own spelling."""
    rows = list({repo.target: repo for repo in repos}.values())
    count = store.insert_columns(
        "repos",
        {
            "target": [r.target for r in rows],
            "full_name": [r.full_name for r in rows],
            "html_url": [r.html_url for r in rows],
            "description": [r.description for r in rows],
            "homepage": [r.homepage for r in rows],
            "stars": [r.stars for r in rows],
            "forks": [r.forks for r in rows],
            "topics": [list(r.topics) for r in rows],
            "language": [r.language for r in rows],
            "license": [r.license for r in rows],
            "archived": [r.archived for r in rows],
            "fork": [r.fork for r in rows],
            "pushed_at": [_naive_utc(r.pushed_at) for r in rows],
            "status": [r.status for r in rows],
        },
    )
    store.execute(SQL_REPO_LABELS)
    return count


def _rename_one(store: Store, old: str, new: str) -> None:
    store.execute(SQL_DROP_SHADOWED_LINKS, [old, new])
    store.execute(SQL_RETARGET_LINKS, [new, old])
    store.execute(SQL_COPY_NODE, [new, new.split("/", 1)[-1], "https://" + new, old, new])
    store.execute(SQL_DROP_NODE, [old])
    store.execute(SQL_RETARGET_SRC, [new, old])
    store.execute(SQL_RETARGET_DST, [new, old])
    old_owner, new_owner = repo_owner(old), repo_owner(new)
    if new_owner is not None:
        store.execute(SQL_MOVE_OWNER_EDGE, [new_owner, f"{new} belongs to {new_owner}", new])
        store.execute(
            SQL_ADD_OWNER_NODE,
            [new_owner, new_owner.split("/", 1)[1], "https://" + new_owner, new_owner, new_owner],
        )
        store.execute(SQL_DEDUPLICATE_EDGES, [new_owner] * 4)
    if old_owner is not None and old_owner != new_owner:
        store.execute(SQL_DROP_ORPHAN_OWNER, [old_owner] * 3)
    store.execute(SQL_DEDUPLICATE_EDGES, [new] * 4)


def apply_renames(store: Store, renamed: Mapping[str, str]) -> int:
    """Replace each old repo target by its new one in links, nodes and edges; returns renames applied.

    ``links.url`` keeps the URL the authors wrote. When the new target is already
    in the graph the two merge; a repo whose owner changed moves to the new
    owner node, and an owner left with no repository is removed.
    """
    applied = 0
    for old in sorted(renamed):
        new = final_target(old, renamed)
        if new != old:
            _rename_one(store, old, new)
            applied += 1
    return applied


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
