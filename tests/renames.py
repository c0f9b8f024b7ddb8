"""Renaming repositories inside a stored graph: test-only.

A build applies GitHub's renames to the records before they are stored
(``graph.enrichment.apply_enrichment``), so the package never renames in the
database; the tests use this to move a repository after a build and check what
the graph tables must then say.
"""

from __future__ import annotations

from collections.abc import Mapping

from collectors.links import repo_owner
from graph.store import Store

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


def final_target(target: str, renamed: Mapping[str, str]) -> str:
    """Where ``target`` ends up after following renames (a chain a -> b -> c gives c)."""
    seen = {target}
    while target in renamed and renamed[target] not in seen:
        target = renamed[target]
        seen.add(target)
    return target


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
